#!/usr/bin/env bash
# test_demo: `deploy-stand demo`, the embedded default, runs to the end: plan, progress,
# credentials, status and a verified teardown; plus the help texts.
set -u
export XDG_STATE_HOME=$(mktemp -d) XDG_CONFIG_HOME=$(mktemp -d)
out=$(mktemp)
trap 'rm -rf "$out" "$XDG_STATE_HOME" "$XDG_CONFIG_HOME"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
"$DS_BIN/deploy-stand" demo --time-scale 0.01 >"$out" 2>&1 || { rc=$?; grep -v "^student" "$out" | tail -40; fail "demo exited $rc"; }
for want in "Deploy plan for stand 'demo-lab'" "3 of 3 student(s) OK" "student1@pve" \
            "Stand 'demo-lab': 3 of 3 student(s) deployed" "Verified: nothing of stand 'demo-lab' is left"; do
  grep -qF "$want" "$out" || fail "demo output lacks: $want"
done
"$DS_BIN/deploy-stand" --help | grep -q "deploy-stand demo" || fail "--help"
"$DS_BIN/deploy-stand" deploy --help | grep -q "usage: deploy-stand deploy" || fail "deploy --help"
"$DS_BIN/deploy-stand" destroy --help | grep -q -- "--user USERID" || fail "destroy --help"
echo ok
