#!/usr/bin/env bash
# Checks the four elohimd units with systemd's own parser.
#
# Usage: systemd/verify.sh [ELOHIMD_BINARY]
#   ELOHIMD_BINARY defaults to $(pwd)/.build/debug/elohimd (run from the package root).
#
# `systemd-analyze verify` refuses a unit whose ExecStart= binary does not exist, and the
# units name the installed path /usr/local/bin/elohimd. So the units are copied to a
# temporary directory with that path replaced by ELOHIMD_BINARY and verified there.
#
# What counts as a failure:
#   - systemd-analyze exits non-zero (missing binary, unknown dependency, bad unit type…);
#   - systemd-analyze prints anything at all. An unknown key or an unparsable value is only
#     a warning ("Unknown key 'Foo' in section [Service], ignoring.") and exits 0, so the
#     output must be empty. systemd 252 prints nothing for User=/SocketGroup=elohim when
#     that user/group does not exist, so nothing needs filtering;
#   - a unit and the daemon disagree: the socket path ListenStream= names must be the
#     daemon's default for that mode, and TimeoutStopSec= must outlast the daemon's drain.
# `systemd-analyze security` of the system unit is printed for information only.
#
# User units are verified with `systemd-analyze --user verify`, which resolves %t and the
# user unit search path the way a user manager does. It needs $XDG_RUNTIME_DIR; the script
# points it (and XDG_CONFIG_HOME/XDG_DATA_HOME) at empty temporary directories so the
# check works as root, in CI and without a login session, and so units already installed
# in ~/.config/systemd/user cannot shadow the ones being checked.

set -euo pipefail

units_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
installed_path=/usr/local/bin/elohimd

