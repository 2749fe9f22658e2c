#!/usr/bin/env bash
# One case of `wasmacro cargo` with the real Cargo, offline over Debian's
# registry (the workspace's .cargo/config.toml):  run.sh CASE
# Environment (set by tests/cargo/CMakeLists.txt): WASMACRO (the binary; a
# cargo-wasmacro link beside it), WASMACRO_CACHE_DIR (shared by the cases of
# one build tree), CARGO_WORK (a scratch directory), FIXTURES (tests/fixtures).
set -uo pipefail
if [ -d "$HOME/.cargo/bin" ]; then export PATH="$HOME/.cargo/bin:$PATH"; fi
here=$(cd "$(dirname "$0")" && pwd)
name=${1:?usage: run.sh CASE}
work=$CARGO_WORK/$name
rm -rf "$work" && mkdir -p "$work" || exit 2
# The workspace as a user has it: thiserror-impl's module where its
# Cargo.toml's table says, serde_derive's in a macro directory under the
# name NAME-VERSION.wasm.
cp -r "$here/workspace" "$work/ws" && mkdir -p "$work/ws/wasm" "$work/macros"
cp "$FIXTURES/thiserror.wasm" "$work/ws/wasm/thiserror.wasm"
cp "$FIXTURES/serde_derive.wasm" "$work/macros/serde_derive-1.0.152.wasm"
cd "$work/ws" || exit 2
export CARGO_TARGET_DIR=$work/target
unset RUSTC_WRAPPER RUSTFLAGS CARGO_ENCODED_RUSTFLAGS
failed=0

fail() {
  echo "FAIL: $*" >&2
  failed=1
}

# wcargo LOG ARGS...: `wasmacro cargo ARGS...` with the macro directory,
# its output in LOG (and shown); fails the case on a non-zero status.
wcargo() {
  local log=$1
  shift
  "$WASMACRO" cargo --macro-dir "$work/macros" "$@" >"$log" 2>&1
  local status=$?
  cat "$log"
  [[ $status == 0 ]] || fail "wasmacro cargo $* exited with status $status"
}

# No native macro, nor syn, quote or proc-macro2, is compiled for the host.
no_native_macros() {
  for crate in syn quote proc-macro2 serde_derive thiserror-impl clap_derive tokio-macros tracing-attributes; do
    if grep -E "^ *(Compiling|Checking) $crate v[0-9.]+( |\$)" "$1" | grep -qv /shim-; then
      fail "$crate was compiled natively"
    fi
  done
  if compgen -G "$CARGO_TARGET_DIR/debug/deps/libsyn-*" >/dev/null; then fail "syn was built"; fi
}

# compiled LOG: the packages LOG says Cargo compiled, one a line, sorted.
compiled() {
  sed -nE 's/^ *(Compiling|Checking) ([^ ]+) v.*/\2/p' "$1" | sort
}

case $name in
build)
  cp Cargo.lock "$work/Cargo.lock.before"
  wcargo build.log build
  no_native_macros build.log
  grep -q "Compiling thiserror-impl v1.0.38 (.*/shim-thiserror-impl-1.0.38-" build.log ||
    fail "thiserror-impl was not the shim"
  grep -q "Compiling serde_derive v1.0.152 (.*/shim-serde_derive-1.0.152-" build.log ||
    fail "serde_derive was not the shim"
  "$CARGO_TARGET_DIR/debug/app" >out.txt 2>&1 || fail "app exited with status $?"
  diff -u - out.txt <<'OUT' || fail "app printed the wrong output"
{"kind":"Circle","center":{"x":1,"y":-2,"label":"a"},"radius":3}
a polygon needs 3 points, this one has 2
not JSON: EOF while parsing an object at line 1 column 1
OUT
  cmp -s Cargo.lock "$work/Cargo.lock.before" || fail "Cargo.lock was changed"
  # A second build has nothing to do: the shims are where they were.
  wcargo again.log build
  [[ -z $(compiled again.log) ]] || fail "a second build compiled: $(compiled again.log)"
  # --locked and --frozen check the user's lock file, which stays as it was.
  wcargo locked.log build --locked
  wcargo frozen.log build --frozen
  cmp -s Cargo.lock "$work/Cargo.lock.before" || fail "Cargo.lock was changed by --locked or --frozen"
  # A lock file that no longer matches the manifests is refused, as by Cargo.
  cp app/Cargo.toml "$work/app.toml" && printf 'itoa = "1"\n' >>app/Cargo.toml
  if "$WASMACRO" cargo --macro-dir "$work/macros" build --locked >stale.log 2>&1; then
    fail "a stale lock file passed --locked"
  fi
  grep -q "because --locked was passed" stale.log || fail "the refusal of a stale lock file: $(cat stale.log)"
  cp "$work/app.toml" app/Cargo.toml
  cmp -s Cargo.lock "$work/Cargo.lock.before" || fail "Cargo.lock was changed by the refused build"
  # So does `cargo wasmacro`, through the cargo-wasmacro link on PATH.
  PATH=$(dirname "$WASMACRO"):$PATH cargo wasmacro --macro-dir "$work/macros" build >sub.log 2>&1 ||
    fail "cargo wasmacro build failed: $(cat sub.log)"
  [[ -z $(compiled sub.log) ]] || fail "cargo wasmacro build compiled: $(compiled sub.log)"
  ;;
