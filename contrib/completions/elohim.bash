#!/bin/bash

__elohim_cursor_index_in_current_word() {
    local remaining="${COMP_LINE}"

    local word
    for word in "${COMP_WORDS[@]::COMP_CWORD}"; do
        remaining="${remaining##*([[:space:]])"${word}"*([[:space:]])}"
    done

    local -ir index="$((COMP_POINT - ${#COMP_LINE} + ${#remaining}))"
    if [[ "${index}" -le 0 ]]; then
        printf 0
    else
        printf %s "${index}"
    fi
}

# positional arguments:
#
# - 1: the current (sub)command's count of positional arguments
#
# required variables:
#
# - repeating_flags: the repeating flags that the current (sub)command can accept
# - non_repeating_flags: the non-repeating flags that the current (sub)command can accept
# - repeating_options: the repeating options that the current (sub)command can accept
# - non_repeating_options: the non-repeating options that the current (sub)command can accept
# - positional_number: value ignored
# - unparsed_words: unparsed words from the current command line
#
# modified variables:
#
# - non_repeating_flags: remove flags for this (sub)command that are already on the command line
# - non_repeating_options: remove options for this (sub)command that are already on the command line
# - positional_number: set to the current positional number
# - unparsed_words: remove all flags, options, and option values for this (sub)command
__elohim_offer_flags_options() {
    local -ir positional_count="${1}"
    positional_number=0

    local was_flag_option_terminator_seen=false
    local is_parsing_option_value=false

    local -ar unparsed_word_indices=("${!unparsed_words[@]}")
    local -i word_index
    for word_index in "${unparsed_word_indices[@]}"; do
        if "${is_parsing_option_value}"; then
            # This word is an option value:
            # Reset marker for next word iff not currently the last word
            [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]] && is_parsing_option_value=false
            unset "unparsed_words[${word_index}]"
            # Do not process this word as a flag or an option
            continue
        fi

        local word="${unparsed_words["${word_index}"]}"
        if ! "${was_flag_option_terminator_seen}"; then
            case "${word}" in
            --)
                unset "unparsed_words[${word_index}]"
                # by itself -- is a flag/option terminator, but if it is the last word, it is the start of a completion
                if [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]]; then
                    was_flag_option_terminator_seen=true
                fi
                continue
                ;;
            -*)
                # ${word} is a flag or an option
                # If ${word} is an option, mark that the next word to be parsed is an option value
                local option
                for option in "${repeating_options[@]}" "${non_repeating_options[@]}"; do
                    [[ "${word}" = "${option}" ]] && is_parsing_option_value=true && break
                done

                # Remove ${word} from ${non_repeating_flags} or ${non_repeating_options} so it isn't offered again
                local not_found=true
                local -i index
                for index in "${!non_repeating_flags[@]}"; do
                    if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                        unset "non_repeating_flags[${index}]"
                        non_repeating_flags=("${non_repeating_flags[@]}")
                        not_found=false
                        break
                    fi
                done
                if "${not_found}"; then
                    for index in "${!non_repeating_flags[@]}"; do
                        if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                            unset "non_repeating_flags[${index}]"
                            non_repeating_flags=("${non_repeating_flags[@]}")
                            break
                        fi
                    done
                fi
                unset "unparsed_words[${word_index}]"
                continue
                ;;
            esac
        fi

        # ${word} is neither a flag, nor an option, nor an option value
        if [[ "${positional_number}" -lt "${positional_count}" || "${positional_count}" -lt 0 ]]; then
            # ${word} is a positional
            ((positional_number++))
            unset "unparsed_words[${word_index}]"
        else
            if [[ -z "${word}" ]]; then
                # Could be completing a flag, option, or subcommand
                positional_number=-1
            else
                # ${word} is a subcommand or invalid, so stop processing this (sub)command
                positional_number=-2
            fi
            break
        fi
    done

    unparsed_words=("${unparsed_words[@]}")

    if\
        ! "${was_flag_option_terminator_seen}"\
        && ! "${is_parsing_option_value}"\
        && [[ ("${cur}" = -* && "${positional_number}" -ge 0) || "${positional_number}" -eq -1 ]]
    then
        COMPREPLY+=($(compgen -W "${repeating_flags[*]} ${non_repeating_flags[*]} ${repeating_options[*]} ${non_repeating_options[*]}" -- "${cur}"))
    fi
}