binary=${1:-$(pwd)/.build/debug/elohimd}
[[ $binary == /* ]] || binary=$(pwd)/$binary

fail() {
    printf 'verify.sh: %s\n' "$*" >&2
    exit 1
}

command -v systemd-analyze >/dev/null || fail "systemd-analyze not found (install systemd)"
[[ -f $binary && -x $binary ]] || fail "$binary is not an executable file (build first: swift build, or pass the binary's path)"
# The path goes into ExecStart= unquoted and through sed; refuse what would need escaping
# rather than verify something other than what was asked for.
[[ $binary =~ ^[A-Za-z0-9._/+@-]+$ ]] || fail "binary path '$binary' contains characters this script does not escape"

work=$(mktemp -d "${TMPDIR:-/tmp}/elohimd-verify.XXXXXX")
trap 'rm -rf -- "$work"' EXIT

problems=0
problem() {
    printf '  FAIL: %s\n' "$*"
    problems=$((problems + 1))
}

# unit_value FILE KEY: the value of the last KEY= line in FILE (what systemd would use).
unit_value() {
    sed -n "s/^$2=//p" "$1" | tail -n 1
}

# seconds VALUE: a systemd time span such as 20s, 1min 30s or 20 in seconds (integer).
seconds() {
    local total=0 part number unit
    for part in $1; do
        [[ $part =~ ^([0-9]+)(s|sec|min|m)?$ ]] || { echo -1; return; }
        number=${BASH_REMATCH[1]} unit=${BASH_REMATCH[2]}
        case $unit in
            min | m) total=$((total + number * 60)) ;;
            *) total=$((total + number)) ;;
        esac
    done
    echo "$total"
}

echo "systemd:   $(systemd-analyze --version | head -n 1)"
echo "binary:    $binary"
echo "units:     $units_dir/{user,system}/elohimd.{service,socket}"
echo

for mode in user system; do
    mkdir -p "$work/$mode"
    for unit in elohimd.service elohimd.socket; do
        source_unit=$units_dir/$mode/$unit
        [[ -f $source_unit ]] || fail "$source_unit is missing"
        sed "s|$installed_path|$binary|g" "$source_unit" >"$work/$mode/$unit"
    done
    service=$work/$mode/elohimd.service
    grep -q "$installed_path" "$service" && fail "$mode/elohimd.service: $installed_path left after substitution"
    [[ $(grep -c '^ExecStart=' "$service") == 1 ]] || fail "$mode/elohimd.service: expected exactly one ExecStart="
    grep -q "^ExecStart=$binary\( \|$\)" "$service" || fail "$mode/elohimd.service: ExecStart= does not start with the installed path"
done

# Isolated environment for the user manager that `--user verify` sets up.
runtime=$work/runtime
mkdir -m 0700 "$runtime" "$work/xdg-config" "$work/xdg-data"
user_env=(env "XDG_RUNTIME_DIR=$runtime" "XDG_CONFIG_HOME=$work/xdg-config" "XDG_DATA_HOME=$work/xdg-data")

# verify MODE COMMAND...: runs COMMAND on MODE's units; sets $output and $status.
verify() {
    local mode=$1
    shift
    status=0
    output=$(cd "$work/$mode" && "$@" ./elohimd.socket ./elohimd.service 2>&1) || status=$?
}

# report MODE COMMAND...: the verdict on the last verify(); the output must be empty.
report() {
    local mode=$1
    shift
    echo "== $mode units: $*"
    if [[ $status != 0 || -n $output ]]; then
        problem "$mode units: systemd-analyze exited $status$([[ -n $output ]] && echo ' and printed:')"
        [[ -n $output ]] && printf '%s\n' "$output" | sed 's/^/    | /'
    else
        echo "  ok: exit 0, no warnings"
    fi
}

user_command=("${user_env[@]}" systemd-analyze --user verify --man=no)
verify user "${user_command[@]}"
# Only an environment where no user manager can be set up at all earns the fallback
# (not seen on Debian 12, as root or not, once XDG_RUNTIME_DIR is set as above).
if [[ $status != 0 ]] && grep -q '^Failed to initialize manager' <<<"$output"; then
    echo "== user units: systemd-analyze --user verify cannot set up a user manager here:"
    printf '%s\n' "$output" | sed 's/^/    | /'
    echo "   falling back to verifying them as system units (syntax, dependencies and"
    echo "   ExecStart= are checked; %t resolves to /run instead of \$XDG_RUNTIME_DIR)"
    user_command=(systemd-analyze verify --man=no)
    verify user "${user_command[@]}"
fi
report user "${user_command[@]}"

verify system systemd-analyze verify --man=no
report system systemd-analyze verify --man=no

echo
echo "== units against the daemon"
# The daemon refuses more than one socket from systemd.
for mode in user system; do
    count=$(grep -c '^ListenStream=' "$work/$mode/elohimd.socket" || true)
    [[ $count == 1 ]] || problem "$mode/elohimd.socket has $count ListenStream= lines; the daemon accepts exactly one socket"
done

# Ask the daemon where it would listen and how long it drains, with the ExecStart= flags,
# a clean environment and an empty configuration file (so a local /etc/elohim/elohimd.json
# or ELOHIMD_* variable cannot change the answer).
echo '{}' >"$work/empty.json"
for mode in user system; do
    service=$work/$mode/elohimd.service
    read -r -a exec_start <<<"$(unit_value "$service" ExecStart)"
    listen=$(unit_value "$work/$mode/elohimd.socket" ListenStream)
    listen=${listen//%t/$runtime}
    if ! facts=$(env -i "HOME=$work/home" "XDG_RUNTIME_DIR=$runtime" "XDG_CONFIG_HOME=$work/xdg-config" \
        "${exec_start[@]}" --config "$work/empty.json" --check-config 2>&1); then
        problem "$mode: '${exec_start[*]} --config $work/empty.json --check-config' failed: $facts"
        continue
    fi
    daemon_socket=$(sed -n 's/^ *socket: *//p' <<<"$facts")
    if [[ $daemon_socket == "$listen" ]]; then
        echo "  ok: $mode socket unit listens where the daemon expects ($daemon_socket)"
    else
        problem "$mode: elohimd.socket listens on '$listen' but the daemon's default is '$daemon_socket'"
    fi
    grace=$(sed -n 's/^ *shutdown_grace_seconds: *\([0-9]*\).*/\1/p' <<<"$facts")
    stop=$(seconds "$(unit_value "$service" TimeoutStopSec)")
    # The daemon drains for the grace period and its service group gives up 5 s later.
    if [[ -n $grace && $stop -gt $((grace + 5)) ]]; then
        echo "  ok: $mode TimeoutStopSec=${stop}s outlasts the drain (${grace}s + 5s)"
    else
        problem "$mode: TimeoutStopSec=${stop}s does not outlast the daemon's drain (${grace:-?}s + 5s)"
    fi
done

echo
echo "== systemd-analyze security (system unit, information only)"
if security=$(cd "$work/system" && systemd-analyze security --offline=yes --no-pager ./elohimd.service 2>&1); then
    grep 'Overall exposure level' <<<"$security" | sed 's/^→ */  /' || echo "  (no overall score printed)"
    grep '^✗' <<<"$security" | sed 's/^/    /' || true
else
    echo "  not available here: $(head -n 1 <<<"$security")"
fi

echo
if ((problems > 0)); then
    echo "FAILED: $problems problem(s)"
    exit 1
fi
echo "OK: 4 units verified"
