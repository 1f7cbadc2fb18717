#!/usr/bin/env bash
# The newcomer's demo. Until the resources land it builds the provider, starts
# the emulator with its fixture, shows what the emulator answers, and stops it.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
emu_pid=""
cleanup() {
  [ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null && wait "$emu_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

step() { printf '\n==> %s\n' "$*"; }

step "Building the provider and the emulator"
go build -o "$work/terraform-provider-machineauth" .
go build -o "$work/machineauth-emulator" ./internal/emulator/cmd/machineauth-emulator

step "Starting the emulator (Clerk + Stytch, in memory, loopback only)"
mkfifo "$work/ready"
"$work/machineauth-emulator" >"$work/ready" &
emu_pid=$!
read -r info <"$work/ready"
url=$(printf '%s' "$info" | sed -E 's/.*"url":"([^"]+)".*/\1/')
echo "emulator at $url"

step "Emulator request counts and credentials live"
curl -fsS "$url/__emulator/stats"
echo

step "Done. The resources are not built yet: this demo only starts the emulator."
