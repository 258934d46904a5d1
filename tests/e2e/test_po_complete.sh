#!/usr/bin/env bash
# test_po_complete: the Russian catalogue is complete (no untranslated or fuzzy message), the
# template po/deploy-stand.pot matches the sources, and po/POTFILES lists every file with messages.
set -u
src=${DS_SRC:?DS_SRC is not set}
for tool in msgfmt xgettext msgcat; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed"; exit 77; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# msgids (and plural msgids) of a .po/.pot file, one normalised block per message, sorted
msgids() {
    msgcat --no-location --no-wrap --sort-output "$1" |
        awk '/^msgid |^msgid_plural /{on=1; print; next} /^msgstr/{on=0} /^"/{if (on) print}' |
        awk 'BEGIN{RS="msgid "} NR>1{gsub(/\n/, ""); print "msgid " $0}' | grep -v '^msgid ""$' | sort
}

# 1. every message of ru.po is translated and none is fuzzy
stats=$(LC_ALL=C msgfmt --check --statistics -o "$tmp/ru.mo" "$src/po/ru.po" 2>&1) ||
    fail "msgfmt --check po/ru.po: $stats"
echo "ru.po: $stats"
case $stats in
*untranslated* | *fuzzy*) fail "po/ru.po is not complete: $stats (run scripts/update-po.sh and translate)" ;;
esac

# 2. POTFILES lists every source file with _(), N_() or ngettext(), and nothing that is gone
grep -v '^[[:space:]]*#' "$src/po/POTFILES" | sed '/^[[:space:]]*$/d' | sort -u >"$tmp/listed"
while read -r f; do
    [ -f "$src/$f" ] || fail "po/POTFILES lists $f, which does not exist"
done <"$tmp/listed"
(cd "$src" && grep -rlE '(^|[^A-Za-z0-9_])(N_|_|ngettext)\(' --include='*.c' src | sort -u) >"$tmp/used"
missing=$(comm -23 "$tmp/used" "$tmp/listed")
[ -z "$missing" ] || fail "files with messages missing from po/POTFILES: $missing"

# 3. the template is up to date with the sources, and ru.po has exactly its messages
bash "$src/scripts/update-po.sh" --pot-only "$tmp/fresh.pot" 2>"$tmp/xgettext.err" ||
    fail "xgettext: $(cat "$tmp/xgettext.err")"
msgids "$tmp/fresh.pot" >"$tmp/fresh.ids"
msgids "$src/po/deploy-stand.pot" >"$tmp/pot.ids"
msgids "$src/po/ru.po" >"$tmp/ru.ids"
[ -s "$tmp/fresh.ids" ] || fail "no messages extracted from the sources"
if ! diff -u "$tmp/pot.ids" "$tmp/fresh.ids" >"$tmp/pot.diff"; then
    head -40 "$tmp/pot.diff"
    fail "po/deploy-stand.pot is stale versus the sources: run scripts/update-po.sh"
fi
if ! diff -u "$tmp/ru.ids" "$tmp/fresh.ids" >"$tmp/ru.diff"; then
    head -40 "$tmp/ru.diff"
    fail "po/ru.po does not have the sources' messages: run scripts/update-po.sh and translate"
fi
echo "ok: $(wc -l <"$tmp/fresh.ids") messages, all translated"
