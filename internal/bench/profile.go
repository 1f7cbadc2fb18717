package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	fwprovider "github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/provider"
	"github.com/seed-56a0beb6/terraform-provider-machineauth/internal/tfcli"
)

// serveInProcess serves the provider from this process, as the acceptance
// test harness does, and returns the TF_REATTACH_PROVIDERS value that points
// terraform at it. Terraform then starts no provider process: the one server
// here answers every graph walk, so a CPU profile of this process covers the
// provider (and the emulator, told apart by function names).
func serveInProcess(ctx context.Context) (string, error) {
	return serveProviderInProcess(ctx, provider.New("bench"))
}

func serveProviderInProcess(ctx context.Context, factory func() fwprovider.Provider) (string, error) {
	configCh := make(chan *plugin.ReattachConfig, 1)
	closeCh := make(chan struct{})
	errCh := make(chan error, 1)
	go func() {
		errCh <- tf6server.Serve(tfcli.ProviderAddress, providerserver.NewProtocol6(factory()),
			tf6server.WithDebug(ctx, configCh, closeCh),
			tf6server.WithGoPluginLogger(hclog.NewNullLogger()),
			tf6server.WithoutLogStderrOverride(),
		)
	}()
	var cfg *plugin.ReattachConfig
	select {
	case cfg = <-configCh:
	case err := <-errCh:
		return "", fmt.Errorf("serving the provider in-process: %w", err)
	}
	type addr struct {
		Network string
		String  string
	}
	type reattach struct {
		Protocol        string
		ProtocolVersion int
		Pid             int
		Test            bool
		Addr            addr
	}
	b, err := json.Marshal(map[string]reattach{tfcli.ProviderAddress: {
		Protocol:        string(cfg.Protocol),
		ProtocolVersion: cfg.ProtocolVersion,
		Pid:             cfg.Pid,
		Test:            true,
		Addr:            addr{Network: cfg.Addr.Network(), String: cfg.Addr.String()},
	}})
	return string(b), err
}

// startProfile starts a CPU profile named for a phase when -profile is set;
// the returned function stops it and writes a heap profile beside it.
func (b *bench) startProfile(name string) (func() error, error) {
	if b.o.profileDir == "" {
		return func() error { return nil }, nil
	}
	if err := os.MkdirAll(b.o.profileDir, 0o750); err != nil {
		return nil, err
	}
	cpu, err := os.Create(filepath.Join(b.o.profileDir, name+".cpu.pprof")) //nolint:gosec // the directory the user named with -profile
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(cpu); err != nil {
		_ = cpu.Close()
		return nil, err
	}
	return func() error {
		pprof.StopCPUProfile()
		if err := cpu.Close(); err != nil {
			return err
		}
		heap, err := os.Create(filepath.Join(b.o.profileDir, name+".heap.pprof")) //nolint:gosec // the directory the user named with -profile
		if err != nil {
			return err
		}
		runtime.GC()
		if err := pprof.WriteHeapProfile(heap); err != nil {
			_ = heap.Close()
			return err
		}
		return heap.Close()
	}, nil
}
