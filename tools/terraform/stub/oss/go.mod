// Stands in for terraform's nested oss backend module, which the Go module
// proxy does not serve at terraform's version; see ../../go.mod.
module github.com/hashicorp/terraform/internal/backend/remote-state/oss

go 1.25.8
