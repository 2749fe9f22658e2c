#!/usr/bin/env bash
# One end-to-end case of `wasmacro build` with Debian's Rust toolchain:
#   run.sh CASE
# Environment (set by tests/build/CMakeLists.txt): WASMACRO (the binary),
# BUILD_WORK (a scratch directory whose .cargo/config.toml points cargo at the
# Debian registry, offline), CORPUS_COMPARE and NATIVE_EXPAND (the corpus
# test's comparison and native harness), CORPUS (tests/corpus),
# NATIVE_EXPAND_SRC (tests/native-expand/src, the native harnesses' shared part).
# The native harnesses are built with the native toolchain (rustup's, first
# on PATH, as for tests/native-expand).
set -uo pipefail
if [ -d "$HOME/.cargo/bin" ]; then export PATH="$HOME/.cargo/bin:$PATH"; fi
# Debian's rustc and cargo: rustup's, first on PATH, have no wasm32 std here.
export RUSTC=/usr/bin/rustc CARGO=/usr/bin/cargo
unset CARGO_TARGET_DIR
here=$(cd "$(dirname "$0")" && pwd)
crates=$here/crates
registry=/usr/share/cargo/registry
name=${1:?usage: run.sh CASE}
work=$BUILD_WORK/${name//:/-} # cargo refuses a `:` in its paths
# The work directory sits under BUILD_WORK, so cargo finds its config there.
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 2
failed=0

fail() {
  echo "FAIL: $*" >&2
  failed=1
}

# build OUT.wasm TARGET_DIR CRATE_DIR [ARGS...]: wasmacro build must succeed.
build() {
  local out=$1 target=$2 crate=$3
  shift 3
  if ! "$WASMACRO" build "$crate" -o "$out" --target-dir "$target" "$@" >build.log 2>&1; then
    cat build.log >&2
    fail "wasmacro build $crate failed"
    return 1
  fi
  tail -n1 build.log
}

# build_fails CRATE_DIR 'PATTERN'... [-- ENV=VALUE...]: wasmacro build must
# exit 1 with every pattern (fixed strings) in its messages, and write no module.
build_fails() {
  local crate=$1 envs=()
  shift
  local patterns=()
  while (($#)); do
    if [[ $1 == -- ]]; then shift; envs=("$@"); break; fi
    patterns+=("$1")
    shift
  done
  env "${envs[@]}" "$WASMACRO" build "$crate" -o "$work/refused.wasm" --target-dir "$work/target" >fail.log 2>&1
  local status=$?
  [[ $status == 1 ]] || fail "wasmacro build $crate exited with $status, expected 1"
  for p in "${patterns[@]}"; do
    grep -qF -- "$p" fail.log || { cat fail.log >&2; fail "the messages for $crate lack: $p"; }
  done
  [[ ! -e $work/refused.wasm ]] || fail "a module was written for $crate"
}

# expands WASM MACRO INPUT EXPECTED [--args TOKENS]: `wasmacro call` output.
expands() {
  local wasm=$1 macro=$2 input=$3 expected=$4
  shift 4
  local got
  got=$(printf '%s' "$input" | "$WASMACRO" call "$wasm" "$macro" "$@" 2>&1)
  [[ $got == "$expected" ]] || fail "$macro on '$input' gave
$got
expected
$expected"
}

# reproducible A B: the two builds of one crate are the same bytes.
reproducible() {
  cmp "$1" "$2" || fail "$1 and $2 differ: the build is not reproducible"
}

# untouched DIR STAMP: nothing in DIR is newer than STAMP (a read-only tree).
untouched() {
  local changed
  changed=$(find "$1" -newer "$2" | head -5)
  [[ -z $changed ]] || fail "wasmacro build wrote into $1: $changed"
}

case "$name" in
kinds)
  # One macro of each kind, on the compiler's proc_macro API alone.
  touch stamp
  build kinds.wasm "$work/t1" "$crates/kinds" || exit 1
  expands kinds.wasm Hello 'struct S;' $'impl S {\n    pub const HELLO: &\'static str = "Hello, S!";\n}'
  expands kinds.wasm Hello '#[hello(name = "you")] enum E { A }' $'impl E {\n    pub const HELLO: &\'static str = "Hello, you!";\n}'
  expands kinds.wasm twice 'fn f() {}' $'fn f() {} fn f_twice() {\n    f();\n    f();\n}' --args ''
  expands kinds.wasm count 'a b (c d) "e"' '4usize'
  expands kinds.wasm count '' '0usize'
  "$WASMACRO" inspect kinds.wasm >inspect.txt
  grep -qx '  derive Hello -> derive_hello (helpers: hello)' inspect.txt || fail "no derive Hello in the decls"
  grep -qx '  attr twice -> attr_twice' inspect.txt || fail "no attr twice in the decls"
  grep -qx '  bang count -> bang_count' inspect.txt || fail "no bang count in the decls"
  grep -q 'shout' inspect.txt && fail "shout! is there without its feature"
  grep -q 'edition 2021' inspect.txt || fail "no edition 2021 record"
  # A feature turns on a cfg'd entry point and code inside the others.
  build shout.wasm "$work/t1" "$crates/kinds" --features shout || exit 1
  expands shout.wasm shout '' '"SHOUT"'
  expands shout.wasm Hello 'struct S;' $'impl S {\n    pub const HELLO: &\'static str = "HELLO, S!";\n}'
  # Another target directory (from CARGO_TARGET_DIR), the same bytes.
  CARGO_TARGET_DIR=$work/t2 "$WASMACRO" build "$crates/kinds" >default.log 2>&1 || { cat default.log >&2; fail "build with CARGO_TARGET_DIR failed"; }
  [[ -f $work/t2/wasmacro/kinds.wasm ]] || fail "no module at CARGO_TARGET_DIR/wasmacro/kinds.wasm"
  reproducible kinds.wasm "$work/t2/wasmacro/kinds.wasm"
  untouched "$crates/kinds" stamp
  # The build crate embeds no path of the target directory it was made in.
  grep -c "$work" kinds.wasm >/dev/null && fail "kinds.wasm holds the path $work"
  ;;
errors)
  mkdir empty
  build_fails empty "empty: no Cargo.toml" "takes the directory of a proc-macro crate"
  build_fails "$crates/not_proc_macro" "\`not_proc_macro\` is not a proc-macro crate"
  build_fails "$crates/diagnostic" "src/lib.rs:9:5: \`proc_macro::Diagnostic\` has no equivalent for a macro compiled to WebAssembly"
  # cargo's own output is shown, then what failed.
  build_fails "$crates/broken" "expected \`u32\`, found \`&str\`" "src/lib.rs:7" "building broken 0.1.0 for wasm32-unknown-unknown failed"
  # A rustc without the wasm32 standard library, found through $RUSTC.
  mkdir -p fake/lib/rustlib/x86_64-unknown-linux-gnu/lib
  printf '#!/bin/sh\ncase "$1" in --print) echo %s/fake;; --version) echo "rustc 1.0.0 (fake)";; esac\n' "$work" >fake/rustc
  chmod +x fake/rustc
  build_fails "$crates/kinds" "has no standard library for wasm32-unknown-unknown" \
    "rustup target add wasm32-unknown-unknown" "libstd-rust-dev-wasm32" -- RUSTC="$work/fake/rustc"
  build_fails "$crates/kinds" "cannot run rustc" -- RUSTC="$work/no-such-rustc"
  "$WASMACRO" build "$crates/kinds" --target wasm32-unknown-emscripten >target.log 2>&1
  [[ $? == 1 ]] || fail "an unsupported --target was not refused"
  grep -qF -- "--target wasm32-unknown-emscripten: wasmacro runs modules built for wasm32-unknown-unknown or wasm32-wasip1" target.log ||
    { cat target.log >&2; fail "the refusal of --target does not say which targets work"; }
  ;;
wasip1)
  # clap_derive for wasm32-wasi (Debian's rustc 1.63 names wasm32-wasip1 so):
  # std reads the environment through WASI, and the host gives it Cargo's
  # CARGO_PKG_* for the crate being compiled, so `#[command(version, author,
  # about)]` work as natively; nothing else of the environment.
  build clap_derive.wasm "$work/t" "$registry/clap_derive-4.0.21" --target wasm32-wasi || exit 1
  "$WASMACRO" inspect clap_derive.wasm | grep -qF '"wasi_snapshot_preview1" "environ_get"' ||
    fail "clap_derive.wasm does not read its environment through WASI"
  input='#[derive(Parser)] #[command(version, author, about)] struct Cli { x: u8 }'
  out=$(printf '%s' "$input" | env CARGO_PKG_VERSION=1.2.3 CARGO_PKG_AUTHORS='A. Person <a@example.org>' \
    CARGO_PKG_DESCRIPTION='Does things' "$WASMACRO" call clap_derive.wasm Parser 2>&1)
  for want in 'version("1.2.3")' 'author("A. Person <a@example.org>")' 'about("Does things")'; do
    grep -qF "$want" <<<"$out" || fail "the expansion has no $want: $out"
  done
  # A macro that reads CARGO_PKG_* is built for wasm32-wasi when no target
  # is given, and gets them; built for wasm32-unknown-unknown it gets none,
  # and the build warns.
  build auto.wasm "$work/t" "$crates/reads_env" || exit 1
  grep -qF "note: reads_env reads Cargo's CARGO_PKG_* while it expands (src/lib.rs:15:24: \`env::var\`): building it for wasm32-wasi" build.log ||
    { cat build.log >&2; fail "reads_env was not built for wasm32-wasi on its own"; }
  grep -qF "(reads_env 0.1.0 for wasm32-wasi, edition 2021: derive Version)" build.log || fail "the build does not name its target"
  build default.wasm "$work/t" "$crates/reads_env" --target wasm32-unknown-unknown || exit 1
  grep -qF "warning: reads_env reads Cargo's CARGO_PKG_* while it expands (src/lib.rs:15:24: \`env::var\`)" build.log ||
    { cat build.log >&2; fail "no warning that reads_env reads CARGO_PKG_*"; }
  grep -qF -- "--target wasm32-wasip1" build.log || fail "the warning does not say how to rebuild"
  CARGO_PKG_VERSION=4.5.6 expands auto.wasm Version 'struct S;' $'impl S {\n    pub const VERSION: &\'static str = "4.5.6";\n}'
  CARGO_PKG_VERSION=4.5.6 expands default.wasm Version 'struct S;' $'impl S {\n    pub const VERSION: &\'static str = "unset";\n}'
  # Outside Cargo there are none, and clap says so, as natively.
  out=$(printf '%s' "$input" | env -u CARGO_PKG_VERSION "$WASMACRO" call clap_derive.wasm Parser 2>&1)
  [[ $out == *'error: cannot derive `version` from Cargo.toml'*'= note: `CARGO_PKG_VERSION` environment variable is not set'* ]] ||
    fail "without CARGO_PKG_VERSION: $out"
  # Built for wasm32-unknown-unknown, clap_derive cannot see them even under
  # Cargo: its own error is followed by one that says why and how to rebuild.
  build clap_plain.wasm "$work/t" "$registry/clap_derive-4.0.21" --target wasm32-unknown-unknown || exit 1
  out=$(printf '%s' "$input" | env CARGO_PKG_VERSION=1.2.3 "$WASMACRO" call clap_plain.wasm Parser 2>&1) &&
    fail "clap_plain.wasm expanded #[command(version)] without the environment: $out"
  [[ $out == *'= note: `CARGO_PKG_VERSION` environment variable is not set'*'error: clap_plain.wasm was built for wasm32-unknown-unknown, where a macro cannot read Cargo'"'"'s CARGO_PKG_* variables; rebuild it for wasm32-wasip1 (`wasmacro build --target wasm32-wasip1`)'* ]] ||
    fail "no advice on rebuilding for wasm32-wasip1: $out"
  # For the example (FIXTURES_REQUIRED in CMakeLists.txt).
  mkdir -p "$BUILD_WORK/modules" && cp clap_derive.wasm "$BUILD_WORK/modules/clap_derive.wasip1.wasm"
  ;;
