#!/usr/bin/env bash
# test_schema_version_tables: checks that the committed tables of PVE 7.4 and 9.1
# (common/pve_schema_table_pve{7.4,9.1}.json) are exactly what pve-schema-extract makes from the
# official schema dumps (skipped when the dumps are absent; the 8.4 table: test_schema_table.sh).
set -u
shared="${DS_SRC:?DS_SRC not set}/../shared/pve-api"
tool="${DS_BIN:?DS_BIN not set}/pve-schema-extract"

if [ ! -r "$shared/schema-pve7.4.json" ] || [ ! -r "$shared/schema-pve9.1.json" ]; then
    echo "SKIP: $shared/schema-pve{7.4,9.1}.json not present"
    exit 77
fi
if [ ! -x "$tool" ]; then
    echo "FAIL: $tool not built"
    exit 1
fi
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
rc=0
# release, expected endpoint count (shared/pve-api/README.txt)
for spec in 7.4:540 9.1:649; do
    release="${spec%%:*}"
    want="${spec#*:}"
    schema="$shared/schema-pve$release.json"
    table="$DS_SRC/common/pve_schema_table_pve$release.json"
    if ! "$tool" "$schema" >"$out"; then
        echo "FAIL: pve-schema-extract exited with an error on $schema"
        rc=1
        continue
    fi
    if ! cmp "$out" "$table"; then
        echo "FAIL: committed $release table is stale; regenerate with:"
        echo "  $tool $schema > $table"
        rc=1
        continue
    fi
    count="$(grep -c '^"[A-Z]* /' "$table")"
    if [ "$count" != "$want" ]; then
        echo "FAIL: expected $want endpoints in the $release table, found $count"
        rc=1
        continue
    fi
    echo "OK: $release table up to date ($count endpoints)"
done
exit $rc
