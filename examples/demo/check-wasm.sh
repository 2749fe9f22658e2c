#!/usr/bin/env bash
# Rebuilds demo.wasm from its source (rust/fixtures/demo, on the guest
# proc-macro2 in rust/guest) with Debian's Rust, offline, and fails unless the
# committed examples/demo/demo.wasm is reproduced byte for byte. The same
# build reproduces the other fixtures, which are checked too.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec scripts/build-fixtures.sh --check
