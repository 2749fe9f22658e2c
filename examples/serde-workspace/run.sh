#!/usr/bin/env bash
# Builds and runs the workspace with wasmacro as Cargo's RUSTC_WRAPPER:
# every rustc call goes through `wasmacro rustc`, which turns
# `--wasm-proc-macro serde_derive=...` (from RUSTFLAGS) into a proc-macro crate
# over the wasm module. WASMACRO (default: the release build) is the binary;
# CARGO_TARGET_DIR defaults to build/serde-workspace.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
if [ -d "$HOME/.cargo/bin" ]; then export PATH="$HOME/.cargo/bin:$PATH"; fi
export RUSTC_WRAPPER=${WASMACRO:-$root/build/release/src/driver/wasmacro}
export RUSTFLAGS="--wasm-proc-macro serde_derive=$root/tests/fixtures/serde_derive.wasm"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/build/serde-workspace}
cd "$here"
exec cargo run --quiet --offline -p serde-wasm-app "$@"
