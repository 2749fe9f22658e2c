// The seed demo: `Demo` is a derive macro compiled to WebAssembly
// (examples/demo/demo.wasm, built from rust/fixtures/demo), run by wasmacro
// inside rustc:
//
//   wasmacro rustc main.rs --wasm-proc-macro Demo=examples/demo/demo.wasm
use Demo::Demo;

#[derive(Demo)]
struct S;

fn main() {
    println!("{}", S::MESSAGE);
}
