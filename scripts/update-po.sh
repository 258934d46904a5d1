#!/usr/bin/env bash
# update-po.sh: regenerates po/deploy-stand.pot from the sources listed in po/POTFILES and merges
# it into every po/<lang>.po (new messages arrive untranslated, changed ones fuzzy).
# Usage: scripts/update-po.sh [--pot-only OUT.pot]   (--pot-only writes just the template to OUT)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

pot_generate() { # $1: output file
    local files=()
    while IFS= read -r line; do
        line=${line%%#*}
        line=${line//[[:space:]]/}
        [ -n "$line" ] && files+=("$line")
    done <po/POTFILES
    xgettext --language=C --keyword=_ --keyword=N_ --from-code=UTF-8 -c \
        --package-name=deploy-stand --msgid-bugs-address=deploy-stand --sort-by-file --no-wrap --add-location=file \
        -o "$1" "${files[@]}"
    # the creation date changes on every run; keep the file stable
    sed -i '/^"POT-Creation-Date:/d' "$1"
}

if [ "${1:-}" = "--pot-only" ]; then
    pot_generate "${2:?output file}"
    exit 0
fi

pot_generate po/deploy-stand.pot
for po in po/*.po; do
    msgmerge --quiet --update --backup=none --no-wrap --sort-by-file --add-location=file "$po" po/deploy-stand.pot
    msgfmt --check --statistics -o /dev/null "$po"
done
