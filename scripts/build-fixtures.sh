#!/usr/bin/env bash
# Builds the wasm macro fixtures with Debian's Rust toolchain, offline
# against /usr/share/cargo/registry, and installs them as
# tests/fixtures/<name>.wasm (and the demo as examples/demo/demo.wasm): our
# own macros from source (rust/fixtures, on the guest proc-macro2 in
# rust/guest), and the published serde_derive and thiserror-impl, unmodified
# from the registry, by `wasmacro build`.
#
#   scripts/build-fixtures.sh           build, verify, smoke-test, install
#   scripts/build-fixtures.sh --check   run the guest's native unit tests,
#                                       build, verify, smoke-test, and fail
#                                       unless the committed .wasm files are
#                                       reproduced bit for bit (nothing is
#                                       installed)
#
# "verify" checks each module with wasm-objdump: it imports only watt-0.5
# functions, exports its entry points plus raw_to_token_stream and
# token_stream_into_raw, and carries exactly the expected
# .rustc_proc_macro_decls records.
# "smoke-test" expands the macros with the project's host, `wasmacro call`
# (rust/fixtures/smoke/smoke.mjs), checks the hostile macros fail as they
# should, and compiles and runs the expansions natively (rustup's cargo,
# offline). It needs the wasmacro binary: $WASMACRO, by default
# build/release/src/driver/wasmacro (scripts/build.sh release), which also
# builds the registry's macros.
#
# The cargo target dir is build/fixtures-target (override with
# WASMACRO_FIXTURES_TARGET); CARGO_BUILD_JOBS defaults to 2.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

check=0
case "${1:-}" in
"") ;;
--check) check=1 ;;
*) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

# Debian's toolchain by full path: rustup's rustc comes first on PATH and has
# no wasm32 standard library.
cargo_wasm=/usr/bin/cargo
export RUSTC=/usr/bin/rustc
export CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-2}
unset RUSTC_WRAPPER RUSTC_WORKSPACE_WRAPPER CARGO_ENCODED_RUSTFLAGS CARGO_BUILD_RUSTFLAGS || true
# Bulk memory, as newer rustc enables by default: memcpy and memset become
# memory.copy and memory.fill rather than calls into byte loops. The path
# remapping makes the output reproducible wherever the repository is.
export RUSTFLAGS="-C target-feature=+bulk-memory --remap-path-prefix=$root=/wasmacro --remap-path-prefix=/usr/share/cargo/registry=/registry"
export SOURCE_DATE_EPOCH=0
target_dir=${WASMACRO_FIXTURES_TARGET:-$root/build/fixtures-target}
out_dir=$target_dir/wasm32-unknown-unknown/release
# The wasi fixture is built for wasm32-wasi (Debian's rustc 1.63 ships its
# std; newer rustc calls the target wasm32-wasip1): a macro that imports
# wasi_snapshot_preview1 as well as watt-0.5.
wasi_fixtures=(wasi)
wasi_out_dir=$target_dir/wasm32-wasi/release

# fixture name, cargo artifact (or registry crate), expected decls records
# (one a line, in order) and the wasm exports besides memory and the two
# helpers.
fixtures=(demo serde_derive thiserror example_macros hostile wasi many_tables)
declare -A artifact records exports wat_source registry_crate
artifact[demo]=fixture_demo
records[demo]='derive:Demo:derive_demo
edition:2021'
exports[demo]='derive_demo'
registry_crate[serde_derive]=serde_derive-1.0.152
records[serde_derive]='derive:Serialize:derive_serialize:serde
derive:Deserialize:derive_deserialize:serde
edition:2015'
exports[serde_derive]='derive_serialize derive_deserialize'
registry_crate[thiserror]=thiserror-impl-1.0.38
records[thiserror]='derive:Error:derive_error:backtrace,error,from,source
edition:2018'
exports[thiserror]='derive_error'
artifact[example_macros]=fixture_example_macros
records[example_macros]='bang:enum_str:bang_enum_str
attr:trace:attr_trace
edition:2021'
exports[example_macros]='bang_enum_str attr_trace'
artifact[hostile]=fixture_hostile
records[hostile]='derive:Panic:derive_panic
bang:infinite_loop:bang_infinite_loop
bang:unbounded_alloc:bang_unbounded_alloc
bang:unbounded_recursion:bang_unbounded_recursion
bang:bad_abi:bang_bad_abi
bang:bulk_fill_loop:bang_bulk_fill_loop
edition:2021'
exports[hostile]='derive_panic bang_infinite_loop bang_unbounded_alloc bang_unbounded_recursion bang_bad_abi bang_bulk_fill_loop'
# Written in WAT (Rust cannot declare tables): converted with wat2wasm, and
# its decls section added by `wasmacro annotate`.
wat_source[many_tables]=rust/fixtures/hostile/many_tables.wat
records[many_tables]='bang:many_tables:bang_many_tables
edition:2021'
exports[many_tables]='bang_many_tables'
artifact[wasi]=fixture_wasi
records[wasi]='bang:wasi_probe:bang_wasi_probe
edition:2021'
exports[wasi]='bang_wasi_probe'

