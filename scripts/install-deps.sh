#!/usr/bin/env bash
# install-deps.sh: installs the Debian 12 packages deploy-stand needs to build and test,
# only those that are missing. Runs apt-get as root, through sudo when not root.
set -euo pipefail

PKGS=(build-essential cmake pkg-config
      libcurl4-openssl-dev libjansson-dev libyaml-dev libsodium-dev libsqlite3-dev
      libmicrohttpd-dev libssl-dev libcmocka-dev
      valgrind curl ca-certificates
      clang libclang-rt-14-dev)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "error: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
echo "Installing: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