__elohim_add_completions() {
    local completion
    while IFS='' read -r completion; do
        COMPREPLY+=("${completion}")
    done < <(IFS=$'\n' compgen "${@}" -- "${cur}")
}

__elohim_custom_complete() {
    if [[ -n "${cur}" || -z ${COMP_WORDS[${COMP_CWORD}]} || "${COMP_LINE:${COMP_POINT}:1}" != ' ' ]]; then
        local -ar words=("${COMP_WORDS[@]}")
    else
        local -ar words=("${COMP_WORDS[@]::${COMP_CWORD}}" '' "${COMP_WORDS[@]:${COMP_CWORD}}")
    fi

    "${COMP_WORDS[0]}" "${@}" "${words[@]}"
}

_elohim() {
    local state
    state="$(shopt -p;shopt -po)"
    trap "${state//$'\n'/;}" RETURN
    shopt -s extglob
    set +o history +o posix

    local -xr SAP_SHELL=bash
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(IFS='.';printf %s "${BASH_VERSINFO[*]}")"
    local -r SAP_SHELL_VERSION

    local -r cur="${2}"
    local -r prev="${3}"

    local -i positional_number
    local -a unparsed_words=("${COMP_WORDS[@]:1:${COMP_CWORD}}")

    local -a repeating_flags=()
    local -a non_repeating_flags=(--version -h --help)
    local -a repeating_options=()
    local -a non_repeating_options=()
    __elohim_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    status|ping|call|perms|users|setup|founder|audit|doctor|query|data|perf|docs|vault|workflows|models|slots|chat|cleanup|help)
        # Offer subcommand argument completions
        "_elohim_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'status ping call perms users setup founder audit doctor query data perf docs vault workflows models slots chat cleanup help' -- "${cur}"))
        ;;
    esac
}

_elohim_status() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket)
    __elohim_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    esac
}

_elohim_ping() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket)
    __elohim_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    esac
}

_elohim_call() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket)
    __elohim_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    esac
}

_elohim_perms() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket --filter --category --uid)
    __elohim_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--filter')
        return
        ;;
    '--category')
        return
        ;;
    '--uid')
        return
        ;;
    esac
}

_elohim_users() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __elohim_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    list|add|set-role|grant|revoke|reset|remove)
        # Offer subcommand argument completions
        "_elohim_users_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'list add set-role grant revoke reset remove' -- "${cur}"))
        ;;
    esac
}

_elohim_users_list() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket)
    __elohim_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    esac
}

_elohim_users_add() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket --uid --role)
    __elohim_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--uid')
        return
        ;;
    '--role')
        return
        ;;
    esac
}

_elohim_users_set-role() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket --uid)
    __elohim_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--uid')
        return
        ;;
    esac
}

_elohim_users_grant() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket --uid)
    __elohim_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--uid')
        return
        ;;
    esac
}

_elohim_users_revoke() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket --uid)
    __elohim_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--uid')
        return
        ;;
    esac
}

_elohim_users_reset() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket --uid)
    __elohim_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--uid')
        return
        ;;
    esac
}

_elohim_users_remove() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket --uid)
    __elohim_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--uid')
        return
        ;;
    esac
}

_elohim_setup() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --founder-password-stdin --force --version -h --help)
    repeating_options=(--hot-slot)
    non_repeating_options=(--socket --default-model)
    __elohim_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--default-model')
        return
        ;;
    '--hot-slot')
        return
        ;;
    esac
}

_elohim_founder() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __elohim_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    verify|drop)
        # Offer subcommand argument completions
        "_elohim_founder_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'verify drop' -- "${cur}"))
        ;;
    esac
}

_elohim_founder_verify() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --password-stdin --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket)
    __elohim_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    esac
}

_elohim_founder_drop() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket)
    __elohim_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    esac
}

