#!/bin/sh
# One pre-expand case: tests/expand/cases/NAME holds a crate (main.rs and its
# modules) and:
#   args             the arguments of `wasmacro expand` after the root, one a
#                    line; @FIXTURES@ and @MACROS@ name the wasm fixtures and
#                    tests/expand's own macros. `--edition` and `--cfg` go to
#                    rustc as well.
#   expected-stdout  the expanded crate, compiled by plain rustc (no proc-macro
#                    crate, no --extern of a macro) and run, must print this (stdout
#                    and stderr); or
#   expected-stderr  expand must fail (exit 1) with these diagnostics, and
#                    leave no output directory;
#   expected/        (optional) the expanded files, byte for byte (golden);
#                    REBASELINE=1 rewrites them.
#   expected-warnings (optional) expand's stderr on success.
#   externs          (optional) runtime crates the expanded code uses (serde,
#                    serde_json, thiserror), passed to rustc from RUNTIME_DIR.
#
#   run_case.sh WASMACRO FIXTURES MACROS RUNTIME_DIR CASE_DIR WORK_DIR
set -eu
wasmacro=$1 fixtures=$2 macros=$3 runtime=$4 case=$5 work=$6
name=$(basename "$case")
rm -rf "$work" && mkdir -p "$work"
out="$work/out"

set --
rustc_args=""
prev=""
if [ -f "$case/args" ]; then
    while IFS= read -r line || [ -n "$line" ]; do
        [ -z "$line" ] && continue
        line=$(printf '%s' "$line" | sed "s|@FIXTURES@|$fixtures|g; s|@MACROS@|$macros|g")
        set -- "$@" "$line"
        case "$prev" in --edition|--cfg) rustc_args="$rustc_args $prev $line" ;; esac
        prev=$line
    done < "$case/args"
fi

status=0
(cd "$case" && "$wasmacro" expand main.rs "$@" -o "$out") > "$work/stdout" 2> "$work/stderr" || status=$?

fail() { echo "case $name: $*" >&2; exit 1; }

if [ -f "$case/expected-stderr" ]; then
    [ "$status" -eq 1 ] || { cat "$work/stderr" >&2; fail "expected exit status 1, got $status"; }
    [ ! -e "$out" ] || fail "a failed expansion left $out behind"
    ls -a "$work" | grep -q wasmacro && fail "a failed expansion left a temporary directory"
    if [ "${REBASELINE:-0}" = 1 ]; then cp "$work/stderr" "$case/expected-stderr"; fi
    diff -u "$case/expected-stderr" "$work/stderr" || fail "diagnostics differ"
    exit 0
fi

[ "$status" -eq 0 ] || { cat "$work/stderr" >&2; fail "expand failed with status $status"; }
if [ -f "$case/expected-warnings" ] || [ -s "$work/stderr" ]; then
    if [ "${REBASELINE:-0}" = 1 ]; then cp "$work/stderr" "$case/expected-warnings"; fi
    [ -f "$case/expected-warnings" ] || { cat "$work/stderr" >&2; fail "unexpected diagnostics"; }
    diff -u "$case/expected-warnings" "$work/stderr" || fail "warnings differ"
fi
if [ -d "$case/expected" ]; then
    if [ "${REBASELINE:-0}" = 1 ]; then
        rm -rf "$case/expected" && cp -r "$out" "$case/expected"
    fi
    diff -ru "$case/expected" "$out" || fail "expanded files differ from $case/expected"
fi
if [ -f "$case/externs" ]; then
    for crate in $(cat "$case/externs"); do
        rustc_args="$rustc_args --extern $crate=$runtime/lib$crate.rlib"
    done
fi
# shellcheck disable=SC2086 # rustc_args is a list of words
rustc $rustc_args -L "dependency=$runtime" --crate-name "case_$(echo "$name" | tr - _)" -A warnings "$out/main.rs" \
    -o "$work/main" || fail "rustc rejected the expanded crate"
"$work/main" > "$work/run-stdout" 2>&1 || fail "the program failed"
if [ "${REBASELINE:-0}" = 1 ] && [ ! -f "$case/expected-stdout" ]; then
    cp "$work/run-stdout" "$case/expected-stdout"
fi
diff -u "$case/expected-stdout" "$work/run-stdout" || fail "program output differs"
