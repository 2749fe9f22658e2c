//! Concatenates a directory of Rust sources (syn's own `src/` by default) into
//! one corpus file that `lib.rs` embeds, so the wasm module needs no imports
//! to get its input. Files are separated by NUL bytes, which no Rust source
//! contains, and taken in sorted path order so the checksum is reproducible.

use std::fs;
use std::path::{Path, PathBuf};

const DEFAULT_CORPUS_DIR: &str = "/usr/share/cargo/registry/syn-1.0.107/src";

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("reading {}: {}", dir.display(), e));
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, files);
        } else if path.extension().map_or(false, |ext| ext == "rs") {
            files.push(path);
        }
    }
}

fn main() {
    println!("cargo:rerun-if-env-changed=SYN_PARSE_CORPUS_DIR");
    let dir = std::env::var("SYN_PARSE_CORPUS_DIR").unwrap_or_else(|_| DEFAULT_CORPUS_DIR.into());
    println!("cargo:rerun-if-changed={}", dir);

    let mut files = Vec::new();
    collect(Path::new(&dir), &mut files);
    files.sort();
    assert!(!files.is_empty(), "no .rs files under {}", dir);

    let mut corpus = String::new();
    for (i, file) in files.iter().enumerate() {
        if i > 0 {
            corpus.push('\0');
        }
        let text = fs::read_to_string(file).unwrap();
        assert!(!text.contains('\0'), "{} contains a NUL byte", file.display());
        corpus.push_str(&text);
    }
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("corpus.rs.txt");
    fs::write(out, corpus).unwrap();
}
