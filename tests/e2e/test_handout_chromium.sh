#!/usr/bin/env bash
# test_handout_chromium: the HTML hand-out of a 5-student class (deployed to the simulator first),
# rendered by headless Chromium: one card per student in the DOM, a real A4-sized PNG kept as artifact.
set -u
fail() { echo "FAIL: $*"; exit 1; }
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ] || { echo "SKIP: chromium is not installed"; exit 77; }

work=$(mktemp -d)
sim_pid=
cleanup() {
  [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
export XDG_STATE_HOME=$work/state XDG_CONFIG_HOME=$work/config LC_ALL=C.UTF-8
unset LANGUAGE

# the simulator, on a free port of 127.0.0.1; its ready line names the port and the certificate
"$DS_BIN/pve-sim" --port 0 --quiet --scenario classroom --time-scale 0.01 >"$work/sim.json" 2>"$work/sim.err" &
sim_pid=$!
for _ in $(seq 100); do
  grep -q '"port"' "$work/sim.json" 2>/dev/null && break
  kill -0 "$sim_pid" 2>/dev/null || fail "pve-sim exited: $(cat "$work/sim.err")"
  sleep 0.1
done
port=$(sed -n 's/.*"port":\([0-9]*\).*/\1/p' "$work/sim.json")
fp=$(sed -n 's/.*"fingerprint":"\([0-9A-F:]*\)".*/\1/p' "$work/sim.json")
{ [ -n "$port" ] && [ -n "$fp" ]; } || fail "pve-sim did not report its port and fingerprint"

umask 077
printf 'sim:\n  host: 127.0.0.1:%s\n  user: root@pam\n  password: sim-root-password\n  fingerprint: "%s"\n  default: true\n' \
  "$port" "$fp" >"$work/conn.yml"
printf 'users:\n' >"$work/users.yml"
for i in 1 2 3 4 5; do printf '  - student%s@pve\n' "$i" >>"$work/users.yml"; done
ds=("$DS_BIN/deploy-stand" --connections "$work/conn.yml")
stand=(--config "$DS_SRC/examples/deployment_config.yml" --users "$work/users.yml")

"${ds[@]}" --yes deploy "${stand[@]}" >"$work/deploy.out" 2>"$work/deploy.err" ||
  { rc=$?; tail -20 "$work/deploy.err"; fail "deploy exited $rc"; }
html=$work/handout.html
"${ds[@]}" creds "${stand[@]}" --format html --out "$html" >"$work/creds.out" 2>"$work/creds.err" ||
  { rc=$?; cat "$work/creds.err"; fail "creds exited $rc"; }
[ "$(stat -c %a "$html")" = 600 ] || fail "the hand-out is not mode 0600"

artifacts=$(cd "$DS_BIN/.." && pwd)/artifacts
mkdir -p "$artifacts"
png=$artifacts/handout.png
rm -f "$png"
chrome=("$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run
  --disable-background-networking --disable-component-update --disable-sync)
timeout 120 "${chrome[@]}" --user-data-dir="$(mktemp -d -p "$work")" --screenshot="$png" \
  --window-size=1240,1754 "file://$html" >"$work/shot.log" 2>&1 || { tail -5 "$work/shot.log"; fail "chromium --screenshot failed"; }
timeout 120 "${chrome[@]}" --user-data-dir="$(mktemp -d -p "$work")" --dump-dom "file://$html" \
  >"$work/dom.html" 2>"$work/dom.log" || { tail -5 "$work/dom.log"; fail "chromium --dump-dom failed"; }

cards=$(grep -o '<section class="card">' "$work/dom.html" | wc -l)
[ "$cards" -eq 5 ] || fail "the rendered hand-out has $cards card(s), not 5"
for i in 1 2 3 4 5; do grep -q "student$i@pve" "$work/dom.html" || fail "no card for student$i@pve"; done

[ -f "$png" ] || fail "no screenshot at $png"
size=$(stat -c %s "$png")
[ "$size" -gt 20000 ] || fail "the screenshot is only $size bytes: nothing was drawn"
[ "$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "the screenshot is not a PNG"
dims=$(od -An -tu1 -j16 -N8 "$png" | awk '{print $3*256+$4 "x" $7*256+$8}')
[ "$dims" = 1240x1754 ] || fail "the screenshot is $dims, not 1240x1754"
echo "hand-out screenshot (5 cards, $size bytes): $png"
echo ok
