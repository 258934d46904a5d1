#!/usr/bin/python3
"""proxmoxer_client: Debian's python3-proxmoxer (1.2) against a pve-sim it is given, as a real
client uses Proxmox VE: password and API-token login, a clone waited for, config changes, a bridge
and its apply, a user, a pool and an ACL, destroy; and the errors proxmoxer raises carry Proxmox's
message (status line) and parameter errors. Run by tests/sim/test_sim_proxmoxer.c:
proxmoxer_client.py PORT ROOT_PASSWORD. Exit 0 when every check holds."""
import sys
import time

import urllib3
from proxmoxer import ProxmoxAPI
from proxmoxer.backends.https import AuthenticationError
from proxmoxer.core import ResourceException

urllib3.disable_warnings()  # the sim's own self-signed certificate on 127.0.0.1
PORT, PASSWORD = sys.argv[1], sys.argv[2]
NODE = "pve1"


def api(**kw):
    return ProxmoxAPI("127.0.0.1", port=PORT, verify_ssl=False, timeout=30, **kw)


def wait_task(px, upid):
    """Polls the task (bounded: 30 s) until it stops; returns its exitstatus."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        st = px.nodes(NODE).tasks(upid).status.get()
        if st["status"] == "stopped":
            return st["exitstatus"]
        time.sleep(0.02)
    raise AssertionError("task %s did not stop" % upid)


# proxmoxer 1.2 takes an error's text from the HTTP reason phrase, where Proxmox puts the message
# (its parameter errors it looks for in the body's "data", which is null: it never has them)
PARAM_FAILED = "Parameter verification failed."


def raises(fn, status, text):
    """fn() must raise proxmoxer's ResourceException with status and text in its message."""
    try:
        fn()
    except ResourceException as e:
        assert e.status_code == status, (e.status_code, str(e))
        assert text in str(e), (text, str(e))
        return e
    raise AssertionError("no ResourceException (expected %d %s)" % (status, text))


def logins():
    px = api(user="root@pam", password=PASSWORD)
    assert px.version.get()["release"] == "8.4"
    try:
        api(user="root@pam", password="wrong-password").version.get()
        raise AssertionError("a wrong password logged in")
    except AuthenticationError:
        pass
    tok = px.access.users("root@pam").token("pxt").post(privsep=0)
    assert tok["full-tokenid"] == "root@pam!pxt"
    pt = api(user="root@pam", token_name="pxt", token_value=tok["value"])
    assert any(n["node"] == NODE for n in pt.nodes.get())
    pt.nodes(NODE).qemu(101).config.put(description="set by a token")
    return px, pt


def vm_lifecycle(px):
    upid = px.nodes(NODE).qemu(100).clone.post(newid=6100, name="px-1")
    assert ":qmclone:100:root@pam:" in upid
    assert wait_task(px, upid) == "OK"
    vm = px.nodes(NODE).qemu(6100)
    vm.config.put(description="changed", cores=2)
    conf = vm.config.get()
    assert conf["description"] == "changed" and int(conf["cores"]) == 2, conf
    assert wait_task(px, vm.config.post(memory=4096)) == "OK"
    raises(lambda: vm.config.put(delete="nosuchopt"), 400, PARAM_FAILED)
    raises(lambda: vm.config.put(description="x", digest="0" * 40), 500,
           "checksum mismatch (file change by other user?)")
    raises(lambda: px.nodes(NODE).qemu(999).config.get(), 500,
           "Configuration file 'nodes/pve1/qemu-server/999.conf' does not exist")
    st = px.nodes(NODE).tasks(upid).status.get()
    assert set(st) == {"upid", "node", "pid", "pstart", "starttime", "type", "id", "user",
                       "status", "exitstatus"}, st
    assert len(px.cluster.resources.get()) > 3  # a large answer: gzip-encoded, decoded by requests


def bridge(px):
    net = px.nodes(NODE).network
    net.post(iface="vmbr90", type="bridge", autostart=1, comments="px bridge")
    raises(lambda: net.post(iface="vmbr90", type="bridge"), 400, PARAM_FAILED)
    raises(lambda: net.post(iface="vmbr91", type="bridge", bridge_vids=","), 400, PARAM_FAILED)
    assert wait_task(px, net.put()) == "OK"
    assert net("vmbr90").get()["comments"] == "px bridge\n"


def access(px):
    px.access.users.post(userid="pxuser@pve", password="px-password-1", comment="proxmoxer")
    raises(lambda: px.access.users.post(userid="pxuser@pve"), 500,
           "create user failed: user 'pxuser@pve' already exists")
    raises(lambda: px.access.users.post(userid="pxother@pve", groups="nosuchgroup"), 500,
           "create user failed: no such group 'nosuchgroup'")
    px.pools.post(poolid="pxpool", comment="proxmoxer")
    raises(lambda: px.pools.post(poolid="pxpool"), 500,
           "create pool failed: pool 'pxpool' already exists")
    px.pools.put(poolid="pxpool", vms="6100")
    px.access.acl.put(path="/pool/pxpool", roles="PVEVMUser", users="pxuser@pve")
    raises(lambda: px.access.acl.put(path="/", roles="PVEAuditor"), 400, PARAM_FAILED)
    acl = [a for a in px.access.acl.get() if a["path"] == "/pool/pxpool"]
    assert acl and acl[0]["ugid"] == "pxuser@pve" and acl[0]["roleid"] == "PVEVMUser", acl
    user = api(user="pxuser@pve", password="px-password-1")
    assert [v["vmid"] for v in user.nodes(NODE).qemu.get()] == [6100]


def destroy(px):
    assert wait_task(px, px.nodes(NODE).qemu(6100).delete()) == "OK"
    raises(lambda: px.nodes(NODE).qemu(6100).config.get(), 500, "does not exist")
    px.access.users("pxuser@pve").delete()
    px.pools.delete(poolid="pxpool")


def main():
    px, _ = logins()
    vm_lifecycle(px)
    bridge(px)
    access(px)
    destroy(px)
    print("proxmoxer_client: all checks passed")


if __name__ == "__main__":
    main()
