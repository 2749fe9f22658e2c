#!/usr/bin/env bash
# The engine benchmark in one command: builds the workloads and the wasmacro
# runner, runs every workload natively, in node (V8) and in wasmacro (its
# compiling tier, and its interpreter in the column `interp`), checks
# that the checksums agree, and prints a table of times and ratios.
#
#   bench/engine/run.sh [--runs N] [--clock cpu|wall] [--build-dir DIR] [--engines LIST]
#
#   --runs N         timed calls per engine and workload after one warm-up
#                    call; the best is reported (default 7)
#   --clock cpu|wall  the process's CPU time (default), or wall-clock time;
#                    they agree on an idle machine, but on two cores shared
#                    with builds CPU time is much steadier
#   --build-dir DIR  CMake build directory (default build/release); workloads
#                    and cargo output go under DIR/bench/engine
#   --engines LIST   comma-separated subset of native,v8,wasmacro,interpreter
#                    (default all)
#   --runner-built   do not build the wasmacro runner (the CMake target
#                    bench_engine passes it: it has built the runner already)
#
# Times are milliseconds of one call of the workload's run().
# This is a measurement, not a test: it fails only when something breaks
# (a build, a trap, checksums that differ), never because of a time.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
runs=7
build_dir=$root/build/release
engines=native,v8,wasmacro,interpreter
clock=cpu
build_runner=1
while (($#)); do
    case $1 in
    --runs) runs=$2; shift 2 ;;
    --build-dir) build_dir=$2; shift 2 ;;
    --engines) engines=$2; shift 2 ;;
    --clock) clock=$2; shift 2 ;;
    --runner-built) build_runner=; shift ;;
    -h | --help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (try --help)" >&2; exit 2 ;;
    esac
done
case $clock in
wall) time_key=best_ms first_key=first_ms ;;
cpu) time_key=best_cpu_ms first_key=first_cpu_ms ;;
*) echo "--clock must be wall or cpu" >&2; exit 2 ;;
esac
want() { [[ ,$engines, == *,$1,* ]]; }

# Other processes on the cores slow every engine, not equally (wall-clock
# time most, CPU time through shared caches); say so rather than print
# doubtful numbers silently.
read -r load1 _ </proc/loadavg
if awk -v l="$load1" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'; then
    echo "warning: load average $load1 on $(nproc) cores: times will be noisy" >&2
fi

workloads_dir=$build_dir/bench/engine/workloads
echo "building workloads in $workloads_dir" >&2
"$here/build-workloads.sh" "$workloads_dir"

runner=$build_dir/bench/engine/wasmacro_bench_engine
if { want wasmacro || want interpreter; } && [[ -n $build_runner ]]; then
    if [[ ! -f $build_dir/CMakeCache.txt ]]; then
        echo "no CMake build in $build_dir: run scripts/build.sh release first" >&2
        exit 1
    fi
    echo "building wasmacro_bench_engine" >&2
    if ! cmake --build "$build_dir" --target wasmacro_bench_engine -j2 >&2; then
        echo "cannot build the wasmacro runner; --engines native,v8 runs without it" >&2
        exit 1
    fi
fi

# Runs one engine on one workload; sets checksum, best (the time named by
# --clock), first_ms (the first call, same clock) and load_ms (wall-clock)
# from the harness's `key=value` line.
measure() {
    local line
    line=$("$@") || { echo "failed: $*" >&2; return 1; }
    checksum='' best='' load_ms='' first_ms=''
    local field
    for field in $line; do
        case $field in
        checksum=*) checksum=${field#*=} ;;
        "$time_key"=*) best=${field#*=} ;;
        load_ms=*) load_ms=${field#*=} ;;
        "$first_key"=*) first_ms=${field#*=} ;;
        esac
    done
    [[ -n $checksum && -n $best ]] || { echo "unexpected output from $*: $line" >&2; return 1; }
}

