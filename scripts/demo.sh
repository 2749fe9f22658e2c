#!/usr/bin/env bash
# The main job, from a fresh machine: install what is needed, build wasmacro,
# and run the bundled example module in the engine.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ]; then scripts/setup.sh; fi
scripts/build.sh release >/dev/null
wasmacro=build/release/src/driver/wasmacro
echo "\$ wasmacro run examples/fib/fib.wasm fib_recursive 30"
"$wasmacro" run examples/fib/fib.wasm fib_recursive 30
echo "\$ wasmacro run examples/fib/fib.wasm fib_iterative 90"
"$wasmacro" run examples/fib/fib.wasm fib_iterative 90
echo "\$ wasmacro run --fuel 1000000 examples/fib/fib.wasm spin"
"$wasmacro" run --fuel 1000000 examples/fib/fib.wasm spin || echo "(exit status $?, as expected: the loop ran out of fuel)"
