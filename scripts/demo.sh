#!/usr/bin/env bash
# make demo: the provider's story, end to end, offline. It builds the
# provider and the emulator, applies examples/quickstart (a Clerk machine
# made by Terraform with two tokens and an API key hanging from it, a Stytch
# M2M client with a checked token, a connected-app authorization), rotates
# the machine's key in place and shows the overlap from the emulator's side
# (the old key issues tokens until the overlap ends, by the emulator's
# clock, which the demo moves on rather than waiting), checks that the
# tokens still verify, destroys, and proves from the emulator that nothing
# is left live. It never prints a secret: it shows ids, HTTP statuses and
# terraform's own output, where Terraform masks secrets.
#
# The binaries are built into a cache directory that outlives the demo
# (MACHINEAUTH_DEMO_CACHE, default ~/.cache/machineauth-demo), so a second
# run relinks nothing unless the source changed. Everything else lives in
# one temporary directory, removed on exit, on Ctrl-C and on TERM. It never
# reads or writes ~/.terraformrc or the TF_CLI_CONFIG_FILE of the calling
# shell: its own CLI configuration is given to its own terraform runs only.
set -euo pipefail
cd "$(dirname "$0")/.."

started=$SECONDS
step=0
steps=8
progress() {
	step=$((step + 1))
	printf '\n==> [%d/%d %3ds] %s\n' "$step" "$steps" "$((SECONDS - started))" "$*"
}
say() { printf '    %s\n' "$*"; }
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
command -v curl >/dev/null || die "curl is not on PATH: it talks to the emulator (apt-get install curl)"

bin=${MACHINEAUTH_DEMO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/machineauth-demo}/bin
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

progress "Building the provider and the emulator into $bin"
# One go build for both, so the two share one build graph and both cores;
# go build leaves an up-to-date binary alone.
mkdir -p "$bin"
go build -o "$bin/" . ./cmd/machineauth-emulator

progress "Starting the emulator: Clerk and Stytch in memory, on loopback, with a fixture member and connected app"
# It writes its URLs, credentials and fixture ids to emulator.env before
# printing its ready line, so a non-empty log means the file is complete.
"$bin/machineauth-emulator" -env-file "$work/emulator.env" >"$work/emulator.log" 2>&1 &
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
# The overlap the machine's previous key gets, in seconds of Clerk's clock.
overlap=1800
export TF_VAR_machine_key_overlap_seconds=$overlap
say "emulator at $MACHINEAUTH_EMULATOR_URL"

# The same block a developer puts in their own CLI configuration to try a
# local build. OpenTofu resolves the source to its own registry's address,
# so both are overridden. terraform init is skipped on purpose: with a dev
# override there is nothing to install, and init would still ask the
# registry for this provider, which an offline machine cannot reach.
cat >"$work/cli.tfrc" <<EOF
provider_installation {
  dev_overrides {
    "registry.terraform.io/seed-56a0beb6/machineauth" = "$bin"
    "registry.opentofu.org/seed-56a0beb6/machineauth" = "$bin"
  }
  direct {}
}
EOF
mkdir "$work/quickstart"
cp examples/quickstart/*.tf "$work/quickstart/"

# tf runs terraform as a job of its own process group, its output into
# tf.log, and waits for it. Run in the foreground, terraform would share the
# script's signals: a Ctrl-C would reach it directly while bash held this
# script's trap until terraform had finished, and a SIGINT sent to the
# script alone would never stop it. This way every signal goes to the
# script, and on_signal hands terraform exactly one interrupt. A failed run
# prints its whole output and stops the demo.
tf() {
	set -m
	TF_CLI_CONFIG_FILE="$work/cli.tfrc" TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1 \
		"$tf_bin" -chdir="$work/quickstart" "$@" -no-color >"$work/tf.log" 2>&1 &
	tf_pid=$!
	set +m
	local rc=0
	wait "$tf_pid" || rc=$?
	tf_pid=""
	if [ "$rc" -ne 0 ]; then
		cat "$work/tf.log" >&2
		die "$tf_bin $1 failed (exit $rc)"
	fi
	if grep -q "Check block assertion failed" "$work/tf.log"; then
		cat "$work/tf.log" >&2
		die "a check block failed during $tf_bin $1"
	fi
}
# story shows what terraform did, a line per resource, without the plan.
story() {
	grep -E ': (Creation|Modifications|Destruction) complete|^(Apply|Destroy) complete|^No changes|^Plan:|^(Warning|Error): ' "$work/tf.log" |
		grep -v 'Provider development overrides' | sed 's/^/    /' || true
}
output() { TF_CLI_CONFIG_FILE="$work/cli.tfrc" "$tf_bin" -chdir="$work/quickstart" output "$@"; }

stats() { curl -fsS "$MACHINEAUTH_EMULATOR_URL/__emulator/stats"; }
# count reads one count from the stats JSON, whose compact form Go's
# encoder fixes, e.g. count m2m_tokens live: no JSON parser needed.
count() {
	local n
	n=$(printf '%s' "$s" | sed -nE "s/.*\"$1\":\\{[^}]*\"$2\":([0-9]+).*/\\1/p")
	[ -n "$n" ] || die "no $1.$2 in the emulator's stats: $s"
	printf '%s' "$n"
}
# snapshot reads the stats into s; it runs in this shell, so die stops the
# demo.
snapshot() { s=$(stats) || die "the emulator did not answer its stats"; }

