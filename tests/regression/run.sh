#!/usr/bin/env bash
# Regression tests, each named after the problem it pins: run.sh CASE.
# Every case must end with a clean error or the right answer, never with a
# signal or a hang (ctest's timeout catches a hang; nothing here is timed).
# Environment: WASMACRO (the binary), WAT2WASM, FIXTURES, EXAMPLES, WORK.
set -euo pipefail
case_name=$1
here=$(cd "$(dirname "$0")" && pwd)
work=$WORK/$case_name
rm -rf "$work"
mkdir -p "$work"
cd "$work"

fail() {
  echo "FAIL $case_name: $*" >&2
  exit 1
}
# Runs the command; it must exit with status 1 and print `error: ` and the
# expected text on stderr.
expect_error() {
  local want=$1 status=0
  shift
  "$@" >out.txt 2>err.txt || status=$?
  [[ $status == 1 ]] || fail "expected exit 1, got $status from $*: $(head -c 400 err.txt)"
  grep -q '^error: ' err.txt || fail "no 'error: ' line from $*: $(head -c 400 err.txt)"
  grep -qF -- "$want" err.txt || fail "expected '$want' from $*, got: $(head -c 400 err.txt)"
}
wat() { "$WAT2WASM" --enable-all "$here/$1.wat" -o "$1.wasm"; }

case $case_name in
bulk-fill-fuel)
  wat bulk-fill-fuel
  for tier in "" --interpreter; do
    for export in fill_memory copy_memory fill_table copy_table; do
      expect_error "fuel exhausted" "$WASMACRO" run $tier bulk-fill-fuel.wasm $export
    done
  done
  ;;
straight-line-fuel)
  # A loop around 20,000 straight-line instructions cost one unit an
  # iteration: 12 minutes under the default fuel. Now its length is paid for.
  python3 -c '
body = "\n".join(["local.get 0 i32.const 1 i32.add local.set 0"] * 20000)
print("(module (func (export \"spin\") (result i32) (local i32) (loop $l", body, "br $l) local.get 0)")
print("(func $long (param i32) (result i32)", "\n".join(["local.get 0 i32.const 3 i32.mul local.set 0"] * 20000), "local.get 0)")
print("(func (export \"call_long\") (result i32) (loop $l i32.const 1 call $long drop br $l) i32.const 0))")
' >straight.wat
  "$WAT2WASM" straight.wat -o straight.wasm
  for tier in "" --interpreter; do
    expect_error "fuel exhausted" "$WASMACRO" run $tier straight.wasm spin
    expect_error "fuel exhausted" "$WASMACRO" run $tier straight.wasm call_long
  done
  ;;
many-tables)
  wat many-tables
  expect_error "the module (30 tables of 2400000000 bytes, 0 memories of 0, 0 element segments of 0, 0 globals and 1 functions of 152) needs 2400000152 bytes" \
    "$WASMACRO" run many-tables.wasm answer
  ;;
frames-on-demand)
  # The interpreter allocated 32 bytes of frame for every level of the depth
  # cap before the first call: 3.1 GB for fib(3), and an uncaught bad_alloc
  # for the largest cap.
  for depth in 100000000 4294967295; do
    [[ $("$WASMACRO" run --interpreter --max-call-depth $depth "$EXAMPLES/fib/fib.wasm" fib_recursive 3) == 2 ]] ||
      fail "fib(3) with --max-call-depth $depth"
  done
  ;;
nan-payload-tiers)
  wat nan-payload-tiers
  for tier in "" --interpreter; do
    [[ $("$WASMACRO" run $tier nan-payload-tiers.wasm add32) == 2145386497 ]] || fail "add32 $tier"
    [[ $("$WASMACRO" run $tier nan-payload-tiers.wasm mul32 2141192193 2143289346) == 2145386497 ]] || fail "mul32 $tier"
    [[ $("$WASMACRO" run $tier nan-payload-tiers.wasm mul32 2143289346 2141192193) == 2143289346 ]] || fail "mul32 swapped $tier"
    [[ $("$WASMACRO" run $tier nan-payload-tiers.wasm add64) == 9222246136947933185 ]] || fail "add64 $tier"
  done
  ;;
