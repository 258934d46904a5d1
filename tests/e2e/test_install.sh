#!/usr/bin/env bash
# test_install: `cmake --install` into a temporary DESTDIR puts the binaries, the man page and the
# bash completion in place; the man page renders cleanly and names every command; completion works.
set -u
fail() { echo "FAIL: $*"; exit 1; }
build=$(cd "$DS_BIN/.." && pwd)
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
export LC_ALL=C.UTF-8
unset LANGUAGE

DESTDIR=$dest cmake --install "$build" --prefix /usr >"$dest.log" 2>&1 ||
  { rc=$?; cat "$dest.log"; rm -f "$dest.log"; fail "cmake --install exited $rc"; }
rm -f "$dest.log"
root=$dest/usr
for b in deploy-stand pve-sim; do
  [ -x "$root/bin/$b" ] || fail "$b is not installed in bin/"
done
"$root/bin/deploy-stand" --help >/dev/null 2>&1 || fail "the installed deploy-stand does not run"

man=$root/share/man/man1/deploy-stand.1
[ -f "$man" ] || fail "the man page is not installed in share/man/man1/"
! LC_ALL=C grep -q "[[:cntrl:]]" <(tr -d '\n' <"$man") || fail "the man page holds control characters"
if command -v groff >/dev/null; then
  warn=$(groff -man -Tutf8 -ww -z "$man" 2>&1)
  [ -z "$warn" ] || fail "groff warns about the man page: $warn"
fi
if command -v man >/dev/null; then
  text=$(MANWIDTH=100 man -l "$man" 2>"$dest/man.err") || fail "man -l failed: $(cat "$dest/man.err")"
  [ -s "$dest/man.err" ] && fail "man -l printed: $(cat "$dest/man.err")"
  for want in NAME SYNOPSIS COMMANDS "FILE FORMATS" "EXIT STATUS" FILES ENVIRONMENT \
      DEPLOY_STAND_PASSPHRASE NO_COLOR LANG deployment_config.yml users_list.yml connections_config.yml; do
    grep -qF -- "$want" <<<"$text" || fail "the man page lacks '$want'"
  done
fi
# every command of the program has its section
commands=$("$root/bin/deploy-stand" --help 2>&1 | sed -n '/^commands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }')
[ -n "$commands" ] || fail "deploy-stand --help lists no commands"
for c in $commands; do
  grep -q "^\.SS \"$c\( \|\"\)" "$man" || fail "the man page has no section for the command '$c'"
done

comp=$root/share/bash-completion/completions/deploy-stand
[ -f "$comp" ] || fail "the completion is not installed in share/bash-completion/completions/"
spec=$(bash -c "source '$comp' && complete -p deploy-stand" 2>&1)
[ "$spec" = "complete -F _deploy_stand deploy-stand" ] || fail "complete -p deploy-stand: $spec"

# the completion itself, with the installed program on PATH
printf 'alpha:\n  host: a.example:8006\n  user: root@pam\n  password: x\n  default: true\n"beta-2":\n  host: b\n  user: root@pam\n  password: y\n' \
  >"$dest/conns.yml"
touch "$dest/handout-a.html"
complete_words() {
  PATH="$root/bin:$PATH" XDG_CONFIG_HOME="$dest/cfg" bash -c '
    source "$1"; shift
    COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=()
    _deploy_stand; printf "%s\n" "${COMPREPLY[@]}"' _ "$comp" "$@"
}
got=$(complete_words deploy-stand "")
for c in $commands; do grep -qx "$c" <<<"$got" || fail "completion of commands lacks '$c'"; done
got=$(complete_words deploy-stand cre)
[ "$got" = creds ] || fail "'cre' completes to '$got', not creds"
got=$(complete_words deploy-stand creds --f)
[ "$got" = --format ] || fail "'creds --f' completes to '$got'"
got=$(complete_words deploy-stand creds --format "")
[ "$(paste -sd' ' <<<"$got")" = "table csv json html" ] || fail "creds --format completes to '$got'"
got=$(complete_words deploy-stand --connections "$dest/conns.yml" --connection "")
[ "$(paste -sd' ' <<<"$got")" = "alpha beta-2" ] || fail "connection names complete to '$got'"
got=$(complete_words deploy-stand --connections "$dest/conns.yml" connection test "")
[ "$(paste -sd' ' <<<"$got")" = "alpha beta-2" ] || fail "connection test NAME completes to '$got'"
got=$(complete_words deploy-stand connection "")
for s in add list test encrypt default delete; do
  grep -qx "$s" <<<"$got" || fail "connection sub-commands lack '$s'"
done
got=$(complete_words deploy-stand creds --out "$dest/handout-")
[ "$got" = "$dest/handout-a.html" ] || fail "--out completes files to '$got'"
echo ok
