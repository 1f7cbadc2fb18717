package main

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// exitedCPU waits for the child pid to exit without reaping it, and reads
// from the zombie its own CPU time and that of the children it waited for:
// exact figures, where polling a running process misses its last interval.
// The caller reaps it afterwards (cmd.Wait).
func exitedCPU(pid int) procCPU {
	var info unix.Siginfo
	for {
		err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return procCPU{}
		}
		break
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procCPU{}
	}
	// After the parenthesised command name: utime, stime, cutime and
	// cstime are the 12th to 15th fields, in clock ticks (USER_HZ, 100 a
	// second on Linux).
	i := strings.LastIndexByte(string(stat), ')')
	if i < 0 {
		return procCPU{}
	}
	f := strings.Fields(string(stat[i+1:]))
	if len(f) < 15 {
		return procCPU{}
	}
	var ticks [4]int64
	for k := range ticks {
		if ticks[k], err = strconv.ParseInt(f[11+k], 10, 64); err != nil {
			return procCPU{}
		}
	}
	tick := 10 * time.Millisecond
	return procCPU{
		self:     time.Duration(ticks[0]+ticks[1]) * tick,
		children: time.Duration(ticks[2]+ticks[3]) * tick,
		ok:       true,
	}
}
