#!/usr/bin/env bash
# test_schema_table: checks that the committed common/pve_schema_table.json is exactly what
# pve-schema-extract makes from the official schema dump (skipped when the dump is absent).
set -u
schema="${DS_SRC:?DS_SRC not set}/../shared/pve-api/schema.json"
table="$DS_SRC/common/pve_schema_table.json"
tool="${DS_BIN:?DS_BIN not set}/pve-schema-extract"

if [ ! -r "$schema" ]; then
    echo "SKIP: $schema not present"
    exit 77
fi
if [ ! -x "$tool" ]; then
    echo "FAIL: $tool not built"
    exit 1
fi
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
if ! "$tool" "$schema" >"$out"; then
    echo "FAIL: pve-schema-extract exited with an error"
    exit 1
fi
if ! cmp "$out" "$table"; then
    echo "FAIL: committed table is stale; regenerate with:"
    echo "  $tool $schema > $table"
    exit 1
fi
count="$(grep -c '^"[A-Z]* /' "$table")"
if [ "$count" != 605 ]; then
    echo "FAIL: expected 605 endpoints in the table, found $count"
    exit 1
fi
echo "OK: table up to date ($count endpoints)"
