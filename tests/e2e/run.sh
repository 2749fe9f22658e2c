#!/usr/bin/env bash
# One end-to-end case of `wasmacro rustc` with the real rustc:
#   run.sh CASE
# Environment (set by tests/e2e/CMakeLists.txt): WASMACRO (the binary),
# WASMACRO_CACHE_DIR (shared by the cases of one build tree), E2E_WORK (a
# scratch directory), FIXTURES (tests/fixtures), WAT2WASM (wabt's wat2wasm).
set -uo pipefail
# rustup's toolchain, as on these machines; Debian's rustc is only for wasm.
if [ -d "$HOME/.cargo/bin" ]; then export PATH="$HOME/.cargo/bin:$PATH"; fi
here=$(cd "$(dirname "$0")" && pwd)
cases=$here/cases
name=${1:?usage: run.sh CASE}
work=$E2E_WORK/$name
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 2
F=$FIXTURES
failed=0

fail() {
  echo "FAIL: $*" >&2
  failed=1
}

# compile_ok CASE ARGS...: compiles cases/CASE.rs into ./CASE, runs it and
# compares its output (stdout and stderr) with cases/CASE.expected.
compile_ok() {
  local c=$1
  shift
  if ! "$WASMACRO" rustc "$cases/$c.rs" --edition 2021 -o "$c" "$@" >compile.log 2>&1; then
    cat compile.log >&2
    fail "$c did not compile"
    return
  fi
  if ! ./"$c" >out.txt 2>&1; then fail "$c exited with status $?"; fi
  if ! diff -u "$cases/$c.expected" out.txt >&2; then fail "$c printed the wrong output"; fi
}

# compile_err CASE 'PATTERN'... -- ARGS...: compiling must fail, its messages
# containing every pattern (fixed strings).
compile_err() {
  local c=$1
  shift
  local patterns=()
  while [[ $1 != -- ]]; do patterns+=("$1"); shift; done
  shift
  local start=$SECONDS
  if timeout 120 "$WASMACRO" rustc "$cases/$c.rs" --edition 2021 -o "$c" "$@" >err.log 2>&1; then
    fail "$c compiled, but should not have"
  fi
  cat err.log
  for p in "${patterns[@]}"; do
    grep -qF -- "$p" err.log || fail "$c: the messages lack \`$p\`"
  done
  if [[ -e $c ]]; then fail "$c: an output file was written"; fi
  echo "($c failed as expected in $((SECONDS - start)) s)"
}

# thiserror's runtime crate, its derive from the wasm fixture.
thiserror_rlib() {
  "$WASMACRO" rustc --crate-name thiserror --crate-type rlib --edition 2018 --cap-lints allow \
    /usr/share/cargo/registry/thiserror-1.0.38/src/lib.rs --extern thiserror_impl="$F/thiserror.wasm" \
    -o libthiserror.rlib || fail "thiserror did not compile"
}

# stat_field NAME: one number of `wasmacro cache stats --json`.
stat_field() {
  "$WASMACRO" cache stats --json | python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"
}

# A module without its decls section, as plain watt modules are.
strip_decls() {
  python3 - "$1" "$2" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
out, pos = bytearray(data[:8]), 8
def leb(pos):
    v = shift = 0
    while True:
        b = data[pos]; pos += 1
        v |= (b & 0x7F) << shift; shift += 7
        if not b & 0x80: return v, pos
while pos < len(data):
    start = pos
    sid = data[pos]; pos += 1
    size, pos = leb(pos)
    end = pos + size
    drop = False
    if sid == 0:
        n, p = leb(pos)
        drop = data[p:p + n] == b".rustc_proc_macro_decls"
    if not drop: out += data[start:end]
    pos = end
open(sys.argv[2], "wb").write(out)
PY
}

case $name in
derive_demo)
  compile_ok derive_demo --wasm-proc-macro demo="$F/demo.wasm"
  ;;
