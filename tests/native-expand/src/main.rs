//! Expands corpus entries (tests/corpus) with serde_derive and thiserror-impl
//! compiled natively, for the comparison with the wasm fixtures and for the
//! macro benchmark.
//!
//!     native-expand dump FILE...           every entry with each of its macros,
//!                                          as a token dump (format below)
//!     native-expand bench REPEATS FILE...  times Serialize + Deserialize over
//!                                          the entries tagged with them
//!
//! A corpus file is a list of entries, each starting with a line
//! `// @entry NAME Macro,Macro,...`; the entry's source runs to the next such
//! line. Text before the first entry is a comment.
//!
//! The dump has one line per expansion header, `@@ NAME MACRO`, then one line
//! per token in pre-order: `(`, `[`, `{` or `<` opening a group (`<` is the
//! invisible delimiter) and `)`, `]`, `}` or `>` closing it; `I name` for an
//! identifier (`r#` kept); `P c J` / `P c A` for a punct that is joint or
//! alone; `L text` for a literal's source text (newlines as `\n`). Spans are
//! not dumped: they do not survive the trip through text anyway. A macro that
//! panics has the single line `! the macro panicked`.

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};
use std::fmt::Write as _;
use std::process::ExitCode;
use std::str::FromStr;

struct Entry {
    name: String,
    macros: Vec<String>,
    source: String,
}

fn read_entries(paths: &[String]) -> Result<Vec<Entry>, String> {
    let mut entries: Vec<Entry> = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
        let mut in_entry = false;
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("// @entry ") {
                let mut parts = rest.split_whitespace();
                let (Some(name), Some(macros)) = (parts.next(), parts.next()) else {
                    return Err(format!("{path}: malformed entry line: {line}"));
                };
                entries.push(Entry {
                    name: name.to_string(),
                    macros: macros.split(',').map(str::to_string).collect(),
                    source: String::new(),
                });
                in_entry = true;
            } else if in_entry {
                let e = entries.last_mut().unwrap();
                e.source.push_str(line);
                e.source.push('\n');
            }
        }
    }
    Ok(entries)
}

fn expand(macro_name: &str, input: TokenStream) -> Option<TokenStream> {
    match macro_name {
        "Serialize" => Some(native_serde::derive_serialize(input)),
        "Deserialize" => Some(native_serde::derive_deserialize(input)),
        "Error" => Some(native_thiserror::derive_error(input)),
        _ => None,
    }
}

fn dump(stream: TokenStream, out: &mut String) {
    for tree in stream {
        match tree {
            TokenTree::Group(g) => {
                let (open, close) = match g.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::Brace => ("{", "}"),
                    Delimiter::None => ("<", ">"),
                };
                out.push_str(open);
                out.push('\n');
                dump(g.stream(), out);
                out.push_str(close);
                out.push('\n');
            }
            TokenTree::Ident(i) => {
                let _ = writeln!(out, "I {i}");
            }
            TokenTree::Punct(p) => {
                let spacing = if p.spacing() == Spacing::Joint { 'J' } else { 'A' };
                let _ = writeln!(out, "P {} {spacing}", p.as_char());
            }
            TokenTree::Literal(l) => {
                let _ = writeln!(out, "L {}", l.to_string().replace('\n', "\\n"));
            }
        }
    }
}

fn cmd_dump(paths: &[String]) -> Result<(), String> {
    let mut out = String::new();
    for entry in read_entries(paths)? {
        let input = TokenStream::from_str(&entry.source)
            .map_err(|e| format!("entry {}: lex error: {e}", entry.name))?;
        for m in &entry.macros {
            // A macro that panics on one entry is that entry's failure (the
            // comparison shows it), not the end of the whole dump.
            let result = std::panic::catch_unwind(|| expand(m, input.clone()))
                .map_err(|_| ());
            let _ = writeln!(out, "@@ {} {m}", entry.name);
            match result {
                Ok(Some(output)) => dump(output, &mut out),
                Ok(None) => return Err(format!("entry {}: unknown macro {m}", entry.name)),
                Err(()) => out.push_str("! the macro panicked\n"),
            }
        }
    }
    print!("{out}");
    Ok(())
}

// CPU time of this thread: the machine is shared, and wall time would count
// other processes' work.
#[repr(C)]
struct Timespec {
    tv_sec: i64,
    tv_nsec: i64,
}
extern "C" {
    fn clock_gettime(clock: i32, ts: *mut Timespec) -> i32;
}
const CLOCK_THREAD_CPUTIME_ID: i32 = 3;

fn cpu_ns() -> u64 {
    let mut ts = Timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec for the whole call.
    unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

fn cmd_bench(repeats: usize, paths: &[String]) -> Result<(), String> {
    let mut work: Vec<(&'static str, TokenStream)> = Vec::new();
    for entry in read_entries(paths)? {
        let input = TokenStream::from_str(&entry.source)
            .map_err(|e| format!("entry {}: lex error: {e}", entry.name))?;
        for m in ["Serialize", "Deserialize"] {
            if entry.macros.iter().any(|x| x == m) {
                work.push((m, input.clone()));
            }
        }
    }
    let mut best = u64::MAX;
    let mut tokens = 0usize;
    // One untimed round first: warms caches and the allocator.
    for round in 0..=repeats {
        let start = cpu_ns();
        let mut produced = 0usize;
        for (m, input) in &work {
            let output = expand(m, input.clone()).unwrap();
            produced += std::hint::black_box(output).into_iter().count();
        }
        let elapsed = cpu_ns() - start;
        tokens = produced;
        if round > 0 {
            best = best.min(elapsed);
        }
    }
    println!("expansions {}", work.len());
    println!("top_level_tokens {tokens}");
    println!("best_ns {best}");
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("dump") => cmd_dump(&args[1..]),
        Some("bench") if args.len() >= 2 => match args[1].parse() {
            Ok(n) => cmd_bench(n, &args[2..]),
            Err(_) => Err(format!("bad repeat count: {}", args[1])),
        },
        _ => Err("usage: native-expand dump FILE... | bench REPEATS FILE...".to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("native-expand: {e}");
            ExitCode::FAILURE
        }
    }
}
