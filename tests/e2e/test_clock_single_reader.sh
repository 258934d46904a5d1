#!/usr/bin/env bash
# test_clock_single_reader: common/ds_clock.c is the only C source that reads the system clocks.
# Every other .c/.h file under src/ sim/ common/ tests/ bench/ tools/ must get the time from
# ds_clock (ds_clock_mono_ns/ms, ds_clock_wall_s/ns, ds_clock_sleep_ns): no clock_gettime,
# gettimeofday, timespec_get or time() call. Comments and string literals do not count. Each
# offending line is named as file:line. The scanner first proves itself on a sample.
set -u
src=${DS_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
for tool in awk find sort; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed"; exit 77; }
done
[ -f "$src/common/ds_clock.c" ] || { echo "SKIP: no common/ds_clock.c under $src"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# Prints "file:line: text" for each clock read in the given C files. Comments (also across lines)
# and string/character literals are blanked first, so only code is matched.
scan() {
    awk '
    FNR == 1 { blk = 0 }
    {
        line = $0; code = ""; n = length(line); i = 1
        while (i <= n) {
            c = substr(line, i, 1); c2 = substr(line, i, 2)
            if (blk) {
                if (c2 == "*/") { blk = 0; i += 2; code = code " " } else i++
                continue
            }
            if (c2 == "/*") { blk = 1; i += 2; continue }
            if (c2 == "//") break
            if (c == "\"" || c == "\047") {
                q = c; i++
                while (i <= n) {
                    d = substr(line, i, 1)
                    if (d == "\\") { i += 2; continue }
                    if (d == q) break
                    i++
                }
                i++; code = code q q
                continue
            }
            code = code c; i++
        }
        if (code ~ "(^|[^A-Za-z0-9_])(clock_gettime|gettimeofday|timespec_get)([^A-Za-z0-9_]|$)" ||
            code ~ "(^|[^A-Za-z0-9_.>]|[^-]>)time[ \t]*\\(") {
            text = $0; sub(/^[ \t]+/, "", text)
            print FILENAME ":" FNR ": " text
        }
    }' "$@"
}

# 1. the scanner finds what it must and nothing else
cat >"$tmp/sample.c" <<'EOF'
/* clock_gettime(CLOCK_MONOTONIC, &ts) in a comment */
// time(NULL) in a line comment
const char *s = "gettimeofday(&tv, NULL) and time(0)";
x = time(NULL);
clock_gettime(CLOCK_MONOTONIC, &ts);
/* a comment over
   lines: time(0) */ y = 1;
y = strftime(a, b, c, d) + difftime(1, 2) + e->time(0) + f.time(0) + my_time(0);
if (a>time(0) && b) c = '"';
gettimeofday(&tv, NULL);
t = time ( 0 );
timespec_get(&ts, TIME_UTC);
int clock_gettime_count = 0;
EOF
(cd "$tmp" && scan sample.c) | cut -d: -f2 | tr '\n' ' ' >"$tmp/found"
expect="4 5 9 10 11 12 "
[ "$(cat "$tmp/found")" = "$expect" ] ||
    fail "the scanner itself is wrong: on its sample it flagged lines '$(cat "$tmp/found")', expected '$expect'"

# 2. the repository
cd "$src" || exit 1
dirs=""
for d in src sim common tests bench tools; do
    [ -d "$d" ] && dirs="$dirs $d"
done
# shellcheck disable=SC2086 # the directory names have no spaces
find $dirs -type f \( -name '*.c' -o -name '*.h' \) ! -path common/ds_clock.c | LC_ALL=C sort >"$tmp/files"
[ -s "$tmp/files" ] || fail "no C sources found under $src"
: >"$tmp/hits"
while IFS= read -r f; do
    scan "$f" >>"$tmp/hits"
done <"$tmp/files"
n=$(wc -l <"$tmp/hits")
if [ "$n" -gt 0 ]; then
    echo "FAIL: $n clock read(s) outside common/ds_clock.c (use ds_clock.h instead):"
    cat "$tmp/hits"
    exit 1
fi
echo "ok: $(wc -l <"$tmp/files") C files read the clocks only through common/ds_clock.c"
exit 0