inspect-json-without-decls)
  # Built a std::string from a null pointer and aborted.
  "$WASMACRO" inspect --json "$EXAMPLES/fib/fib.wasm" >out.json || true
  python3 -c 'import json,sys; j=json.load(open("out.json")); sys.exit(0 if j["edition"] is None and j["has_decls"] is False else 1)' ||
    fail "inspect --json: $(head -c 300 out.json)"
  ;;
tokens-deep-nesting)
  # --json recursed (a stack overflow near 12,000 groups) and the text dump
  # grew with the square of the depth (100,000 groups: over 3.4 GB); every
  # form was built whole in memory.
  python3 -c 'n = 100000; print("(" * n + "x" + ")" * n)' >deep.rs
  "$WASMACRO" tokens --json deep.rs >deep.json || fail "tokens --json"
  "$WASMACRO" tokens deep.rs >deep.txt || fail "tokens"
  size=$(stat -c %s deep.json)
  ((size < 200 * 200001)) || fail "tokens --json wrote $size bytes for 200,001 trees"
  size=$(stat -c %s deep.txt)
  ((size < 100 * 200001)) || fail "tokens wrote $size bytes for 200,001 trees"
  [[ $(wc -l <deep.txt) == 100001 ]] || fail "tokens wrote $(wc -l <deep.txt) lines"
  grep -q '^ *\[depth 99999\] 1:100000-1:100003 Group (' deep.txt || fail "no depth marker for the innermost group"
  # --print and --pretty: written as they go, and the same trees again.
  "$WASMACRO" tokens --print deep.rs >printed.rs || fail "tokens --print"
  python3 -c 'import sys; n = 100000; sys.exit(open("printed.rs").read() != "(" * n + "x" + ")" * n + "\n")' ||
    fail "tokens --print wrote $(head -c 100 printed.rs)..."
  "$WASMACRO" tokens --pretty deep.rs >pretty.rs || fail "tokens --pretty"
  "$WASMACRO" tokens --print pretty.rs | cmp -s - printed.rs || fail "tokens --pretty does not lex back to the same trees"
  python3 -c '
import json, sys
sys.setrecursionlimit(10000)
n = 2000
open("mid.rs", "w").write("[" * n + "a" + "]" * n + "\n")
' && "$WASMACRO" tokens --json mid.rs >mid.json &&
    python3 -c '
import json, sys
sys.setrecursionlimit(20000)
t = json.load(open("mid.json"))
depth = 0
while t and t[0]["kind"] == "Group":
    t = t[0]["children"]; depth += 1
sys.exit(0 if depth == 2000 and t[0]["text"] == "a" else 1)' || fail "tokens --json of 2,000 nested groups does not read back"
  ;;
expand-deep-nesting)
  # The invocation finder recursed on the nesting of the source: a
  # SIGSEGV at 4,640 nested blocks or 5,200 nested modules, and the cfg
  # evaluator at 15,000 nested `not(`. Now a clean error at the place; what
  # rustc can compile (700 deep) still expands.
  for shape in block paren mod cfg; do
    python3 - $shape <<'PY'
import sys
n = 100000
deep = {
    "block": "fn main() { let _x = " + "{" * n + "1" + "}" * n + "; }",
    "paren": "fn main() { let _x = " + "(" * n + "1" + ")" * n + "; }",
    "mod": "mod m {" * n + "}" * n,
    "cfg": "#[cfg(" + "not(" * n + "unix" + ")" * n + ")] #[derive(demo::Demo)] struct B;",
}[sys.argv[1]]
open("deep.rs", "w").write("#[derive(demo::Demo)] struct A;\n" + deep + "\n")
PY
    want="the code nests too deeply here for wasmacro expand"
    [[ $shape == cfg ]] && want="cfg predicates nest more than 4096 deep here"
    expect_error "$want" "$WASMACRO" expand deep.rs --edition 2021 --wasm-proc-macro demo="$FIXTURES/demo.wasm" -o out
  done
  python3 -c '
