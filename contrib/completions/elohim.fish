function __elohim_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __elohim_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __elohim_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __elohim_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __elohim_parse_tokens -S
    set -l unparsed_tokens (__elohim_tokens -pc)
    switch $unparsed_tokens[1]
    case 'elohim'
        __elohim_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'status'
            __elohim_parse_subcommand 0 'socket=' 'json' 'no-color' 'v/verbose' 'version' 'h/help'
        case 'ping'
            __elohim_parse_subcommand 0 'socket=' 'json' 'no-color' 'v/verbose' 'version' 'h/help'
        case 'call'
            __elohim_parse_subcommand 2 'socket=' 'json' 'no-color' 'v/verbose' 'version' 'h/help'
        case 'perms'
            __elohim_parse_subcommand 0 'socket=' 'json' 'no-color' 'v/verbose' 'filter=' 'category=' 'uid=' 'version' 'h/help'
        case 'users'
            __elohim_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'list'
                __elohim_parse_subcommand 0 'socket=' 'json' 'no-color' 'v/verbose' 'version' 'h/help'
            case 'add'
                __elohim_parse_subcommand 0 'socket=' 'json' 'no-color' 'v/verbose' 'uid=' 'role=' 'version' 'h/help'
            case 'set-role'
                __elohim_parse_subcommand 1 'socket=' 'json' 'no-color' 'v/verbose' 'uid=' 'version' 'h/help'
            case 'grant'
                __elohim_parse_subcommand 1 'socket=' 'json' 'no-color' 'v/verbose' 'uid=' 'version' 'h/help'
            case 'revoke'
                __elohim_parse_subcommand 1 'socket=' 'json' 'no-color' 'v/verbose' 'uid=' 'version' 'h/help'
            case 'reset'
                __elohim_parse_subcommand 1 'socket=' 'json' 'no-color' 'v/verbose' 'uid=' 'version' 'h/help'
            case 'remove'
                __elohim_parse_subcommand 0 'socket=' 'json' 'no-color' 'v/verbose' 'uid=' 'version' 'h/help'
            end
        case 'setup'
            __elohim_parse_subcommand 0 'socket=' 'json' 'no-color' 'v/verbose' 'founder-password-stdin' 'default-model=' 'version' 'h/help'
        case 'founder'
            __elohim_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'verify'
                __elohim_parse_subcommand 0 'socket=' 'json' 'no-color' 'v/verbose' 'password-stdin' 'version' 'h/help'
            case 'drop'
                __elohim_parse_subcommand 0 'socket=' 'json' 'no-color' 'v/verbose' 'version' 'h/help'
            end
        case 'audit'
            __elohim_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'log'
                __elohim_parse_subcommand 0 'socket=' 'json' 'no-color' 'v/verbose' 'user=' 'event=' 'resource-type=' 'resource=' 'since=' 'until=' 'limit=' 'before=' 'follow' 'version' 'h/help'
            case 'verify'
                __elohim_parse_subcommand 0 'socket=' 'json' 'no-color' 'v/verbose' 'version' 'h/help'
            case 'export'
                __elohim_parse_subcommand 0 'socket=' 'json' 'no-color' 'v/verbose' 'output=' 'version' 'h/help'
            end
        case 'doctor'
            __elohim_parse_subcommand 0 'socket=' 'json' 'no-color' 'v/verbose' 'version' 'h/help'
        case 'query'
            __elohim_parse_subcommand 1 'socket=' 'json' 'no-color' 'v/verbose' 'dataset=' 'csv' 'timeout-ms=' 'max-rows=' 'version' 'h/help'
        case 'data'
            __elohim_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'import'
                __elohim_parse_subcommand 1 'socket=' 'json' 'no-color' 'v/verbose' 'name=' 'replace' 'delimiter=' 'version' 'h/help'
            case 'list'
                __elohim_parse_subcommand 0 'socket=' 'json' 'no-color' 'v/verbose' 'version' 'h/help'
            case 'describe'
                __elohim_parse_subcommand 1 'socket=' 'json' 'no-color' 'v/verbose' 'version' 'h/help'
            case 'drop'
                __elohim_parse_subcommand 1 'socket=' 'json' 'no-color' 'v/verbose' 'version' 'h/help'
            end
        case 'perf'
            __elohim_parse_subcommand 0 'socket=' 'json' 'no-color' 'v/verbose' 'watch' 'version' 'h/help'
        case 'cleanup'
            __elohim_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'run'
                __elohim_parse_subcommand 0 'socket=' 'json' 'no-color' 'v/verbose' 'dry-run' 'version' 'h/help'
            case 'status'
                __elohim_parse_subcommand 0 'socket=' 'json' 'no-color' 'v/verbose' 'version' 'h/help'
            case 'history'
                __elohim_parse_subcommand 0 'socket=' 'json' 'no-color' 'v/verbose' 'limit=' 'version' 'h/help'
            end
        case 'help'
            __elohim_parse_subcommand -r 1 'version'
        end
    end
