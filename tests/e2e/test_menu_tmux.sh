#!/usr/bin/env bash
# test_menu_tmux: drives the real interactive menu in tmux (send-keys / capture-pane) against the
# simulator: connection, wizard, import, balanced deploy, credentials, status with the hand-out,
# start, reset of one student, delete one user, then all. The whole flow runs in English, then
# again with LANG=ru_RU.UTF-8 (Russian texts checked when po/ru.po translates the menu).
set -u
command -v tmux >/dev/null || { echo "SKIP: tmux is not installed"; exit 77; }
command -v curl >/dev/null || { echo "SKIP: curl is not installed"; exit 77; }
command -v jq >/dev/null || { echo "SKIP: jq is not installed"; exit 77; }

top=$(mktemp -d)
sock="ds-menu-test-$$"
simpid=""
cleanup() {
  tmux -L "$sock" kill-server 2>/dev/null
  [ -n "$simpid" ] && kill "$simpid" 2>/dev/null && wait "$simpid" 2>/dev/null
  rm -rf "$top"
}
trap cleanup EXIT
fail() {
  echo "FAIL ($MODE): $*"
  echo "--- screen (last 60 lines) ---"
  screen | grep -v '^[[:space:]]*$' | tail -60
  echo "FAIL ($MODE): $*"
  exit 1
}

po="${DS_SRC:-.}/po/ru.po"
# The Russian text of a msgid from po/ru.po ("" when it has none).
ru_of() {
  [ -f "$po" ] || return 0
  awk -v id="$1" '
    $0 == "msgid \"" id "\"" { m = 1; next }
    m == 1 && /^msgstr "/ { sub(/^msgstr "/, ""); sub(/"$/, ""); print; exit }
    { m = 0 }' "$po"
}

# ---- the screen -------------------------------------------------------------------------------
screen() { tmux -L "$sock" capture-pane -p -J -S - -E - -t menu 2>/dev/null; }
last_no() { screen | grep -n . | tail -1 | cut -d: -f1; }
last_line() { screen | grep -v '^[[:space:]]*$' | tail -1; }
MARK=0
# Types an answer and Enter; what comes after it is searched by the waits below.
send() {
  MARK=$(last_no)
  [ -n "$1" ] && tmux -L "$sock" send-keys -t menu -l -- "$1"
  tmux -L "$sock" send-keys -t menu Enter
}
since() { screen | tail -n +"$((MARK + 1))"; }
# Polls (bounded) until TEXT shows up after the last answer.
wait_for() {
  local text=$1 limit=${2:-30} i
  for ((i = 0; i < limit * 20; i++)); do
    since | grep -qF -- "$text" && return 0
    sleep 0.05
  done
  fail "no '$text' on the screen within ${limit}s"
}
# Polls until a new prompt (a last line matching REGEX) appears after the last answer.
wait_prompt() {
  local re=$1 limit=${2:-30} i
  for ((i = 0; i < limit * 20; i++)); do
    if [ "$(last_no)" -gt "$MARK" ] && last_line | grep -qE -- "$re"; then return 0; fi
    sleep 0.05
  done
  fail "no prompt matching /$re/ within ${limit}s"
}
wait_menu() { wait_for "[s]" 30; wait_prompt ':[[:space:]]*$'; } # the main menu (item 7's hotkey)

# ---- the simulator ----------------------------------------------------------------------------
sim_start() {
  local out=$work/sim.out i
  "$DS_BIN/pve-sim" --scenario classroom --time-scale 0.01 --port 0 --quiet >"$out" 2>&1 &
  simpid=$!
  for ((i = 0; i < 200; i++)); do
    grep -q '"port"' "$out" && break
    sleep 0.05
  done
  port=$(sed -n 's/.*"port":\([0-9]*\).*/\1/p' "$out" | head -1)
  url=$(sed -n 's/.*"url":"\([^"]*\)".*/\1/p' "$out" | head -1)
  fp=$(sed -n 's/.*"fingerprint":"\([^"]*\)".*/\1/p' "$out" | head -1)
  [ -n "$port" ] || { cat "$out"; echo "FAIL: the simulator did not start"; exit 1; }
}
sim_stop() { kill "$simpid" 2>/dev/null; wait "$simpid" 2>/dev/null; simpid=""; ticket=""; }
state() { curl -sk "$url/__sim/state"; }
# How many times a user id is a key of the simulator's users.
user_count() { state | grep -o "\"$1\":{" | wc -l; }
# VMs of stand 'lab' (tag ds-lab; their snapshots' configs carry the tag too, and do not count).
stand_vms() { state | jq '[.vms[] | select((.config.tags // "") | test("ds-lab"))] | length'; }
# How many VMs of stand 'lab' run.
running_vms() {
  state | jq '[.vms[] | select((.config.tags // "") | test("ds-lab")) | select(.status == "running")]
              | length'
}
# The memory setting of the VM of student pool $1, as the API gives it.
vm_memory() { api GET "$(vm_path "$1")" | jq -r '.data.memory'; }
# "/nodes/NODE/qemu/VMID/config" of the VM of student pool $1.
vm_path() { state | jq -r --arg p "$1" '.vms[] | select(.pool == $p) | "/nodes/\(.node)/qemu/\(.vmid)/config"'; }
# An API request as root@pam: api METHOD PATH [BODY].
api() {
  if [ -z "${ticket:-}" ]; then
    local t
    t=$(curl -sk --data-urlencode username=root@pam --data-urlencode password=sim-root-password \
      "$url/api2/json/access/ticket")
    ticket=$(jq -r .data.ticket <<<"$t")
    csrf=$(jq -r .data.CSRFPreventionToken <<<"$t")
  fi
  curl -sk -X "$1" -b "PVEAuthCookie=$ticket" -H "CSRFPreventionToken: $csrf" \
    ${3:+--data "$3"} "$url/api2/json$2"
}

