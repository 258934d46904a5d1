#!/usr/bin/env bash
# test_demo: `deploy-stand demo`, the embedded default, runs to the end on every built-in scenario
# and on a scenario file: plan, progress, credentials, status and a verified teardown, with the
# example stand fitted to the scenario's templates; a scenario without templates is refused.
set -u
export XDG_STATE_HOME=$(mktemp -d) XDG_CONFIG_HOME=$(mktemp -d) LC_ALL=C LANGUAGE=
tmp=$(mktemp -d)
trap 'rm -rf "$tmp" "$XDG_STATE_HOME" "$XDG_CONFIG_HOME"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# demo_ok NAME ARGS...: the demo exits 0 and its output shows the whole run, ending with nothing left
demo_ok() {
    local name=$1 out="$tmp/$1.out"
    shift
    "$DS_BIN/deploy-stand" demo --time-scale 0.01 "$@" >"$out" 2>&1 ||
        { rc=$?; grep -v "^student" "$out" | tail -40; fail "demo $name exited $rc"; }
    for want in "Deploy plan for stand 'demo-lab'" "3 of 3 students OK" "student1@pve" \
                "Stand 'demo-lab': 3 of 3 students deployed"; do
        grep -qF "$want" "$out" || fail "demo $name: output lacks: $want"
    done
    grep -v '^$' "$out" | tail -4 | grep -qF "Verified: nothing of stand 'demo-lab' is left" ||
        { tail -8 "$out"; fail "demo $name: the end does not say that nothing is left"; }
}
# has NAME TEXT: the output of demo NAME contains TEXT
has() { grep -qF -- "$2" "$tmp/$1.out" || { head -25 "$tmp/$1.out"; fail "demo $1: output lacks: $2"; }; }

demo_ok classroom # the default scenario
has classroom "Scenario 'classroom': 3 nodes (pve1, pve2, pve3), 3 templates:"
has classroom "router  from template 102 (ecorouter-tpl) on pve1"
has classroom "linked clone of template 101 -> VM"

demo_ok single --scenario single
has single "Scenario 'single': 1 node (pve), 1 template:"
has single "client  from template 100 (alt-linux-tpl) on pve"
has single "router  from template 100 (alt-linux-tpl) on pve: the scenario has no EcoRouter template"

demo_ok campus --scenario campus
has campus "Scenario 'campus': 5 nodes (node1, node2, node3, node4, node5), 5 templates:"
has campus "    111  tiny-router-tpl  on node5"
has campus "router  from template 102 (ecorouter-tpl) on node3"
has campus "so the demo uses the balanced strategy"
# each student's machines on one node: template copies are made and the students' clones use them
has campus "Deploy plan for stand 'demo-lab', strategy balanced"
has campus "linked clone of the copy"

# a scenario file of one's own: the single node with other templates
sed '/^vms:/,$d' "$DS_SRC/examples/clusters/single.yml" >"$tmp/none.yml"
cp "$tmp/none.yml" "$tmp/own.yml"
cat >>"$tmp/own.yml" <<'EOF'
vms:
  - vmid: 300
    node: pve
    config: {name: router-os, template: 1, memory: "512", cores: 1, sockets: 1, ostype: other,
             net0: "e1000=BC:24:11:50:00:01,bridge=vmbr0", sata0: "local-lvm:base-300-disk-0,size=2G"}
  - vmid: 301
    node: pve
    config: {name: debian-tpl, template: 1, memory: "1024", cores: 1, sockets: 1, ostype: l26,
             net0: "virtio=BC:24:11:50:01:01,bridge=vmbr0", scsi0: "local-lvm:base-301-disk-0,size=8G"}
  - vmid: 302
    node: pve
    config: {name: not-a-template, memory: "1024", cores: 1, sockets: 1, ostype: l26}
EOF
demo_ok own --scenario "$tmp/own.yml"
has own "Scenario '$tmp/own.yml': 1 node (pve), 2 templates:"
has own "web     from template 301 (debian-tpl) on pve"
has own "client  from template 301 (debian-tpl) on pve"
has own "router  from template 300 (router-os) on pve: the scenario has no EcoRouter template"
grep -qF "not-a-template" "$tmp/own.out" && fail "demo own: a VM that is no template is offered"

# a scenario without templates: a clear error, exit 2, nothing else
"$DS_BIN/deploy-stand" demo --scenario "$tmp/none.yml" >"$tmp/none.out" 2>"$tmp/none.err"
rc=$?
[ "$rc" = 2 ] || { cat "$tmp/none.out" "$tmp/none.err"; fail "no templates: exit $rc, want 2"; }
grep -qF "error: scenario '$tmp/none.yml' has no VM template on an online node" "$tmp/none.err" ||
    { cat "$tmp/none.err"; fail "no templates: the error does not say so"; }
[ "$(wc -l <"$tmp/none.err")" = 2 ] || { cat "$tmp/none.err"; fail "no templates: more than error and hint"; }
grep -q "Deploy plan" "$tmp/none.out" && fail "no templates: a plan was printed"

# a scenario that does not exist is an input error: exit 2 with the reason and a hint
"$DS_BIN/deploy-stand" demo --scenario "$tmp/missing.yml" >"$tmp/missing.out" 2>"$tmp/missing.err"
rc=$?
[ "$rc" = 2 ] || { cat "$tmp/missing.err"; fail "missing scenario: exit $rc, want 2"; }
grep -qF "cannot read scenario file '$tmp/missing.yml'" "$tmp/missing.err" ||
    { cat "$tmp/missing.err"; fail "missing scenario: the error does not say so"; }
"$DS_BIN/deploy-stand" demo --scenario nowhere >/dev/null 2>"$tmp/unknown.err"
rc=$?
[ "$rc" = 2 ] || { cat "$tmp/unknown.err"; fail "unknown scenario: exit $rc, want 2"; }

"$DS_BIN/deploy-stand" demo --help | grep -qF -- "--scenario NAME" || fail "demo --help"
"$DS_BIN/deploy-stand" --help | grep -q "deploy-stand demo" || fail "--help"
"$DS_BIN/deploy-stand" deploy --help | grep -q "usage: deploy-stand deploy" || fail "deploy --help"
"$DS_BIN/deploy-stand" destroy --help | grep -q -- "--user USERID" || fail "destroy --help"
echo ok
