//! Dumps the token trees of Rust files as proc-macro2's own (fallback) lexer
//! sees them, in the neutral text format of wasmacro's `dump_text`, so the two
//! lexers can be compared file by file. Also times proc-macro2's lexer.
//!
//!     pm2dump dump ROOT         every .rs file under ROOT, sorted by path
//!     pm2dump print ROOT        each file's trees printed by proc-macro2's Display
//!     pm2dump bench ROOT ITERS  lexing throughput in MB/s

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::str::FromStr;

extern "C" {
    fn clock() -> std::os::raw::c_long;
}

/// Processor time of this process: on a machine shared with other work it
/// varies much less than wall time, and wasmacro's side measures the same.
fn cpu_seconds() -> f64 {
    const CLOCKS_PER_SEC: f64 = 1_000_000.0; // POSIX requires this value
    unsafe { clock() as f64 / CLOCKS_PER_SEC }
}

fn rust_files(root: &Path) -> Vec<String> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap()).collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let ty = e.file_type().unwrap();
            let p = e.path();
            if ty.is_dir() {
                walk(&p, out);
            } else if ty.is_file() && p.extension().map_or(false, |x| x == "rs") {
                out.push(p);
            }
        }
    }
    let mut paths = Vec::new();
    walk(root, &mut paths);
    let mut rel: Vec<String> = paths
        .iter()
        .map(|p| p.strip_prefix(root).unwrap().to_str().unwrap().to_owned())
        .collect();
    rel.sort();
    rel
}

/// The text rustc lexes: no byte-order mark, CRLF as LF, and a shebang line
/// blanked (its newline kept so that line numbers do not move).
fn source_text(bytes: Vec<u8>) -> Option<String> {
    let mut s = String::from_utf8(bytes).ok()?;
    if s.starts_with('\u{feff}') {
        s.drain(..3);
    }
    let s = s.replace("\r\n", "\n");
    if s.starts_with("#!") && !shebang_is_attribute(&s[2..]) {
        let end = s.find('\n').unwrap_or(s.len());
        return Some(s[end..].to_owned());
    }
    Some(s)
}

/// `#![attr]` (maybe with whitespace and plain comments before the `[`) is code.
fn shebang_is_attribute(mut rest: &str) -> bool {
    loop {
        let trimmed = rest.trim_start();
        if trimmed.starts_with("//") && !trimmed.starts_with("///") && !trimmed.starts_with("//!") {
            rest = &trimmed[trimmed.find('\n').unwrap_or(trimmed.len())..];
        } else if trimmed.starts_with("/*") && !trimmed.starts_with("/**") && !trimmed.starts_with("/*!") {
            match trimmed.find("*/") {
                Some(i) => rest = &trimmed[i + 2..],
                None => return false,
            }
        } else {
            return trimmed.starts_with('[');
        }
    }
}

/// Undoes the escaping of `Literal::string` (Rust's escape_debug).
fn unescape(lit: &str) -> String {
    let body = &lit[1..lit.len() - 1];
    let mut out = String::new();
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next().unwrap() {
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            '0' => out.push('\0'),
            'u' => {
                let mut hex = String::new();
                for h in chars.by_ref() {
                    match h {
                        '{' => {}
                        '}' => break,
                        _ => hex.push(h),
                    }
                }
                out.push(char::from_u32(u32::from_str_radix(&hex, 16).unwrap()).unwrap());
            }
            other => out.push(other),
        }
    }
    out
}

/// rustc hands a doc comment to proc macros as a raw string with the fewest
/// `#` that cannot clash with a `"#...` inside it; proc-macro2 1.0.47 uses a
/// cooked string instead. This writes rustc's form.
fn rustc_doc_literal(content: &str) -> String {
    let (mut hashes, mut run) = (0usize, 0usize);
    for c in content.chars() {
        run = match c {
            '"' => 1,
            '#' if run > 0 => run + 1,
            _ => 0,
        };
        hashes = hashes.max(run);
    }
    let h = "#".repeat(hashes);
    format!("r{h}\"{content}\"{h}")
}

fn one_line(out: &mut String, text: &str) {
    for c in text.chars() {
        if (c as u32) < 0x20 || c as u32 == 0x7f {
            write!(out, "\\u{{{:x}}}", c as u32).unwrap();
        } else {
            out.push(c);
        }
    }
}

struct Dumper<'a> {
    lines: Vec<&'a str>,
    out: String,
}

impl Dumper<'_> {
    /// Whether the `#` at this span was made from a doc comment: the source
    /// there reads `/`, not `#`.
    #[cfg(feature = "locations")]
    fn is_doc(&self, span: proc_macro2::Span) -> bool {
        let start = span.start();
        self.lines
            .get(start.line - 1)
            .and_then(|l| l.chars().nth(start.column))
            .map_or(false, |c| c == '/')
    }

    #[cfg(feature = "locations")]
    fn position(&mut self, span: proc_macro2::Span) {
        let (s, e) = (span.start(), span.end());
        write!(self.out, "{}:{}-{}:{} ", s.line, s.column + 1, e.line, e.column + 1).unwrap();
    }

    fn stream(&mut self, stream: TokenStream, depth: usize, in_doc: bool) {
        let mut doc_next = false;
        for tt in stream {
            self.out.push_str(&"  ".repeat(depth));
            #[cfg(feature = "locations")]
            self.position(tt.span());
            match tt {
                TokenTree::Group(g) => {
                    let d = match g.delimiter() {
                        Delimiter::Parenthesis => "(",
                        Delimiter::Brace => "{",
                        Delimiter::Bracket => "[",
                        Delimiter::None => "None",
                    };
                    writeln!(self.out, "Group {d}").unwrap();
                    let doc = doc_next && g.delimiter() == Delimiter::Bracket;
                    doc_next = false;
                    self.stream(g.stream(), depth + 1, doc);
                }
                TokenTree::Ident(i) => writeln!(self.out, "Ident {i}").unwrap(),
                TokenTree::Punct(p) => {
                    let spacing = match p.spacing() {
                        Spacing::Joint => "Joint",
                        Spacing::Alone => "Alone",
                    };
                    writeln!(self.out, "Punct {} {spacing}", p.as_char()).unwrap();
                    #[cfg(feature = "locations")]
                    if p.as_char() == '#' && self.is_doc(p.span()) {
                        doc_next = true;
                    }
                }
                TokenTree::Literal(l) => {
                    let text = l.to_string();
                    let text = if in_doc { rustc_doc_literal(&unescape(&text)) } else { text };
                    self.out.push_str("Literal ");
                    one_line(&mut self.out, &text);
                    self.out.push('\n');
                }
            }
        }
    }
}

