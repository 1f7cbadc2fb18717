package main

import "time"

// procCPU is an exited process's CPU time and that of the children it
// waited for; ok is false when it could not be read.
type procCPU struct {
	self, children time.Duration
	ok             bool
}

// cpuOf splits a terraform command's CPU time (total, its own and that of
// the children it waited for) into terraform's and its provider
// processes'. polled is the provider processes' as last seen while they
// ran: it stands in when the exited process could not be read, and counts
// any provider process terraform did not wait for.
func cpuOf(exited procCPU, total, polled time.Duration) (terraform, provider time.Duration) {
	if !exited.ok {
		return max(total-polled, 0), polled
	}
	return exited.self, max(exited.children, polled)
}