_elohim_audit() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __elohim_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    log|verify|export)
        # Offer subcommand argument completions
        "_elohim_audit_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'log verify export' -- "${cur}"))
        ;;
    esac
}

_elohim_audit_log() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --follow --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket --user --event --resource-type --resource --since --until --limit --before)
    __elohim_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--user')
        return
        ;;
    '--event')
        return
        ;;
    '--resource-type')
        return
        ;;
    '--resource')
        return
        ;;
    '--since')
        return
        ;;
    '--until')
        return
        ;;
    '--limit')
        return
        ;;
    '--before')
        return
        ;;
    esac
}

_elohim_audit_verify() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket)
    __elohim_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    esac
}

_elohim_audit_export() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket --output)
    __elohim_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--output')
        return
        ;;
    esac
}

_elohim_doctor() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket)
    __elohim_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    esac
}

_elohim_query() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --csv --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket --dataset --timeout-ms --max-rows)
    __elohim_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--dataset')
        return
        ;;
    '--timeout-ms')
        return
        ;;
    '--max-rows')
        return
        ;;
    esac
}

_elohim_data() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __elohim_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    import|list|describe|drop)
        # Offer subcommand argument completions
        "_elohim_data_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'import list describe drop' -- "${cur}"))
        ;;
    esac
}

_elohim_data_import() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --replace --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket --name --delimiter)
    __elohim_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--name')
        return
        ;;
    '--delimiter')
        return
        ;;
    esac
}

_elohim_data_list() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket)
    __elohim_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    esac
}

_elohim_data_describe() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket)
    __elohim_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    esac
}

_elohim_data_drop() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket)
    __elohim_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    esac
}

_elohim_perf() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --watch --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket)
    __elohim_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    esac
}

_elohim_docs() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __elohim_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    list|show|create|update|delete|search)
        # Offer subcommand argument completions
        "_elohim_docs_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'list show create update delete search' -- "${cur}"))
        ;;
    esac
}

_elohim_docs_list() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket --limit --before --tag)
    __elohim_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--limit')
        return
        ;;
    '--before')
        return
        ;;
    '--tag')
        return
        ;;
    esac
}

_elohim_docs_show() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --content-only --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket)
    __elohim_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    esac
}

_elohim_docs_create() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --version -h --help)
    repeating_options=(--tag)
    non_repeating_options=(--socket --title --content --file)
    __elohim_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--title')
        return
        ;;
    '--content')
        return
        ;;
    '--file')
        return
        ;;
    '--tag')
        return
        ;;
    esac
}

_elohim_docs_update() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --clear-tags --version -h --help)
    repeating_options=(--tag)
    non_repeating_options=(--socket --title --content --file)
    __elohim_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--title')
        return
        ;;
    '--content')
        return
        ;;
    '--file')
        return
        ;;
    '--tag')
        return
        ;;
    esac
}

_elohim_docs_delete() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket)
    __elohim_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    esac
}

_elohim_docs_search() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket --limit)
    __elohim_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--limit')
        return
        ;;
    esac
}

_elohim_vault() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __elohim_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    list|put|get|delete)
        # Offer subcommand argument completions
        "_elohim_vault_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'list put get delete' -- "${cur}"))
        ;;
    esac
}

_elohim_vault_list() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket --limit --before)
    __elohim_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--limit')
        return
        ;;
    '--before')
        return
        ;;
    esac
}

_elohim_vault_put() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket --file)
    __elohim_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--file')
        return
        ;;
    esac
}

_elohim_vault_get() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket)
    __elohim_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    esac
}

_elohim_vault_delete() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket)
    __elohim_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    esac
}

_elohim_workflows() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __elohim_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    list|show|create|update|delete|run)
        # Offer subcommand argument completions
        "_elohim_workflows_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'list show create update delete run' -- "${cur}"))
        ;;
    esac
}

_elohim_workflows_list() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket --limit --before)
    __elohim_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--limit')
        return
        ;;
    '--before')
        return
        ;;
    esac
}

