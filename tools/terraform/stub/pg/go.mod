// Stands in for terraform's nested pg backend module, which the Go module
// proxy does not serve at terraform's version; see ../../go.mod.
module github.com/hashicorp/terraform/internal/backend/remote-state/pg

go 1.25.8
