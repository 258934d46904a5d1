#!/usr/bin/env bash
# test_signals: the programs stop when told to, and an interrupted deploy can be finished.
#   a. pve-sim under a stream of concurrent requests (clones, task and resource polls, and a
#      deploy) exits on SIGTERM within 30 s.
#   b. `deploy-stand deploy` interrupted by SIGTERM, and again by SIGINT, while its clones are in
#      flight, exits within 30 s; running the same deploy again converges: exit 0, `status` shows
#      every student deployed, and the simulator holds exactly one VM per student machine.
# Everything talks only to simulators this test starts on 127.0.0.1; HOME and XDG_* point into a
# temporary folder. Waits are bounded polls; no fixed sleep is an assertion.
# Env: DS_BIN (folder with deploy-stand and pve-sim), DS_SRC (repo root). Exit 0 / 1 / 77 (skip).
set -u
command -v curl >/dev/null || { echo "SKIP: curl is not installed"; exit 77; }
command -v jq >/dev/null || { echo "SKIP: jq is not installed (scripts/install-deps.sh test)"; exit 77; }

top=$(mktemp -d)
export HOME=$top/home XDG_CONFIG_HOME=$top/config XDG_STATE_HOME=$top/state \
       XDG_DATA_HOME=$top/data XDG_CACHE_HOME=$top/cache TMPDIR=$top
mkdir -p "$HOME"
pids=() # every process this test started in the background, killed at exit if still alive
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$top"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

# ---- processes ---------------------------------------------------------------------------------
# True while PID runs (a zombie, exited but not yet reaped, counts as gone).
alive() {
  local st
  kill -0 "$1" 2>/dev/null || return 1
  st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 1
  [ "${st%% *}" != Z ]
}
# Polls every 0.1 s, at most LIMIT seconds, until PID has exited. Returns 1 if it is still alive.
wait_gone() {
  local pid=$1 limit=$2 i
  for ((i = 0; i < limit * 10; i++)); do
    alive "$pid" || return 0
    sleep 0.1
  done
  ! alive "$pid"
}
# The seconds since the epoch with a fraction, for messages.
now() { date +%s.%N; }

# ---- the simulator -----------------------------------------------------------------------------
# sim_start ARGS...: starts pve-sim on a free port; sets simpid, port, url, fp.
sim_start() {
  local out=$top/sim.$RANDOM.out i
  : >"$out"
  "$DS_BIN/pve-sim" --port 0 --quiet "$@" >"$out" 2>&1 &
  simpid=$!
  pids+=("$simpid")
  for ((i = 0; i < 200; i++)); do
    grep -qs '"port"' "$out" && break
    alive "$simpid" || break
    sleep 0.05
  done
  port=$(sed -n 's/.*"port":\([0-9]*\).*/\1/p' "$out" | head -1)
  url=$(sed -n 's/.*"url":"\([^"]*\)".*/\1/p' "$out" | head -1)
  fp=$(sed -n 's/.*"fingerprint":"\([^"]*\)".*/\1/p' "$out" | head -1)
  if [ -z "$port" ] || [ -z "$url" ]; then cat "$out"; fail "the simulator did not start"; fi
  case $url in https://127.0.0.1:*) ;; *) fail "the simulator is not on 127.0.0.1: $url" ;; esac
  # the scenario's own VMs (templates, a teacher's VM): everything else was created by the test
  base=$(state | jq -c '[.vms[].vmid]') || fail "the simulator's state is unreadable"
}
sim_stop() {
  kill "$simpid" 2>/dev/null
  wait_gone "$simpid" 10 || kill -9 "$simpid" 2>/dev/null
  wait "$simpid" 2>/dev/null
}
state() { curl -sk --max-time 10 "$url/__sim/state"; }
# The VMs created since the simulator started (as JSON: vmid, name, pool).
new_vms() { jq -c --argjson base "$base" '[.vms[] | select(.vmid as $id | $base | index($id) | not)
                                          | {vmid, name: .config.name, pool}]'; }
clone_count() { state | new_vms | jq length; }

# A connections file pinned to the running simulator.
write_connections() {
  printf 'sim:\n  host: 127.0.0.1:%s\n  user: root@pam\n  password: sim-root-password\n  fingerprint: "%s"\n  default: true\n' \
    "$port" "$fp" >"$top/conn.yml"
}

