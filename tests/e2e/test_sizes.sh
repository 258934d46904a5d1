#!/usr/bin/env bash
# test_sizes: the size rules of the code: no file in src/, sim/ or common/ over 800 lines and no
# function over 80 lines. Fails naming file:line. Env DS_SRC = repo root. Exit 0 pass, 1 fail.
#
# A function is what clang-format writes at column 0: a definition that starts at column 0 (its
# signature may run over several lines) followed by "{" at column 0, up to the next "}" at
# column 0; its length counts from the first line of the signature to the closing brace.
set -u
root=${DS_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$root" || exit 1
fail=0
while IFS= read -r f; do
    n=$(wc -l <"$f")
    if [ "$n" -gt 800 ]; then
        echo "$f:1: $n lines (at most 800): split it by concern"
        fail=1
    fi
done < <(find src sim common -name '*.[ch]' | sort)

long=$(find src sim common -name '*.c' | sort | xargs awk '
    FNR == 1 { infn = 0; decl = 0 }
    !infn && /^[A-Za-z_]/ && !/;[ \t]*$/ && !decl { decl = FNR; name = $0 }
    !infn && /;[ \t]*$/ && !/^[ \t]/ { decl = 0 }
    !infn && /^$/ { decl = 0 }
    /^\{/ && !infn { infn = 1; start = decl ? decl : FNR - 1 }
    infn && /^\}/ {
        len = FNR - start + 1
        if (len > 80) printf "%s:%d: function of %d lines (at most 80): %s\n", FILENAME, start, len, name
        infn = 0; decl = 0
    }')
if [ -n "$long" ]; then
    echo "$long"
    fail=1
fi
[ "$fail" = 0 ] && echo "sizes: every file <= 800 lines, every function <= 80 lines"
exit "$fail"