check_test_doc)
  wcargo check.log check
  no_native_macros check.log
  wcargo test.log test
  no_native_macros test.log
  grep -q "test result: ok. 2 passed" test.log || fail "the tests did not pass"
  wcargo doc.log doc
  no_native_macros doc.log
  [[ -f $CARGO_TARGET_DIR/doc/thiserror_impl/derive.Error.html ]] || fail "no doc for the shim's derive"
  [[ -f $CARGO_TARGET_DIR/doc/app/enum.ReadError.html ]] || fail "no doc for app"
  ;;
clippy)
  if ! cargo clippy --version >/dev/null 2>&1; then
    echo "cargo clippy is not installed"
    exit 0
  fi
  wcargo clippy.log clippy -- -D warnings
  no_native_macros clippy.log
  ;;
list_macros)
  "$WASMACRO" cargo --list-macros --macro-dir "$work/macros" >list.txt 2>&1 || fail "--list-macros failed"
  cat list.txt
  diff -u - list.txt <<OUT || fail "--list-macros printed the wrong list"
serde_derive 1.0.152: $work/macros/serde_derive-1.0.152.wasm (the macro directory)
thiserror-impl 1.0.38: $work/ws/wasm/thiserror.wasm (workspace.metadata.wasmacro.macros in $work/ws/Cargo.toml)
OUT
  "$WASMACRO" cargo --list-macros >none.txt 2>&1 || fail "--list-macros without a macro directory failed"
  grep -qx "serde_derive 1.0.152: none: not in a wasmacro.macros table, and no macro directory (--macro-dir or WASMACRO_MACRO_DIR)" none.txt ||
    fail "--list-macros does not say why serde_derive has none: $(cat none.txt)"
  WASMACRO_MACRO_DIR=$work/macros "$WASMACRO" cargo --list-macros >env.txt 2>&1
  cmp -s env.txt list.txt || fail "WASMACRO_MACRO_DIR is not the macro directory"
  ;;