n = 700
print("#[derive(demo::Demo)] struct A;\nfn main() { let _x = " + "{" * n + "1" + "}" * n + "; }")
print("mod m { " + "mod m {" * n + "#[derive(demo::Demo)] struct B;" + "}" * n + " }")' >ok.rs
  # A use tree is read without recursion (a SIGSEGV at 32,768 nested braces).
  python3 -c 'n = 100000; print("use demo::" + "{" * n + "Demo" + "}" * n + ";\n#[derive(Demo)] struct C;")' >>ok.rs
  "$WASMACRO" expand ok.rs --edition 2021 --wasm-proc-macro demo="$FIXTURES/demo.wasm" -o out || fail "700 deep did not expand"
  [[ $(grep -o "My name is [ABC]" out/ok.rs | wc -l) == 3 ]] || fail "the derives were not all expanded: $(head -c 300 out/ok.rs)"
  ;;
machine-stack-small-thread)
  # With a 256 KiB stack the compiling tier's stack limit lay past the end
  # of the stack: SIGSEGV. Now a clean trap, with the depth it reached.
  export WASMACRO_TIER=compiler
  expect_error "call stack exhausted" bash -c "ulimit -s 256 && exec \"\$0\" call --max-call-depth 10000000 \"\$1\" unbounded_recursion </dev/null" \
    "$WASMACRO" "$FIXTURES/hostile.wasm"
  grep -q "machine stack ran out at a depth of" err.txt || fail "the trap does not say the machine stack ran out: $(cat err.txt)"
  expect_error "call stack exhausted" bash -c "ulimit -s 256 && exec \"\$0\" call \"\$1\" unbounded_recursion </dev/null" \
    "$WASMACRO" "$FIXTURES/hostile.wasm"
  ;;
host-call-fuel)
  wat host-call-fuel
  "$WASMACRO" annotate host-call-fuel.wasm -o host-call-fuel-macros.wasm \
    --bang serialize=serialize --bang deserialize=deserialize --bang strings=strings >/dev/null
  python3 -c 'print("a " * 20000)' >input.rs
  for tier in compiler interpreter; do
    for macro in serialize deserialize strings; do
      expect_error "fuel exhausted" env WASMACRO_TIER=$tier \
        bash -c 'exec "$0" call host-call-fuel-macros.wasm "$1" <input.rs' "$WASMACRO" $macro
    done
  done
  ;;
allocation-failure-at-load)
  # A table that the store's budget admits (raised with the memory cap) but
  # the host cannot allocate: an uncaught std::bad_alloc aborted the process.
  echo '(module (table 400000000 funcref) (func (export "answer") (result i32) (i32.const 42)))' >big-table.wat
  "$WAT2WASM" big-table.wat -o big-table.wasm
  for tier in "" --interpreter; do
    expect_error "the host has not the memory for the module's tables" \
      bash -c "ulimit -v 1500000 && exec \"\$0\" run $tier --max-memory-pages 65536 big-table.wasm answer" \
      "$WASMACRO"
  done
  ;;
keyword-macro-names)
  # Accepted at load time, then refused by rustc inside the bridge crate.
  expect_error "\`fn\` is a keyword in Rust 2021 and cannot be a macro name" \
    "$WASMACRO" annotate "$FIXTURES/demo.wasm" -o bad.wasm --derive Demo=derive_demo --bang fn=derive_demo
  expect_error "\`self\` is a keyword in Rust 2021 and cannot be a helper attribute name" \
    "$WASMACRO" annotate "$FIXTURES/demo.wasm" -o bad.wasm --derive Demo=derive_demo:self
  ;;
tail-call-loop-fuel)
  # Tail calls were refused at load time; a tail call that never ends must
  # now run out of fuel, not of stack, and not hang.
  wat tail-call-loop-fuel
  for tier in "" --interpreter; do
    expect_error "fuel exhausted" "$WASMACRO" run $tier tail-call-loop-fuel.wasm direct
    expect_error "fuel exhausted" "$WASMACRO" run $tier tail-call-loop-fuel.wasm through_table
  done
  ;;
*) fail "unknown case" ;;
esac
echo "ok $case_name"
