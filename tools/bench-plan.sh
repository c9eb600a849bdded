#!/usr/bin/env bash
# make bench-plan N=...: the cost of a large configuration. Starts the
# emulator on a free loopback port, then runs init/apply/plan/destroy on
#   ecr:   N ecr_repository + N ecr_repository_policy + N ecr_lifecycle_policy
#   floor: 3N terraform_data in the same shape (terraform core alone)
# with the terraform given (default -parallelism), and prints one summary line:
# wall times of both, their ratios, the API calls per resource per refresh
# (the emulator's /_emulator/counts over the plan), the provider's peak RSS
# during the plan (VmHWM of the plugin processes) and the provider's start
# to schema served time (tools/schematime). Not a timed test: nothing is
# asserted but that every step succeeds.
set -euo pipefail
bin=$1 terraform=$2 n=$3 schematime=$4 echo=$5
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
  kill -0 "$emu_pid" 2>/dev/null || { cat "$work/emulator.err" >&2; echo "bench-plan: the emulator exited" >&2; exit 1; }
  sleep 0.1
done
endpoint=${line#listening on }
[ -n "$endpoint" ] && [ "$endpoint" != "$line" ] || { echo "bench-plan: the emulator did not report its address" >&2; exit 1; }

cat >"$work/dev.tfrc" <<RC
provider_installation {
  dev_overrides {
    "ecrkit/ecr" = "$bin"
  }
  direct {}
}
RC
cat >"$work/echo.tfrc" <<RC
provider_installation {
  dev_overrides {
    "ecrkit/ecr" = "$echo"
  }
  direct {}
}
RC
export TF_CLI_CONFIG_FILE="$work/dev.tfrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1

mkdir "$work/ecr" "$work/floor"
cat >"$work/ecr/main.tf" <<TF
terraform {
  required_providers {
    ecr = { source = "ecrkit/ecr" }
  }
}

provider "ecr" {
  region     = "us-east-1"
  access_key = "bench"
  secret_key = "bench"
  endpoints {
    ecr = "$endpoint"
  }
}

resource "ecr_repository" "r" {
  count = $n
  name  = "bench/r\${count.index}"
  tags  = { index = tostring(count.index) }
}

resource "ecr_repository_policy" "r" {
  count      = $n
  repository = ecr_repository.r[count.index].name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "Pull"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::123456789012:root" }
      Action    = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    }]
  })
}

resource "ecr_lifecycle_policy" "r" {
  count      = $n
  repository = ecr_repository.r[count.index].name
  policy = jsonencode({
    rules = [{
      rulePriority = 1
      description  = "expire untagged"
      selection    = { tagStatus = "untagged", countType = "sinceImagePushed", countUnit = "days", countNumber = 14 }
      action       = { type = "expire" }
    }]
  })
}
TF
# The floor: the same graph (3N resources, the policies depending on their
# repository) with terraform_data, which lives in terraform core.
cat >"$work/floor/main.tf" <<TF
resource "terraform_data" "r" {
  count = $n
  input = { name = "bench/r\${count.index}", tags = { index = tostring(count.index) } }
}

resource "terraform_data" "policy" {
  count = $n
  input = { repository = terraform_data.r[count.index].output.name, policy = "{}" }
}

resource "terraform_data" "lifecycle" {
  count = $n
  input = { repository = terraform_data.r[count.index].output.name, policy = "{}" }
}
TF

