#!/usr/bin/env bash
# make demo: the provider working end to end, offline, in under a minute.
# It builds the provider and the emulator, starts the emulator, applies
# examples/quickstart against it with the local build, shows the outputs,
# destroys, and proves from the emulator that no credential is left live.
#
# Everything it makes lives in one temporary directory, removed on exit, on
# Ctrl-C and on TERM. It never reads or writes ~/.terraformrc or the
# TF_CLI_CONFIG_FILE of the calling shell: its own CLI configuration is given
# to its own terraform runs only.
set -euo pipefail
cd "$(dirname "$0")/.."

started=$SECONDS
step=0
steps=7
progress() {
	step=$((step + 1))
	printf '\n==> [%d/%d %3ds] %s\n' "$step" "$steps" "$((SECONDS - started))" "$*"
}
die() {
	printf '\ndemo FAILED: %s\n' "$*" >&2
	exit 1
}

# Terraform by default; OpenTofu when that is what is installed.
tf_bin=${TERRAFORM:-}
if [ -z "$tf_bin" ]; then
	if command -v terraform >/dev/null; then tf_bin=terraform; elif command -v tofu >/dev/null; then tf_bin=tofu; fi
fi
[ -n "$tf_bin" ] || die "neither terraform nor tofu is on PATH: install Terraform >= 1.11 (or OpenTofu)"
command -v go >/dev/null || die "go is not on PATH: install Go (the version in go.mod)"
command -v curl >/dev/null || die "curl is not on PATH: it reads the emulator's counts (apt-get install curl)"

work=$(mktemp -d "${TMPDIR:-/tmp}/machineauth-demo.XXXXXX")
emu_pid=""
cleanup() {
	local rc=$?
	# Nothing below may stop the cleanup: a closed terminal or pipe must not
	# kill the script with SIGPIPE before the temporary directory is gone.
	trap '' PIPE
	# The emulator keeps its state in memory, so stopping it also disposes
	# of anything an interrupted apply had issued.
	if [ -n "$emu_pid" ]; then
		kill "$emu_pid" 2>/dev/null || true
		wait "$emu_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
	if [ "$rc" -ne 0 ]; then
		printf '\nstopped (exit %d): emulator stopped, %s removed\n' "$rc" "$work" >&2 || true
	fi
}
tf_pid=""
# on_signal hands the signal to a running terraform, which then stops
# gracefully, waits for it, and exits, so the EXIT trap cleans up once.
on_signal() {
	if [ -n "$tf_pid" ]; then
		kill -INT "$tf_pid" 2>/dev/null || true
		wait "$tf_pid" 2>/dev/null || true
	fi
	exit "$1"
}
trap cleanup EXIT
trap 'on_signal 130' INT
trap 'on_signal 143' TERM

progress "Building the provider and the emulator"
# One go build for both, so the two share one build graph and both cores.
go build -o "$work/bin/" . ./cmd/machineauth-emulator
echo "provider: $work/bin/terraform-provider-machineauth, built from ."
echo "emulator: $work/bin/machineauth-emulator, built from ./cmd/machineauth-emulator (releases ship it as machineauth-emulator_<version>_<os>_<arch> archives)"

progress "Starting the emulator: Clerk and Stytch in memory, on loopback, with a fixture machine, member and connected app"
# It writes its URLs, credentials and fixture ids to emulator.env before
# printing its ready line, so a non-empty log means the file is complete.
"$work/bin/machineauth-emulator" -env-file "$work/emulator.env" >"$work/emulator.log" 2>&1 &
emu_pid=$!
for _ in $(seq 100); do
	[ -s "$work/emulator.log" ] && break
	kill -0 "$emu_pid" 2>/dev/null || die "the emulator exited: $(cat "$work/emulator.log")"
	sleep 0.1
