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

mod corpus;

use proc_macro2::TokenStream;
use std::process::ExitCode;

fn expand(macro_name: &str, _args: TokenStream, input: TokenStream) -> Option<TokenStream> {
    match macro_name {
        "Serialize" => Some(native_serde::derive_serialize(input)),
        "Deserialize" => Some(native_serde::derive_deserialize(input)),
        "Error" => Some(native_thiserror::derive_error(input)),
        _ => None,
    }
}

fn main() -> ExitCode {
    corpus::main("native-expand", expand, Some(&["Serialize", "Deserialize"]))
}