derive_helpers)
  # thiserror's runtime crate re-exports the derive: a library crate whose
  # dependency is a wasm proc-macro, given as `--extern NAME=FILE.wasm`.
  src=/usr/share/cargo/registry/thiserror-1.0.38/src/lib.rs
  "$WASMACRO" rustc --crate-name thiserror --crate-type rlib --edition 2018 --cap-lints allow \
    "$src" --extern thiserror_impl="$F/thiserror.wasm" -o libthiserror.rlib || fail "thiserror did not compile"
  compile_ok derive_helpers --extern thiserror=libthiserror.rlib --extern thiserror_impl="$F/thiserror.wasm"
  ;;
attr_and_bang)
  compile_ok attr_and_bang --wasm-proc-macro=example_macros="$F/example_macros.wasm"
  ;;
syn_error)
  compile_err syn_error 'syn_error.rs:5:9' 'expected `enum`' -- --wasm-proc-macro example_macros="$F/example_macros.wasm"
  ;;
panic)
  compile_err panic 'panic.rs:4:10' 'hostile fixture: derive(Panic) panicked on purpose' -- \
    --wasm-proc-macro hostile="$F/hostile.wasm"
  ;;
infinite_loop)
  compile_err infinite_loop 'infinite_loop.rs:4:1' 'fuel' 'WASMACRO_FUEL' -- --wasm-proc-macro hostile="$F/hostile.wasm"
  ;;
limits)
  # A small memory cap, so that the allocating macro meets it before the fuel.
  WASMACRO_MAX_MEMORY_PAGES=512 compile_err limits \
    'limits.rs:5:1' 'memory limit exceeded' 'WASMACRO_MAX_MEMORY_PAGES' \
    'limits.rs:7:1' 'call stack exhausted' \
    'limits.rs:9:1' 'broke the watt-0.5 ABI' 'not a token stream handle' -- \
    --wasm-proc-macro hostile="$F/hostile.wasm"
  ;;
bad_files)
  head -c 2000 "$F/demo.wasm" >truncated.wasm
  echo 'this is not wasm' >text.wasm
  strip_decls "$F/demo.wasm" nodecls.wasm
  compile_err derive_demo 'cannot read' 'missing.wasm' -- --wasm-proc-macro demo=missing.wasm
  compile_err derive_demo 'text.wasm is not a WebAssembly module' -- --wasm-proc-macro demo=text.wasm
  compile_err derive_demo 'truncated.wasm' -- --wasm-proc-macro demo=truncated.wasm
  compile_err derive_demo 'wasmacro annotate' -- --wasm-proc-macro demo=nodecls.wasm
  compile_err derive_demo 'expects NAME=PATH' -- --wasm-proc-macro demo
  # None of these may leave an entry behind.
  if compgen -G "$WASMACRO_CACHE_DIR/demo-*" >/dev/null; then
    for d in "$WASMACRO_CACHE_DIR"/demo-*; do
      [[ -f $d/stamp ]] || fail "a broken entry was left in the cache: $d"
    done
  fi
  ;;
