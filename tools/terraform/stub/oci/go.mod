// Stands in for terraform's nested oci backend module, which the Go module
// proxy does not serve at terraform's version; see ../../go.mod.
module github.com/hashicorp/terraform/internal/backend/remote-state/oci

go 1.25.8
