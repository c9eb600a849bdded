#!/usr/bin/env bash
# Builds a newer Terraform CLI from the Go module proxy, as a local test tool
# for the features terraform 1.11 lacks (resource identity, list resources and
# `terraform query`, actions). Terraform is BUSL-licensed: the binary is cached
# under .tools/ and never committed, shipped or redistributed.
# `go install` refuses the module (its go.mod replaces the remote-state backends
# and internal/legacy with directories missing from the module zip), so we build
# in a copy of the module without those backends: the local, http, inmem, remote
# and cloud backends stay, which is all a provider test needs. Prints the path.
set -euo pipefail
version=${TERRAFORM_VERSION:-1.16.4}
out=${1:-"$(pwd)/.tools/terraform-$version/terraform"}
if [ -x "$out" ] && "$out" version 2>/dev/null | sed -n 1p | grep -qx "Terraform v$version"; then
  echo "$out"; exit 0
fi
mkdir -p "$(dirname "$out")"
dir=$(GOFLAGS=-mod=mod go mod download -json "github.com/hashicorp/terraform@v$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -n "$dir" ] || { echo "build-terraform: could not download github.com/hashicorp/terraform@v$version" >&2; exit 1; }
src=$(mktemp -d)
trap 'chmod -R u+w "$src"; rm -rf "$src"' EXIT
cp -r "$dir/." "$src/" && chmod -R u+w "$src"
(
  cd "$src"
  for b in azure consul cos gcs kubernetes oci oss pg s3; do
    sed -i "\#github.com/hashicorp/terraform/internal/backend/remote-state/$b\"#d" internal/backend/init/init.go
    sed -i "\#github.com/hashicorp/terraform/internal/backend/remote-state/$b #d" go.mod
  done
  sed -i '\#github.com/hashicorp/terraform/internal/legacy #d' go.mod
  sed -i -E '/"(azurerm|consul|cos|gcs|kubernetes|oss|pg|s3|oci)": +func/d' internal/backend/init/init.go
  go build -trimpath -ldflags "-s -w -X github.com/hashicorp/terraform/version.dev=no" -o "$out" .
) >&2
"$out" version 2>/dev/null | sed -n 1p >&2
"$out" version 2>/dev/null | sed -n 1p | grep -qx "Terraform v$version" || { echo "build-terraform: $out is not Terraform v$version" >&2; exit 1; }
echo "$out"