# clerk calls Clerk's API with the key in $key, sent from a header file so
# it is never on a command line; the body goes to resp.json, the status to
# stdout. Nothing here prints the key or a token.
clerk() {
	local method=$1 path=$2 body=${3:-}
	local args=(-sS -o "$work/resp.json" -w '%{http_code}' -X "$method" -H @"$work/auth.h" -H 'Content-Type: application/json')
	if [ -n "$body" ]; then args+=(--data "$body"); fi
	(umask 077 && printf 'Authorization: Bearer %s\n' "$key" >"$work/auth.h")
	curl "${args[@]}" "$CLERK_API_URL$path"
	rm -f "$work/auth.h"
}
field() { sed -nE "s/.*\"$1\":\"([^\"]*)\".*/\\1/p" "$work/resp.json"; }
# machine_key reads the machine's current key with the instance key, into
# the variable named by $1.
machine_key() {
	local code
	key=$CLERK_SECRET_KEY
	code=$(clerk GET "/machines/$machine/secret_key")
	[ "$code" = 200 ] || die "reading the machine's key: HTTP $code"
	printf -v "$1" '%s' "$(field secret)"
}
# issue_with asks Clerk for a token with the key named by $1 and sets got
# to the status; a token it gets is revoked at once with the instance key,
# and counted in extra.
extra=0
issue_with() {
	local id
	key=${!1}
	got=$(clerk POST /m2m_tokens '{"seconds_until_expiration": 300}')
	[ "$got" = 201 ] || return 0
	id=$(field id)
	key=$CLERK_SECRET_KEY
	[ "$(clerk POST "/m2m_tokens/$id/revoke" '{"revocation_reason": "make demo: shown, then revoked"}')" = 200 ] ||
		die "revoking the demo's token $id"
	extra=$((extra + 1))
	got="$got (token $id, revoked again at once)"
}

snapshot
fixture_machines=$(count machines live)

progress "Applying examples/quickstart: a machine and two tokens from its key, an API key, an M2M client and its checked token, an authorization"
tf apply -auto-approve -compact-warnings
story
snapshot
made_machines=$(($(count machines live) - fixture_machines))
made_tokens=$(count m2m_tokens live)
made_keys=$(count api_keys live)
made_clients=$(count m2m_clients active)
made_auths=$(count authorizations active)
say "emulator: $made_machines machine, $made_tokens M2M tokens, $made_keys API key, $made_clients M2M client, $made_auths authorization live"
if [ "$made_machines" -ne 1 ] || [ "$made_tokens" -lt 1 ] || [ "$made_keys" -ne 1 ] || [ "$made_clients" -ne 1 ] || [ "$made_auths" -ne 1 ]; then
	die "the apply did not make what the quickstart declares: $s"