# sample_provider PID: the largest VmHWM (kB) of the provider processes
# started under PID (terraform runs the plugin as its child), and their CPU
# time (user+system, ms) as last seen, sampled until PID exits. The CPU time
# does not depend on the machine's load as the wall times do.
sample_provider() {
  local tf=$1 peak=0 pid hwm v
  local -A cpu=()
  while kill -0 "$tf" 2>/dev/null; do
    for pid in $(pgrep -P "$tf" 2>/dev/null || true); do
      case "$(readlink "/proc/$pid/exe" 2>/dev/null)" in */terraform-provider-ecr) ;; *) continue ;; esac
      hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
      [ "${hwm:-0}" -gt "$peak" ] && peak=$hwm
      # Fields 14 and 15 of stat, after the command name in parentheses.
      v=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{print $12 + $13}' || true)
      [ -n "$v" ] && cpu[$pid]=$v
    done
    sleep 0.05
  done
  local ticks=0
  for v in "${cpu[@]}"; do ticks=$((ticks + ${v:-0})); done
  echo "$peak $((ticks * 1000 / $(getconf CLK_TCK)))"
}

# timed NAME DIR ARGS...: runs terraform ARGS in DIR, keeps the wall time in
# seconds in $work/NAME.time and (for the ecr dir) the provider's peak RSS
# and CPU time in NAME.rss.
timed() {
  local name=$1 dir=$2
  shift 2
  local start end tf
  start=$(date +%s.%N)
  (cd "$dir" && exec "$terraform" "$@" -input=false -no-color >"$work/$name.log" 2>&1) &
  tf=$!
  sample_provider "$tf" >"$work/$name.rss" &
  local sampler=$!
  if ! wait "$tf"; then
    wait "$sampler" || true
    tail -n 40 "$work/$name.log" >&2
    echo "bench-plan: terraform $* failed in $dir" >&2
    exit 1
  fi
  wait "$sampler" || true
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" 'BEGIN {printf "%.1f", e - s}' >"$work/$name.time"
}

counts() { curl -fsS "$endpoint/_emulator/counts"; }
sum_counts() { tr -c '0-9:,' ' ' | tr ',' '\n' | awk -F: '{s += $2} END {print s + 0}'; }

# dev_overrides need no init for the ecr dir (init would ask the registry).
(cd "$work/floor" && "$terraform" init -input=false -no-color >"$work/floor-init.log" 2>&1) || {
  cat "$work/floor-init.log" >&2; exit 1; }

for d in floor ecr; do
  timed "$d-apply" "$work/$d" apply -auto-approve
  [ "$d" = ecr ] && curl -fsS -X DELETE "$endpoint/_emulator/calls" >/dev/null
  timed "$d-plan" "$work/$d" plan -detailed-exitcode
  if [ "$d" = ecr ]; then
    calls=$(counts | sum_counts)
    TF_CLI_CONFIG_FILE="$work/echo.tfrc" timed echo-plan "$work/ecr" plan -detailed-exitcode
  fi
  timed "$d-destroy" "$work/$d" destroy -auto-approve
done

startup=$("$schematime" -n 10 "$bin/terraform-provider-ecr")
t() { cat "$work/$1.time"; }
# ratio A B: the wall time of A over that of B.
ratio() { awk -v a="$(t "$1")" -v b="$(t "$2")" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}'; }
per=$(awk -v c="$calls" -v r="$((3 * n))" 'BEGIN {printf "%.3f", c / r}')
read -r rss_kb plan_cpu_ms <"$work/ecr-plan.rss"
rss=$((rss_kb / 1024))
echo "bench-plan N=$n resources=$((3 * n)) plan=$(t ecr-plan)s/$(t floor-plan)s ($(ratio ecr-plan floor-plan)x)" \
  "echo_plan=$(t echo-plan)s ($(ratio echo-plan floor-plan)x the floor; the provider $(ratio ecr-plan echo-plan)x echo)" \
  "apply=$(t ecr-apply)s/$(t floor-apply)s ($(ratio ecr-apply floor-apply)x) destroy=$(t ecr-destroy)s/$(t floor-destroy)s ($(ratio ecr-destroy floor-destroy)x)" \
  "calls/resource/refresh=$per ($calls) provider_peak_rss=${rss}MB provider_plan_cpu=${plan_cpu_ms}ms startup(${startup% schema_bytes=*}) load=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' /)"