cache)
  # A cache of its own: four builds race to create it.
  export WASMACRO_CACHE_DIR=$work/cache
  for i in 1 2 3 4; do
    "$WASMACRO" rustc "$cases/derive_demo.rs" --edition 2021 -o "demo$i" \
      --wasm-proc-macro demo="$F/demo.wasm" >"log$i" 2>&1 &
  done
  for i in 1 2 3 4; do wait -n || fail "a concurrent build failed"; done
  for i in 1 2 3 4; do
    ./"demo$i" | diff -u "$cases/derive_demo.expected" - >&2 || fail "demo$i printed the wrong output"
  done
  entries=$(find "$WASMACRO_CACHE_DIR" -maxdepth 1 -name 'demo-*' | wc -l)
  bridges=$(find "$WASMACRO_CACHE_DIR" -maxdepth 1 -name 'bridge-*' | wc -l)
  [[ $entries == 1 && $bridges == 1 ]] || fail "expected one macro and one bridge entry, found $entries and $bridges"
  leftovers=$(find "$WASMACRO_CACHE_DIR/tmp" -mindepth 1 | wc -l)
  [[ $leftovers == 0 ]] || fail "temporary files left in the cache"
  # Corrupt the entry (a truncated library); it must be noticed and rebuilt.
  entry=$(find "$WASMACRO_CACHE_DIR" -maxdepth 1 -name 'demo-*')
  sum=$(sha256sum <"$entry/libdemo.so")
  truncate -s 1000 "$entry/libdemo.so"
  compile_ok derive_demo --wasm-proc-macro demo="$F/demo.wasm"
  # Rebuilt, and the same bytes: a library does not depend on who built it.
  [[ $(sha256sum <"$entry/libdemo.so") == "$sum" ]] || fail "the corrupted entry was not rebuilt as it was"
  # A stamp that does not match is as bad as a damaged library.
  echo garbage >"$entry/stamp"
  compile_ok derive_demo --wasm-proc-macro demo="$F/demo.wasm"
  key=${entry##*/demo-}
  [[ $key =~ ^[0-9a-f]{64}$ ]] || fail "the entry's key is not a SHA-256 digest: $key"
  grep -q "^wasmacro-cache-entry-v2 $key libdemo.so " "$entry/stamp" || fail "the stamp was not rewritten"
  # Another module's entry under this module's name (what a key collision
  # would give) is a miss: the stamp names the full key it was built for.
  "$WASMACRO" rustc "$cases/derive_demo.rs" --edition 2021 -o other \
    --wasm-proc-macro demo="$F/example_macros.wasm" >other.log 2>&1 || true
  other=$(find "$WASMACRO_CACHE_DIR" -maxdepth 1 -name 'demo-*' ! -name "demo-$key")
  [[ -n $other && -f $other/stamp ]] || fail "no entry was made for a second module: $(cat other.log)"
  rm -rf "$other"
  cp -r "$entry" "$other"
  "$WASMACRO" rustc "$cases/derive_demo.rs" --edition 2021 -o other \
    --wasm-proc-macro demo="$F/example_macros.wasm" >other.log 2>&1 || true
  grep -q "^wasmacro-cache-entry-v2 ${other##*/demo-} libdemo.so " "$other/stamp" ||
    fail "an entry built for another key was used: $(cat "$other/stamp")"
  ;;
expansion_cache)
  # The expansion cache of the bridge (src/cache), in a directory of its own.
  export WASMACRO_CACHE_DIR=$work/cache
  thiserror_rlib
  # moved N: the derive on a struct whose Display has a type error inside
  # the expansion (the field does not implement Display), after N lines.
  moved() {
    { echo 'use thiserror::Error;'; for ((i = 0; i < $1; i++)); do echo "fn pad$i() {}"; done
      printf '#[derive(Error, Debug)]\n#[error("failed: {0}")]\npub struct Failure(NoDisplay);\n'
      printf '#[derive(Debug)]\npub struct NoDisplay;\nfn main() {}\n'; } >moved.rs
    "$WASMACRO" rustc moved.rs --edition 2021 --extern thiserror=libthiserror.rlib \
      --extern thiserror_impl="$F/thiserror.wasm" -o moved >moved.log 2>&1 && fail "moved.rs compiled"
  }
  moved 0
  grep -qF -- '--> moved.rs:3:9' moved.log || fail "the error is not at line 3: $(cat moved.log)"
  [[ $(stat_field misses) == 1 && $(stat_field hits) == 0 && $(stat_field stores) == 1 ]] || fail "a cold build: $("$WASMACRO" cache stats)"
  moved 7
  grep -qF -- '--> moved.rs:10:9' moved.log || fail "the replayed error is not at the new line 10: $(cat moved.log)"
  [[ $(stat_field misses) == 1 && $(stat_field hits) == 1 ]] || fail "the moved struct was not a hit: $("$WASMACRO" cache stats)"
  # The entry holds the output with the input's span numbering: the same
  # bytes whoever wrote it. Cleared, the build rewrites it identically.
  entry=$(find "$WASMACRO_CACHE_DIR/expansions/entries" -type f)
  sum=$(sha256sum <"$entry")
  "$WASMACRO" cache clear >/dev/null
  [[ $(stat_field entries) == 0 && $(stat_field hits) == 0 ]] || fail "clear left entries or counts"
  moved 3
  [[ $(sha256sum <"$entry") == "$sum" ]] || fail "the rewritten entry differs"
  # A corrupted entry is a miss and is rewritten; the build is as before.
  printf 'garbage' | dd of="$entry" bs=1 seek=100 conv=notrunc 2>/dev/null
  moved 3
  grep -qF -- '--> moved.rs:6:9' moved.log || fail "after a corrupted entry: $(cat moved.log)"
  [[ $(sha256sum <"$entry") == "$sum" && $(stat_field hits) == 0 ]] || fail "the corrupted entry was used or not rewritten"
  # The same derive twice in one build: the second is a hit.
  "$WASMACRO" cache clear >/dev/null
  printf 'mod a {\n#[derive(demo::Demo)]\npub struct S;\n}\nmod b {\n#[derive(demo::Demo)]\npub struct S;\n}\nfn main() { println!("{} {}", a::S::MESSAGE, b::S::MESSAGE); }\n' >twice.rs
  "$WASMACRO" rustc twice.rs --edition 2021 --wasm-proc-macro demo="$F/demo.wasm" -o twice || fail "twice.rs did not compile"
  [[ $(./twice) == "Hello from WASM! My name is S. Hello from WASM! My name is S." ]] || fail "twice printed $(./twice)"
  [[ $(stat_field misses) == 1 && $(stat_field hits) == 1 ]] || fail "the second derive was not a hit: $("$WASMACRO" cache stats)"
  # WASMACRO_CACHE=off and --no-cache write nothing.
  for how in "env WASMACRO_CACHE=off" "env"; do
    flag=; [[ $how == env ]] && flag=--no-cache
    rm -rf off && mkdir off
    WASMACRO_CACHE_DIR=$work/off $how "$WASMACRO" rustc $flag twice.rs --edition 2021 \
      --wasm-proc-macro demo="$F/demo.wasm" -o twice-off || fail "twice.rs did not compile ($how $flag)"
    [[ ! -e off/expansions ]] || fail "$how $flag wrote to the expansion cache"
  done
  # A directory that cannot be written: one warning, and the build goes on.
  mkdir -p blocked && touch blocked/expansions
  WASMACRO_CACHE_DIR=$work/blocked "$WASMACRO" rustc twice.rs --edition 2021 \
    --wasm-proc-macro demo="$F/demo.wasm" -o twice-blocked 2>blocked.log || fail "the build with an unwritable cache failed"
  [[ $(grep -c 'warning: wasmacro: .*expanding without the cache' blocked.log) == 1 ]] ||
    fail "expected one warning: $(cat blocked.log)"
  [[ $(./twice-blocked) == "$(./twice)" ]] || fail "the uncached build printed something else"
  ;;