fi
machine=$(output -raw machine_id)
tokens_before=$(output -json m2m_token_ids)
say "machine $machine, tokens $(printf '%s' "$tokens_before" | tr -d ' \n')"

progress "Rotating the machine's key in place (machine_key_generation 1 -> 2), with a ${overlap}s overlap"
machine_key old_key
tf apply -auto-approve -compact-warnings -var machine_key_generation=2
story
machine_key new_key
[ "$new_key" != "$old_key" ] || die "the machine's key did not change"
[ "$(output -raw machine_id)" = "$machine" ] || die "the rotation replaced the machine"
[ "$(output -json m2m_token_ids)" = "$tokens_before" ] || die "the rotation replaced the tokens"
say "same machine $machine, a new key, the same $made_tokens tokens: nothing replaced"
issue_with old_key
say "the old key, during the overlap: Clerk answers HTTP $got"
case $got in 201*) ;; *) die "the old key was refused during its overlap (HTTP $got)" ;; esac

progress "Moving the emulator's clock $((overlap + 60))s on, past the overlap (no waiting)"
curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' \
	--data "{\"advance_seconds\": $((overlap + 60))}" "$MACHINEAUTH_EMULATOR_URL/__emulator/clock"
issue_with old_key
say "the old key, after the overlap: Clerk answers HTTP $got"
[ "$got" = 401 ] || die "the old key still works after its overlap (HTTP $got)"
issue_with new_key
say "the new key: Clerk answers HTTP $got"
case $got in 201*) ;; *) die "the new key was refused (HTTP $got)" ;; esac

progress "Planning again: the tokens issued with the old key still verify, and nothing changes"
tf apply -auto-approve -compact-warnings -var machine_key_generation=2
story
grep -q '^No changes' "$work/tf.log" || die "the plan after the rotation is not empty"
valid=$(output -json m2m_tokens_valid | tr -d ' \n')
say "m2m_tokens_valid = $valid; access_token_valid = $(output -raw access_token_valid); the M2M client's token passed its check"
case $valid in *false*) die "a token no longer verifies after the rotation" ;; esac

progress "Destroying: tokens and the API key revoked, the authorization revoked, the M2M client and the machine deleted"
tf destroy -auto-approve -compact-warnings -var machine_key_generation=2
story

progress "Checking the emulator: nothing left live"
snapshot
left=$(($(count machines live) - fixture_machines + $(count m2m_tokens live) + $(count api_keys live) +
	$(count m2m_clients active) + $(count m2m_clients inactive) + $(count authorizations active)))
say "emulator: $(($(count machines live) - fixture_machines)) machines (besides the fixture's $fixture_machines), $(count m2m_tokens live) M2M tokens, $(count api_keys live) API keys, $(($(count m2m_clients active) + $(count m2m_clients inactive))) M2M clients, $(count authorizations active) authorizations live"
[ "$left" -eq 0 ] || die "credentials are still live after destroy: $s"

printf '\nSummary\n'
printf '  made:     %d machine, %d M2M tokens from its key, %d API key, %d M2M client (its token checked with required_scopes), %d connected-app authorization\n' \
	"$made_machines" "$made_tokens" "$made_keys" "$made_clients" "$made_auths"
printf '  rotated:  the machine key, in place: the old key issued a token during the %ds overlap and was refused after it; the %d tokens still verified\n' \
	"$overlap" "$made_tokens"
printf '  revoked:  %d M2M tokens (%d by the demo itself), %d API key, %d authorization; deleted: the machine and the M2M client\n' \
	"$(count m2m_tokens revoked)" "$extra" "$(count api_keys revoked)" "$(count authorizations revoked)"
printf '  live afterwards: %d (the M2M client'"'"'s access tokens, JWTs Stytch cannot revoke, expire within the hour)\n' "$left"
printf '\ndemo OK in %ds; no secret printed.\n' "$((SECONDS - started))"
