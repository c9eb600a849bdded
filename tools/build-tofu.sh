#!/usr/bin/env bash
# Builds OpenTofu from the Go module proxy (no binary download is possible
# here): `go install` refuses the module because of its replace directive, so
# we build inside a copy of the downloaded module. Prints the binary's path.
set -euo pipefail
version=${TOFU_VERSION:-1.12.6}
out=${1:-"$(pwd)/.tools/tofu-$version/tofu"}
if [ -x "$out" ] && "$out" version 2>/dev/null | grep "OpenTofu v$version" >/dev/null; then
  echo "$out"; exit 0
fi
mkdir -p "$(dirname "$out")"
dir=$(GOFLAGS=-mod=mod go mod download -json "github.com/opentofu/opentofu@v$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -n "$dir" ] || { echo "build-tofu: could not download github.com/opentofu/opentofu@v$version" >&2; exit 1; }
src=$(mktemp -d)
trap 'chmod -R u+w "$src"; rm -rf "$src"' EXIT
cp -r "$dir/." "$src/" && chmod -R u+w "$src"
(cd "$src" && go build -trimpath -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" -o "$out" ./cmd/tofu) >&2
"$out" version >&2
echo "$out"
