#!/usr/bin/env bash
# Runs every sample and guest test natively, glibc and musl builds, as the manifests
# (samples/samples.txt, guest-tests/tests.txt) say, and checks the exit status and the compared
# part of stdout against expected/NAME.out. This proves the programs and the manifests right on
# this machine; the VM runs are later compared against the same native behaviour.
#
#   guest-tests/run-native.sh OUT [NAME...]
#     OUT    the folder the Makefiles built into (OUT/glibc/NAME, OUT/musl/NAME)
#     NAME   only these programs (default: all in both manifests)
# Environment: NATIVE_TIMEOUT (seconds, default 60) for a normal program,
#              DEADLOCK_TIMEOUT (seconds, default 3) for one whose expected outcome is "deadlock".
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
[ $# -ge 1 ] || { echo "usage: $0 OUT [NAME...]" >&2; exit 2; }
out=$(cd "$1" 2>/dev/null && pwd) || { echo "run-native: no such folder: $1" >&2; exit 2; }
shift
only=("$@")
normal_timeout=${NATIVE_TIMEOUT:-60}
deadlock_timeout=${DEADLOCK_TIMEOUT:-3}

ulimit -c 0 # crash, abort and assert die by signal on purpose: no core files
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

passed=0
failed=0

wanted() {
    [ ${#only[@]} -eq 0 ] && return 0
    local n
    for n in "${only[@]}"; do [ "$n" = "$1" ] && return 0; done
    return 1
}

# run_one DIR LIBC NAME EXIT COMPARE STDIN ENV ARGS...
run_one() {
    local dir=$1 libc=$2 name=$3 exit_want=$4 compare=$5 stdin=$6 envspec=$7
    shift 7
    local label="$libc/$name" bin="$out/$libc/$name" expected="$dir/expected/$name.out"
    local problems=()

    if [ ! -x "$bin" ]; then
        echo "FAIL $label: not built ($bin)"
        failed=$((failed + 1))
        return
    fi
    local input=/dev/null
    if [ "$stdin" != - ]; then
        input="$dir/$stdin"
        [ -r "$input" ] || problems+=("stdin file $input is missing")
    fi
    local envs=()
    [ "$envspec" != - ] && IFS=, read -r -a envs <<<"$envspec"
    local limit=$normal_timeout
    [ "$exit_want" = deadlock ] && limit=$deadlock_timeout

    local status
    # The outer 2>/dev/null only silences bash's own "Segmentation fault" job report.
    { env -i "${envs[@]}" timeout -k 2 "$limit" "$bin" "$@" <"$input" >"$work/stdout" 2>"$work/stderr"; } 2>/dev/null
    status=$?

    if [ "$exit_want" = deadlock ]; then
        # timeout(1) answers 124 when it had to stop the program, 137 if TERM was not enough.
        [ $status -eq 124 ] || [ $status -eq 137 ] ||
            problems+=("expected a hang (deadlock) but it ended with status $status")
    elif [ $status -eq 124 ]; then
        problems+=("did not finish within ${limit}s (status 124 from timeout)")
    elif [ "$status" != "$exit_want" ]; then
        problems+=("exit status $status, expected $exit_want")
    fi

    case "$compare" in
    all) cp "$work/stdout" "$work/compared" ;;
    token) grep '^TOKEN ' "$work/stdout" >"$work/compared" || true ;;
    *) problems+=("unknown compare mode '$compare' in the manifest") ;;
    esac
    if [ ! -f "$expected" ]; then
        problems+=("no expected output $expected")
    elif ! cmp -s "$expected" "$work/compared"; then
        problems+=("stdout differs from $expected:")
        problems+=("$(diff "$expected" "$work/compared" | head -20)")
    fi

    if [ ${#problems[@]} -eq 0 ]; then
        echo "PASS $label"
        passed=$((passed + 1))
    else
        echo "FAIL $label: ${problems[0]}"
        local p
        for p in "${problems[@]:1}"; do echo "$p" | sed 's/^/    /'; done
        if [ -s "$work/stderr" ]; then
            echo "    stderr:"
            head -5 "$work/stderr" | sed 's/^/      /'
        fi
        failed=$((failed + 1))
    fi
}

run_manifest() {
    local manifest=$1 dir
    dir=$(dirname "$manifest")
    local line name exit_want compare stdin envspec args
    while IFS= read -r line || [ -n "$line" ]; do
        line=${line%%#*}
        read -r name exit_want compare stdin envspec args <<<"$line"
        [ -z "${name:-}" ] && continue
        if [ -z "${envspec:-}" ]; then
            echo "FAIL $name: manifest line needs at least 5 fields: $line ($manifest)"
            failed=$((failed + 1))
            continue
        fi
        wanted "$name" || continue
        local argv=()
        [ -n "${args:-}" ] && read -r -a argv <<<"$args"
        local i  # @PATH: the absolute path of PATH, relative to the manifest's folder (provided files)
        for i in "${!argv[@]}"; do
            [[ ${argv[$i]} == @?* ]] && argv[$i]=$(cd "$dir" && realpath -m "${argv[$i]#@}")
        done
        for libc in glibc musl; do
            run_one "$dir" "$libc" "$name" "$exit_want" "$compare" "$stdin" "$envspec" "${argv[@]}"
        done
    done <"$manifest"
}

run_manifest "$root/samples/samples.txt"
run_manifest "$here/tests.txt"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
