# bash completion for deploy-stand: commands, each command's options and sub-commands (read from
# the program's own --help), connection names (from the connections file) and files.
# shellcheck shell=bash

# Commands and sub-commands as `deploy-stand --help` lists them (in English, whatever the locale).
_deploy_stand_commands()
{
    local bin=$1
    LC_ALL=C LANGUAGE='' "$bin" --help 2>&1 |
        sed -n '/^commands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }'
}

# The options of one command: every --word of `deploy-stand CMD --help`.
_deploy_stand_options()
{
    local bin=$1 cmd=$2
    LC_ALL=C LANGUAGE='' "$bin" "$cmd" --help 2>&1 | grep -o -- '--[a-z][a-z0-9-]*' | sort -u
}

# Sub-commands of a command: the first word of each alternative of its usage line
# ("connection add|list|...", "config list | show NAME | ...", "runs ... | runs show ID"; bracketed
# options left out) and "CMD word" lines of its help.
_deploy_stand_subcommands()
{
    local bin=$1 cmd=$2 text
    text=$(LC_ALL=C LANGUAGE='' "$bin" "$cmd" --help 2>&1)
    {
        printf '%s\n' "$text" | sed -n "s/^usage: deploy-stand $cmd //p" | head -n 1 |
            sed 's/\[[^]]*\]//g' | tr '|' '\n' |
            awk -v c="$cmd" '{ w = $1; if (w == c) w = $2; if (w ~ /^[a-z][a-z-]*$/) print w }'
        printf '%s\n' "$text" | grep -o -- "^ *$cmd [a-z][a-z-]*" | awk '{ print $NF }'
    } | sort -u
}

# Placement strategies: the lines under "--strategy NAME" of `deploy-stand deploy --help` (the
# program prints them from its strategy table).
_deploy_stand_strategies()
{
    local bin=$1
    LC_ALL=C LANGUAGE='' "$bin" deploy --help 2>&1 |
        awk '/^  --strategy / { f = 1; next } f && /^                    [a-z]/ { print $1; next } { f = 0 }'
}

# Saved configs or class lists (configs/ or lists/ of $XDG_CONFIG_HOME/deploy-stand): names.
_deploy_stand_saved()
{
    local dir=${XDG_CONFIG_HOME:-$HOME/.config}/deploy-stand/$1 f
    for f in "$dir"/*.yml; do
        [[ -e $f ]] || continue
        f=${f##*/}
        printf '%s\n' "${f%.yml}"
    done
}

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

_deploy_stand_files()
{
    compopt -o filenames 2>/dev/null
    mapfile -t COMPREPLY < <(compgen -f -- "$1")
}

_deploy_stand()
{
    local cur prev bin cmd="" sub="" i w
    COMPREPLY=()
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD - 1]}
    bin=${COMP_WORDS[0]}
    command -v "$bin" >/dev/null 2>&1 || bin=deploy-stand

    # the command: the first word that is neither a global option nor its value
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        case $w in
            --connections | --connection | --output) ((i++)) ;;
            -*) ;;
            *)
                if [[ -z $cmd ]]; then
                    cmd=$w
                elif [[ -z $sub && ${COMP_WORDS[i - 1]} != -* ]]; then
                    sub=$w
                fi
                ;;
        esac
    done

    case $prev in
        --connections | --out | -o | --log | --template-map | --cert | --key)
            _deploy_stand_files "$cur"
            return
            ;;
        --config | -c | --users | -u)
            # a file, or the name of a saved config / class list
            local kind=configs
            [[ $prev == --users || $prev == -u ]] && kind=lists
            _deploy_stand_files "$cur"
            mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -W "$(_deploy_stand_saved $kind)" -- "$cur")
            return
            ;;
        --connection)
            mapfile -t COMPREPLY < <(compgen -W "$(_deploy_stand_connection_names)" -- "$cur")
            return
            ;;
        --output)
            mapfile -t COMPREPLY < <(compgen -W "text json" -- "$cur")
            return
            ;;
        --format | -f)
            mapfile -t COMPREPLY < <(compgen -W "table csv json html" -- "$cur")
            return
            ;;
        --strategy | -s)
            mapfile -t COMPREPLY < <(compgen -W "$(_deploy_stand_strategies "$bin")" -- "$cur")
            return
            ;;
        --scenario)
            mapfile -t COMPREPLY < <(compgen -W "single classroom campus" -- "$cur")
            return
            ;;
        --node | --stand | --student | --since | --user | --host | --token-name | \
            --fingerprint | --time-scale | --mem-reserve | --parallel-per-node | --workers | \
            --port | --seed | --fail-rate | --task-fail-rate | --latency-ms)
            return # a value only the user knows
            ;;
    esac

    local globals="--connections --connection --output --yes --help --version"
    if [[ -z $cmd ]]; then
        if [[ $cur == -* ]]; then
            mapfile -t COMPREPLY < <(compgen -W "$globals" -- "$cur")
        else
            mapfile -t COMPREPLY < <(compgen -W "$(_deploy_stand_commands "$bin")" -- "$cur")
        fi
        return
    fi

    if [[ $cur != -* ]]; then
        local subs
        subs=$(_deploy_stand_subcommands "$bin" "$cmd")
        if [[ -n $subs && -z $sub ]]; then
            mapfile -t COMPREPLY < <(compgen -W "$subs" -- "$cur")
            return
        fi
        # commands whose argument is a connection's name
        if [[ $cmd == connection && $prev == "$sub" ]]; then
            case $sub in
                test | default | delete | show)
                    mapfile -t COMPREPLY < <(compgen -W "$(_deploy_stand_connection_names)" -- "$cur")
                    return
                    ;;
            esac
        fi
        # saved configs and class lists by name
        if [[ ($cmd == config || $cmd == users) && -n $sub && $sub != list && $sub != import ]] ||
            [[ ($cmd == config || $cmd == users) && $sub == import && $prev != "$sub" ]]; then
            local kind=configs
            [[ $cmd == users ]] && kind=lists
            if [[ $sub == import ]]; then
                _deploy_stand_files "$cur"
            else
                mapfile -t COMPREPLY < <(compgen -W "$(_deploy_stand_saved $kind)" -- "$cur")
            fi
            return
        fi
        [[ $cmd == sim ]] && return
    fi
    local opts
    opts=$({
        _deploy_stand_options "$bin" "$cmd"
        printf '%s\n' --connections --connection --output --yes --help
    } | sort -u)
    mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
}

complete -F _deploy_stand deploy-stand