expansion_cache_concurrent)
  # Eight builds sharing one empty expansion cache all succeed and expand
  # identically, and as a build without the cache does.
  export WASMACRO_CACHE_DIR=$work/cache
  thiserror_rlib
  expand_args=(--edition 2021 -Zunpretty=expanded --extern thiserror=libthiserror.rlib
    --extern thiserror_impl="$F/thiserror.wasm" --wasm-proc-macro=example_macros="$F/example_macros.wasm")
  sed 's/^fn main()/pub fn run()/' "$cases/derive_helpers.rs" >helpers.rs
  sed 's/^fn main()/pub fn run()/' "$cases/attr_and_bang.rs" >attrs.rs
  printf 'mod helpers;\nmod attrs;\nfn main() {\n    helpers::run();\n    attrs::run();\n}\n' >all.rs
  RUSTC_BOOTSTRAP=1 WASMACRO_CACHE=off "$WASMACRO" rustc all.rs "${expand_args[@]}" >uncached.txt 2>&1 ||
    { cat uncached.txt; fail "all.rs did not expand"; }
  "$WASMACRO" cache clear >/dev/null
  for i in 1 2 3 4 5 6 7 8; do
    RUSTC_BOOTSTRAP=1 "$WASMACRO" rustc all.rs "${expand_args[@]}" >"out$i.txt" 2>&1 &
  done
  for i in 1 2 3 4 5 6 7 8; do wait -n || fail "a concurrent build failed"; done
  for i in 1 2 3 4 5 6 7 8; do
    cmp -s uncached.txt "out$i.txt" || { diff uncached.txt "out$i.txt" | head >&2; fail "build $i expanded differently"; }
  done
  RUSTC_BOOTSTRAP=1 "$WASMACRO" rustc all.rs "${expand_args[@]}" >warm.txt 2>&1
  cmp -s uncached.txt warm.txt || fail "the warm build expanded differently"
  misses=$(stat_field misses); hits=$(stat_field hits); entries=$(stat_field entries)
  (( entries > 0 && misses <= 8 * entries && hits >= entries )) ||
    fail "counts after eight builds and a warm one: $("$WASMACRO" cache stats)"
  leftovers=$(find "$WASMACRO_CACHE_DIR/expansions/tmp" -mindepth 1 | wc -l)
  [[ $leftovers == 0 ]] || fail "temporary files left in the expansion cache"
  ;;
