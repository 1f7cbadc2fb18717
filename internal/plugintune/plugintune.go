// Package plugintune holds the process settings the provider binary applies
// before it serves: what the plugin SDK leaves at defaults that cost a
// provider serving thousands of resources time and memory for nothing.
package plugintune

import (
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// QuietLogsUnlessShown turns the SDK's loggers off when Terraform will not
// show provider logs.
//
// The plugin SDK logs every RPC at trace level unless told otherwise, and
// Terraform, not the provider, decides what to show: it reads each JSON log
// line from the provider's stderr and drops it unless TF_LOG or
// TF_LOG_PROVIDER asks for provider logs. At a thousand resources that is
// tens of thousands of lines formatted, masked, piped and parsed for
// nothing; it more than doubled the wall time of a plan.
//
// So when Terraform started this process (it sets the plugin handshake
// cookie) and will show no provider logs (the provider inherits its
// environment), the loggers not set explicitly are turned off. A provider
// started by hand, for a debugger, keeps logging as before.
func QuietLogsUnlessShown(providerLogEnv string) {
	if os.Getenv("TF_PLUGIN_MAGIC_COOKIE") == "" || os.Getenv("TF_LOG") != "" || os.Getenv("TF_LOG_PROVIDER") != "" {
		return
	}
	for _, env := range []string{
		"TF_LOG_SDK",       // the SDK's root logger
		"TF_LOG_SDK_PROTO", // terraform-plugin-go: every RPC
		"TF_LOG_SDK_FRAMEWORK",
		providerLogEnv, // the provider's own tflog calls
	} {
		if os.Getenv(env) == "" {
			_ = os.Setenv(env, "off")
		}
	}
}

const (
	// memoryFloor is the heap the process may reach before it collects at
	// all: a plan of a thousand resources stays within it.
	memoryFloor = 96 << 20
	// headroom is the garbage allowed above the live heap once that passes
	// two thirds of the floor: GOGC=50.
	headroom = 0.5
	// retune is how often the limit follows the live heap.
	retune = 200 * time.Millisecond
)

// TuneGC collects garbage by need rather than by growth, unless GOGC or
// GOMEMLIMIT is set.
//
// The SDK keeps some memory for every RPC it serves (a no-op provider shows
// it too), so the live heap of a provider process grows with the resources
// of the walk: about 70 MB for a thousand. Go's default GOGC=100 lets the
// heap reach twice that before it collects, for a peak resident set above
// 150 MB, and collects often while the heap is small. Instead the collector
// is off below memoryFloor, and past it keeps the heap within headroom of
// the live heap, following it as it grows: fewer collections in a small
// run, a lower peak in a large one, and never a collector that runs without
// end against a fixed limit the live heap has outgrown.
func TuneGC() {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(memoryFloor)
	go func() {
		live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		for range time.Tick(retune) {
			metrics.Read(live)
			if live[0].Value.Kind() != metrics.KindUint64 {
				return
			}
			debug.SetMemoryLimit(limitFor(live[0].Value.Uint64()))
		}
	}()
}

// limitFor is the memory limit for a live heap of live bytes.
func limitFor(live uint64) int64 {
	return max(memoryFloor, int64(float64(live)*(1+headroom)))
}