end

function __elohim_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __elohim_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __elohim_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __elohim_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__elohim_tokens -p)
    if test -z "$(__elohim_tokens -t)"
        set -l index (count (__elohim_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'elohim' -f
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim" version' -l 'version' -d 'Show the version.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_positional "elohim" -eq 1' -fa 'status' -d 'Show the daemon\'s state: version, uptime, socket, data and clients.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_positional "elohim" -eq 1' -fa 'ping' -d 'Check that the daemon answers, and how fast.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_positional "elohim" -eq 1' -fa 'call' -d 'Call any method with raw JSON params and print the raw result.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_positional "elohim" -eq 1' -fa 'perms' -d 'Show your effective permissions: granted or denied, and why.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_positional "elohim" -eq 1' -fa 'users' -d 'Manage accounts: who may use the daemon, with which role and overrides.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_positional "elohim" -eq 1' -fa 'setup' -d 'First-run setup: choose the founder password (you become the founder) and a default model.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_positional "elohim" -eq 1' -fa 'founder' -d 'Unlock or drop founder rights (they last 5 minutes after the password).'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_positional "elohim" -eq 1' -fa 'audit' -d 'Read the audit log (newest first), follow it, or verify its hash chain.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_positional "elohim" -eq 1' -fa 'doctor' -d 'Check the installation: socket, service, data directory, runtimes and memory.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_positional "elohim" -eq 1' -fa 'query' -d 'Run a read-only SQL query on the query engine and print the rows.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_positional "elohim" -eq 1' -fa 'data' -d 'Import, list, describe and drop your datasets (what `elohim query` reads).'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_positional "elohim" -eq 1' -fa 'perf' -d 'The performance monitor: engine light, queue status, throughput and the hot-slot memory meter.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_positional "elohim" -eq 1' -fa 'cleanup' -d 'Run the cleanup job now (stale temp files, old sessions, orphans), or see its schedule and history.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_positional "elohim" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim status" socket' -l 'socket' -d 'The daemon\'s socket (default: $ELOHIM_SOCKET, then the user socket, then /run/elohim/elohimd.sock).' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim status" json' -l 'json' -d 'Print the daemon\'s result as JSON, unchanged, for scripts.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim status" no-color' -l 'no-color' -d 'No colours (also: NO_COLOR set, or output not a terminal).'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim status" v verbose' -l 'verbose' -s 'v' -d 'Say more about what is happening.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim status" version' -l 'version' -d 'Show the version.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim status" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim ping" socket' -l 'socket' -d 'The daemon\'s socket (default: $ELOHIM_SOCKET, then the user socket, then /run/elohim/elohimd.sock).' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim ping" json' -l 'json' -d 'Print the daemon\'s result as JSON, unchanged, for scripts.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim ping" no-color' -l 'no-color' -d 'No colours (also: NO_COLOR set, or output not a terminal).'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim ping" v verbose' -l 'verbose' -s 'v' -d 'Say more about what is happening.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim ping" version' -l 'version' -d 'Show the version.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim ping" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim call" socket' -l 'socket' -d 'The daemon\'s socket (default: $ELOHIM_SOCKET, then the user socket, then /run/elohim/elohimd.sock).' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim call" json' -l 'json' -d 'Print the daemon\'s result as JSON, unchanged, for scripts.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim call" no-color' -l 'no-color' -d 'No colours (also: NO_COLOR set, or output not a terminal).'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim call" v verbose' -l 'verbose' -s 'v' -d 'Say more about what is happening.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim call" version' -l 'version' -d 'Show the version.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim call" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim perms" socket' -l 'socket' -d 'The daemon\'s socket (default: $ELOHIM_SOCKET, then the user socket, then /run/elohim/elohimd.sock).' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim perms" json' -l 'json' -d 'Print the daemon\'s result as JSON, unchanged, for scripts.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim perms" no-color' -l 'no-color' -d 'No colours (also: NO_COLOR set, or output not a terminal).'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim perms" v verbose' -l 'verbose' -s 'v' -d 'Say more about what is happening.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim perms" filter' -l 'filter' -d 'Only permissions whose key contains this text.' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim perms" category' -l 'category' -d 'Only this category (chat, docs, vault, workflows, models, engine, admin, founder, daemon, events).' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim perms" uid' -l 'uid' -d 'Another account\'s uid (needs admin.manage_users).' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim perms" version' -l 'version' -d 'Show the version.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim perms" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users" version' -l 'version' -d 'Show the version.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_positional "elohim users" -eq 1' -fa 'list' -d 'List accounts.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_positional "elohim users" -eq 1' -fa 'add' -d 'Create an account for an OS uid.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_positional "elohim users" -eq 1' -fa 'set-role' -d 'Change an account\'s role.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_positional "elohim users" -eq 1' -fa 'grant' -d 'Grant a permission on top of the role.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_positional "elohim users" -eq 1' -fa 'revoke' -d 'Revoke a permission the role would give.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_positional "elohim users" -eq 1' -fa 'reset' -d 'Remove a grant or revoke: the role decides again.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_positional "elohim users" -eq 1' -fa 'remove' -d 'Delete an account.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users list" socket' -l 'socket' -d 'The daemon\'s socket (default: $ELOHIM_SOCKET, then the user socket, then /run/elohim/elohimd.sock).' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users list" json' -l 'json' -d 'Print the daemon\'s result as JSON, unchanged, for scripts.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users list" no-color' -l 'no-color' -d 'No colours (also: NO_COLOR set, or output not a terminal).'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users list" v verbose' -l 'verbose' -s 'v' -d 'Say more about what is happening.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users list" version' -l 'version' -d 'Show the version.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users add" socket' -l 'socket' -d 'The daemon\'s socket (default: $ELOHIM_SOCKET, then the user socket, then /run/elohim/elohimd.sock).' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users add" json' -l 'json' -d 'Print the daemon\'s result as JSON, unchanged, for scripts.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users add" no-color' -l 'no-color' -d 'No colours (also: NO_COLOR set, or output not a terminal).'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users add" v verbose' -l 'verbose' -s 'v' -d 'Say more about what is happening.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users add" uid' -l 'uid' -d 'The OS uid (see `id -u NAME`).' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users add" role' -l 'role' -d 'super_admin, admin, member or guest.' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users add" version' -l 'version' -d 'Show the version.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users add" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users set-role" socket' -l 'socket' -d 'The daemon\'s socket (default: $ELOHIM_SOCKET, then the user socket, then /run/elohim/elohimd.sock).' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users set-role" json' -l 'json' -d 'Print the daemon\'s result as JSON, unchanged, for scripts.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users set-role" no-color' -l 'no-color' -d 'No colours (also: NO_COLOR set, or output not a terminal).'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users set-role" v verbose' -l 'verbose' -s 'v' -d 'Say more about what is happening.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users set-role" uid' -l 'uid' -d 'The account\'s uid.' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users set-role" version' -l 'version' -d 'Show the version.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users set-role" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users grant" socket' -l 'socket' -d 'The daemon\'s socket (default: $ELOHIM_SOCKET, then the user socket, then /run/elohim/elohimd.sock).' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users grant" json' -l 'json' -d 'Print the daemon\'s result as JSON, unchanged, for scripts.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users grant" no-color' -l 'no-color' -d 'No colours (also: NO_COLOR set, or output not a terminal).'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users grant" v verbose' -l 'verbose' -s 'v' -d 'Say more about what is happening.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users grant" uid' -l 'uid' -d 'The account\'s uid.' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users grant" version' -l 'version' -d 'Show the version.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users grant" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users revoke" socket' -l 'socket' -d 'The daemon\'s socket (default: $ELOHIM_SOCKET, then the user socket, then /run/elohim/elohimd.sock).' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users revoke" json' -l 'json' -d 'Print the daemon\'s result as JSON, unchanged, for scripts.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users revoke" no-color' -l 'no-color' -d 'No colours (also: NO_COLOR set, or output not a terminal).'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users revoke" v verbose' -l 'verbose' -s 'v' -d 'Say more about what is happening.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users revoke" uid' -l 'uid' -d 'The account\'s uid.' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users revoke" version' -l 'version' -d 'Show the version.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users revoke" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users reset" socket' -l 'socket' -d 'The daemon\'s socket (default: $ELOHIM_SOCKET, then the user socket, then /run/elohim/elohimd.sock).' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users reset" json' -l 'json' -d 'Print the daemon\'s result as JSON, unchanged, for scripts.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users reset" no-color' -l 'no-color' -d 'No colours (also: NO_COLOR set, or output not a terminal).'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users reset" v verbose' -l 'verbose' -s 'v' -d 'Say more about what is happening.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users reset" uid' -l 'uid' -d 'The account\'s uid.' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users reset" version' -l 'version' -d 'Show the version.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users reset" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users remove" socket' -l 'socket' -d 'The daemon\'s socket (default: $ELOHIM_SOCKET, then the user socket, then /run/elohim/elohimd.sock).' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users remove" json' -l 'json' -d 'Print the daemon\'s result as JSON, unchanged, for scripts.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users remove" no-color' -l 'no-color' -d 'No colours (also: NO_COLOR set, or output not a terminal).'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users remove" v verbose' -l 'verbose' -s 'v' -d 'Say more about what is happening.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users remove" uid' -l 'uid' -d 'The account\'s uid.' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users remove" version' -l 'version' -d 'Show the version.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim users remove" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim setup" socket' -l 'socket' -d 'The daemon\'s socket (default: $ELOHIM_SOCKET, then the user socket, then /run/elohim/elohimd.sock).' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim setup" json' -l 'json' -d 'Print the daemon\'s result as JSON, unchanged, for scripts.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim setup" no-color' -l 'no-color' -d 'No colours (also: NO_COLOR set, or output not a terminal).'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim setup" v verbose' -l 'verbose' -s 'v' -d 'Say more about what is happening.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim setup" founder-password-stdin' -l 'founder-password-stdin' -d 'Read the founder password from standard input.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim setup" default-model' -l 'default-model' -d 'The model chat uses by default.' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim setup" version' -l 'version' -d 'Show the version.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim setup" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim founder" version' -l 'version' -d 'Show the version.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim founder" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_positional "elohim founder" -eq 1' -fa 'verify' -d 'Enter the founder password to unlock founder rights.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_positional "elohim founder" -eq 1' -fa 'drop' -d 'Give up founder rights now.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim founder verify" socket' -l 'socket' -d 'The daemon\'s socket (default: $ELOHIM_SOCKET, then the user socket, then /run/elohim/elohimd.sock).' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim founder verify" json' -l 'json' -d 'Print the daemon\'s result as JSON, unchanged, for scripts.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim founder verify" no-color' -l 'no-color' -d 'No colours (also: NO_COLOR set, or output not a terminal).'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim founder verify" v verbose' -l 'verbose' -s 'v' -d 'Say more about what is happening.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim founder verify" password-stdin' -l 'password-stdin' -d 'Read the password from standard input (for scripts).'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim founder verify" version' -l 'version' -d 'Show the version.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim founder verify" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim founder drop" socket' -l 'socket' -d 'The daemon\'s socket (default: $ELOHIM_SOCKET, then the user socket, then /run/elohim/elohimd.sock).' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim founder drop" json' -l 'json' -d 'Print the daemon\'s result as JSON, unchanged, for scripts.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim founder drop" no-color' -l 'no-color' -d 'No colours (also: NO_COLOR set, or output not a terminal).'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim founder drop" v verbose' -l 'verbose' -s 'v' -d 'Say more about what is happening.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim founder drop" version' -l 'version' -d 'Show the version.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim founder drop" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim audit" version' -l 'version' -d 'Show the version.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim audit" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_positional "elohim audit" -eq 1' -fa 'log' -d 'List audit events with filters.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_positional "elohim audit" -eq 1' -fa 'verify' -d 'Walk the hash chain and report the first tampered row.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_positional "elohim audit" -eq 1' -fa 'export' -d 'Founder only: write every audit row (oldest first, with prev_hash) as JSON Lines.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim audit log" socket' -l 'socket' -d 'The daemon\'s socket (default: $ELOHIM_SOCKET, then the user socket, then /run/elohim/elohimd.sock).' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim audit log" json' -l 'json' -d 'Print the daemon\'s result as JSON, unchanged, for scripts.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim audit log" no-color' -l 'no-color' -d 'No colours (also: NO_COLOR set, or output not a terminal).'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim audit log" v verbose' -l 'verbose' -s 'v' -d 'Say more about what is happening.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim audit log" user' -l 'user' -d 'Only this account\'s events (uid).' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim audit log" event' -l 'event' -d 'Only this event type, e.g. permission.granted.' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim audit log" resource-type' -l 'resource-type' -d 'Only this resource type.' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim audit log" resource' -l 'resource' -d 'Only this resource id.' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim audit log" since' -l 'since' -d 'Events at or after this ISO 8601 time.' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim audit log" until' -l 'until' -d 'Events before this ISO 8601 time.' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim audit log" limit' -l 'limit' -d 'Page size (1-1000).' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim audit log" before' -l 'before' -d 'Continue after this cursor (printed at the end of a page).' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim audit log" follow' -l 'follow' -d 'Keep printing new events as they are committed.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim audit log" version' -l 'version' -d 'Show the version.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim audit log" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim audit verify" socket' -l 'socket' -d 'The daemon\'s socket (default: $ELOHIM_SOCKET, then the user socket, then /run/elohim/elohimd.sock).' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim audit verify" json' -l 'json' -d 'Print the daemon\'s result as JSON, unchanged, for scripts.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim audit verify" no-color' -l 'no-color' -d 'No colours (also: NO_COLOR set, or output not a terminal).'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim audit verify" v verbose' -l 'verbose' -s 'v' -d 'Say more about what is happening.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim audit verify" version' -l 'version' -d 'Show the version.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim audit verify" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim audit export" socket' -l 'socket' -d 'The daemon\'s socket (default: $ELOHIM_SOCKET, then the user socket, then /run/elohim/elohimd.sock).' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim audit export" json' -l 'json' -d 'Print the daemon\'s result as JSON, unchanged, for scripts.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim audit export" no-color' -l 'no-color' -d 'No colours (also: NO_COLOR set, or output not a terminal).'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim audit export" v verbose' -l 'verbose' -s 'v' -d 'Say more about what is happening.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim audit export" output' -l 'output' -d 'Write here (created 0600, must not exist) instead of standard output.' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim audit export" version' -l 'version' -d 'Show the version.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim audit export" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim doctor" socket' -l 'socket' -d 'The daemon\'s socket (default: $ELOHIM_SOCKET, then the user socket, then /run/elohim/elohimd.sock).' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim doctor" json' -l 'json' -d 'Print the daemon\'s result as JSON, unchanged, for scripts.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim doctor" no-color' -l 'no-color' -d 'No colours (also: NO_COLOR set, or output not a terminal).'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim doctor" v verbose' -l 'verbose' -s 'v' -d 'Say more about what is happening.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim doctor" version' -l 'version' -d 'Show the version.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim doctor" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim query" socket' -l 'socket' -d 'The daemon\'s socket (default: $ELOHIM_SOCKET, then the user socket, then /run/elohim/elohimd.sock).' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim query" json' -l 'json' -d 'Print the daemon\'s result as JSON, unchanged, for scripts.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim query" no-color' -l 'no-color' -d 'No colours (also: NO_COLOR set, or output not a terminal).'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim query" v verbose' -l 'verbose' -s 'v' -d 'Say more about what is happening.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim query" dataset' -l 'dataset' -d 'The dataset to query (its tables are the main schema).' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim query" csv' -l 'csv' -d 'Print the rows as CSV (RFC 4180) instead of a table.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim query" timeout-ms' -l 'timeout-ms' -d 'Stop the query after this many milliseconds of running.' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim query" max-rows' -l 'max-rows' -d 'Keep at most this many rows.' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim query" version' -l 'version' -d 'Show the version.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim query" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim data" version' -l 'version' -d 'Show the version.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim data" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_positional "elohim data" -eq 1' -fa 'import' -d 'Import a CSV (header row; types inferred) or SQLite file as a dataset.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_positional "elohim data" -eq 1' -fa 'list' -d 'Your datasets.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_positional "elohim data" -eq 1' -fa 'describe' -d 'A dataset\'s tables and columns.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_positional "elohim data" -eq 1' -fa 'drop' -d 'Delete a dataset and its file.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim data import" socket' -l 'socket' -d 'The daemon\'s socket (default: $ELOHIM_SOCKET, then the user socket, then /run/elohim/elohimd.sock).' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim data import" json' -l 'json' -d 'Print the daemon\'s result as JSON, unchanged, for scripts.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim data import" no-color' -l 'no-color' -d 'No colours (also: NO_COLOR set, or output not a terminal).'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim data import" v verbose' -l 'verbose' -s 'v' -d 'Say more about what is happening.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim data import" name' -l 'name' -d 'Dataset name (default: from the file name).' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim data import" replace' -l 'replace' -d 'Replace a dataset of the same name.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim data import" delimiter' -l 'delimiter' -d 'CSV field separator (default \',\', tab for .tsv; \'\\t\' for tab).' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim data import" version' -l 'version' -d 'Show the version.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim data import" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim data list" socket' -l 'socket' -d 'The daemon\'s socket (default: $ELOHIM_SOCKET, then the user socket, then /run/elohim/elohimd.sock).' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim data list" json' -l 'json' -d 'Print the daemon\'s result as JSON, unchanged, for scripts.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim data list" no-color' -l 'no-color' -d 'No colours (also: NO_COLOR set, or output not a terminal).'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim data list" v verbose' -l 'verbose' -s 'v' -d 'Say more about what is happening.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim data list" version' -l 'version' -d 'Show the version.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim data list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim data describe" socket' -l 'socket' -d 'The daemon\'s socket (default: $ELOHIM_SOCKET, then the user socket, then /run/elohim/elohimd.sock).' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim data describe" json' -l 'json' -d 'Print the daemon\'s result as JSON, unchanged, for scripts.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim data describe" no-color' -l 'no-color' -d 'No colours (also: NO_COLOR set, or output not a terminal).'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim data describe" v verbose' -l 'verbose' -s 'v' -d 'Say more about what is happening.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim data describe" version' -l 'version' -d 'Show the version.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim data describe" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim data drop" socket' -l 'socket' -d 'The daemon\'s socket (default: $ELOHIM_SOCKET, then the user socket, then /run/elohim/elohimd.sock).' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim data drop" json' -l 'json' -d 'Print the daemon\'s result as JSON, unchanged, for scripts.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim data drop" no-color' -l 'no-color' -d 'No colours (also: NO_COLOR set, or output not a terminal).'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim data drop" v verbose' -l 'verbose' -s 'v' -d 'Say more about what is happening.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim data drop" version' -l 'version' -d 'Show the version.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim data drop" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim perf" socket' -l 'socket' -d 'The daemon\'s socket (default: $ELOHIM_SOCKET, then the user socket, then /run/elohim/elohimd.sock).' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim perf" json' -l 'json' -d 'Print the daemon\'s result as JSON, unchanged, for scripts.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim perf" no-color' -l 'no-color' -d 'No colours (also: NO_COLOR set, or output not a terminal).'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim perf" v verbose' -l 'verbose' -s 'v' -d 'Say more about what is happening.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim perf" watch' -l 'watch' -d 'Keep redrawing on every change until interrupted.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim perf" version' -l 'version' -d 'Show the version.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim perf" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim cleanup" version' -l 'version' -d 'Show the version.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim cleanup" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_positional "elohim cleanup" -eq 1' -fa 'run' -d 'Run the cleanup now and print what it removed.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_positional "elohim cleanup" -eq 1' -fa 'status' -d 'Show the schedule, the last run and the next one.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_positional "elohim cleanup" -eq 1' -fa 'history' -d 'List recent cleanup runs, newest first.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim cleanup run" socket' -l 'socket' -d 'The daemon\'s socket (default: $ELOHIM_SOCKET, then the user socket, then /run/elohim/elohimd.sock).' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim cleanup run" json' -l 'json' -d 'Print the daemon\'s result as JSON, unchanged, for scripts.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim cleanup run" no-color' -l 'no-color' -d 'No colours (also: NO_COLOR set, or output not a terminal).'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim cleanup run" v verbose' -l 'verbose' -s 'v' -d 'Say more about what is happening.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim cleanup run" dry-run' -l 'dry-run' -d 'Report what would be removed; remove nothing.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim cleanup run" version' -l 'version' -d 'Show the version.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim cleanup run" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim cleanup status" socket' -l 'socket' -d 'The daemon\'s socket (default: $ELOHIM_SOCKET, then the user socket, then /run/elohim/elohimd.sock).' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim cleanup status" json' -l 'json' -d 'Print the daemon\'s result as JSON, unchanged, for scripts.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim cleanup status" no-color' -l 'no-color' -d 'No colours (also: NO_COLOR set, or output not a terminal).'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim cleanup status" v verbose' -l 'verbose' -s 'v' -d 'Say more about what is happening.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim cleanup status" version' -l 'version' -d 'Show the version.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim cleanup status" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim cleanup history" socket' -l 'socket' -d 'The daemon\'s socket (default: $ELOHIM_SOCKET, then the user socket, then /run/elohim/elohimd.sock).' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim cleanup history" json' -l 'json' -d 'Print the daemon\'s result as JSON, unchanged, for scripts.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim cleanup history" no-color' -l 'no-color' -d 'No colours (also: NO_COLOR set, or output not a terminal).'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim cleanup history" v verbose' -l 'verbose' -s 'v' -d 'Say more about what is happening.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim cleanup history" limit' -l 'limit' -d 'How many runs (0-100).' -rfka ''
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim cleanup history" version' -l 'version' -d 'Show the version.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim cleanup history" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim help" version' -l 'version' -d 'Show the version.'