ratio() { awk -v t="$1" -v n="$2" 'BEGIN { printf "%.2fx", t / n }'; }

row() { printf '%-10s %8s %8s | %8s %7s %7s %8s | %8s %7s %7s %8s | %8s %7s | %11s\n' "$@"; }
table=$(row workload wasm_KiB native \
    v8 v8/nat v8_load v8_1st \
    wasmacro wa/nat wa_load wa_1st interp in/nat checksum)
status=0
for module in "$workloads_dir"/*.wasm; do
    name=$(basename "$module" .wasm)
    size_kib=$(awk -v b="$(stat -c %s "$module")" 'BEGIN { printf "%.1f", b / 1024 }')
    native_ms=- v8_ms=- v8_ratio=- v8_load=- v8_first=- wa_ms=- wa_ratio=- wa_load=- wa_first=-
    in_ms=- in_ratio=-
    reference=
    mismatch=

    # Every engine's checksum must equal the first one measured.
    check() {
        if [[ -z $reference ]]; then
            reference=$checksum
        elif [[ $checksum != "$reference" ]]; then
            echo "CHECKSUM MISMATCH on $name: $1 returned $checksum, expected $reference" >&2
            mismatch=1
        fi
    }

    echo "running $name" >&2
    if want native; then
        if measure "$workloads_dir/$name-native" "$runs"; then
            native_ms=$best
            check native
        else status=1; fi
    fi
    if want v8; then
        if measure node "$here/run.mjs" "$module" "$runs"; then
            v8_ms=$best v8_load=$load_ms v8_first=$first_ms
            check v8
        else status=1; fi
    fi
    if want wasmacro; then
        if measure env WASMACRO_TIER=compiler "$runner" "$module" "$runs"; then
            wa_ms=$best wa_load=$load_ms wa_first=$first_ms
            check wasmacro
        else status=1; fi
    fi
    if want interpreter; then
        if measure env WASMACRO_TIER=interpreter "$runner" "$module" "$runs"; then
            in_ms=$best
            check interpreter
        else status=1; fi
    fi
    # Native once more, after the others, and the best of both counts: a
    # slow spell of the shared machine should not fall on one side only.
    if want native && [[ $native_ms != - ]]; then
        if measure "$workloads_dir/$name-native" "$runs"; then
            check native
            native_ms=$(awk -v a="$native_ms" -v b="$best" 'BEGIN { print (b < a ? b : a) }')
        else status=1; fi
    fi
    if [[ $native_ms != - ]]; then
        [[ $v8_ms == - ]] || v8_ratio=$(ratio "$v8_ms" "$native_ms")
        [[ $wa_ms == - ]] || wa_ratio=$(ratio "$wa_ms" "$native_ms")
        [[ $in_ms == - ]] || in_ratio=$(ratio "$in_ms" "$native_ms")
    fi
    [[ -z $mismatch ]] || status=1
    table+=$'\n'$(row "$name" "$size_kib" "$native_ms" \
        "$v8_ms" "$v8_ratio" "$v8_load" "$v8_first" "$wa_ms" "$wa_ratio" "$wa_load" "$wa_first" "$in_ms" "$in_ratio" \
        "${reference:--}${mismatch:+ MISMATCH}")
done

# Several people change the engine at once: say which engine was measured.
engine_state=$(git -C "$root" log -1 --format='%h %<(60,trunc)%s' -- src/wasm 2>/dev/null || true)
if ! git -C "$root" diff --quiet HEAD -- src/wasm 2>/dev/null; then
    engine_state+=" (plus uncommitted changes)"
fi

echo
echo "engine: ${engine_state:-unknown}"
echo "$clock times in ms, best of $runs calls after one warm-up; x/nat = ratio to native time"
echo "load (wall-clock): wasmacro = decode+validate+instantiate; V8 = compile+instantiate (baseline tier)"
echo "1st: the first call of run(), including lazy translation or tier-up"
echo "$table"
exit $status