_elohim_workflows_show() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket)
    __elohim_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    esac
}

_elohim_workflows_create() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket --name --description --steps --steps-file)
    __elohim_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--name')
        return
        ;;
    '--description')
        return
        ;;
    '--steps')
        return
        ;;
    '--steps-file')
        return
        ;;
    esac
}

_elohim_workflows_update() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket --name --description --steps --steps-file)
    __elohim_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--name')
        return
        ;;
    '--description')
        return
        ;;
    '--steps')
        return
        ;;
    '--steps-file')
        return
        ;;
    esac
}

_elohim_workflows_delete() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket)
    __elohim_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    esac
}

_elohim_workflows_run() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --version -h --help)
    repeating_options=(--input)
    non_repeating_options=(--socket)
    __elohim_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--input')
        return
        ;;
    esac
}

_elohim_models() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __elohim_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    list|show|check-fit|pull)
        # Offer subcommand argument completions
        "_elohim_models_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'list show check-fit pull' -- "${cur}"))
        ;;
    esac
}

_elohim_models_list() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket)
    __elohim_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    esac
}

_elohim_models_show() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket)
    __elohim_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    esac
}

_elohim_models_check-fit() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --force --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket --context)
    __elohim_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--context')
        return
        ;;
    esac
}

_elohim_models_pull() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket --sha256)
    __elohim_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--sha256')
        return
        ;;
    esac
}

_elohim_slots() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __elohim_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    list|assign|eject)
        # Offer subcommand argument completions
        "_elohim_slots_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'list assign eject' -- "${cur}"))
        ;;
    esac
}

_elohim_slots_list() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket)
    __elohim_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    esac
}

_elohim_slots_assign() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --force --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket --context)
    __elohim_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--context')
        return
        ;;
    esac
}

_elohim_slots_eject() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket)
    __elohim_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    esac
}

_elohim_chat() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __elohim_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    open|send|list|show|new|rename|delete|model|tokens|restore)
        # Offer subcommand argument completions
        "_elohim_chat_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'open send list show new rename delete model tokens restore' -- "${cur}"))
        ;;
    esac
}

_elohim_chat_open() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket --session --model)
    __elohim_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--session')
        return
        ;;
    '--model')
        return
        ;;
    esac
}

_elohim_chat_send() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket)
    __elohim_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    esac
}

_elohim_chat_list() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --archived --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket --limit --offset)
    __elohim_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--limit')
        return
        ;;
    '--offset')
        return
        ;;
    esac
}

_elohim_chat_show() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket --limit --before)
    __elohim_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--limit')
        return
        ;;
    '--before')
        return
        ;;
    esac
}

_elohim_chat_new() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket --title --model)
    __elohim_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--title')
        return
        ;;
    '--model')
        return
        ;;
    esac
}

_elohim_chat_rename() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket)
    __elohim_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    esac
}

_elohim_chat_delete() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --yes --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket)
    __elohim_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    esac
}

_elohim_chat_model() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --force --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket)
    __elohim_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    esac
}

_elohim_chat_tokens() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket)
    __elohim_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    esac
}

_elohim_chat_restore() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket)
    __elohim_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    esac
}

_elohim_cleanup() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __elohim_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    run|status|history)
        # Offer subcommand argument completions
        "_elohim_cleanup_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'run status history' -- "${cur}"))
        ;;
    esac
}

_elohim_cleanup_run() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --dry-run --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket)
    __elohim_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    esac
}

_elohim_cleanup_status() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket)
    __elohim_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    esac
}

_elohim_cleanup_history() {
    repeating_flags=()
    non_repeating_flags=(--json --no-color --verbose -v --version -h --help)
    repeating_options=()
    non_repeating_options=(--socket --limit)
    __elohim_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--socket')
        return
        ;;
    '--limit')
        return
        ;;
    esac
}

_elohim_help() {
    repeating_flags=()
    non_repeating_flags=(--version)
    repeating_options=()
    non_repeating_options=()
    __elohim_offer_flags_options -1
}

complete -o filenames -F _elohim elohim
