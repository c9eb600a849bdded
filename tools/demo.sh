#!/usr/bin/env bash
# make demo: start the emulator on a free loopback port, apply examples/demo
# with the freshly built provider (dev_overrides, no registry access), print
# the repository URL, destroy, stop the emulator.
set -euo pipefail
bin=$1 terraform=$2
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
emu_pid=
cleanup() {
  [ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null && wait "$emu_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$bin/ecr-emulator" -listen 127.0.0.1:0 >"$work/emulator.out" 2>"$work/emulator.err" &
emu_pid=$!
for _ in $(seq 1 100); do
  line=$(head -n 1 "$work/emulator.out" 2>/dev/null || true)
  case "$line" in "listening on "*) break ;; esac
  kill -0 "$emu_pid" 2>/dev/null || { cat "$work/emulator.err" >&2; echo "demo: the emulator exited" >&2; exit 1; }
  sleep 0.1
done
endpoint=${line#listening on }
[ -n "$endpoint" ] && [ "$endpoint" != "$line" ] || { echo "demo: the emulator did not report its address" >&2; exit 1; }
echo "demo: emulator at $endpoint"

cat >"$work/dev.tfrc" <<RC
provider_installation {
  dev_overrides {
    "ecrkit/ecr" = "$bin"
  }
  direct {}
}
RC
cp "$root/examples/demo/main.tf" "$work/"
export TF_CLI_CONFIG_FILE="$work/dev.tfrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
cd "$work"
nocolor=()
[ -t 1 ] || nocolor=(-no-color)
"$terraform" apply -auto-approve -input=false "${nocolor[@]}" -var "endpoint=$endpoint"
url=$("$terraform" output -raw repository_url)
echo
echo "repository_url = $url"
echo
# A second plan must be empty: no perpetual diff.
"$terraform" plan -detailed-exitcode -input=false "${nocolor[@]}" -var "endpoint=$endpoint" >/dev/null || {
  echo "demo: the plan after apply is not empty" >&2; exit 1; }
"$terraform" destroy -auto-approve -input=false "${nocolor[@]}" -var "endpoint=$endpoint"
echo "demo: applied, verified an empty plan, destroyed"