# ---- the class items ---------------------------------------------------------------------------
# Answers the config (lab1) and the list (class), each the only one saved.
pick_config_list() {
  wait_for "1) lab1"
  wait_prompt ':[[:space:]]*$'
  send ""
  wait_for "1) class"
  wait_prompt ':[[:space:]]*$'
  send ""
}

# Item 8 (hotkey i): the status table, the credentials and the hand-out in the proposed file.
status_flow() {
  send i
  pick_config_list
  wait_prompt '\]:[[:space:]]*$' 60 # write the hand-out? [Y/n]
  local u pw
  for u in alice bob carol; do
    since | grep -qE "^$u@pve .* $u +pve[123] +web [0-9]+ (stopped|остановлена)" ||
      fail "no status line for $u@pve"
    since | grep -qE "^$u@pve +[A-Za-z0-9]{10} +$u +pve[123] +web \([0-9]+\)" ||
      fail "no credentials line for $u@pve on the status screen"
  done
  pw=$(since | grep -E '^alice@pve +[A-Za-z0-9]{10} ' | awk '{print $2}' | head -1)
  send ""
  wait_for "handout-lab.html]"
  wait_prompt ':[[:space:]]*$'
  send ""
  wait_prompt ':[[:space:]]*$' # press Enter
  local html=$work/handout-lab.html
  [ -f "$html" ] || fail "the hand-out was not written to ./handout-lab.html"
  [ "$(stat -c %a "$html")" = 600 ] || fail "the hand-out is not mode 0600"
  [ "$(grep -o 'class="card"' "$html" | wc -l)" -eq 3 ] || fail "the hand-out has not 3 cards"
  grep -qF "$pw" "$html" || fail "the hand-out lacks alice's password"
  send ""
  wait_menu
}

# Item 9 (hotkey p), start: the plan, the question, then every VM runs.
start_flow() {
  send p
  pick_config_list
  wait_for "3) "
  wait_prompt ':[[:space:]]*$'
  send 1
  wait_prompt '\]:[[:space:]]*$' 60 # apply these changes?
  for n in alice bob carol; do since | grep -qF "$n@pve" || fail "the start plan does not name $n"; done
  [ "$(running_vms)" -eq 0 ] || fail "VMs started before the confirmation"
  send y
  wait_prompt ':[[:space:]]*$' 60 # press Enter
  [ "$(running_vms)" -eq 3 ] || fail "expected 3 running VMs, found $(running_vms)"
  send ""
  wait_menu
}

# Item 10 (hotkey r) for alice alone, after a change to her VM: its config is the baseline's again
# and it runs again; bob's VM is left alone.
reset_flow() {
  local mem bob_mem
  mem=$(vm_memory alice)
  bob_mem=$(vm_memory bob)
  [ -n "$mem" ] && [ "$mem" != null ] && [ "$mem" != 4096 ] || fail "alice's VM memory: '$mem'"
  api PUT "$(vm_path alice)" memory=4096 >/dev/null
  api PUT "$(vm_path bob)" memory=3072 >/dev/null
  [ "$(vm_memory alice)" = 4096 ] || fail "the API did not change alice's VM"
  send r
  pick_config_list
  wait_for "2) alice@pve"
  wait_prompt ':[[:space:]]*$'
  send 2
  wait_prompt '\]:[[:space:]]*$' 60 # reset these VMs?
  since | grep -qF "alice@pve" || fail "the reset plan does not name alice"
  since | grep -qF "bob@pve" && fail "the reset plan names bob"
  send y
  wait_prompt ':[[:space:]]*$' 60 # press Enter
  [ "$(vm_memory alice)" = "$mem" ] || fail "alice's VM was not reset (memory $(vm_memory alice))"
  [ "$(vm_memory bob)" = 3072 ] || fail "bob's VM was reset with alice's"
  [ "$(running_vms)" -eq 3 ] || fail "the reset did not keep the VMs running"
  api PUT "$(vm_path bob)" "memory=$bob_mem" >/dev/null
  send ""
  wait_menu
}

