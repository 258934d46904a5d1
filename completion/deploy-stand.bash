# bash completion for deploy-stand. What a word may be comes from the program's own tables
# (commands, sub-commands, options, the values of an option, what a positional word is) through
# its hidden `deploy-stand __complete WORD... CURRENT`; the global options (--connections,
# --connection, --output, --yes, --help, --version) too. This script only adds what needs the
# shell: file names, and connection names read from the connections file on the line.
# shellcheck shell=bash

# The connections file: --connections FILE on the line, else ./connections_config.yml, else
# $XDG_CONFIG_HOME/deploy-stand/connections_config.yml.
_deploy_stand_connections_file()
{
    local i
    for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do
        if [[ ${COMP_WORDS[i]} == --connections ]]; then
            printf '%s\n' "${COMP_WORDS[i + 1]/#\~/$HOME}"
            return
        fi
    done
    if [[ -r connections_config.yml ]]; then
        printf '%s\n' connections_config.yml
    else
        printf '%s\n' "${XDG_CONFIG_HOME:-$HOME/.config}/deploy-stand/connections_config.yml"
    fi
}

# Connection names: the top-level keys of the connections file.
_deploy_stand_connection_names()
{
    local file
    file=$(_deploy_stand_connections_file)
    [[ -r $file ]] || return 0
    sed -n 's/^\(["'\'']\{0,1\}\)\([A-Za-z0-9_.-][A-Za-z0-9_.@-]*\)\1[[:space:]]*:.*$/\2/p' "$file"
}

# The options of a command that parses its words itself (sim): every --word of its --help.
_deploy_stand_help_options()
{
    local bin=$1 cmd=$2
    LC_ALL=C LANGUAGE='' "$bin" "$cmd" --help 2>&1 | grep -o -- '--[a-z][a-z0-9-]*' | sort -u
}

_deploy_stand()
{
    local cur bin line files=0 words=()
    COMPREPLY=()
    cur=${COMP_WORDS[COMP_CWORD]}
    bin=${COMP_WORDS[0]}
    command -v "$bin" >/dev/null 2>&1 || bin=deploy-stand

    # lines starting with '@' ask for what only the shell knows; the others are candidates
    while IFS= read -r line; do
        case $line in
            @file) files=1 ;;
            @connection) mapfile -t -O "${#words[@]}" words < <(_deploy_stand_connection_names) ;;
            @help\ *) mapfile -t -O "${#words[@]}" words < <(_deploy_stand_help_options "$bin" "${line#@help }") ;;
            '') ;;
            *) words+=("$line") ;;
        esac
    done < <(LC_ALL=C LANGUAGE='' "$bin" __complete "${COMP_WORDS[@]:1:COMP_CWORD-1}" "$cur" 2>/dev/null)

    if ((files)); then
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
    fi
    if ((${#words[@]})); then
        mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -W "${words[*]}" -- "$cur")
    fi
}

complete -F _deploy_stand deploy-stand
