package main

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// rssWatch polls the provider processes terraform starts under root (a
// terraform pid) and keeps the largest VmHWM, the kernel's own record of a
// process's peak resident set. VmHWM only grows, so polling misses at most
// what a process gains in its last interval; terraform starts a provider
// process per graph walk, and the peak is over all of them.
type rssWatch struct {
	root int
	stop chan struct{}
	done chan struct{}

	mu    sync.Mutex
	peak  map[int]int64 // kB, by pid
	cpu   map[int]time.Duration
	polls int
}

func watchRSS(root int, every time.Duration) *rssWatch {
	w := &rssWatch{root: root, stop: make(chan struct{}), done: make(chan struct{}), peak: map[int]int64{}, cpu: map[int]time.Duration{}}
	go func() {
		defer close(w.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			w.poll()
			select {
			case <-w.stop:
				return
			case <-t.C:
			}
		}
	}()
	return w
}

// Stop ends the polling and returns the peak VmHWM in bytes over all the
// provider processes seen, how many there were, and their CPU time (user
// and system, as last seen: up to one interval short).
func (w *rssWatch) Stop() (peak int64, processes int, cpu time.Duration) {
	close(w.stop)
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, kb := range w.peak {
		peak = max(peak, kb*1024)
	}
	for _, d := range w.cpu {
		cpu += d
	}
	return peak, len(w.peak), cpu
}

func (w *rssWatch) poll() {
	for _, pid := range descendants(w.root) {
		exe, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/exe")
		if err != nil || !strings.HasPrefix(filepath.Base(exe), "terraform-provider-machineauth") {
			continue
		}
		kb, ok := vmHWM(pid)
		cpu, cok := cpuTime(pid)
		w.mu.Lock()
		if ok {
			w.peak[pid] = max(w.peak[pid], kb)
		}
		if cok {
			w.cpu[pid] = max(w.cpu[pid], cpu)
		}
		w.mu.Unlock()
	}
	w.mu.Lock()
	w.polls++
	w.mu.Unlock()
}

// descendants lists the processes below root from the kernel's per-thread
// children lists, which costs a few small reads rather than a scan of /proc.
func descendants(root int) []int {
	var out []int
	queue := []int{root}
	for len(queue) > 0 {
		p := strconv.Itoa(queue[0])
		queue = queue[1:]
		tasks, err := os.ReadDir("/proc/" + p + "/task")
		if err != nil {
			continue
		}
		for _, t := range tasks {
			b, err := os.ReadFile("/proc/" + p + "/task/" + t.Name() + "/children") //nolint:gosec // a /proc path built from pids
			if err != nil {
				continue
			}
			for _, f := range strings.Fields(string(b)) {
				if c, err := strconv.Atoi(f); err == nil {
					out = append(out, c)
					queue = append(queue, c)
				}
			}
		}
	}
	return out
}

func vmHWM(pid int) (int64, bool) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, false
	}
	defer func() { _ = f.Close() }()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb, err == nil
		}
	}
	return 0, false
}

// cpuTime is a process's user and system time from /proc/<pid>/stat.
func cpuTime(pid int) (time.Duration, bool) {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	// The command name is in parentheses and may hold spaces: utime and
	// stime are the 12th and 13th fields after it.
	i := strings.LastIndexByte(string(stat), ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(stat[i+1:]))
	if len(f) < 13 {
		return 0, false
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	// Clock ticks: 100 a second on Linux (USER_HZ).
	return time.Duration(utime+stime) * 10 * time.Millisecond, true
}
