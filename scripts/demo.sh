#!/usr/bin/env bash
# The main job, from a fresh machine: install what is needed, build wasmacro,
# and compile examples/demo/main.rs with the real rustc through `wasmacro
# rustc`, its #[derive(Demo)] expanded by the macro compiled to WebAssembly
# (examples/demo/demo.wasm) running in wasmacro's engine inside rustc.
# The first run also compiles the bridge crate into the cache
# (${XDG_CACHE_HOME:-~/.cache}/wasmacro), a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ]; then scripts/setup.sh; fi
# rustup's toolchain compiles the host side; Debian's rustc is only for wasm.
if [ -d "$HOME/.cargo/bin" ]; then export PATH="$HOME/.cargo/bin:$PATH"; fi
mkdir -p build/demo
if ! scripts/build.sh release >build/demo/build.log 2>&1; then
  tail -n 50 build/demo/build.log >&2
  echo "demo: building wasmacro failed (whole log: build/demo/build.log)" >&2
  exit 1
fi
wasmacro=build/release/src/driver/wasmacro
cmd=(rustc examples/demo/main.rs --wasm-proc-macro Demo=examples/demo/demo.wasm --edition 2021 -o build/demo/main)
echo "\$ wasmacro ${cmd[*]}"
"$wasmacro" "${cmd[@]}"
echo "\$ build/demo/main"
build/demo/main