watt_imports='bytes_len bytes_read literal_to_string print_panic string_len string_new string_read token_stream_deserialize token_stream_parse token_stream_serialize'
# What std on wasm32-wasi imports for the wasi fixture's uses of it.
wasi_imports='args_get args_sizes_get clock_time_get environ_get environ_sizes_get fd_write proc_exit random_get'

fail() { echo "build-fixtures: $*" >&2; exit 1; }

# The text of a module's .rustc_proc_macro_decls section, NUL padding dropped.
decls_of() {
  node -e '
    const m = new WebAssembly.Module(require("fs").readFileSync(process.argv[1]));
    const parts = WebAssembly.Module.customSections(m, ".rustc_proc_macro_decls");
    process.stdout.write(parts.map((p) => Buffer.from(p).toString()).join("").replace(/\0/g, ""));
  ' "$1"
}

verify() {
  local name=$1 wasm=$2 dump imports got_exports want_exports decls
  dump=$(wasm-objdump -x "$wasm")
  imports=$(grep -o '<- [^ ]*' <<<"$dump" | sed 's/^<- //' | sort || true)
  [[ -n $imports ]] || fail "$name: imports nothing"
  while read -r imp; do
    [[ -z $imp ]] && continue
    if [[ $name == wasi && $imp == wasi_snapshot_preview1.* ]]; then
      [[ " $wasi_imports " == *" ${imp#wasi_snapshot_preview1.} "* ]] || fail "$name: imports unexpected $imp"
      continue
    fi
    [[ $imp == watt-0.5.* ]] || fail "$name: imports $imp (only watt-0.5 is allowed)"
    [[ " $watt_imports " == *" ${imp#watt-0.5.} "* ]] || fail "$name: imports unknown $imp"
  done <<<"$imports"
  got_exports=$(grep -o '^ - func\[[0-9]*\].* -> "[^"]*"' <<<"$dump" | sed 's/.*-> "\(.*\)"/\1/' | sort | tr '\n' ' ' || true)
  want_exports=$(tr ' ' '\n' <<<"${exports[$name]} raw_to_token_stream token_stream_into_raw" | sort | tr '\n' ' ')
  [[ $got_exports == "$want_exports" ]] || fail "$name: exports '$got_exports', expected '$want_exports'"
  decls=$(decls_of "$wasm")
  [[ $decls == "${records[$name]}" ]] || fail "$name: decls section is
$decls
expected
${records[$name]}"
}

# `wasmacro build` and the smoke test need the host; look for it before the
# long build, not after.
wasmacro=${WASMACRO:-build/release/src/driver/wasmacro}
wasmacro_bin=$(command -v "$wasmacro") ||
  fail "no wasmacro binary at $wasmacro (it builds two fixtures and smoke-tests them all): run scripts/build.sh release first, or set WASMACRO"
wasmacro_bin=$(realpath "$wasmacro_bin")

if ((check)); then
  echo "== guest unit tests (native)"
  (cd rust/guest && env -u RUSTC -u RUSTFLAGS CARGO_TARGET_DIR="$target_dir/native" cargo test --quiet --offline --locked)
