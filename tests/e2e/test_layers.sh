#!/usr/bin/env bash
# test_layers: every `#include "dir/..."` in src/ must point at the same layer or a lower one; the
# planner must not include I/O. Fails naming file:line. Env DS_SRC = repo root. Exit 0 pass, 1 fail.
#
# Layers, low to high (a file may include its own directory and any directory of a lower rank):
#   rank 0  util/                                 errors, files, strings, passwords
#   rank 1  pve/  store/  config/                 client, local state, files; siblings, see below
#   rank 2  inventory/                            the cluster read into a view (uses pve/)
#   rank 3  plan/                                 the pure planner: no I/O (see PLAN_IO below)
#   rank 4  exec/                                 the executor
#   rank 5  ui/                                   renderers of core data (tables, progress, reports,
#                                                 hand-outs, prompts, the wizard); never calls up
#   rank 6  app/                                  use cases; never prints
#   rank 7  cli/                                  the terminal front-end: commands, menu, demo, and
#                                                 the rendering of the use cases' events
#   rank 8  main.c
# Rank 1 siblings include each other only where it is right: config/ may include store/ (the
# connections file decrypts its secrets with store/secrets); pve/ and store/ include no sibling.
# ui/ sits below app/: the renderers take core types (plans, executor events, the cluster view), so
# every front-end (cli/ now, the server later) can use them, and app/ never needs them.
set -u
root=${DS_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$root/src" || exit 1

rank() {
    case "$1" in
    util) echo 0 ;;
    pve | store | config) echo 1 ;;
    inventory) echo 2 ;;
    plan) echo 3 ;;
    exec) echo 4 ;;
    ui) echo 5 ;;
    app) echo 6 ;;
    cli) echo 7 ;;
    *) echo -1 ;;
    esac
}

# "from-dir to-dir" pairs allowed although not below (besides the same directory)
allowed_pair() {
    case "$1 $2" in
    "config store") return 0 ;;
    esac
    return 1
}

# the planner does no I/O: no stdio files, sockets, curl, sqlite, and no pve/store/exec
PLAN_IO='^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](curl/|sqlite3|sys/socket|netdb|fcntl|dirent|sys/stat|pve/|store/|exec/|app/|cli/|ui/)'
PLAN_CALLS='\b(fopen|fdopen|freopen|popen|open|opendir|curl_[a-z_]+|sqlite3_[a-z_]+)[[:space:]]*\('

fail=0
while IFS= read -r f; do
    from=${f%%/*}
    [ "$f" = "main.c" ] && continue
    rf=$(rank "$from")
    if [ "$rf" -lt 0 ]; then
        echo "$f: directory '$from' has no layer: add it to tests/e2e/test_layers.sh"
        fail=1
        continue
    fi
    while IFS=: read -r line inc; do
        to=${inc%%/*}
        rt=$(rank "$to")
        [ "$rt" -lt 0 ] && continue # common/ and sim/ headers, generated ones
        [ "$to" = "$from" ] && continue
        if [ "$rt" -lt "$rf" ] || allowed_pair "$from" "$to"; then
            continue
        fi
        echo "$f:$line: includes \"$inc\": $from/ (layer $rf) may not include $to/ (layer $rt)"
        fail=1
    done < <(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[a-z_]+/' "$f" |
        sed -E 's/^([0-9]+):[^"]*"([^"]*)".*/\1:\2/')
done < <(find . -name '*.[ch]' | sed 's|^\./||' | sort)

for f in plan/*.[ch]; do
    grep -nE "$PLAN_IO" "$f" | while IFS=: read -r line _; do
        echo "$f:$line: the planner does no I/O: this include is not allowed in plan/"
    done
    grep -nE "$PLAN_CALLS" "$f" | while IFS=: read -r line _; do
        echo "$f:$line: the planner does no I/O: this call is not allowed in plan/"
    done
done >/tmp/ds-layers-plan.$$
if [ -s /tmp/ds-layers-plan.$$ ]; then
    cat /tmp/ds-layers-plan.$$
    fail=1
fi
rm -f /tmp/ds-layers-plan.$$

[ "$fail" -eq 0 ] && echo "layers: ok"
exit "$fail"
