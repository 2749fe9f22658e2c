// A WASI command for `wasmacro run --wasi` tests, built for wasm32-wasi by
// Debian's rustc (tests/wasi/CMakeLists.txt). The first argument says what
// it does; each uses std the way real programs do.
use std::io::{Read, Write};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rest = &args[2.min(args.len())..];
    match args.get(1).map(String::as_str) {
        Some("echo") => {
            let mut input = String::new();
            std::io::stdin().read_to_string(&mut input).unwrap();
            print!("{}", input.to_uppercase());
            eprintln!("args: {:?}", args);
        }
        Some("cat") => {
            for path in rest {
                match std::fs::read_to_string(path) {
                    Ok(text) => print!("{}", text),
                    Err(e) => println!("{}: {}", path, e),
                }
            }
        }
        Some("ls") => {
            let mut names: Vec<String> = std::fs::read_dir(&rest[0])
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
            names.sort();
            println!("{}", names.join(" "));
        }
        Some("write") => {
            for path in rest {
                match std::fs::write(path, "x") {
                    Ok(()) => println!("{}: written", path),
                    Err(e) => println!("{}: {}", path, e),
                }
            }
        }
        Some("env") => {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap();
            println!("vars {} time {}", std::env::vars().count(), now.as_nanos());
        }
        Some("exit") => {
            std::io::stdout().write_all(b"bye\n").unwrap();
            std::process::exit(rest[0].parse().unwrap());
        }
        Some("spin") => {
            let mut n = 0u64;
            loop {
                unsafe { std::ptr::write_volatile(&mut n, n.wrapping_add(1)) };
            }
        }
        _ => panic!("unknown mode {:?}", args.get(1)),
    }
}
