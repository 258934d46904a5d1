#!/usr/bin/env bash
# test_deb: scripts/build-deb.sh builds the Debian package from the tree and lintian passes it;
# dpkg installs it into a scratch root, where it holds what it should (the programs, the man pages,
# completion, the Russian catalogue, the examples, the DEP-5 copyright, the systemd units neither
# enabled nor started); the installed deploy-stand runs --version and the whole demo, `man` renders
# its pages; a purge leaves nothing behind. Slow (the package build and lintian): label slow.
set -euo pipefail
src=${DS_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }

[ "$(id -u)" = 0 ] || skip "installing with dpkg --root needs root (file ownership); not root"
for c in dpkg-buildpackage dh lintian man; do
  command -v "$c" >/dev/null || skip "$c is missing (scripts/install-deps.sh test installs it)"
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export LC_ALL=C.UTF-8 LANGUAGE=
version=$(sed -n 's/^project(deploy-stand VERSION \([0-9][0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
[ -n "$version" ] || fail "no project(deploy-stand VERSION x.y.z) in CMakeLists.txt"
arch=$(dpkg --print-architecture)

# --- build and lintian (build-deb.sh fails on a lintian error or a warning not overridden) --------
start=$SECONDS
"$src/scripts/build-deb.sh" --out "$tmp/out" >"$tmp/build.out" 2>&1 ||
  { cat "$tmp/build.out"; fail "scripts/build-deb.sh failed"; }
echo "package built and checked by lintian in $((SECONDS - start)) s"
deb=$tmp/out/deploy-stand_${version}_$arch.deb
[ -f "$deb" ] || { ls "$tmp/out"; fail "no $(basename "$deb")"; }
depends=$(dpkg-deb -f "$deb" Depends)
grep -q 'libc6 (>=' <<<"$depends" || fail "Depends lacks the shlibs' libc6: $depends"
# shellcheck disable=SC2016 # a literal ${: dpkg-gencontrol left a substitution unexpanded
if grep -qF '${' <<<"$depends"; then fail "Depends holds an unexpanded substitution: $depends"; fi

# --- install into a scratch root ------------------------------------------------------------------
# The scratch root's dpkg database knows no other package, so the libraries the package depends on
# are "missing" there: --force-depends. The installed programs run with the host's libraries,
# which are there since the package was built here. The root holds no shell to chroot into, so the
# maintainer scripts run on the host (--force-script-chrootless) with DPKG_ROOT set to the root,
# which debhelper's snippets and deb-systemd-helper honour. The log stays in the scratch folder.
root=$tmp/root
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/var/lib/dpkg/triggers"
touch "$root/var/lib/dpkg/status" "$root/var/lib/dpkg/available"
host_systemd() { find /etc/systemd /var/lib/systemd -printf '%p %l %s %T@\n' 2>/dev/null | sort | md5sum; }
host_before=$(host_systemd)
dpkg_root() {
  dpkg --root="$root" --log="$tmp/dpkg.log" --force-depends --force-script-chrootless "$@" \
    >"$tmp/dpkg.out" 2>&1 || { cat "$tmp/dpkg.out"; fail "dpkg $* failed"; }
}
dpkg_root --install "$deb"
status=$(dpkg-query --root="$root" -W -f='${Status} ${Version}' deploy-stand)
[ "$status" = "install ok installed $version" ] || fail "dpkg-query: $status"

for f in usr/bin/deploy-stand usr/bin/pve-sim; do
  [ -x "$root/$f" ] || fail "/$f is not installed"
done
for f in usr/share/man/man1/deploy-stand.1.gz usr/share/man/man1/pve-sim.1.gz \
  usr/share/bash-completion/completions/deploy-stand usr/share/locale/ru/LC_MESSAGES/deploy-stand.mo \
  usr/share/doc/deploy-stand/copyright usr/share/doc/deploy-stand/examples/deployment_config.yml \
  usr/share/doc/deploy-stand/examples/users_list.yml usr/share/doc/deploy-stand/examples/connections_config.yml \
  usr/share/doc/deploy-stand/examples/clusters/classroom.yml \
  lib/systemd/system/deploy-stand-expire.service lib/systemd/system/deploy-stand-expire.timer; do
  [ -f "$root/$f" ] || fail "/$f is not installed"
done
head -1 "$root/usr/share/doc/deploy-stand/copyright" |
  grep -qx 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/' ||
  fail "the copyright file is not in the machine-readable format"
grep -qx 'ExecStart=/usr/bin/deploy-stand expire --yes' "$root/lib/systemd/system/deploy-stand-expire.service" ||
  fail "the service does not run /usr/bin/deploy-stand: $(grep ExecStart "$root/lib/systemd/system/deploy-stand-expire.service")"
# installed disabled: no symlink in any .wants folder, nothing of it under the root's /etc
[ -z "$(find "$root" -path '*.wants/*' -name 'deploy-stand*' -print -quit)" ] || fail "the timer was enabled"
[ ! -e "$root/etc" ] || fail "the package put files under /etc: $(find "$root/etc" | head -5)"
# the packaged programs read the installed catalogues only, never a build folder
! grep -qa "/obj-[a-z0-9_]*-linux-[a-z]*/locale" "$root/usr/bin/deploy-stand" ||
  fail "the packaged deploy-stand names a build folder's catalogue"
grep -qa /usr/share/locale "$root/usr/bin/deploy-stand" || fail "the packaged deploy-stand does not read /usr/share/locale"

# --- run what is installed ------------------------------------------------------------------------
bin=$root/usr/bin
out=$("$bin/deploy-stand" --version) || fail "the installed deploy-stand --version failed"
[ "$out" = "deploy-stand $version" ] || fail "--version printed '$out'"
"$bin/pve-sim" --help >/dev/null || fail "the installed pve-sim --help failed"
# the demo: the simulated cluster in-process on 127.0.0.1, the stand deployed and removed
mkdir "$tmp/state" "$tmp/config"
XDG_STATE_HOME=$tmp/state XDG_CONFIG_HOME=$tmp/config timeout 240 \
  "$bin/deploy-stand" demo --time-scale 0.01 </dev/null >"$tmp/demo.out" 2>&1 ||
  { rc=$?; tail -40 "$tmp/demo.out"; fail "the installed deploy-stand demo exited $rc"; }
grep -v '^$' "$tmp/demo.out" | tail -4 | grep -qF "Verified: nothing of stand 'demo-lab' is left" ||
  { tail -20 "$tmp/demo.out"; fail "the installed demo does not end with nothing left"; }
# the Russian catalogue as installed (the program looks in /usr/share/locale: point it at the root);
# Cyrillic letters are two bytes in UTF-8, most starting with 0xD0
if locale -a 2>/dev/null | grep -qi '^ru_RU\.utf-\?8$'; then
  out=$(LC_ALL=ru_RU.UTF-8 DEPLOY_STAND_LOCALEDIR=$root/usr/share/locale "$bin/deploy-stand" --help 2>&1 || true)
  LC_ALL=C grep -q $'\xd0' <<<"$out" || fail "the installed Russian catalogue is not used: $(head -3 <<<"$out")"
else
  echo "note: no ru_RU.UTF-8 locale here, the Russian catalogue is checked as installed only"
fi
# man finds and renders the installed pages
for page in deploy-stand pve-sim; do
  text=$(MANPATH=$root/usr/share/man MANWIDTH=100 man -P cat "$page" 2>"$tmp/man.err") ||
    fail "man $page failed: $(cat "$tmp/man.err")"
  [ ! -s "$tmp/man.err" ] || fail "man $page printed: $(cat "$tmp/man.err")"
  for want in NAME SYNOPSIS DESCRIPTION; do
    grep -q "^$want" <<<"$text" || fail "man $page: no $want section"
  done
  grep -q "^ *$page - " <<<"$text" || fail "man $page: the NAME line is missing"
done
spec=$(bash -c "source '$root/usr/share/bash-completion/completions/deploy-stand' && complete -p deploy-stand" 2>&1)
[ "$spec" = "complete -F _deploy_stand deploy-stand" ] || fail "complete -p deploy-stand: $spec"

# --- purge: nothing left but the dpkg database ----------------------------------------------------
dpkg_root --purge deploy-stand
status=$(dpkg-query --root="$root" -W -f='${Status}' deploy-stand 2>/dev/null || true)
case $status in "" | "unknown ok not-installed" | "purge ok not-installed") ;; *) fail "after purge: $status" ;; esac
# var/lib/systemd stays, empty: deb-systemd-helper made it for its state (systemd's own on a node)
left=$(cd "$root" && find . -mindepth 1 -path ./var/lib/dpkg -prune -o -print |
  { grep -vx -e ./var -e ./var/lib -e ./var/lib/systemd || true; })
[ -z "$left" ] || fail "the purge left: $(head -10 <<<"$left")"
# the maintainer scripts ran on the host, for the scratch root only
[ "$(host_systemd)" = "$host_before" ] || fail "installing into the scratch root changed the host's systemd state"
echo "ok: deploy-stand_${version}_$arch.deb in $((SECONDS - start)) s"
