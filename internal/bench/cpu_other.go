//go:build !linux

package main

// exitedCPU is Linux-only; elsewhere the split falls back to polling.
func exitedCPU(int) procCPU { return procCPU{} }