keyword_names_by_edition)
  # A name is refused at load time if it is a keyword in the module's
  # edition, and only then: rustc compiles the bridge crate of a 2015 macro
  # named `async` and a 2021 one named `gen`, and the crate using them.
  for edition_name in 2015:async 2021:gen; do
    edition=${edition_name%%:*} word=${edition_name#*:}
    "$WASMACRO" annotate "$F/demo.wasm" -o "kw$edition.wasm" --edition "$edition" \
      --derive Demo=derive_demo --bang "$word=derive_demo" >/dev/null || fail "annotate refused $word in $edition"
    compile_ok derive_demo --wasm-proc-macro demo="kw$edition.wasm"
  done
  if "$WASMACRO" annotate "$F/demo.wasm" -o kw.wasm --edition 2018 --bang async=derive_demo 2>err.txt; then
    fail "annotate accepted async in 2018"
  fi
  grep -qF '`async` is a keyword in Rust 2018 and cannot be a macro name' err.txt || fail "wrong error: $(cat err.txt)"
  ;;
guest_nesting_overflows_rustc)
  # A guest's stream nested below the old limit (4,096 groups) overflowed
  # rustc's stack once rustc parsed it: 472 nested closure bodies suffice.
  # At the limit, in that shape, through either import, rustc compiles and
  # runs the crate; one level deeper, or the old limit, is the host's error
  # at the call site.
  echo 'fn main() { let _f = nest::nest!(); println!("ok"); }' >main.rs
  for import in parse deserialize; do
    for depth in 256 257 4096; do
      python3 "$here/nest_macro.py" $import $depth >nest.wat &&
        "$WAT2WASM" nest.wat -o raw.wasm &&
        "$WASMACRO" annotate raw.wasm -o nest.wasm --bang nest=nest >/dev/null || fail "no nest macro for $import $depth"
      status=0
      "$WASMACRO" rustc main.rs --edition 2021 -o main --wasm-proc-macro nest=nest.wasm >log.txt 2>&1 || status=$?
      if [[ $depth == 256 ]]; then
        [[ $status == 0 && $(./main) == ok ]] || fail "$import, $depth deep: status $status: $(head -c 600 log.txt)"
        # The limit is for what a guest returns: rustc's own tokens reach the
        # macro at any depth (nest ignores them).
        python3 -c 'n = 1000; print("fn main() { let _f = nest::nest!(" + "[" * n + "]" * n + "); println!(\"ok\"); }")' >deep_input.rs
        "$WASMACRO" rustc deep_input.rs --edition 2021 -o deep_input --wasm-proc-macro nest=nest.wasm >log.txt 2>&1 &&
          [[ $(./deep_input) == ok ]] || fail "$import: input nested 1,000 deep was refused: $(head -c 600 log.txt)"
      else
        [[ $status == 1 ]] || fail "$import, $depth deep: expected status 1, got $status: $(head -c 600 log.txt)"
        grep -qE "nests groups $depth deep; the host accepts at most 256|groups nested more than 256 deep" log.txt ||
          fail "$import, $depth deep: not the nesting error: $(head -c 600 log.txt)"
        grep -q "main.rs:1:22" log.txt || fail "$import, $depth deep: the error is not at the call site"
      fi
    done
  done
  ;;
