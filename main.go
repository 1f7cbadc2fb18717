// Command terraform-provider-machineauth is the machineauth Terraform
// provider: Terraform starts it and talks to it over gRPC.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/plugintune"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/provider"
)

// version is set by goreleaser at release time.
var version = "dev"

func main() {
	// Before Serve builds its loggers: settings for serving thousands of
	// resources (see plugintune).
	plugintune.QuietLogsUnlessShown("TF_LOG_PROVIDER_MACHINEAUTH")
	plugintune.TuneGC()

	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/seed-56a0beb6/machineauth",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}
