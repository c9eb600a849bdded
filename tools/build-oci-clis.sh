#!/usr/bin/env bash
# Builds the crane and oras CLIs from the Go module proxy (test tools for the
# registry's end-to-end test, cmd/ecr-emulator/oci_clis_test.go; never
# shipped): crane at the go-containerregistry version go.mod requires, oras at
# ORAS_VERSION. Usage: build-oci-clis.sh CRANE_OUT ORAS_OUT. Cached: a binary
# already there at the right version is kept.
set -euo pipefail
cd "$(dirname "$0")/.."
crane_version=$(go list -m -f '{{.Version}}' github.com/google/go-containerregistry)
oras_version=${ORAS_VERSION:-1.3.6}
crane_out=${1:-"$(pwd)/.tools/crane-$crane_version/crane"}
oras_out=${2:-"$(pwd)/.tools/oras-$oras_version/oras"}

# build OUT PACKAGE@VERSION: go install into a scratch GOBIN, then move.
build() {
  local out=$1 pkg=$2 bin
  bin=$(mktemp -d)
  (cd "$bin" && GOFLAGS=-mod=mod GOBIN="$bin" go install -trimpath -ldflags "-s -w" "$pkg") >&2
  mkdir -p "$(dirname "$out")"
  mv "$bin/$(basename "${pkg%@*}")" "$out"
  rm -rf "$bin"
}
if ! { [ -x "$crane_out" ] && [ "$("$crane_out" version 2>/dev/null)" = "$crane_version" ]; }; then
  build "$crane_out" "github.com/google/go-containerregistry/cmd/crane@$crane_version"
fi
if ! { [ -x "$oras_out" ] && "$oras_out" version 2>/dev/null | grep -qx "Version: *$oras_version"; }; then
  build "$oras_out" "oras.land/oras/cmd/oras@v$oras_version"
fi
"$crane_out" version >/dev/null && "$oras_out" version >/dev/null
echo "$crane_out"
echo "$oras_out"