build_macros)
  # serde_derive has no prebuilt module here: --build-macros builds it from
  # Debian's registry with Debian's toolchain (the one with the wasm std),
  # once, into the cache.
  rm -rf "$WASMACRO_CACHE_DIR/macros"
  export WASMACRO_WASM_RUSTC=/usr/bin/rustc WASMACRO_WASM_CARGO=/usr/bin/cargo
  "$WASMACRO" cargo --build-macros --list-macros >before.txt 2>&1 || fail "--list-macros failed"
  grep -qx "serde_derive 1.0.152: none: .*; --build-macros would build it" before.txt ||
    fail "--list-macros does not say --build-macros would build serde_derive: $(cat before.txt)"
  "$WASMACRO" cargo --build-macros build >build.log 2>&1 || fail "--build-macros build failed"
  cat build.log
  grep -qx "wasmacro: building serde_derive 1.0.152 to wasm (once; kept in $WASMACRO_CACHE_DIR/macros)" build.log ||
    fail "serde_derive was not built to wasm"
  grep -q "Compiling serde_derive v1.0.152 (.*/shim-serde_derive-1.0.152-" build.log ||
    fail "serde_derive was not the shim"
  # syn was compiled for wasm, in the cache's build directory, not for the host.
  if compgen -G "$CARGO_TARGET_DIR/debug/deps/libsyn-*" >/dev/null; then fail "syn was built for the host"; fi
  compgen -G "$WASMACRO_CACHE_DIR/macros/serde_derive-1.0.152-*.wasm" >/dev/null || fail "no module in the cache"
  [[ ! -e $WASMACRO_CACHE_DIR/macros/build ]] || [[ -z $(ls "$WASMACRO_CACHE_DIR/macros/build") ]] ||
    fail "the build directory was left behind: $(ls "$WASMACRO_CACHE_DIR/macros/build")"
  "$CARGO_TARGET_DIR/debug/app" >out.txt 2>&1 || fail "app exited with status $?"
  grep -qx '{"kind":"Circle","center":{"x":1,"y":-2,"label":"a"},"radius":3}' out.txt ||
    fail "app printed the wrong output: $(cat out.txt)"
  # Built once: the next run uses the cached module and compiles nothing.
  "$WASMACRO" cargo --build-macros build >again.log 2>&1 || fail "the second --build-macros build failed"
  ! grep -q "to wasm" again.log || fail "serde_derive was built again: $(cat again.log)"
  [[ -z $(compiled again.log) ]] || fail "a second build compiled: $(compiled again.log)"
  "$WASMACRO" cargo --build-macros --list-macros >after.txt 2>&1
  grep -qx "serde_derive 1.0.152: $WASMACRO_CACHE_DIR/macros/serde_derive-1.0.152-[0-9a-f]*.wasm (built by --build-macros, cached)" after.txt ||
    fail "--list-macros does not show the cached module: $(cat after.txt)"
  # A toolchain without the wasm std (rustup's, x86_64 only here) is another
  # key; its build fails, and Cargo builds serde_derive natively.
  if /usr/bin/env rustc --print sysroot >/dev/null 2>&1 &&
    [[ ! -d "$(rustc --print sysroot)/lib/rustlib/wasm32-unknown-unknown" ]]; then
    WASMACRO_WASM_RUSTC=rustc WASMACRO_WASM_CARGO=cargo "$WASMACRO" cargo --build-macros check >native.log 2>&1 ||
      fail "the check with a failed wasm build failed"
    cat native.log
    grep -qx "warning: wasmacro: serde_derive 1.0.152 could not be built to wasm (.*wasm32-unknown-unknown.*); Cargo builds it natively" native.log ||
      fail "no one-line warning for the failed wasm build"
    grep -q "Checking serde_derive v1.0.152\$\|Compiling serde_derive v1.0.152\$" native.log ||
      fail "serde_derive was not built natively"
  fi
  ;;
wasm_only)
  # Without the macro directory, serde_derive has no wasm build: built
  # natively with a warning, or refused with --wasm-only.
  if "$WASMACRO" cargo --wasm-only check >only.log 2>&1; then fail "--wasm-only did not refuse"; fi
  cat only.log
  grep -qx "error: wasmacro: --wasm-only: no wasm build for serde_derive 1.0.152 (see --list-macros)" only.log ||
    fail "--wasm-only did not name serde_derive"
  "$WASMACRO" cargo check >native.log 2>&1 || fail "the check with a native serde_derive failed"
  cat native.log
  grep -qx "warning: wasmacro: serde_derive 1.0.152 has no wasm build; Cargo builds it natively (see --list-macros)" native.log ||
    fail "no warning naming serde_derive"
  grep -q "Checking thiserror-impl v1.0.38 (.*/shim-thiserror-impl-1.0.38-\|Compiling thiserror-impl v1.0.38 (.*/shim-" native.log ||
    fail "thiserror-impl was not the shim"
  # A table entry whose file is missing is an error naming both.
  rm wasm/thiserror.wasm
  if "$WASMACRO" cargo check >missing.log 2>&1; then fail "a missing module was not refused"; fi
  grep -qF "error: wasmacro: $work/ws/Cargo.toml: \`workspace.metadata.wasmacro.macros.thiserror-impl\` names $work/ws/wasm/thiserror.wasm, which does not exist" missing.log ||
    fail "the missing module is not named: $(cat missing.log)"
  ;;
