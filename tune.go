package main

import "github.com/seed-56a0beb6/terraform-provider-machineauth/internal/plugintune"

// The process settings for serving thousands of resources (see plugintune),
// applied before main serves.
func init() {
	plugintune.QuietLogsUnlessShown("TF_LOG_PROVIDER_MACHINEAUTH")
	plugintune.TuneGC()
}