done
[ -s "$work/emulator.log" ] || die "the emulator did not start within 10s"
# The provider's own environment variables (CLERK_*, STYTCH_*), exported
# to terraform, and the fixture ids for the quickstart's variables.
set -a
# shellcheck source=/dev/null
. "$work/emulator.env"
set +a
export TF_VAR_organization_id=$MACHINEAUTH_FIXTURE_STYTCH_ORGANIZATION_ID
export TF_VAR_member_id=$MACHINEAUTH_FIXTURE_STYTCH_MEMBER_ID
export TF_VAR_connected_app_id=$MACHINEAUTH_FIXTURE_STYTCH_CONNECTED_APP_ID
export TF_VAR_connected_app_client_secret=$MACHINEAUTH_FIXTURE_STYTCH_CONNECTED_APP_CLIENT_SECRET
export TF_VAR_redirect_uri=$MACHINEAUTH_FIXTURE_STYTCH_REDIRECT_URI
echo "emulator at $MACHINEAUTH_EMULATOR_URL"

progress "Pointing $tf_bin at the local build (dev_overrides in $work/cli.tfrc)"
# The same block a developer puts in their own CLI configuration to try a
# local build. OpenTofu resolves the source to its own registry's address,
# so both are overridden.
cat >"$work/cli.tfrc" <<EOF
provider_installation {
  dev_overrides {
    "registry.terraform.io/seed-56a0beb6/machineauth" = "$work/bin"
    "registry.opentofu.org/seed-56a0beb6/machineauth" = "$work/bin"
  }
  direct {}
}
EOF
mkdir "$work/quickstart"
cp examples/quickstart/*.tf "$work/quickstart/"
# tf runs terraform as a job of its own process group and waits for it.
# Run in the foreground, terraform would share the script's signals: a
# Ctrl-C would reach it directly while bash held this script's trap until
# terraform had finished, and a SIGINT sent to the script alone would never
# stop it. This way every signal goes to the script, and on_signal hands
# terraform exactly one interrupt.
tf() {
	set -m
	TF_CLI_CONFIG_FILE="$work/cli.tfrc" TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1 \
		"$tf_bin" -chdir="$work/quickstart" "$@" &
	tf_pid=$!
	set +m
	local rc=0
	wait "$tf_pid" || rc=$?
	tf_pid=""
	return "$rc"
}
# terraform init is skipped on purpose: with a dev override there is nothing
# to install (the quickstart needs no other provider), and init would still
# ask the registry for this provider, which has no release there and which
# an offline machine cannot reach.
echo "skipping init: the dev override supplies the provider, and init would query the registry"

progress "Applying examples/quickstart: an M2M token with rotation, a connected-app authorization, a token check"
tf apply -auto-approve -compact-warnings

stats() { curl -fsS "$MACHINEAUTH_EMULATOR_URL/__emulator/stats"; }
# count sets live (M2M tokens) and active (authorizations) from the stats
# JSON, whose compact form Go's encoder fixes: no JSON parser needed. It
# runs in this shell, not a subshell, so that die stops the demo.
count() {
	local s
	s=$(stats) || die "the emulator did not answer its stats"
	live=$(printf '%s' "$s" | sed -nE 's/.*"m2m_tokens":\{"live":([0-9]+).*/\1/p')
	active=$(printf '%s' "$s" | sed -nE 's/.*"authorizations":\{"active":([0-9]+).*/\1/p')
	if [ -z "$live" ] || [ -z "$active" ]; then die "unexpected emulator stats: $s"; fi
	echo "emulator: $live M2M token(s) live, $active authorization(s) active"
}

progress "Outputs: ids, expiry and validity, never secrets"
tf output
count
if [ "$live" -lt 1 ] || [ "$active" -lt 1 ]; then die "the apply left nothing live in the emulator"; fi

progress "Destroying: every token revoked, every authorization revoked"
tf destroy -auto-approve -compact-warnings

progress "Checking the emulator: nothing left live"
count
if [ "$live" -ne 0 ] || [ "$active" -ne 0 ]; then die "credentials are still live after destroy: $(stats)"; fi

printf '\ndemo OK in %ds: issued, checked and revoked; zero credentials live.\n' "$((SECONDS - started))"