registry)
  # serde_derive and thiserror-impl as Debian ships them, unmodified and
  # read-only, built twice into two target directories, then the corpus.
  touch stamp
  mkdir one two
  build one/serde_derive.wasm "$work/t1" "$registry/serde_derive-1.0.152" || exit 1
  build one/thiserror.wasm "$work/t1" "$registry/thiserror-impl-1.0.38" || exit 1
  build two/serde_derive.wasm "$work/t2" "$registry/serde_derive-1.0.152" || exit 1
  build two/thiserror.wasm "$work/t2" "$registry/thiserror-impl-1.0.38" || exit 1
  reproducible one/serde_derive.wasm two/serde_derive.wasm
  reproducible one/thiserror.wasm two/thiserror.wasm
  untouched "$registry/serde_derive-1.0.152" stamp
  untouched "$registry/thiserror-impl-1.0.38" stamp
  "$CORPUS_COMPARE" one "$NATIVE_EXPAND" "$CORPUS"/*.rs >compare.log 2>&1 || { cat compare.log >&2; fail "the corpus differs from native"; }
  tail -n4 compare.log
  ;;
crate:*)
  # crate:DIR: a crate of the registry, unmodified, built to wasm; its corpus
  # (corpus/NAME.rs, NAME being DIR without its version) expanded by the
  # module and by the same sources natively (native-harness.py, built with
  # the native toolchain), token for token.
  dir=${name#crate:}
  crate=${dir%-*}
  build "$crate.wasm" "$work/t" "$registry/$dir" || exit 1
  python3 "$here/native-harness.py" "$work/t/wasmacro-build/$dir" "$work/harness" "$NATIVE_EXPAND_SRC" "$crate.wasm" || exit 1
  # A debug build: the comparison needs the same tokens, not speed (the
  # benchmark, bench/build, builds it optimised).
  if ! (cd "$work/harness/harness" && env -u RUSTC -u CARGO CARGO_TARGET_DIR="$work/harness/target" \
      cargo build --offline --quiet) >harness.log 2>&1; then
    cat harness.log >&2
    fail "the native harness of $dir does not build"
    exit 1
  fi
  "$CORPUS_COMPARE" "$crate.wasm" "$work/harness/target/debug/native-harness" "$here/corpus/$crate.rs" >compare.log 2>&1 ||
    { cat compare.log >&2; fail "the corpus of $crate differs from native"; }
  tail -n3 compare.log
  # corpus/NAME.errors.rs: entries the macro refuses, its errors compared.
  if [[ -f $here/corpus/$crate.errors.rs ]]; then
    "$CORPUS_COMPARE" --expect-errors "$crate.wasm" "$work/harness/target/debug/native-harness" \
      "$here/corpus/$crate.errors.rs" >errors.log 2>&1 ||
      { cat errors.log >&2; fail "the errors of $crate differ from native"; }
    tail -n2 errors.log
  fi
  # For the example (FIXTURES_REQUIRED in CMakeLists.txt).
  mkdir -p "$BUILD_WORK/modules" && cp "$crate.wasm" "$BUILD_WORK/modules/${crate//-/_}.wasm"
  ;;
example)
  # examples/macro-crates: the modules with their runtimes, through
  # `wasmacro rustc` as Cargo's RUSTC_WRAPPER.
  rm -rf "$work/target"
  # The modules are the crate cases' (built and compared there).
  if ! WASM_MODULES=$BUILD_WORK/modules CARGO_TARGET_DIR=$work/target WASMACRO=$WASMACRO \
      "$here/../../examples/macro-crates/run.sh" >out.txt 2>err.txt; then
    cat err.txt out.txt >&2
    fail "examples/macro-crates failed"
  fi
  cat out.txt
  grep -qx 'all macro crates ok' out.txt || fail "the example's checks did not all pass"
  ;;
*)
  echo "unknown case: $name" >&2
  exit 2
  ;;
esac
exit $failed