rebuild_one)
  # A new thiserror module (one more custom section, so other bytes) makes a
  # new shim: Cargo rebuilds thiserror-impl and what depends on it, and
  # nothing that only uses serde's derives.
  wcargo first.log build
  python3 - wasm/thiserror.wasm <<'PY'
import sys
path = sys.argv[1]
name = b"wasmacro-test"
body = bytes([len(name)]) + name + b"changed"
open(path, "ab").write(bytes([0, len(body)]) + body)
PY
  wcargo second.log build
  diff -u <(printf '%s\n' app thiserror thiserror-impl) <(compiled second.log) ||
    fail "replacing thiserror's module rebuilt the wrong crates"
  "$CARGO_TARGET_DIR/debug/app" >/dev/null || fail "app built with the new module does not run"
  ;;
reproducible)
  # With a cache of its own: shims written again after the cache lost them
  # are the same bytes with the same times, so Cargo rebuilds nothing.
  export WASMACRO_CACHE_DIR=$work/cache
  wcargo first.log build
  shims() { (cd "$WASMACRO_CACHE_DIR" && find shim-* -type f -printf '%p %TY-%Tm-%Td\n' -exec sha256sum {} \; | sort); }
  shims >shims.before
  [[ $(grep -c 'src/lib.rs ' shims.before) == 2 ]] || fail "not two shims: $(cat shims.before)"
  rm -rf "$WASMACRO_CACHE_DIR"/shim-*
  wcargo second.log build
  shims >shims.after
  diff -u shims.before shims.after || fail "the shims written again differ"
  [[ -z $(compiled second.log) ]] || fail "shims written again rebuilt: $(compiled second.log)"
  ;;
engine_options)
  # The engine's options reach the bridge inside rustc: from `wasmacro cargo`
  # (a fuel budget too small for serde's derives fails the build, naming the
  # limit) and from `wasmacro rustc`, also as Cargo's wrapper.
  if "$WASMACRO" cargo --macro-dir "$work/macros" --fuel 2000 check -p model >fuel.log 2>&1; then
    fail "a fuel budget of 2000 did not stop serde's derives"
  fi
  cat fuel.log
  grep -q "fuel" fuel.log || fail "the error does not name the fuel limit"
  wcargo interp.log --interpreter --max-memory-pages 2048 --max-call-depth 5000 check -p model
  if "$WASMACRO" cargo --fuel lots check >bad.log 2>&1; then fail "--fuel lots was taken"; fi
  grep -qx 'error: wasmacro: --fuel takes a number, not `lots`' bad.log || fail "bad --fuel: $(cat bad.log)"
  printf '#[derive(demo::Demo)] struct S;\nfn main() { println!("{}", S::MESSAGE); }\n' >demo.rs
  if "$WASMACRO" rustc demo.rs --edition 2021 --wasm-proc-macro demo="$FIXTURES/demo.wasm" --fuel 10 -o demo >rustc.log 2>&1; then
    fail "wasmacro rustc --fuel 10 did not stop the derive"
  fi
  cat rustc.log
  grep -q "fuel" rustc.log || fail "wasmacro rustc --fuel: the error does not name the fuel limit"
  "$WASMACRO" rustc demo.rs --edition 2021 --wasm-proc-macro demo="$FIXTURES/demo.wasm" --interpreter -o demo >ok.log 2>&1 ||
    fail "wasmacro rustc --interpreter failed: $(cat ok.log)"
  [[ $(./demo) == "Hello from WASM! My name is S." ]] || fail "the demo printed the wrong message"
  ;;