# ---- a. pve-sim stops on SIGTERM while busy ----------------------------------------------------
# One load loop: logs in, then until the stop file exists (at most 300 rounds, 5 s per request)
# asks for a clone of template 100 and reads the task list and the cluster's resources.
load_loop() {
  local n=$1 t tk cs i
  t=$(curl -sk --max-time 5 --data-urlencode username=root@pam \
        --data-urlencode password=sim-root-password "$url/api2/json/access/ticket") || return 0
  tk=$(sed -n 's/.*"ticket":"\([^"]*\)".*/\1/p' <<<"$t")
  cs=$(sed -n 's/.*"CSRFPreventionToken":"\([^"]*\)".*/\1/p' <<<"$t")
  for ((i = 0; i < 300; i++)); do
    [ -e "$top/stop-load" ] && return 0
    curl -sk --max-time 5 -o /dev/null -b "PVEAuthCookie=$tk" -H "CSRFPreventionToken: $cs" \
      --data "newid=$((7000 + n * 300 + i))" --data "name=load$n-$i" \
      "$url/api2/json/nodes/pve1/qemu/100/clone" || true
    curl -sk --max-time 5 -o /dev/null -b "PVEAuthCookie=$tk" "$url/api2/json/nodes/pve1/tasks" || true
    curl -sk --max-time 5 -o /dev/null -b "PVEAuthCookie=$tk" "$url/api2/json/cluster/resources" || true
  done
}

part_a() {
  echo "--- a. pve-sim under load, SIGTERM"
  sim_start --scenario classroom --time-scale 1
  write_connections
  rm -f "$top/stop-load"
  local loaders=() n i reqs=0
  for n in 0 1 2 3; do
    load_loop "$n" &
    loaders+=("$!")
    pids+=("$!")
  done
  printf 'users:\n' >"$top/users-a.yml"
  for i in 1 2 3 4 5 6; do printf '  - loaduser%d@pve\n' "$i" >>"$top/users-a.yml"; done
  "$DS_BIN/deploy-stand" --connections "$top/conn.yml" --yes deploy --config "$DS_SRC/examples/deployment_config.yml" \
    --users "$top/users-a.yml" >"$top/deploy-a.out" 2>&1 &
  local dpid=$!
  pids+=("$dpid")
  # the load is on once the simulator has answered 100 requests and has tasks running (at most 30 s)
  for ((i = 0; i < 300; i++)); do
    reqs=$(curl -sk --max-time 5 "$url/__sim/stats" | jq '.total_requests // 0' 2>/dev/null || echo 0)
    [ "${reqs:-0}" -ge 100 ] && break
    sleep 0.1
  done
  [ "${reqs:-0}" -ge 100 ] || fail "the load did not reach the simulator (requests: $reqs)"
  local running
  running=$(curl -sk --max-time 5 "$url/__sim/stats" | jq '.tasks.by_status.running // 0')
  echo "simulator busy: $reqs requests answered, $running tasks running; sending SIGTERM"
  local t0
  t0=$(now)
  kill -TERM "$simpid"
  if ! wait_gone "$simpid" 30; then
    kill -9 "$simpid" 2>/dev/null
    touch "$top/stop-load"
    fail "pve-sim was still running 30 s after SIGTERM under load (killed with SIGKILL)"
  fi
  wait "$simpid" 2>/dev/null
  echo "pve-sim exited $(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }') s after SIGTERM"
  touch "$top/stop-load"
  # the load's clients: the curl loops see refused connections and end (bounded); the deploy
  # would retry the vanished server, so it is stopped
  kill -TERM "$dpid" 2>/dev/null
  for n in "${loaders[@]}" "$dpid"; do
    wait_gone "$n" 30 || kill -9 "$n" 2>/dev/null
  done
  wait "${loaders[@]}" "$dpid" 2>/dev/null
  echo "ok: pve-sim stops on SIGTERM while busy"
}

# ---- b. an interrupted deploy, then the same deploy again ----------------------------------------
STUDENTS=(student1@pve student2@pve student3@pve student4@pve)
MACHINES=(web client)
write_stand() {
  cat >"$top/stand.yml" <<'EOF'
stand: sig-lab
machines:
  - device_type: linux
    name: web
    template_node: pve1
    template_vmid: 100
    networks:
      - bridge: lan
  - device_type: linux
    name: client
    template_node: pve1
    template_vmid: 101
    networks:
      - bridge: lan.10
EOF
  printf 'users:\n' >"$top/users.yml"
  local s
  for s in "${STUDENTS[@]}"; do printf '  - %s\n' "$s" >>"$top/users.yml"; done
}
ds() { "$DS_BIN/deploy-stand" --connections "$top/conn.yml" "$@"; }

