// The `wasi` ctest label: wasmacro.wasm (scripts/build.sh wasi) under node's
// WASI, as scripts/wasi-run.mjs runs it, or under the native command's own
// `run --wasi` (RUNNER `self`), against the native command on the same
// inputs: the CLI's commands and errors, the token corpus through `tokens`,
// and the macro corpus through `call`. Every case must give the same stdout,
// stderr and exit status, but for the known differences below.
//
//   node tests/wasi/compare-native.mjs NATIVE_WASMACRO WASMACRO_WASM [STRIDE] [RUNNER]
//
// STRIDE (default 1) takes every STRIDE-th case of the macro corpus only:
// under node each case starts a node process (about 0.2 s), so the ctest
// uses 20 and a full run (749 cases) takes about 2.5 minutes; under `self`
// (RUNNER, default `node`) a case takes about 0.2 s, and the ctest runs all.
//
// Runs from the repository root (the preopened ".").
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import process from "node:process";


const [native, wasmFile, strideText = "1", runner = "node"] = process.argv.slice(2);
const stride = Number(strideText);
if (!native || !wasmFile) {
  console.error("usage: node tests/wasi/compare-native.mjs NATIVE_WASMACRO WASMACRO_WASM [STRIDE] [node|self]");
  process.exit(2);
}

// One node process per case, through the runner users run: node 20's V8 has
// been seen to corrupt its heap when one process instantiates the
// interpreter's tail-calling code again and again.
function runWasm(args, input) {
  const [program, runArgs] = runner === "self"
    ? [native, ["run", "--wasi", wasmFile, "--dir", ".", "--", ...args]]
    : [process.execPath, ["scripts/wasi-run.mjs", wasmFile, ...args]];
  const r = spawnSync(program, runArgs, { input, encoding: "latin1", maxBuffer: 1 << 28 });
  return { status: r.status ?? `signal ${r.signal}`, stdout: r.stdout, stderr: r.stderr };
}

function runNative(args, input) {
  const r = spawnSync(native, args, { input, encoding: "latin1", maxBuffer: 1 << 28 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// --- the cases ---------------------------------------------------------------
const cases = [];
const add = (name, args, input = "") => cases.push({ name, args, input });
add("help", ["--help"]);
add("no subcommand", []);
add("call demo", ["call", "tests/fixtures/demo.wasm", "Demo"], "struct S;");
add("call generic demo", ["call", "tests/fixtures/demo.wasm", "Demo"], "struct W<T>(T);");
add("call enum_str", ["call", "tests/fixtures/example_macros.wasm", "enum_str"], "enum Color { Red, Green }");
add("call trace", ["call", "tests/fixtures/example_macros.wasm", "trace", "--args", "x"], "fn f() {}");
add("call wasi macro", ["call", "tests/fixtures/wasi.wasm", "wasi_probe"], "a b c");
add("call missing macro", ["call", "tests/fixtures/demo.wasm", "Nope"], "struct S;");
add("call missing file", ["call", "tests/fixtures/nope.wasm", "Demo"], "struct S;");
add("call lex error", ["call", "tests/fixtures/demo.wasm", "Demo"], "struct 'S;");
add("call panic", ["call", "tests/fixtures/hostile.wasm", "Panic"], "struct S;");
add("call fuel", ["call", "--fuel", "100000", "tests/fixtures/hostile.wasm", "infinite_loop"], "x");
add("inspect", ["inspect", "tests/fixtures/serde_derive.wasm"]);
add("inspect json", ["inspect", "tests/fixtures/thiserror.wasm", "--json"]);
add("inspect wasi", ["inspect", "tests/fixtures/wasi.wasm"]);
add("run fib", ["run", "examples/fib/fib.wasm", "fib_recursive", "20"]);
add("run bad argument", ["run", "examples/fib/fib.wasm", "fib_recursive", "x"]);
add("run fuel", ["run", "--fuel", "1000", "examples/fib/fib.wasm", "spin"]);
add("expand help", ["expand", "--help"]);
for (const f of readdirSync("tests/tokens/golden").filter((f) => f.endsWith(".rs")).sort()) {
  add(`tokens ${f}`, ["tokens", `tests/tokens/golden/${f}`]);
  add(`tokens --json ${f}`, ["tokens", `tests/tokens/golden/${f}`, "--json"]);
}
let corpusCase = 0;
const fixtureOf = { Serialize: "serde_derive", Deserialize: "serde_derive", Error: "thiserror", Demo: "demo" };
for (const file of ["serde.rs", "thiserror.rs", "handwritten.rs"]) {
  const text = readFileSync(`tests/corpus/${file}`, "utf8");
  const parts = text.split(/^\/\/ @entry /m).slice(1);
  for (const part of parts) {
    const [header, ...body] = part.split("\n");
    const [entry, macros] = header.split(" ");
    for (const macro of macros.split(",")) {
      if (!fixtureOf[macro] || corpusCase++ % stride) continue;
      add(`call ${entry} ${macro}`, ["call", `tests/fixtures/${fixtureOf[macro]}.wasm`, macro], body.join("\n"));
    }
  }
}

// Where the wasm build differs, and why: what it must give instead, from
// the native command's result.
const known = {
  "help": {
    why: "the wasm build has no rustc, cache, cargo or build subcommand (they spawn processes or need OpenSSL)",
    expect: (n) => ({ ...n, stdout: n.stdout.replace(/^  (rustc|cache|cargo|build) .*\n/gm, "") }),
  },
};

// --- comparing -----------------------------------------------------------------
let failed = 0, knownCount = 0;
for (const c of cases) {
  const n = runNative(c.args, c.input);
  const w = runWasm(c.args, c.input);
  const expected = known[c.name] ? known[c.name].expect(n) : n;
  const diffs = ["status", "stdout", "stderr"].filter((k) => expected[k] !== w[k]);
  if (known[c.name] && !diffs.length) {
    knownCount++;
    console.log(`KNOWN    ${c.name}: ${known[c.name].why}`);
  }
  if (diffs.length) {
    failed++;
    console.log(`DIFFERS  ${c.name}: ${diffs.join(", ")}`);
    for (const k of diffs) console.log(`  expected ${k}: ${JSON.stringify(expected[k]).slice(0, 300)}\n  wasm     ${k}: ${JSON.stringify(w[k]).slice(0, 300)}`);
  }
}
console.log(`${cases.length - failed - knownCount} of ${cases.length} cases identical, ${knownCount} known to differ, ${failed} failed`);
process.exit(failed ? 1 : 0);
