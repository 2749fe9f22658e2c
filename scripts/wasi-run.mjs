// Runs a WASI command (wasmacro.wasm, from scripts/build.sh wasi) under
// node's WASI with the current directory preopened as ".", stdio passed
// through, and the command's exit status as node's:
//
//   node scripts/wasi-run.mjs build/wasi/wasmacro.wasm call tests/fixtures/demo.wasm Demo < input
//
// argv[0] of the command is "wasmacro", as the native command's name, so that
// both print the same usage text. No environment is passed.
import { readFile } from "node:fs/promises";
import process, { argv, exit } from "node:process";
import { setFlagsFromString } from "node:v8";

// A wasmacro command is short: V8's baseline code alone starts it in about
// half the time (0.18 s against 0.35 s for one serde expansion), because
// optimising the hot functions costs more than such a run can win back. A
// long run (expand on 600 derives) is some 15% slower this way.
// WASI_RUN_OPTIMIZE=1 keeps V8's tier-up.
if (process.env.WASI_RUN_OPTIMIZE !== "1") setFlagsFromString("--liftoff-only");

// node 20 warns on stderr that WASI is experimental; the command's stderr
// must be its own.
const emitWarning = process.emitWarning;
process.emitWarning = (warning, ...rest) => {
  if (!String(warning).includes("WASI")) emitWarning.call(process, warning, ...rest);
};
const { WASI } = await import("node:wasi");

const [file, ...args] = argv.slice(2);
if (!file) {
  console.error("usage: node scripts/wasi-run.mjs FILE.wasm [ARGS...]");
  exit(2);
}
const wasi = new WASI({
  version: "preview1",
  args: ["wasmacro", ...args],
  env: {},
  preopens: { ".": "." },
  returnOnExit: true,
});
const module = await WebAssembly.compile(await readFile(file));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
exit(wasi.start(instance));
