#!/usr/bin/env bash
# plan_scale.sh: planning time of `deploy-stand plan` for 1k, 4k and 10k students with three
# private bridges each (balanced over the campus scenario of pve-sim): the wall time of the whole
# command (reading the cluster, planning, printing the JSON plan). Issue 10, point 20:
# target < 2 s for 10,000 students. --overcommit: the campus nodes cannot hold 10k VMs, and this
# measures planning, not capacity. Usage: bench/plan_scale.sh [BUILD_DIR] [N...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build-bench}
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 4000 10000)
if [ ! -x "$build/bin/deploy-stand" ] || [ ! -x "$build/bin/pve-sim" ]; then
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$build" -j"$(nproc)" --target deploy-stand pve-sim >/dev/null
fi
work=$(mktemp -d /tmp/ds-plan-scale-XXXXXX)
sim_pid=
cleanup() {
    [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null || true
    [ -n "${DS_KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
export XDG_STATE_HOME="$work/state" XDG_CONFIG_HOME="$work/config"
"$build/bin/pve-sim" --scenario campus --quiet >"$work/sim.out" 2>"$work/sim.err" &
sim_pid=$!
for _ in $(seq 1 200); do
    [ -s "$work/sim.out" ] && break
    sleep 0.05
done
port=$(sed -n 's/.*"port":\([0-9]*\).*/\1/p' "$work/sim.out")
fp=$(sed -n 's/.*"fingerprint":"\([^"]*\)".*/\1/p' "$work/sim.out")
[ -n "$port" ] || { echo "pve-sim did not start: $(cat "$work/sim.err")" >&2; exit 1; }
cat >"$work/conn.yml" <<YML
sim:
  host: 127.0.0.1:$port
  user: root@pam
  password: sim-root-password
  fingerprint: "$fp"
  default: true
YML
cat >"$work/stand.yml" <<YML
stand: scale
machines:
  - {name: a, template_node: node4, template_vmid: 110, networks: [{bridge: lan}, {bridge: dmz}]}
  - {name: b, template_node: node4, template_vmid: 110, networks: [{bridge: lan}, {bridge: wan}]}
YML
printf '%-10s %-10s %-12s %s\n' students bridges seconds result
for n in "${sizes[@]}"; do
    { echo "users:"; for i in $(seq 1 "$n"); do echo "  - s$i@pve"; done; } >"$work/users.yml"
    rc=0
    t0=$(date +%s.%N)
    "$build/bin/deploy-stand" --connections "$work/conn.yml" --output json plan \
        --config "$work/stand.yml" --users "$work/users.yml" --strategy balanced --overcommit \
        >"$work/plan.json" 2>"$work/plan.err" || rc=$?
    t=$(echo "$(date +%s.%N) - $t0" | bc)
    result=ok
    [ "$rc" -eq 0 ] || result="refused (exit $rc): $(grep -o 'need [0-9]* [a-zA-Z]*' "$work/plan.json" "$work/plan.err" | head -1)"
    printf '%-10s %-10s %-12s %s\n' "$n" "$((n * 3))" "${t:-?}" "$result"
done