# ---- one full run -----------------------------------------------------------------------------
run_flow() {
  MODE=$1
  work=$top/$MODE
  mkdir -p "$work"
  sim_start
  local lang=C.UTF-8
  [ "$MODE" = ru ] && lang=ru_RU.UTF-8
  tmux -L "$sock" kill-server 2>/dev/null
  tmux -L "$sock" new-session -d -s menu -x 160 -y 50 -c "$work" \
    "env -u LC_ALL -u LANGUAGE LANG=$lang XDG_CONFIG_HOME=$work/config XDG_STATE_HOME=$work/state \
     $DS_BIN/deploy-stand; echo MENU-EXIT=\$?; exec sleep 600"
  tmux -L "$sock" set-option -g history-limit 100000 >/dev/null
  MARK=0

  # 1. a new connection, trusting the fingerprint the simulator announced
  wait_for "[pve]:"
  send sim
  wait_prompt ':[[:space:]]*$'
  send 127.0.0.1
  wait_for "[8006]:"
  send "$port"
  wait_for "[root@pam]:"
  send ""
  wait_prompt ':[[:space:]]*$' # the password (no echo)
  send sim-root-password
  wait_for "SHA-256:  $fp" 20
  wait_prompt '\]:[[:space:]]*$'
  send y
  wait_menu
  since | grep -qF "sim (127.0.0.1:$port" || fail "the header does not show the connection"
  since | grep -qE "[^0-9]3 \([^)]*3[^)]*\)" || fail "the header does not show 3 nodes (3 online)"
  screen | grep -qF sim-root-password && fail "the password was shown"
  local conns=$work/config/deploy-stand/connections_config.yml
  grep -q "enc:v1" "$conns" || fail "the password was not saved encrypted"
  grep -q "sim-root-password" "$conns" && fail "the password was saved in plaintext"
  grep -q "fingerprint: \"$fp\"" "$conns" || fail "the fingerprint was not pinned"
  [ "$(user_count 'root@pam')" -eq 1 ] || fail "simulator state unreadable"

  if [ "$MODE" = ru ]; then
    local want
    want=$(ru_of "create a deployment config")
    if [ -z "$want" ]; then
      echo "SKIP (ru): po/ru.po has no Russian for the menu yet; the Russian texts are not checked"
    else
      since | grep -qF -- "$want" || fail "the menu is not in Russian (expected '$want')"
      for id in "deploy" "user lists" "exit" "stand status and credentials (hand-out)" \
        "start or stop the class" "reset to the baseline (class or a student)" "snapshots" \
        "expired stands"; do
        want=$(ru_of "$id")
        [ -z "$want" ] || since | grep -qF -- "$want" || fail "no Russian '$want' for '$id'"
      done
      echo "ok (ru): the menu shows Russian texts"
    fi
  fi

  # 2. a config through the wizard (hotkey c)
  send c
  wait_for "alt-linux-tpl" 30
  wait_prompt ':[[:space:]]*$'
  send lab             # stand name
  wait_prompt '\[1\]:[[:space:]]*$'
  send ""              # template 1 (VMID 100)
  wait_prompt '\]:[[:space:]]*$'
  send web             # machine name
  wait_prompt '\[1\]:[[:space:]]*$'
  send ""              # linux
  wait_for "lan.10"
  wait_prompt ':[[:space:]]*$'
  send lan             # network 1
  wait_prompt ':[[:space:]]*$'
  send ""              # no more networks
  wait_prompt '\[1\]:[[:space:]]*$'
  send ""              # linked clone
  wait_prompt '\]:[[:space:]]*$'
  send ""              # no other machine
  wait_for "template_vmid: 100"
  wait_prompt '\]:[[:space:]]*$'
  send ""              # save it
  wait_for "[deployment_config]:"
  send lab1
  wait_for "configs/lab1.yml"
  wait_menu
  local cfg=$work/config/deploy-stand/configs/lab1.yml
  for want in "stand: lab" "template_vmid: 100" "bridge: lan"; do
    grep -qF "$want" "$cfg" || fail "the saved config lacks '$want'"
  done
  [ "$(stand_vms)" -eq 0 ] || fail "the wizard changed the cluster"

  # 3. a user list by import (hotkey u, item 5)
  printf '# class of 2026\nalice\nbob@pve\n\ncarol\n' >"$work/class.txt"
  send u
  wait_for "5) "
  wait_prompt ':[[:space:]]*$'
  send 5
  wait_prompt ':[[:space:]]*$'
  send "$work/class.txt"
  wait_for "[class]:"
  send ""
  wait_for "0) "
  wait_prompt ':[[:space:]]*$'
  send 0
  wait_menu
  local lst=$work/config/deploy-stand/lists/class.yml
  for u in alice@pve bob@pve carol@pve; do grep -q "$u" "$lst" || fail "$u is not in the list"; done

  # 4. deploy with the balanced strategy (hotkey d)
  send d
  wait_for "1) lab1"
  wait_prompt ':[[:space:]]*$'
  send ""
  wait_for "1) class"
  wait_prompt ':[[:space:]]*$'
  send ""
  wait_for "4) "
  wait_prompt ':[[:space:]]*$'
  send 3
  wait_prompt '\]:[[:space:]]*$' 60 # deploy now?
  for n in pve1 pve2 pve3; do since | grep -qF "$n" || fail "the summary does not name $n"; done
  [ "$(user_count alice@pve)" -eq 0 ] || fail "the deploy started before the confirmation"
  send y

  # 5. the credentials screen
  wait_for "carol@pve" 120
  local i
  for ((i = 0; i < 2400; i++)); do
    since | grep -qE '^carol@pve +[A-Za-z0-9]{10} +carol' && break
    sleep 0.05
  done
  for u in alice bob carol; do
    since | grep -qE "^$u@pve +[A-Za-z0-9]{10} +$u +pve[123] +web \([0-9]+\)" ||
      fail "no credentials line for $u@pve"
  done
  # balanced over three nodes: one student per node
  [ "$(since | grep -E '^(alice|bob|carol)@pve ' | awk '{print $4}' | sort -u | wc -l)" -eq 3 ] ||
    fail "balanced did not use the three nodes"
  wait_prompt ':[[:space:]]*$' 60 # press Enter
  for u in alice@pve bob@pve carol@pve; do
    [ "$(user_count "$u")" -eq 1 ] || fail "$u is not on the cluster after the deploy"
  done
  [ "$(stand_vms)" -eq 3 ] || fail "expected 3 VMs of stand lab, found $(stand_vms)"
  send ""
  wait_menu

  status_flow
  start_flow
  reset_flow

  # 6a. delete one user's machines (item 6)
  send 6
  wait_for "1) lab1"
  wait_prompt ':[[:space:]]*$'
  send ""
  wait_for "1) class"
  wait_prompt ':[[:space:]]*$'
  send ""
  wait_for "2) bob@pve"
  wait_prompt ':[[:space:]]*$'
  send 2
  wait_for "DELETE_bob@pve" 60
  since | grep -qF "bob@pve" || fail "the removal list does not name bob's objects"
  since | grep -qF "alice@pve" && fail "the removal list names alice"
  send DELETE_bob@pve
  wait_for "bob@pve" 60
  wait_prompt ':[[:space:]]*$' 60
  [ "$(user_count bob@pve)" -eq 0 ] || fail "bob@pve is still on the cluster"
  [ "$(user_count alice@pve)" -eq 1 ] || fail "alice@pve was removed with bob"
  [ "$(stand_vms)" -eq 2 ] || fail "expected 2 VMs of stand lab, found $(stand_vms)"
  send ""
  wait_menu

  # 6b. delete the whole list (hotkey x), after a wrong confirmation first
  send x
  wait_for "1) lab1"
  wait_prompt ':[[:space:]]*$'
  send ""
  wait_for "1) class"
  wait_prompt ':[[:space:]]*$'
  send ""
  wait_for "DELETE_class" 60
  send delete_class
  wait_menu
  [ "$(stand_vms)" -eq 2 ] || fail "a wrong confirmation removed something"
  send x
  wait_for "1) lab1"
  wait_prompt ':[[:space:]]*$'
  send ""
  wait_for "1) class"
  wait_prompt ':[[:space:]]*$'
  send ""
  wait_for "DELETE_class" 60
  send DELETE_class
  wait_prompt ':[[:space:]]*$' 60
  since | grep -qF "stand 'lab'" || [ "$MODE" = ru ] || fail "no verified result"
  for u in alice@pve bob@pve carol@pve; do
    [ "$(user_count "$u")" -eq 0 ] || fail "$u is still on the cluster"
  done
  [ "$(stand_vms)" -eq 0 ] || fail "VMs of stand lab are left"
  send ""
  wait_menu

  # leave with 0
  send 0
  wait_for "MENU-EXIT=0" 20
  tmux -L "$sock" kill-server 2>/dev/null
  sim_stop
  echo "ok ($MODE): connection, wizard, import, balanced deploy, credentials, status, hand-out," \
    "start, reset, deletes"
}

run_flow en
if locale -a 2>/dev/null | grep -qiE '^ru_RU\.utf-?8$'; then
  run_flow ru
else
  echo "SKIP (ru): the ru_RU.UTF-8 locale is not installed"
fi
echo ok