/// The stream with doc comments in rustc's form (see rustc_doc_literal), so
/// that its Display can be compared with wasmacro's printer.
#[cfg(feature = "locations")]
fn rustc_form(d: &Dumper, stream: TokenStream, in_doc: bool) -> TokenStream {
    let mut out = Vec::new();
    let mut doc_next = false;
    for tt in stream {
        match tt {
            TokenTree::Group(g) => {
                let doc = doc_next && g.delimiter() == Delimiter::Bracket;
                doc_next = false;
                let inner = rustc_form(d, g.stream(), doc);
                out.push(TokenTree::Group(proc_macro2::Group::new(g.delimiter(), inner)));
            }
            TokenTree::Punct(p) => {
                if p.as_char() == '#' && d.is_doc(p.span()) {
                    doc_next = true;
                }
                out.push(TokenTree::Punct(p));
            }
            TokenTree::Literal(l) if in_doc => {
                let text = rustc_doc_literal(&unescape(&l.to_string()));
                out.push(TokenTree::Literal(text.parse().unwrap()));
            }
            other => out.push(other),
        }
    }
    out.into_iter().collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: pm2dump dump|print ROOT | pm2dump bench ROOT ITERS");
        std::process::exit(2);
    }
    let root = Path::new(&args[2]);
    let files = rust_files(root);
    match args[1].as_str() {
        "dump" => {
            let mut stdout = std::io::stdout().lock();
            for rel in files {
                let path = root.join(&rel);
                // proc-macro2 keeps every lexed text in a thread-local source
                // map and searches it linearly for each span; a fresh thread per
                // file keeps that map to one file.
                let out = std::thread::spawn(move || {
                    let text = source_text(std::fs::read(path).unwrap());
                    let mut d = Dumper { lines: Vec::new(), out: String::new() };
                    writeln!(d.out, "=== {rel}").unwrap();
                    match text.as_deref().map(TokenStream::from_str) {
                        Some(Ok(ts)) => {
                            let text = text.as_deref().unwrap();
                            d.lines = text.split('\n').collect();
                            d.stream(ts, 0, false);
                        }
                        Some(Err(e)) => writeln!(d.out, "ERROR {e:?}").unwrap(),
                        None => writeln!(d.out, "ERROR not UTF-8").unwrap(),
                    }
                    d.out
                })
                .join()
                .unwrap();
                std::io::Write::write_all(&mut stdout, out.as_bytes()).unwrap();
            }
        }
        #[cfg(feature = "locations")]
        "print" => {
            let mut stdout = std::io::stdout().lock();
            for rel in files {
                let path = root.join(&rel);
                let out = std::thread::spawn(move || {
                    let text = source_text(std::fs::read(path).unwrap());
                    let mut out = format!("=== {rel}\n");
                    match text.as_deref().map(TokenStream::from_str) {
                        Some(Ok(ts)) => {
                            let text = text.as_deref().unwrap();
                            let d = Dumper { lines: text.split('\n').collect(), out: String::new() };
                            one_line(&mut out, &rustc_form(&d, ts, false).to_string());
                            out.push('\n');
                        }
                        _ => out.push_str("ERROR\n"),
                    }
                    out
                })
                .join()
                .unwrap();
                std::io::Write::write_all(&mut stdout, out.as_bytes()).unwrap();
            }
        }
        "bench" => {
            let iters: usize = args.get(3).map_or(5, |s| s.parse().unwrap());
            let texts: Vec<String> = files
                .iter()
                .filter_map(|rel| source_text(std::fs::read(root.join(rel)).unwrap()))
                .collect();
            let bytes: usize = texts.iter().map(|t| t.len()).sum();
            let mut best = f64::INFINITY;
            let mut trees = 0usize;
            for _ in 0..iters {
                let start = cpu_seconds();
                trees = 0;
                for t in &texts {
                    if let Ok(ts) = TokenStream::from_str(t) {
                        trees += ts.into_iter().count();
                    }
                }
                best = best.min(cpu_seconds() - start);
            }
            println!(
                "proc-macro2 {} fallback lexer: {} files, {:.1} MB, best of {iters}: {:.3} s CPU, {:.1} MB/s ({trees} top-level trees)",
                if cfg!(feature = "locations") { "(span-locations)" } else { "" },
                texts.len(),
                bytes as f64 / 1e6,
                best,
                bytes as f64 / 1e6 / best
            );
        }
        _ => {
            eprintln!("unknown mode {}", args[1]);
            std::process::exit(2);
        }
    }
}
