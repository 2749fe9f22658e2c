#!/usr/bin/env bash
# Configures and builds one flavour of wasmacro under build/<flavour>:
#   release (default)  optimised, with tests and benchmarks
#   asan               AddressSanitizer + UndefinedBehaviorSanitizer, with tests
#   fuzz               clang-19 with libFuzzer targets
#   wasi               wasm32-wasip1 (cmake/wasm32-wasip1.cmake): the interpreter
#                      tier, build/wasi/wasmacro.wasm and build/wasi/libwasmacro.a
set -euo pipefail
cd "$(dirname "$0")/.."
flavour=${1:-release}
case "$flavour" in
release) args=(-DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=clang++-19 -DCMAKE_C_COMPILER=clang-19) ;;
asan) args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DWASMACRO_SANITIZE=ON -DCMAKE_CXX_COMPILER=clang++-19 -DCMAKE_C_COMPILER=clang-19) ;;
fuzz) args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DWASMACRO_FUZZ=ON -DWASMACRO_TESTS=OFF -DCMAKE_CXX_COMPILER=clang++-19 -DCMAKE_C_COMPILER=clang-19) ;;
wasi) args=(-DCMAKE_BUILD_TYPE=Release -DCMAKE_TOOLCHAIN_FILE=cmake/wasm32-wasip1.cmake -DWASMACRO_TESTS=OFF -DWASMACRO_BENCH=OFF) ;;
*) echo "unknown flavour: $flavour (release, asan, fuzz, wasi)" >&2; exit 2 ;;
esac
cmake -S . -B "build/$flavour" -G Ninja "${args[@]}" >/dev/null
cmake --build "build/$flavour" -j"$(nproc)"
if [[ $flavour == wasi ]]; then
  # The two products at the top of the build directory, where the README and
  # scripts/wasi-run.mjs users look for them.
  cp "build/wasi/src/driver/wasmacro.wasm" "build/wasi/src/capi/libwasmacro.a" build/wasi/
fi
