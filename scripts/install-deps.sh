#!/usr/bin/env bash
# install-deps.sh: installs the Debian 12 packages deploy-stand needs to build and test,
# only those that are missing. Runs apt-get as root, through sudo when not root.
set -euo pipefail

PKGS=(build-essential cmake pkg-config
      libcurl4-openssl-dev libjansson-dev libyaml-dev libsodium-dev libsqlite3-dev
      libmicrohttpd-dev libssl-dev libcmocka-dev libedit-dev gettext
      valgrind curl ca-certificates
      clang libclang-rt-14-dev
      tmux locales chromium)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
need_root() {
  [ -z "$SUDO" ] || command -v sudo >/dev/null ||
    { echo "error: need root or sudo to: $*" >&2; exit 1; }
}

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  need_root "install ${missing[*]}"
  echo "Installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The Russian interface is tested with LANG=ru_RU.UTF-8: generate that locale once.
if ! locale -a 2>/dev/null | grep -qi '^ru_RU\.utf-\?8$'; then
  need_root "generate the ru_RU.UTF-8 locale"
  $SUDO sed -i 's/^# *\(ru_RU.UTF-8 UTF-8\)/\1/' /etc/locale.gen
  grep -q '^ru_RU.UTF-8 UTF-8' /etc/locale.gen || echo 'ru_RU.UTF-8 UTF-8' | $SUDO tee -a /etc/locale.gen >/dev/null
  $SUDO locale-gen >/dev/null
fi
