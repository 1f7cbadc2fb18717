package plugintune

import (
	"os"
	"testing"
)

func TestLimitFollowsTheLiveHeapAboveTheFloor(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		live uint64
		want int64
	}{
		{0, memoryFloor},
		{40 << 20, memoryFloor},
		{64 << 20, memoryFloor}, // 1.5x is exactly the floor
		{100 << 20, 150 << 20},  // GOGC=50 beyond it
		{1 << 30, 1536 << 20},   // never a limit the live heap has outgrown
	} {
		if got := limitFor(tc.live); got != tc.want {
			t.Errorf("limitFor(%d MiB) = %d MiB, want %d MiB", tc.live>>20, got>>20, tc.want>>20)
		}
	}
}

func TestQuietLogsOnlyWhenTerraformShowsNone(t *testing.T) {
	const provider = "TF_LOG_PROVIDER_EXAMPLE"
	for _, tc := range []struct {
		name  string
		env   map[string]string
		quiet bool
	}{
		{"started by terraform, no logs asked for", map[string]string{"TF_PLUGIN_MAGIC_COOKIE": "x"}, true},
		{"TF_LOG set", map[string]string{"TF_PLUGIN_MAGIC_COOKIE": "x", "TF_LOG": "debug"}, false},
		{"TF_LOG_PROVIDER set", map[string]string{"TF_PLUGIN_MAGIC_COOKIE": "x", "TF_LOG_PROVIDER": "trace"}, false},
		{"started by hand, for a debugger", map[string]string{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, k := range []string{"TF_PLUGIN_MAGIC_COOKIE", "TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", provider} {
				t.Setenv(k, tc.env[k])
				if tc.env[k] == "" {
					_ = os.Unsetenv(k)
				}
			}
			t.Setenv("TF_LOG_SDK_FRAMEWORK", "debug") // set explicitly: kept
			QuietLogsUnlessShown(provider)
			want := ""
			if tc.quiet {
				want = "off"
			}
			for _, k := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", provider} {
				if got := os.Getenv(k); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
			if got := os.Getenv("TF_LOG_SDK_FRAMEWORK"); got != "debug" {
				t.Errorf("TF_LOG_SDK_FRAMEWORK set to debug became %q", got)
			}
		})
	}
}
