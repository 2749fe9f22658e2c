//! Benchmark workload: parse a few MB of real Rust source with syn (the
//! library nearly every procedural macro spends its time in) and digest the
//! syntax trees into a checksum.
//!
//! Exported as `run() -> i32` with no imports, so every engine runs exactly
//! the same code with no host calls. proc-macro2 runs in fallback mode, as it
//! does in any wasm macro.

use syn::visit::{self, Visit};

/// All `.rs` files of the corpus directory, NUL-separated (see build.rs).
static CORPUS: &str = include_str!(concat!(env!("OUT_DIR"), "/corpus.rs.txt"));

const FNV_OFFSET: u32 = 0x811c_9dc5;
const FNV_PRIME: u32 = 0x0100_0193;

/// Counts what it visits and hashes every identifier's text, so a parser that
/// mis-tokenizes or drops part of a tree changes the checksum.
struct Digest {
    idents: u32,
    items: u32,
    exprs: u32,
    hash: u32,
}

impl<'ast> Visit<'ast> for Digest {
    fn visit_ident(&mut self, ident: &'ast proc_macro2::Ident) {
        self.idents = self.idents.wrapping_add(1);
        // to_string() is what macros do with idents all the time.
        for byte in ident.to_string().bytes() {
            self.hash = (self.hash ^ u32::from(byte)).wrapping_mul(FNV_PRIME);
        }
    }

    fn visit_item(&mut self, item: &'ast syn::Item) {
        self.items = self.items.wrapping_add(1);
        visit::visit_item(self, item);
    }

    fn visit_expr(&mut self, expr: &'ast syn::Expr) {
        self.exprs = self.exprs.wrapping_add(1);
        visit::visit_expr(self, expr);
    }
}

struct Totals {
    digest: Digest,
    files: u32,
    failures: u32,
}

/// Parses every file of the corpus. A file that fails to parse is counted
/// (it should not happen with syn's own source, see `run_details`).
fn parse_corpus() -> Totals {
    let mut totals = Totals {
        digest: Digest { idents: 0, items: 0, exprs: 0, hash: FNV_OFFSET },
        files: 0,
        failures: 0,
    };
    for source in CORPUS.split('\0') {
        totals.files += 1;
        match syn::parse_file(source) {
            Ok(file) => totals.digest.visit_file(&file),
            Err(_) => totals.failures += 1,
        }
    }
    totals
}

/// The benchmark: a checksum of everything parsed.
#[no_mangle]
pub extern "C" fn run() -> i32 {
    let t = parse_corpus();
    let mixed = t.digest.hash
        ^ t.digest.idents.rotate_left(7)
        ^ t.digest.items.rotate_left(14)
        ^ t.digest.exprs.rotate_left(21)
        ^ t.failures.rotate_left(28);
    mixed as i32
}

/// The counters behind the checksum, for checking the corpus by hand (the
/// native harness prints them with `--details`): files, failures, items,
/// idents, exprs, ident hash.
#[no_mangle]
pub extern "C" fn run_details(out: *mut u32) {
    let t = parse_corpus();
    let counters = [t.files, t.failures, t.digest.items, t.digest.idents, t.digest.exprs, t.digest.hash];
    // SAFETY: the caller passes room for six u32 values.
    unsafe { std::ptr::copy_nonoverlapping(counters.as_ptr(), out, counters.len()) };
}
