#!/usr/bin/env bash
# test_ansible: a real client, Ansible's community.general.proxmox_kvm (Debian's ansible package),
# against pve-sim: a linked clone of a template, the same task again changes nothing, the VM is
# deleted, and deleting it again changes nothing (issue 13).
set -u
fail() { echo "FAIL: $*"; exit 1; }
command -v ansible-playbook >/dev/null || { echo "SKIP: ansible-playbook is not installed"; exit 77; }
[ -f /usr/lib/python3/dist-packages/ansible_collections/community/general/plugins/modules/proxmox_kvm.py ] ||
  { echo "SKIP: community.general (Debian's ansible package) is not installed"; exit 77; }
work=$(mktemp -d)
sim_pid=
cleanup() { [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

"$DS_BIN/pve-sim" --port 0 --quiet --scenario classroom --time-scale 0.01 >"$work/sim.json" 2>"$work/sim.err" &
sim_pid=$!
for _ in $(seq 100); do # bounded: 10 s
  grep -q '"port"' "$work/sim.json" 2>/dev/null && break
  kill -0 "$sim_pid" 2>/dev/null || fail "pve-sim exited: $(cat "$work/sim.err")"
  sleep 0.1
done
port=$(sed -n 's/.*"port":\([0-9]*\).*/\1/p' "$work/sim.json")
[ -n "$port" ] || fail "pve-sim did not report its port"

# proxmoxer takes "host:port"; the simulator's certificate is its own (validate_certs: false on
# this loopback test server only)
cat >"$work/play.yml" <<YML
- hosts: localhost
  gather_facts: false
  vars:
    pve: &pve
      api_host: "127.0.0.1:$port"
      api_user: root@pam
      api_password: sim-root-password
      validate_certs: false
      timeout: 60
    clone: &clone
      <<: *pve
      node: pve1
      vmid: 100
      clone: alt-linux-tpl
      newid: 7001
      name: ans-web
      full: false
    absent: &absent
      <<: *pve
      name: ans-web
      state: absent
  tasks:
    - name: clone
      community.general.proxmox_kvm: *clone
      register: clone1
    - name: clone again
      community.general.proxmox_kvm: *clone
      register: clone2
    - name: delete
      community.general.proxmox_kvm: *absent
      register: del1
    - name: delete again
      community.general.proxmox_kvm: *absent
      register: del2
    - name: check
      ansible.builtin.assert:
        that:
          - clone1.changed
          - not clone2.changed
          - del1.changed
          - not del2.changed
YML
export ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3 ANSIBLE_LOCALHOST_WARNING=false \
  ANSIBLE_INVENTORY_UNPARSED_WARNING=false ANSIBLE_NOCOLOR=1 ANSIBLE_HOME="$work/ansible" \
  ANSIBLE_LOCAL_TEMP="$work/ansible-tmp"
ansible-playbook -i localhost, -c local "$work/play.yml" >"$work/play.out" 2>&1 ||
  { tail -40 "$work/play.out"; fail "the playbook failed"; }
grep -q "failed=0" "$work/play.out" || { tail -20 "$work/play.out"; fail "a task failed"; }
# the simulator saw the clone of template 100 to 7001 and its deletion
stats=$(curl -sk "https://127.0.0.1:$port/__sim/stats")
echo "$stats" | grep -q 'POST /nodes/{node}/qemu/{vmid}/clone' || fail "no clone request reached the simulator"
echo "$stats" | grep -q 'DELETE /nodes/{node}/qemu/{vmid}' || fail "no delete request reached the simulator"
state=$(curl -sk "https://127.0.0.1:$port/__sim/state")
echo "$state" | grep -q '"vmid":7001' && fail "VM 7001 is still there"
echo "ok: proxmox_kvm cloned, found the clone again, deleted it and found nothing to delete"
