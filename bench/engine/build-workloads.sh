#!/usr/bin/env bash
# Builds the engine benchmark's workloads into OUT_DIR (default
# build/release/bench/engine/workloads), each as NAME.wasm and NAME-native:
#   syn-parse  Rust + syn, Debian's rustc 1.63 for both wasm32 and native
#   hash       kernels/hash.c, clang-19
#   queens     kernels/queens.c, clang-19
# Rebuilds only what changed: cargo tracks the Rust crate, and a C workload is
# rebuilt when its source, the native harness or this script is newer.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../../build/release/bench/engine/workloads}
mkdir -p "$out"
out=$(cd "$out" && pwd)

# Debian's toolchain has the wasm32 standard library; rustup's, first on
# PATH, does not. Cargo runs whatever `rustc` RUSTC names.
export RUSTC=/usr/bin/rustc
export CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-2}
cargo=/usr/bin/cargo
cargo_target=$out/../cargo
clang='clang-19'
cflags=(-O2 -Wall -Wextra -Wshadow -Werror)

stale() { # stale OUTPUT INPUT...: true if OUTPUT is missing or older than an input
    local target=$1
    shift
    [[ -e $target ]] || return 0
    local input
    for input in "$@"; do [[ $input -nt $target ]] && return 0; done
    return 1
}

# Copies only when the content changed, so unchanged outputs keep their mtime.
install_if_changed() { cmp -s "$1" "$2" || cp "$1" "$2"; }

# --- syn-parse (Rust) ---
(
    cd "$here/syn-parse"
    # The crate type is chosen per build: a cdylib is the wasm module, a
    # staticlib links into the native harness. Both use the release profile.
    "$cargo" rustc --quiet --release --lib --crate-type cdylib \
        --target wasm32-unknown-unknown --target-dir "$cargo_target"
    "$cargo" rustc --quiet --release --lib --crate-type staticlib --target-dir "$cargo_target"
)
install_if_changed "$cargo_target/wasm32-unknown-unknown/release/syn_parse.wasm" "$out/syn-parse.wasm"
staticlib=$cargo_target/release/libsyn_parse.a
if stale "$out/syn-parse-native" "$staticlib" "$here/native_main.c" "$0"; then
    # The system libraries Rust's std needs (rustc --print native-static-libs).
    "$clang" "${cflags[@]}" -o "$out/syn-parse-native" "$here/native_main.c" "$staticlib" \
        -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
fi

# --- C kernels ---
for source in "$here"/kernels/*.c; do
    name=$(basename "$source" .c)
    if stale "$out/$name.wasm" "$source" "$0"; then
        # No libc and no entry point: the module is run() plus its memory.
        "$clang" --target=wasm32 "${cflags[@]}" -nostdlib -Wl,--no-entry -Wl,--export=run \
            -o "$out/$name.wasm" "$source"
    fi
    if stale "$out/$name-native" "$source" "$here/native_main.c" "$0"; then
        "$clang" "${cflags[@]}" -o "$out/$name-native" "$source" "$here/native_main.c"
    fi
done

# The workloads must be pure computation: any import would mean a host call.
for module in "$out"/*.wasm; do
    if wasm-objdump -j Import -x "$module" 2>/dev/null | grep -q '^Import\['; then
        echo "error: $module has imports:" >&2
        wasm-objdump -j Import -x "$module" >&2
        exit 1
    fi
done
