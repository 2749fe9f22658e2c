#!/usr/bin/env bash
# Builds the macro crates to wasm with `wasmacro build` (Debian's rustc 1.63
# and its wasm32 std, from the unmodified sources in the registry), then
# builds and runs the app with wasmacro as Cargo's RUSTC_WRAPPER and the
# modules named in RUSTFLAGS. WASMACRO (default: the release build) is the
# binary; CARGO_TARGET_DIR defaults to build/macro-crates. With WASM_MODULES
# set, the modules are taken from there (NAME.wasm, as the tests build them)
# instead of built.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
wasmacro=${WASMACRO:-$root/build/release/src/driver/wasmacro}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/build/macro-crates}
registry=/usr/share/cargo/registry
modules=${WASM_MODULES:-$CARGO_TARGET_DIR/wasm}
cd "$here"
flags=()
# NAME-VERSION, or NAME-VERSION:wasip1 for a macro that reads CARGO_PKG_*
# while it expands (clap's #[command(version)]), built for wasm32-wasi
# (wasm32-wasip1 in newer rustc) as NAME.wasip1.wasm.
for entry in tokio-macros-1.7.0 async-trait-0.1.56 tracing-attributes-0.1.23 ctor-0.1.26 serde_repr-0.1.7 num-derive-0.3.0 clap_derive-4.0.21:wasip1; do
  dir=${entry%:wasip1}
  crate=${dir%-*}
  crate=${crate//-/_}
  module=$modules/$crate.wasm target=()
  if [[ $entry == *:wasip1 ]]; then module=$modules/$crate.wasip1.wasm target=(--target wasm32-wasi); fi
  if [[ -z ${WASM_MODULES:-} ]]; then
    RUSTC=/usr/bin/rustc CARGO=/usr/bin/cargo "$wasmacro" build "$registry/$dir" "${target[@]}" \
      --target-dir "$CARGO_TARGET_DIR/wasm-build" -o "$module" >&2
  fi
  flags+=("--wasm-proc-macro $crate=$module")
done
# The app is built by the native toolchain (rustup's, first on PATH), whatever
# RUSTC and CARGO the caller set for the wasm builds.
unset RUSTC CARGO
if [ -d "$HOME/.cargo/bin" ]; then export PATH="$HOME/.cargo/bin:$PATH"; fi
export RUSTC_WRAPPER=$wasmacro
export RUSTFLAGS="${flags[*]}"
exec cargo run --quiet --offline -p macro-crates-app "$@"