graph)
  # graph/: every macro behind a runtime crate's feature (clap's `derive`,
  # tokio's `macros`, tracing's `attributes`), none prebuilt. --build-macros
  # builds each to wasm once (clap_derive for wasm32-wasi, as it reads
  # CARGO_PKG_*), and Cargo compiles none of them, nor syn, for the host.
  # A cache of its own: build_macros empties the shared one's macros.
  export WASMACRO_CACHE_DIR=$work/cache WASMACRO_WASM_RUSTC=/usr/bin/rustc WASMACRO_WASM_CARGO=/usr/bin/cargo
  rm -rf "$work/ws" && cp -r "$here/graph" "$work/ws" && cd "$work/ws" || exit 2
  for command in build test "doc --no-deps"; do
    log=${command%% *}.log
    # shellcheck disable=SC2086 # the command's words
    "$WASMACRO" cargo --build-macros $command >"$log" 2>&1 || fail "wasmacro cargo --build-macros $command failed"
    cat "$log"
  done
  # The build's log also has the wasm builds' cargo (syn for wasm32, in the
  # cache): the target directory says what was compiled for the host.
  if compgen -G "$CARGO_TARGET_DIR/debug/deps/libsyn-*" >/dev/null; then fail "syn was built for the host"; fi
  no_native_macros test.log
  no_native_macros doc.log
  for crate in clap_derive tokio-macros tracing-attributes; do
    grep -q "Compiling $crate v[0-9.]* (.*/shim-$crate-" build.log || fail "$crate was not the shim"
    grep -qx "wasmacro: building $crate [0-9.]* to wasm (once; kept in $WASMACRO_CACHE_DIR/macros)" build.log ||
      fail "$crate was not built to wasm"
  done
  grep -q "^note: clap_derive reads Cargo's CARGO_PKG_\* while it expands .*: building it for wasm32-wasi" build.log ||
    fail "clap_derive was not built for wasm32-wasi"
  ! grep -q "to wasm" test.log doc.log || fail "a macro was built to wasm again"
  grep -q "test result: ok. 0 passed" test.log || fail "cargo test did not run"
  [[ -f $CARGO_TARGET_DIR/doc/cli/index.html ]] || fail "no doc for cli"
  cli=$CARGO_TARGET_DIR/debug/cli
  [[ $("$cli" --times 2 a b c) == "6 words, 1 span" ]] || fail "cli counted wrong: $("$cli" --times 2 a b c 2>&1)"
  # clap's `version` and `about` are the package's, from Cargo.toml.
  [[ $("$cli" --version) == "cli 0.3.1" ]] || fail "cli --version: $("$cli" --version 2>&1)"
  "$cli" --help >help.txt
  grep -qx "Counts its words" help.txt || fail "cli --help has not the package's description: $(cat help.txt)"
  grep -q "How many times to count each word" help.txt || fail "cli --help has not the field's doc comment"
  "$cli" --times x >bad.txt 2>&1 && fail "cli took --times x"
  grep -qF "Invalid value 'x' for '--times <TIMES>'" bad.txt || fail "cli's error for --times x: $(cat bad.txt)"
  # proc-macro-error-attr is used by clap_derive alone, which comes from
  # wasm: it is neither built to wasm nor patched.
  ! grep -q "proc-macro-error-attr" build.log || fail "proc-macro-error-attr was built or patched"
  "$WASMACRO" cargo --build-macros --list-macros >list.txt 2>&1
  grep -qx "proc-macro-error-attr 1.0.3: not built: only proc-macro crates that come from wasm use it" list.txt ||
    fail "--list-macros does not say why proc-macro-error-attr is not built: $(cat list.txt)"
  ;;
rustc_help)
  # wasmacro's own flags first, then rustc's help.
  "$WASMACRO" rustc --help >help.txt 2>&1 || fail "wasmacro rustc --help failed"
  ours=$(grep -n -- '--wasm-proc-macro NAME=FILE.wasm' help.txt | head -1 | cut -d: -f1)
  theirs=$(grep -n '^Usage: rustc' help.txt | head -1 | cut -d: -f1)
  [[ -n $ours && -n $theirs && $ours -lt $theirs ]] || fail "wasmacro's flags do not come before rustc's help"
  for flag in --extern --pre-expand --fuel --interpreter; do
    grep -q -- "$flag" help.txt || fail "wasmacro rustc --help does not explain $flag"
  done
  ;;
*)
  echo "unknown case: $name" >&2
  exit 2
  ;;
esac
exit $failed
