#!/usr/bin/env bash
# build-deb.sh: builds the Debian package (deploy-stand_VERSION_ARCH.deb) from this tree with
# `dpkg-buildpackage -us -uc -b`, in a clean copy under a temporary folder, then runs lintian on
# it. The copy holds the files git tracks plus the new ones it does not ignore, as they are in the
# working tree (so uncommitted changes are built, build folders are not); outside a git checkout
# it is the tree without build*/, obj-*/ and .git.
#
# Usage: scripts/build-deb.sh [--out DIR] [--no-lintian] [-j N]
#   --out DIR     where the .deb files, .buildinfo, .changes and build.log go (default: build-deb/
#                 in the tree, which git ignores)
#   --no-lintian  do not run lintian
#   -j N          parallel build jobs (default 2)
# Needs debian/control's Build-Depends (scripts/install-deps.sh build) and debhelper, dpkg-dev and
# lintian (scripts/install-deps.sh test). Exits non-zero when the build fails or lintian reports
# an error or a warning (one that is to stay needs an override with its reason in
# debian/deploy-stand.lintian-overrides; there is none so far).
set -euo pipefail

usage() { echo "usage: $0 [--out DIR] [--no-lintian] [-j N]" >&2; exit 2; }
src=$(cd "$(dirname "$0")/.." && pwd -P)
out=$src/build-deb
lint=1
jobs=2
while [ $# -gt 0 ]; do
  case $1 in
    --out) [ $# -ge 2 ] || usage; out=$2; shift ;;
    --no-lintian) lint=0 ;;
    -j) [ $# -ge 2 ] || usage; jobs=$2; shift ;;
    -j[0-9]*) jobs=${1#-j} ;;
    -h | --help) sed -n '2,16s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) usage ;;
  esac
  shift
done
[[ $jobs =~ ^[1-9][0-9]*$ ]] || usage
need="dpkg-buildpackage dpkg-parsechangelog dh"
[ "$lint" = 0 ] || need="$need lintian"
for c in $need; do
  command -v "$c" >/dev/null ||
    { echo "build-deb.sh: $c is missing (scripts/install-deps.sh test installs it)" >&2; exit 1; }
done

# debian/changelog's version is the project's (CMakeLists.txt: project(... VERSION x.y.z))
version=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
upstream=${version#*:}
upstream=${upstream%-*}
project=$(sed -n 's/^project(deploy-stand VERSION \([0-9][0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
if [ "$upstream" != "$project" ]; then
  echo "build-deb.sh: debian/changelog is at $version but CMakeLists.txt at $project:" \
    "add a changelog entry for $project (dch -v $project)" >&2
  exit 1
fi

mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/deploy-stand-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
tree=$work/deploy-stand-$upstream
mkdir "$tree"

# --- the clean copy ---------------------------------------------------------------------------
if git -C "$src" rev-parse --show-toplevel >/dev/null 2>&1 &&
  [ "$(git -C "$src" rev-parse --show-toplevel)" = "$src" ]; then
  # tracked and new files, without those deleted in the working tree
  (cd "$src" && git ls-files -z -co --exclude-standard |
    while IFS= read -r -d '' f; do
      if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi
    done) | tar -C "$src" --null -T - -cf - | tar -C "$tree" -xf -
else
  tar -C "$src" --exclude=./.git --exclude='./build*' --exclude='./obj-*' \
    --exclude=./debian/.debhelper --exclude=./debian/deploy-stand --exclude=./debian/tmp -cf - . |
    tar -C "$tree" -xf -
fi

# --- the build --------------------------------------------------------------------------------
log=$out/build.log
echo "build-deb.sh: dpkg-buildpackage -us -uc -b -j$jobs in $tree (log: $log)"
if ! (cd "$tree" && dpkg-buildpackage -us -uc -b -j"$jobs") >"$log" 2>&1; then
  tail -40 "$log" >&2
  echo "build-deb.sh: dpkg-buildpackage failed; the whole log is $log" >&2
  exit 1
fi
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
changes=deploy-stand_${version#*:}_$arch.changes
files=$(sed -n '/^Files:/,/^[^ ]/s/^ [0-9a-f]\{32\} [0-9]\+ [^ ]\+ [^ ]\+ \(.*\)$/\1/p' "$work/$changes")
for f in $changes $files; do
  mv -f "$work/$f" "$out/"
done

# --- lintian ----------------------------------------------------------------------------------
if [ "$lint" = 1 ]; then
  echo "build-deb.sh: lintian $changes"
  # errors and warnings fail; an overridden tag (with its reason) does not
  lintian --fail-on error,warning "$out/$changes" ||
    { echo "build-deb.sh: lintian failed on $out/$changes" >&2; exit 1; }
fi
for f in $files; do
  case $f in *.deb) echo "build-deb.sh: $out/$f" ;; esac
done