fi

echo "== building fixtures (Debian rustc: $($RUSTC --version))"
start=$SECONDS
(cd rust/fixtures && $cargo_wasm build --release --locked --offline \
  --target wasm32-unknown-unknown --target-dir "$target_dir" --workspace \
  "${wasi_fixtures[@]/#/--exclude=fixture-}")
(cd rust/fixtures && $cargo_wasm build --release --locked --offline \
  --target wasm32-wasi --target-dir "$target_dir" "${wasi_fixtures[@]/#/--package=fixture-}")
# From rust/fixtures, whose .cargo/config.toml is the offline registry.
for name in "${!registry_crate[@]}"; do
  (cd rust/fixtures && env -u RUSTFLAGS CARGO=$cargo_wasm "$wasmacro_bin" build \
    "/usr/share/cargo/registry/${registry_crate[$name]}" -o "$target_dir/$name.wasm" \
    --target-dir "$target_dir/wasmacro-build" >"$target_dir/$name-build.log" 2>&1) ||
    { cat "$target_dir/$name-build.log" >&2; fail "$name: wasmacro build failed"; }
done
echo "built in $((SECONDS - start)) s"

staged=$target_dir/fixtures
mkdir -p "$staged"
for name in "${fixtures[@]}"; do
  if [[ -n ${registry_crate[$name]:-} ]]; then
    wasm=$target_dir/$name.wasm
  elif [[ -n ${wat_source[$name]:-} ]]; then
    wasm=$target_dir/$name.wasm
    wat2wasm "${wat_source[$name]}" -o "$target_dir/$name-plain.wasm"
    "$wasmacro_bin" annotate "$target_dir/$name-plain.wasm" -o "$wasm" \
      $(sed -n 's/^bang:\([^:]*\):\(.*\)/--bang \1=\2/p' <<<"${records[$name]}")
  else
    wasm=$out_dir/${artifact[$name]}.wasm
    if [[ " ${wasi_fixtures[*]} " == *" $name "* ]]; then wasm=$wasi_out_dir/${artifact[$name]}.wasm; fi
  fi
  [[ -f $wasm ]] || fail "$name: $wasm was not built"
  verify "$name" "$wasm"
  cp "$wasm" "$staged/$name.wasm"
done
echo "verified imports, exports and decls records"

echo "== smoke test: expansions with $wasmacro_bin"
smoke_out=$target_dir/smoke-out
node rust/fixtures/smoke/smoke.mjs "$wasmacro_bin" "$staged" "$smoke_out" | grep -v '^ok ' || fail "smoke test failed"
echo "== smoke test: compile and run the expansions (native)"
for crate in e2015 e2018 e2021; do
  log=$target_dir/smoke-$crate.log
  if (cd rust/fixtures/smoke/check && env -u RUSTC -u RUSTFLAGS SMOKE_OUT="$smoke_out" \
    CARGO_TARGET_DIR="$target_dir/smoke" cargo run --quiet --offline --locked -p "smoke-$crate") >"$log" 2>&1; then
    tail -n1 "$log"
  else
    cat "$log" >&2
    fail "the expansions of the edition-${crate#e} fixtures do not compile or run"
  fi
done

status=0
for name in "${fixtures[@]}"; do
  wasm=$staged/$name.wasm
  dests=("tests/fixtures/$name.wasm")
  if [[ $name == demo ]]; then dests+=(examples/demo/demo.wasm); fi
  for dest in "${dests[@]}"; do
    if ((check)); then
      if cmp -s "$wasm" "$dest"; then
        echo "ok       $dest ($(stat -c %s "$dest") bytes)"
      else
        echo "MISMATCH $dest is not reproduced by the build (rebuild: scripts/build-fixtures.sh)" >&2
        status=1
      fi
    else
      mkdir -p "$(dirname "$dest")"
      cp "$wasm" "$dest"
      echo "wrote    $dest ($(stat -c %s "$dest") bytes)"
    fi
  done
done
exit $status
