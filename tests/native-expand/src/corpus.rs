//! The corpus side shared by the native harnesses (this one, and the
//! generated ones of `wasmacro build`'s tests, tests/build): corpus entries,
//! the token dump, and the `dump` and `bench` commands over an expander.
//!
//! An entry starts with a line `// @entry NAME Macro,Macro,... [ARGS]`:
//! ARGS, the rest of the line, are an attribute macro's arguments.

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};
use std::fmt::Write as _;
use std::process::ExitCode;
use std::str::FromStr;

/// Expands `input` with the macro named so (`args`: an attribute's
/// arguments); None for a macro the harness does not have.
pub type Expander = fn(&str, TokenStream, TokenStream) -> Option<TokenStream>;

pub struct Entry {
    pub name: String,
    pub macros: Vec<String>,
    pub args: String,
    pub source: String,
}

pub fn read_entries(paths: &[String]) -> Result<Vec<Entry>, String> {
    let mut entries: Vec<Entry> = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
        let mut in_entry = false;
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("// @entry ") {
                let mut parts = rest.trim().splitn(3, char::is_whitespace);
                let (Some(name), Some(macros)) = (parts.next(), parts.next()) else {
                    return Err(format!("{path}: malformed entry line: {line}"));
                };
                entries.push(Entry {
                    name: name.to_string(),
                    macros: macros.split(',').map(str::to_string).collect(),
                    args: parts.next().unwrap_or("").trim().to_string(),
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

/// An entry's attribute arguments and source as tokens.
fn lex_entry(entry: &Entry) -> Result<(TokenStream, TokenStream), String> {
    let lex = |text: &str, what: &str| {
        TokenStream::from_str(text)
            .map_err(|e| format!("entry {}: lex error in {what}: {e}", entry.name))
    };
    Ok((lex(&entry.args, "the arguments")?, lex(&entry.source, "the source")?))
}

pub fn dump(stream: TokenStream, out: &mut String) {
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

fn cmd_dump(expand: Expander, paths: &[String]) -> Result<(), String> {
    let mut out = String::new();
    for entry in read_entries(paths)? {
        let (args, input) = lex_entry(&entry)?;
        for m in &entry.macros {
            // A macro that panics on one entry is that entry's failure (the
            // comparison shows it), not the end of the whole dump.
            let result = std::panic::catch_unwind(|| expand(m, args.clone(), input.clone()))
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

fn cmd_bench(
    expand: Expander,
    timed: Option<&[&str]>,
    repeats: usize,
    paths: &[String],
) -> Result<(), String> {
    let mut work: Vec<(String, TokenStream, TokenStream)> = Vec::new();
    for entry in read_entries(paths)? {
        let (args, input) = lex_entry(&entry)?;
        for m in &entry.macros {
            if timed.map_or(true, |t| t.contains(&m.as_str())) {
                work.push((m.clone(), args.clone(), input.clone()));
            }
        }
    }
    let mut best = u64::MAX;
    let mut tokens = 0usize;
    // One untimed round first: warms caches and the allocator.
    for round in 0..=repeats {
        let start = cpu_ns();
        let mut produced = 0usize;
        for (m, args, input) in &work {
            let output = expand(m, args.clone(), input.clone())
                .ok_or_else(|| format!("unknown macro {m}"))?;
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

/// The harness's command line: `dump FILE...` or `bench REPEATS FILE...`
/// (`timed`: the macros bench times, all if None).
pub fn main(name: &str, expand: Expander, timed: Option<&[&str]>) -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("dump") => cmd_dump(expand, &args[1..]),
        Some("bench") if args.len() >= 2 => match args[1].parse() {
            Ok(n) => cmd_bench(expand, timed, n, &args[2..]),
            Err(_) => Err(format!("bad repeat count: {}", args[1])),
        },
        _ => Err(format!("usage: {name} dump FILE... | bench REPEATS FILE...")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{name}: {e}");
            ExitCode::FAILURE
        }
    }
}
