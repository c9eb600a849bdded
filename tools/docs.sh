#!/usr/bin/env bash
# Generates docs/ with tfplugindocs, fully offline: the schema comes from the
# freshly built provider through a dev_overrides CLI config, so tfplugindocs
# neither builds nor downloads anything itself.
#   [TERRAFORM=/path/to/terraform] tools/docs.sh generate | validate
set -euo pipefail
cmd=${1:-generate}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
tfplugindocs=github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs@v0.25.0
# TERRAFORM: the CLI whose `providers schema -json` feeds tfplugindocs; it
# must know every kind of object the provider serves (list resources and
# actions need Terraform 1.14+). Default: terraform on PATH.
terraform=${TERRAFORM:-$(command -v terraform)} || { echo "docs: terraform is not on PATH" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -o "$work/bin/terraform-provider-ecr" .
cat >"$work/dev.tfrc" <<RC
provider_installation {
  dev_overrides {
    "hashicorp/ecr" = "$work/bin"
  }
  direct {}
}
RC
mkdir -p "$work/schema"
cat >"$work/schema/main.tf" <<'TF'
terraform {
  required_providers {
    ecr = { source = "hashicorp/ecr" }
  }
}
TF
(cd "$work/schema" && TF_CLI_CONFIG_FILE="$work/dev.tfrc" CHECKPOINT_DISABLE=1 \
  "$terraform" providers schema -json >"$work/schema.json" 2>"$work/schema.err") || {
  cat "$work/schema.err" >&2; echo "docs: terraform providers schema failed" >&2; exit 1; }

case "$cmd" in
generate)
  go run "$tfplugindocs" generate --provider-name ecr --providers-schema "$work/schema.json"
  ;;
validate)
  go run "$tfplugindocs" validate --provider-name ecr --providers-schema "$work/schema.json"
  ;;
*) echo "usage: $0 generate|validate" >&2; exit 2 ;;
esac
