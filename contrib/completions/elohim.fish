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
complete -c 'elohim' -n '__elohim_should_offer_completions_for_flags_or_options "elohim help" version' -l 'version' -d 'Show the version.'