wrapper_chain)
  # As Cargo's RUSTC_WRAPPER (argv[1] is the rustc path), chained to another
  # wrapper, here a stand-in for sccache that records what it was given.
  cat >chain.sh <<'SH'
#!/usr/bin/env bash
printf '%s\n' "$@" >"$(dirname "$0")/chain.args"
exec "$@"
SH
  chmod +x chain.sh
  rustc_path=$(command -v rustc)
  WASMACRO_RUSTC_WRAPPER=$work/chain.sh "$WASMACRO" "$rustc_path" "$cases/derive_demo.rs" --edition 2021 \
    -o derive_demo --extern demo="$F/demo.wasm" || fail "the chained build failed"
  ./derive_demo | diff -u "$cases/derive_demo.expected" - >&2 || fail "wrong output"
  [[ $(head -n1 chain.args) == "$rustc_path" ]] || fail "the chained wrapper was not given the rustc path first"
  grep -q '^demo=.*/libdemo\.so$' chain.args || fail "the chained wrapper did not see --extern demo=<crate>"
  ;;
serde_workspace)
  # The example workspace through Cargo, wasmacro as RUSTC_WRAPPER.
  CARGO_TARGET_DIR=$work/target WASMACRO=$WASMACRO "$here/../../examples/serde-workspace/run.sh" >out.txt 2>&1
  status=$?
  cat out.txt
  [[ $status == 0 ]] || fail "the serde workspace failed (status $status)"
  grep -qx 'all round trips ok' out.txt || fail "the round trips did not all pass"
  # Cargo learns about the wasm module from the dep-info, so that replacing
  # it rebuilds the crates that use it.
  grep -qs "^$work/target/debug/deps/serde_wasm_app-[0-9a-f]*\.d: .*/tests/fixtures/serde_derive\.wasm\$" \
    "$work"/target/debug/deps/serde_wasm_app-*.d || fail "the dep-info does not name serde_derive.wasm"
  ;;
watt_shim)
  # Cargo builds rust/bridge as `watt` (build.rs finds libwasmacro.a through
  # WASMACRO_LIB_DIR), and the shim calls a module without decls by export.
  strip_decls "$F/demo.wasm" "$work/plain.wasm"
  export DEMO_WASM=$work/plain.wasm
  if (cd "$here/watt-shim" && CARGO_TARGET_DIR=$work/target cargo run --quiet --offline -p demo-app) >out.txt 2>&1; then
    cat out.txt
    grep -qx 'Hello from WASM! My name is FromWatt.' out.txt || fail "wrong output from the watt shim"
  else
    cat out.txt
    fail "the watt shim workspace failed"
  fi
  ;;
wire_golden)
  # The bridge decodes and encodes rust/wire's golden stream inside rustc, as
  # the guest's and the C++ side's unit tests do outside it.
  if (cd "$here/wire-golden" && CARGO_TARGET_DIR=$work/target cargo run --quiet --offline -p wire-golden-app) >out.txt 2>&1; then
    cat out.txt
    grep -qx 'golden ok' out.txt || fail "wrong output from the wire golden check"
  else
    cat out.txt
    fail "the bridge's wire golden check failed"
  fi
  ;;
*)
  echo "unknown case: $name" >&2
  exit 2
  ;;
esac
exit $failed
