// Tells rustc where the C++ library (libwasmacro.a, the C API with the engine
// bundled in) is: WASMACRO_LIB_DIR, or the release build of this repository.
// `wasmacro rustc` compiles src/lib.rs without Cargo and passes the same
// directory with `-L native=...` itself.
use std::env;
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-env-changed=WASMACRO_LIB_DIR");
    let dir = match env::var_os("WASMACRO_LIB_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => {
            let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap());
            manifest.join("../../build/release/src/capi")
        }
    };
    let archive = dir.join("libwasmacro.a");
    if !archive.is_file() {
        panic!(
            "wasmacro-bridge: {} not found; build wasmacro (scripts/build.sh release) or set WASMACRO_LIB_DIR",
            archive.display()
        );
    }
    println!("cargo:rerun-if-changed={}", archive.display());
    println!("cargo:rustc-link-search=native={}", dir.display());
}
