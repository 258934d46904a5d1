#!/usr/bin/env bash
# install-deps.sh: installs the Debian packages deploy-stand needs, only those that are missing.
# Works on Debian 12 (bookworm) and 13 (trixie): every name below exists on both, and the one
# versioned name (the clang runtime, libclang-rt-N-dev) is derived from the clang that is, or
# will be, installed. Runs apt-get as root, through sudo when not root.
#
# Usage: scripts/install-deps.sh [build|test] [--dry-run]
#   build      (default) what building and running deploy-stand needs: compiler, cmake,
#              pkg-config, the -dev libraries, gettext, ca-certificates
#   test       that plus the test tools: valgrind, clang with its sanitizer/libFuzzer runtime,
#              curl, jq, tmux, chromium, groff/man, and the ru_RU.UTF-8 locale
#   --dry-run  resolve the names and let apt-get simulate the install (apt-get -s); changes nothing
set -euo pipefail

usage() { echo "usage: $0 [build|test] [--dry-run]" >&2; exit 2; }
MODE=build
DRY=0
for a in "$@"; do
  case $a in
    build | test) MODE=$a ;;
    --dry-run) DRY=1 ;;
    -h | --help) sed -n '2,12s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) usage ;;
  esac
done

# --- the package lists ------------------------------------------------------------------------
# Build: a C compiler and make (the project is C only: no g++), cmake, pkg-config, the libraries
# CMakeLists.txt asks pkg-config for (cmocka included: the tests are configured with the build),
# msgfmt for the message catalogues, and the CA bundle libcurl reads.
BUILD_PKGS=(gcc make libc6-dev cmake pkg-config
            libcurl4-openssl-dev libjansson-dev libyaml-dev libsodium-dev libsqlite3-dev
            libmicrohttpd-dev libssl-dev libcmocka-dev libedit-dev zlib1g-dev gettext ca-certificates)
# Test: valgrind (e2e *_valgrind tests), clang (scripts/fuzz.sh; its runtime is added below),
# curl and jq (e2e shell tests talk to the simulator), tmux (the menu test), locales (the
# Russian interface), chromium (the printable hand-out), groff-base and man-db (the man page
# test renders the page), debhelper, dpkg-dev and lintian (the Debian package test builds the .deb
# with dpkg-buildpackage and checks it with lintian; no fakeroot: Rules-Requires-Root is no),
# python3-proxmoxer and python3-requests (tests/sim/test_sim_proxmoxer: a real third-party
# Proxmox VE client, Debian's proxmoxer on requests, drives the simulator), ansible
# (tests/e2e/test_ansible: community.general.proxmox_kvm, which Debian's ansible package ships,
# clones and deletes against the simulator; about 35 s to install).
TEST_PKGS=(valgrind clang curl jq tmux locales chromium groff-base man-db debhelper dpkg-dev lintian
           python3-proxmoxer python3-requests ansible)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
need_root() {
  [ -z "$SUDO" ] || command -v sudo >/dev/null ||
    { echo "install-deps.sh: need root or sudo to: $*" >&2; exit 1; }
}

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
# A package is satisfied when installed; pkg-config also when some package provides the command
# (on Debian 13 pkgconf does; pkg-config is a transitional package there).
satisfied() {
  case $1 in
    pkg-config) command -v pkg-config >/dev/null && return 0 ;;
  esac
  installed "$1"
}

UPDATED=0
apt_update() { # once per run, before the first look-up or install
  [ "$UPDATED" = 1 ] && return 0
  need_root "apt-get update"
  echo "install-deps.sh: apt-get update"
  $SUDO apt-get update -qq
  UPDATED=1
}
# True when apt knows a real (installable) package of that name.
known() { apt-cache show --no-all-versions "$1" >/dev/null 2>&1; }

# --- the clang runtime's versioned name ---------------------------------------------------------
# libFuzzer and the ASan/UBSan runtime of clang N are in libclang-rt-N-dev (Debian 12: N=14,
# Debian 13: N=19). N is the major version of the installed clang, or of the clang-N package the
# "clang" package depends on when clang is not installed yet.
clang_major() {
  local n=""
  if command -v clang >/dev/null; then
    n=$(clang --version | sed -n 's/.*clang version \([0-9]\+\)\..*/\1/p' | head -1)
  fi
  if [ -z "$n" ]; then
    known clang || apt_update
    n=$(apt-cache depends clang 2>/dev/null | sed -n 's/^ *Depends: clang-\([0-9]\+\)$/\1/p' | head -1)
  fi
  [ -n "$n" ] || { echo "install-deps.sh: cannot tell which clang version apt offers" >&2; exit 1; }
  echo "$n"
}

PKGS=("${BUILD_PKGS[@]}")
if [ "$MODE" = test ]; then
  PKGS+=("${TEST_PKGS[@]}")
  PKGS+=("libclang-rt-$(clang_major)-dev")
fi

# --- install what is missing --------------------------------------------------------------------
missing=()
for p in "${PKGS[@]}"; do
  satisfied "$p" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ] || [ "$DRY" = 1 ]; then
  # a package is missing: the lists may be old or absent (a fresh machine or container)
  apt_update
  # every name must be one this release offers (a dry run checks them all, installed or not)
  check=("${missing[@]}")
  [ "$DRY" = 0 ] || check=("${PKGS[@]}")
  for p in "${check[@]}"; do
    known "$p" || { echo "install-deps.sh: apt offers no package '$p' on this release" >&2; exit 1; }
  done
fi
if [ "$DRY" = 1 ]; then
  echo "install-deps.sh ($MODE, dry run): missing: ${missing[*]:-none}"
  [ ${#missing[@]} -eq 0 ] || apt-get install -s --no-install-recommends "${missing[@]}"
  exit 0
fi
if [ ${#missing[@]} -gt 0 ]; then
  need_root "install ${missing[*]}"
  echo "install-deps.sh ($MODE): installing ${missing[*]}"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# --- test mode: the locale of the Russian interface tests -----------------------------------------
# The Russian interface is tested with LANG=ru_RU.UTF-8: generate that locale once.
if [ "$MODE" = test ] && ! locale -a 2>/dev/null | grep -qi '^ru_RU\.utf-\?8$'; then
  need_root "generate the ru_RU.UTF-8 locale"
  $SUDO sed -i 's/^# *\(ru_RU.UTF-8 UTF-8\)/\1/' /etc/locale.gen
  grep -q '^ru_RU.UTF-8 UTF-8' /etc/locale.gen || echo 'ru_RU.UTF-8 UTF-8' | $SUDO tee -a /etc/locale.gen >/dev/null
  $SUDO locale-gen >/dev/null
fi