# part_b SIGNAL: a deploy interrupted by SIGNAL, then run again to the end.
part_b() {
  local sig=$1 i n
  echo "--- b. deploy-stand deploy interrupted by SIG$sig, then again"
  rm -rf "$XDG_STATE_HOME" "$XDG_CONFIG_HOME"
  sim_start --scenario classroom --time-scale 1
  write_connections
  write_stand
  # env --default-signal: a background job of a script starts with SIGINT ignored; undo that,
  # as on a terminal where Ctrl-C reaches the program.
  env --default-signal=INT,TERM "$DS_BIN/deploy-stand" --connections "$top/conn.yml" --yes deploy \
    --config "$top/stand.yml" --users "$top/users.yml" >"$top/deploy-$sig.out" 2>&1 &
  local dpid=$!
  pids+=("$dpid")
  # in progress: the first clone exists in the simulator (polled, at most 60 s)
  n=0
  for ((i = 0; i < 600; i++)); do
    n=$(clone_count 2>/dev/null || echo 0)
    [ "${n:-0}" -ge 1 ] && break
    alive "$dpid" || break
    sleep 0.1
  done
  if [ "${n:-0}" -lt 1 ]; then
    grep -v '^student' "$top/deploy-$sig.out" | tail -20
    fail "SIG$sig: no clone appeared while deploy-stand ran"
  fi
  alive "$dpid" || fail "SIG$sig: the deploy ended before it could be interrupted ($n clones)"
  echo "deploy in progress ($n of $(( ${#STUDENTS[@]} * ${#MACHINES[@]} )) clones); sending SIG$sig"
  kill -"$sig" "$dpid"
  if ! wait_gone "$dpid" 30; then
    kill -9 "$dpid" 2>/dev/null
    fail "deploy-stand was still running 30 s after SIG$sig (killed with SIGKILL)"
  fi
  local rc=0
  wait "$dpid" 2>/dev/null || rc=$?
  echo "deploy-stand exited $rc after SIG$sig with $(clone_count) clones in the simulator"
  [ "$rc" -ne 0 ] || fail "SIG$sig: the interrupted deploy reported success"

  # the same deploy again converges
  rc=0
  timeout 90 "$DS_BIN/deploy-stand" --connections "$top/conn.yml" --yes deploy --config "$top/stand.yml" \
    --users "$top/users.yml" >"$top/redeploy-$sig.out" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ]; then
    grep -v '^student' "$top/redeploy-$sig.out" | tail -30
    fail "SIG$sig: the deploy after the interruption exited $rc"
  fi
  local st
  st=$(ds --output json status --config "$top/stand.yml" --users "$top/users.yml" 2>"$top/status.err") ||
    { cat "$top/status.err"; fail "SIG$sig: status after the second deploy failed"; }
  local s m c
  for s in "${STUDENTS[@]}"; do
    c=$(jq -r --arg u "$s" '.students[] | select(.user == $u) | .state' <<<"$st")
    [ "$c" = deployed ] || fail "SIG$sig: status shows $s as '${c:-missing}', not deployed"
  done
  # exactly one VM per student machine, and no other clone (no orphan of the interrupted run)
  local sim
  sim=$(state)
  for s in "${STUDENTS[@]}"; do
    for m in "${MACHINES[@]}"; do
      c=$(jq --arg s "${s%@*}" --arg m "$m" \
            '[.vms[] | select(.config.name == $m and .pool == $s)] | length' <<<"$sim")
      [ "$c" = 1 ] || fail "SIG$sig: the simulator holds $c VMs '$m' in pool ${s%@*} (want 1)"
    done
  done
  c=$(new_vms <<<"$sim" | jq length)
  [ "$c" = $(( ${#STUDENTS[@]} * ${#MACHINES[@]} )) ] ||
    fail "SIG$sig: the simulator holds $c new VMs, want $(( ${#STUDENTS[@]} * ${#MACHINES[@]} )): $(new_vms <<<"$sim")"
  sim_stop
  echo "ok: after SIG$sig the deploy converges (${#STUDENTS[@]} students, one VM per machine)"
}

part_a
part_b TERM
part_b INT
echo ok
