//! The public API of `proc-macro2` 1.0.47, implemented over the watt-0.5 host
//! ABI so that procedural macros (and syn, quote) compile to
//! `wasm32-unknown-unknown` unchanged. Use it with
//!
//! ```toml
//! [patch.crates-io]
//! proc-macro2 = { path = "path/to/rust/guest" }
//! ```
//!
//! Token trees live in guest memory as plain Rust values. They cross the
//! boundary only at the start and the end of an expansion (see [`wire`]) and
//! when a string is parsed into tokens, which the host does. Spans are opaque
//! host handles; literals that came from the host stay host handles, so they go
//! back unchanged.
//!
//! A macro crate registers its entry points with [`export_derive!`],
//! [`export_attribute!`] and [`export_function!`] (and names its edition with
//! [`export_edition!`]); these write the `.rustc_proc_macro_decls` records.

#![allow(clippy::new_without_default)]

use std::cell::RefCell;
use std::cmp::Ordering;
use std::fmt::{self, Debug, Display, Write as _};
use std::hash::{Hash, Hasher};
use std::iter::FromIterator;
use std::ops::RangeBounds;
use std::rc::Rc;
use std::str::FromStr;

#[cfg(all(target_arch = "wasm32", not(feature = "std-allocator")))]
mod allocator;
mod export;
mod host;
mod lex;
pub mod wire;

/// Every macro built on this crate allocates with size classes (see
/// `allocator.rs`) unless it asks for the `std-allocator` feature.
#[cfg(all(target_arch = "wasm32", not(feature = "std-allocator")))]
#[global_allocator]
static ALLOCATOR: allocator::SizeClasses = allocator::SizeClasses::new();

#[doc(hidden)]
pub mod __private {
    pub use crate::export::*;
}

// ---------------------------------------------------------------------------
// Span

/// A region of source code, as an opaque handle into the host's span table.
///
/// Guest code can copy spans and attach them to tokens, but cannot inspect
/// them: the watt-0.5 ABI carries no file, line or hygiene information.
#[derive(Clone, Copy)]
pub struct Span {
    handle: u32,
}

/// Handle value meaning "the macro's call site" on the wire.
pub(crate) const CALL_SITE: u32 = u32::MAX;

impl Span {
    pub(crate) fn from_handle(handle: u32) -> Span {
        Span { handle }
    }

    pub(crate) fn handle(self) -> u32 {
        self.handle
    }

    /// The span of the macro invocation. Identifiers with this span resolve
    /// as if written at the call site.
    pub fn call_site() -> Span {
        Span { handle: CALL_SITE }
    }

    /// `macro_rules!`-like hygiene. The wire format has a single call-site
    /// span, so this is the call site.
    pub fn mixed_site() -> Span {
        Span::call_site()
    }

    /// A span with the name resolution of `other` and the location of `self`.
    /// Hygiene is not representable across the ABI; the location is kept.
    pub fn resolved_at(&self, other: Span) -> Span {
        let _ = other;
        *self
    }

    /// A span with the name resolution of `self` and the location of `other`.
    /// Hygiene is not representable across the ABI; the location is taken.
    pub fn located_at(&self, other: Span) -> Span {
        other
    }

    /// A span covering `self` and `other`. Host spans are opaque, so this
    /// only succeeds when both are the same span.
    pub fn join(&self, other: Span) -> Option<Span> {
        if self.handle == other.handle {
            Some(*self)
        } else {
            None
        }
    }

    /// The start of the span. The ABI carries no locations: always 1:0.
    #[cfg(feature = "span-locations")]
    pub fn start(&self) -> LineColumn {
        LineColumn { line: 1, column: 0 }
    }

    /// The end of the span. The ABI carries no locations: always 1:0.
    #[cfg(feature = "span-locations")]
    pub fn end(&self) -> LineColumn {
        LineColumn { line: 1, column: 0 }
    }
}

impl Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        if self.handle == CALL_SITE {
            f.write_str("Span(call_site)")
        } else {
            write!(f, "Span(#{})", self.handle)
        }
    }
}

/// A line and column in a source file (1-based line, 0-based column in chars).
#[cfg(feature = "span-locations")]
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct LineColumn {
    pub line: usize,
    pub column: usize,
}

#[cfg(feature = "span-locations")]
impl Ord for LineColumn {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.line, self.column).cmp(&(other.line, other.column))
    }
}

#[cfg(feature = "span-locations")]
impl PartialOrd for LineColumn {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

// ---------------------------------------------------------------------------
// TokenStream

/// A sequence of token trees. Cloning is cheap (shared until modified).
#[derive(Clone)]
pub struct TokenStream {
    trees: Rc<Vec<TokenTree>>,
}

/// The error of parsing a string into tokens.
pub struct LexError {
    span: Span,
}

impl TokenStream {
    /// An empty stream.
    pub fn new() -> TokenStream {
        TokenStream::from_vec(Vec::new())
    }

    pub(crate) fn from_vec(trees: Vec<TokenTree>) -> TokenStream {
        TokenStream { trees: Rc::new(trees) }
    }

    pub(crate) fn trees(&self) -> &[TokenTree] {
        &self.trees
    }

    fn trees_mut(&mut self) -> &mut Vec<TokenTree> {
        Rc::make_mut(&mut self.trees)
    }

    /// Whether the stream has no token trees.
    pub fn is_empty(&self) -> bool {
        self.trees.is_empty()
    }
}

impl Default for TokenStream {
    fn default() -> Self {
        TokenStream::new()
    }
}

/// Parses Rust source text into tokens (comments dropped, doc comments turned
/// into `#[doc = "..."]` attributes). Simple single tokens are lexed in the
/// guest; anything else is lexed by the host (`token_stream_parse`). All
/// tokens get the call-site span.
impl FromStr for TokenStream {
    type Err = LexError;

    fn from_str(src: &str) -> Result<TokenStream, LexError> {
        if let Some(tree) = lex::single_token(src) {
            return Ok(TokenStream::from(tree));
        }
        host::parse(src).ok_or(LexError {
            span: Span::call_site(),
        })
    }
}

impl From<TokenTree> for TokenStream {
    fn from(tree: TokenTree) -> Self {
        TokenStream::from_vec(vec![tree])
    }
}

impl Extend<TokenTree> for TokenStream {
    fn extend<I: IntoIterator<Item = TokenTree>>(&mut self, trees: I) {
        let trees = trees.into_iter();
        let own = self.trees_mut();
        if own.capacity() == 0 {
            // quote appends one token at a time: start with room for
            // several rather than growing from 4 (each growth is a copy).
            own.reserve(trees.size_hint().0.max(8));
        }
        own.extend(trees);
    }
}

impl Extend<TokenStream> for TokenStream {
    fn extend<I: IntoIterator<Item = TokenStream>>(&mut self, streams: I) {
        let trees = self.trees_mut();
        for stream in streams {
            match Rc::try_unwrap(stream.trees) {
                Ok(owned) => trees.extend(owned),
                Err(shared) => trees.extend(shared.iter().cloned()),
            }
        }
    }
}

impl FromIterator<TokenTree> for TokenStream {
    fn from_iter<I: IntoIterator<Item = TokenTree>>(trees: I) -> Self {
        TokenStream::from_vec(trees.into_iter().collect())
    }
}

impl FromIterator<TokenStream> for TokenStream {
    fn from_iter<I: IntoIterator<Item = TokenStream>>(streams: I) -> Self {
        let mut stream = TokenStream::new();
        stream.extend(streams);
        stream
    }
}

/// Prints the tokens as source text: one space between tokens, none after a
/// joint punctuation character.
impl Display for TokenStream {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let mut glue = true;
        for tree in self.trees.iter() {
            if !glue {
                f.write_char(' ')?;
            }
            glue = matches!(tree, TokenTree::Punct(p) if p.spacing == Spacing::Joint);
            Display::fmt(tree, f)?;
        }
        Ok(())
    }
}

impl Debug for TokenStream {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("TokenStream ")?;
        f.debug_list().entries(self.trees.iter()).finish()
    }
}

impl LexError {
    pub fn span(&self) -> Span {
        self.span
    }
}

impl Debug for LexError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("LexError")
    }
}

impl Display for LexError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("cannot parse string into token stream")
    }
}

impl std::error::Error for LexError {}

/// Iteration over a [`TokenStream`].
pub mod token_stream {
    use super::{TokenStream, TokenTree};
    use std::fmt::{self, Debug};
    use std::rc::Rc;

    /// An owning iterator over a stream's token trees.
    #[derive(Clone)]
    pub struct IntoIter {
        trees: std::vec::IntoIter<TokenTree>,
    }

    impl Iterator for IntoIter {
        type Item = TokenTree;

        fn next(&mut self) -> Option<TokenTree> {
            self.trees.next()
        }

        fn size_hint(&self) -> (usize, Option<usize>) {
            self.trees.size_hint()
        }
    }

    impl Debug for IntoIter {
        fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("TokenStream ")?;
            f.debug_list().entries(self.trees.as_slice()).finish()
        }
    }

    impl IntoIterator for TokenStream {
        type Item = TokenTree;
        type IntoIter = IntoIter;

        fn into_iter(self) -> IntoIter {
            let trees = match Rc::try_unwrap(self.trees) {
                Ok(owned) => owned,
                Err(shared) => (*shared).clone(),
            };
            IntoIter {
                trees: trees.into_iter(),
            }
        }
    }
}

// ---------------------------------------------------------------------------
// TokenTree

/// A single token or a delimited group of tokens.
#[derive(Clone)]
pub enum TokenTree {
    Group(Group),
    Ident(Ident),
    Punct(Punct),
    Literal(Literal),
}

impl TokenTree {
    pub fn span(&self) -> Span {
        match self {
            TokenTree::Group(t) => t.span(),
            TokenTree::Ident(t) => t.span(),
            TokenTree::Punct(t) => t.span(),
            TokenTree::Literal(t) => t.span(),
        }
    }

    /// Sets the span of this token (for a group: of the whole group).
    pub fn set_span(&mut self, span: Span) {
        match self {
            TokenTree::Group(t) => t.set_span(span),
            TokenTree::Ident(t) => t.set_span(span),
            TokenTree::Punct(t) => t.set_span(span),
            TokenTree::Literal(t) => t.set_span(span),
        }
    }
}

impl From<Group> for TokenTree {
    fn from(g: Group) -> TokenTree {
        TokenTree::Group(g)
    }
}

impl From<Ident> for TokenTree {
    fn from(g: Ident) -> TokenTree {
        TokenTree::Ident(g)
    }
}

impl From<Punct> for TokenTree {
    fn from(g: Punct) -> TokenTree {
        TokenTree::Punct(g)
    }
}

impl From<Literal> for TokenTree {
    fn from(g: Literal) -> TokenTree {
        TokenTree::Literal(g)
    }
}

impl Display for TokenTree {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            TokenTree::Group(t) => Display::fmt(t, f),
            TokenTree::Ident(t) => Display::fmt(t, f),
            TokenTree::Punct(t) => Display::fmt(t, f),
            TokenTree::Literal(t) => Display::fmt(t, f),
        }
    }
}

/// Shows the inner token's own Debug form, without a `Group(...)` layer.
impl Debug for TokenTree {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            TokenTree::Group(t) => Debug::fmt(t, f),
            TokenTree::Ident(t) => Debug::fmt(t, f),
            TokenTree::Punct(t) => Debug::fmt(t, f),
            TokenTree::Literal(t) => Debug::fmt(t, f),
        }
    }
}

// ---------------------------------------------------------------------------
// Group

/// A delimited token stream: `( ... )`, `{ ... }`, `[ ... ]` or an invisible
/// group.
#[derive(Clone)]
pub struct Group {
    delimiter: Delimiter,
    stream: TokenStream,
    span: Span,
    span_open: Span,
    span_close: Span,
}

/// How a [`Group`] is delimited.
#[derive(Copy, Clone, Debug, Eq, PartialEq)]
pub enum Delimiter {
    /// `( ... )`
    Parenthesis,
    /// `{ ... }`
    Brace,
    /// `[ ... ]`
    Bracket,
    /// An invisible delimiter, for example around the expansion of `$expr`.
    None,
}

impl Group {
    /// A group with call-site spans.
    pub fn new(delimiter: Delimiter, stream: TokenStream) -> Group {
        let span = Span::call_site();
        Group {
            delimiter,
            stream,
            span,
            span_open: span,
            span_close: span,
        }
    }

    pub(crate) fn with_spans(
        delimiter: Delimiter,
        stream: TokenStream,
        span: Span,
        span_open: Span,
        span_close: Span,
    ) -> Group {
        Group {
            delimiter,
            stream,
            span,
            span_open,
            span_close,
        }
    }

    pub fn delimiter(&self) -> Delimiter {
        self.delimiter
    }

    /// The tokens inside the delimiters (a cheap clone).
    pub fn stream(&self) -> TokenStream {
        self.stream.clone()
    }

    pub(crate) fn stream_ref(&self) -> &TokenStream {
        &self.stream
    }

    /// The span of the whole group.
    pub fn span(&self) -> Span {
        self.span
    }

    /// The span of the opening delimiter.
    pub fn span_open(&self) -> Span {
        self.span_open
    }

    /// The span of the closing delimiter.
    pub fn span_close(&self) -> Span {
        self.span_close
    }

    /// Sets the span of the group, and of both delimiters with it.
    pub fn set_span(&mut self, span: Span) {
        self.span = span;
        self.span_open = span;
        self.span_close = span;
    }
}

impl Display for Group {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let (open, close) = match self.delimiter {
            Delimiter::Parenthesis => ("(", ")"),
            Delimiter::Brace => ("{ ", "}"),
            Delimiter::Bracket => ("[", "]"),
            Delimiter::None => ("", ""),
        };
        f.write_str(open)?;
        Display::fmt(&self.stream, f)?;
        if self.delimiter == Delimiter::Brace && !self.stream.is_empty() {
            f.write_char(' ')?;
        }
        f.write_str(close)
    }
}

impl Debug for Group {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.debug_struct("Group")
            .field("delimiter", &self.delimiter)
            .field("stream", &self.stream)
            .field("span", &self.span)
            .finish()
    }
}

// ---------------------------------------------------------------------------
// Punct

/// A single punctuation character such as `+`, `-` or `#`.
#[derive(Clone)]
pub struct Punct {
    ch: char,
    spacing: Spacing,
    span: Span,
}

/// Whether a [`Punct`] is followed immediately by another punctuation
/// character (`Joint`, as the `=` of `+=`) or not (`Alone`).
#[derive(Copy, Clone, Debug, Eq, PartialEq)]
pub enum Spacing {
    Alone,
    Joint,
}

/// Whether `ch` may be the character of a [`Punct`].
pub(crate) fn is_punct_char(ch: char) -> bool {
    matches!(
        ch,
        '=' | '<' | '>' | '!' | '~' | '+' | '-' | '*' | '/' | '%' | '^' | '&' | '|' | '@' | '.'
            | ',' | ';' | ':' | '#' | '$' | '?' | '\''
    )
}

impl Punct {
    /// A punctuation character with the call-site span.
    ///
    /// # Panics
    /// If `ch` is not a punctuation character Rust's tokens allow.
    pub fn new(ch: char, spacing: Spacing) -> Punct {
        if !is_punct_char(ch) {
            panic!("unsupported character {:?}", ch);
        }
        Punct::with_span(ch, spacing, Span::call_site())
    }

    pub(crate) fn with_span(ch: char, spacing: Spacing, span: Span) -> Punct {
        Punct { ch, spacing, span }
    }

    pub fn as_char(&self) -> char {
        self.ch
    }

    pub fn spacing(&self) -> Spacing {
        self.spacing
    }

    pub fn span(&self) -> Span {
        self.span
    }

    pub fn set_span(&mut self, span: Span) {
        self.span = span;
    }
}

impl Display for Punct {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_char(self.ch)
    }
}

impl Debug for Punct {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.debug_struct("Punct")
            .field("char", &self.ch)
            .field("spacing", &self.spacing)
            .field("span", &self.span)
            .finish()
    }
}

// ---------------------------------------------------------------------------
// Ident

/// An identifier or keyword, possibly raw (`r#match`).
#[derive(Clone)]
pub struct Ident {
    sym: String,
    raw: bool,
    span: Span,
}

fn is_ident_start(c: char) -> bool {
    c == '_' || unicode_ident::is_xid_start(c)
}

fn is_ident_continue(c: char) -> bool {
    unicode_ident::is_xid_continue(c)
}

/// Per byte: 2 if an identifier may start with it, 1 if it may only continue
/// one, 0 if neither or if the byte is not ASCII.
static IDENT_BYTES: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        table[b] = if c == b'_' || c.is_ascii_alphabetic() {
            2
        } else if c.is_ascii_digit() {
            1
        } else {
            0
        };
        b += 1;
    }
    table
};

pub(crate) fn is_ident(s: &str) -> bool {
    // Nearly every identifier is ASCII: a table lookup per byte decides
    // those (a macro makes thousands of identifiers); only non-ASCII text
    // needs the Unicode rules.
    match is_ascii_ident(s) {
        Some(answer) => answer,
        None => {
            let mut chars = s.chars();
            match chars.next() {
                Some(c) if is_ident_start(c) => chars.all(is_ident_continue),
                _ => false,
            }
        }
    }
}

/// Whether `s` is an identifier, if that can be told from its ASCII bytes:
/// None when it holds a non-ASCII character that decides.
pub(crate) fn is_ascii_ident(s: &str) -> Option<bool> {
    let bytes = s.as_bytes();
    let (&first, rest) = match bytes.split_first() {
        Some(split) => split,
        None => return Some(false),
    };
    // A byte that does not fit settles it unless it starts a non-ASCII character.
    let settle = |b: u8| if b.is_ascii() { Some(false) } else { None };
    if IDENT_BYTES[first as usize] != 2 {
        return settle(first);
    }
    match rest.iter().find(|&&b| IDENT_BYTES[b as usize] == 0) {
        Some(&b) => settle(b),
        None => Some(true),
    }
}

fn validate_ident(string: &str) {
    if !is_ident(string) {
        invalid_ident(string);
    }
}

/// Panics with what is wrong with `string`, which is not an identifier.
#[cold]
#[inline(never)]
fn invalid_ident(string: &str) -> ! {
    if string.is_empty() {
        panic!("Ident is not allowed to be empty; use Option<Ident>");
    }
    if string.bytes().all(|b| b.is_ascii_digit()) {
        panic!("Ident cannot be a number; use Literal instead");
    }
    panic!("{:?} is not a valid Ident", string);
}

impl Ident {
    /// An identifier named `string` with the given span.
    ///
    /// # Panics
    /// If `string` is not a valid identifier (`r#` prefixes are not accepted
    /// here; use [`Ident::new_raw`]).
    pub fn new(string: &str, span: Span) -> Ident {
        validate_ident(string);
        Ident {
            sym: string.to_owned(),
            raw: false,
            span,
        }
    }

    /// A raw identifier `r#string`.
    ///
    /// # Panics
    /// If `string` is not a valid identifier or is one of the keywords that
    /// cannot be raw (`_`, `super`, `self`, `Self`, `crate`).
    pub fn new_raw(string: &str, span: Span) -> Ident {
        validate_ident(string);
        if matches!(string, "_" | "super" | "self" | "Self" | "crate") {
            panic!("`r#{}` cannot be a raw identifier", string);
        }
        Ident {
            sym: string.to_owned(),
            raw: true,
            span,
        }
    }

    /// An identifier as it arrives on the wire: `r#` marks a raw one.
    pub(crate) fn from_wire(name: &str, span: Span) -> Ident {
        match name.strip_prefix("r#") {
            Some(sym) => Ident {
                sym: sym.to_owned(),
                raw: true,
                span,
            },
            None => Ident {
                sym: name.to_owned(),
                raw: false,
                span,
            },
        }
    }

    pub(crate) fn is_raw(&self) -> bool {
        self.raw
    }

    pub(crate) fn sym(&self) -> &str {
        &self.sym
    }

    pub fn span(&self) -> Span {
        self.span
    }

    pub fn set_span(&mut self, span: Span) {
        self.span = span;
    }

    fn prefix(&self) -> &'static str {
        if self.raw {
            "r#"
        } else {
            ""
        }
    }

    /// The bytes of the identifier's text (`r#` included), without allocating.
    fn text_bytes(&self) -> impl Iterator<Item = u8> + '_ {
        self.prefix().bytes().chain(self.sym.bytes())
    }
}

impl PartialEq for Ident {
    fn eq(&self, other: &Ident) -> bool {
        self.raw == other.raw && self.sym == other.sym
    }
}

/// Compares with the identifier's text: `r#match` equals `"r#match"` only.
impl<T> PartialEq<T> for Ident
where
    T: ?Sized + AsRef<str>,
{
    fn eq(&self, other: &T) -> bool {
        let other = other.as_ref();
        if self.raw {
            other.strip_prefix("r#") == Some(self.sym.as_str())
        } else {
            self.sym == other
        }
    }
}

impl Eq for Ident {}

impl PartialOrd for Ident {
    fn partial_cmp(&self, other: &Ident) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Orders by the identifier's text.
impl Ord for Ident {
    fn cmp(&self, other: &Ident) -> Ordering {
        self.text_bytes().cmp(other.text_bytes())
    }
}

/// Hashes the identifier's text, as `to_string()` would give it.
impl Hash for Ident {
    fn hash<H: Hasher>(&self, hasher: &mut H) {
        self.to_string().hash(hasher);
    }
}

impl Display for Ident {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.prefix())?;
        f.write_str(&self.sym)
    }
}

impl Debug for Ident {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.debug_struct("Ident")
            .field("sym", &format_args!("{}", self))
            .field("span", &self.span)
            .finish()
    }
}

// ---------------------------------------------------------------------------
// Literal

/// A literal: string, byte string, character, byte, integer or float, with
/// an optional suffix.
#[derive(Clone)]
pub struct Literal {
    repr: LiteralRepr,
    span: Span,
}

// The lazily fetched text (a RefCell) is only a cache, so a panic cannot
// leave a literal in a state that matters: keep the token types unwind-safe,
// as proc-macro2's are.
impl std::panic::UnwindSafe for Literal {}
impl std::panic::RefUnwindSafe for Literal {}

#[derive(Clone)]
pub(crate) enum LiteralRepr {
    /// A literal from the host: its handle, and its text once asked for.
    Host {
        handle: u32,
        text: RefCell<Option<Rc<str>>>,
    },
    /// A literal made in the guest, as source text.
    Text(String),
}

macro_rules! suffixed_int_literals {
    ($($name:ident => $kind:ident,)*) => ($(
        /// A suffixed integer literal such as `1u32`. Negative values make a
        /// literal starting with `-`.
        pub fn $name(n: $kind) -> Literal {
            Literal::from_text(format!(concat!("{}", stringify!($kind)), n))
        }
    )*)
}

macro_rules! unsuffixed_int_literals {
    ($($name:ident => $kind:ident,)*) => ($(
        /// An unsuffixed integer literal such as `1`. Negative values make a
        /// literal starting with `-`.
        pub fn $name(n: $kind) -> Literal {
            Literal::from_text(n.to_string())
        }
    )*)
}

impl Literal {
    pub(crate) fn from_text(text: String) -> Literal {
        Literal {
            repr: LiteralRepr::Text(text),
            span: Span::call_site(),
        }
    }

    pub(crate) fn from_host(handle: u32, span: Span) -> Literal {
        Literal {
            repr: LiteralRepr::Host {
                handle,
                text: RefCell::new(None),
            },
            span,
        }
    }

    pub(crate) fn repr(&self) -> &LiteralRepr {
        &self.repr
    }

    /// Calls `f` with the literal's source text, asking the host for it once.
    fn with_text<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        match &self.repr {
            LiteralRepr::Text(text) => f(text),
            LiteralRepr::Host { handle, text } => {
                let cached = text.borrow().clone();
                let text = match cached {
                    Some(t) => t,
                    None => {
                        let fetched: Rc<str> = host::literal_text(*handle).into();
                        *text.borrow_mut() = Some(fetched.clone());
                        fetched
                    }
                };
                f(&text)
            }
        }
    }

    suffixed_int_literals! {
        u8_suffixed => u8,
        u16_suffixed => u16,
        u32_suffixed => u32,
        u64_suffixed => u64,
        u128_suffixed => u128,
        usize_suffixed => usize,
        i8_suffixed => i8,
        i16_suffixed => i16,
        i32_suffixed => i32,
        i64_suffixed => i64,
        i128_suffixed => i128,
        isize_suffixed => isize,
    }

    unsuffixed_int_literals! {
        u8_unsuffixed => u8,
        u16_unsuffixed => u16,
        u32_unsuffixed => u32,
        u64_unsuffixed => u64,
        u128_unsuffixed => u128,
        usize_unsuffixed => usize,
        i8_unsuffixed => i8,
        i16_unsuffixed => i16,
        i32_unsuffixed => i32,
        i64_unsuffixed => i64,
        i128_unsuffixed => i128,
        isize_unsuffixed => isize,
    }

    /// An unsuffixed float literal such as `1.0` or `1e100`.
    ///
    /// # Panics
    /// If `f` is infinite or NaN.
    pub fn f64_unsuffixed(f: f64) -> Literal {
        if !f.is_finite() {
            panic!("Invalid float literal {}", f);
        }
        Literal::from_text(float_text(f.to_string()))
    }

    /// A float literal with an `f64` suffix, such as `1f64`.
    ///
    /// # Panics
    /// If `f` is infinite or NaN.
    pub fn f64_suffixed(f: f64) -> Literal {
        if !f.is_finite() {
            panic!("Invalid float literal {}", f);
        }
        Literal::from_text(format!("{}f64", f))
    }

    /// An unsuffixed float literal such as `1.0`.
    ///
    /// # Panics
    /// If `f` is infinite or NaN.
    pub fn f32_unsuffixed(f: f32) -> Literal {
        if !f.is_finite() {
            panic!("Invalid float literal {}", f);
        }
        Literal::from_text(float_text(f.to_string()))
    }

    /// A float literal with an `f32` suffix, such as `1f32`.
    ///
    /// # Panics
    /// If `f` is infinite or NaN.
    pub fn f32_suffixed(f: f32) -> Literal {
        if !f.is_finite() {
            panic!("Invalid float literal {}", f);
        }
        Literal::from_text(format!("{}f32", f))
    }

    /// A string literal `"..."` with the characters that need it escaped.
    pub fn string(string: &str) -> Literal {
        let mut text = String::with_capacity(string.len() + 2);
        text.push('"');
        if string.bytes().all(|b| is_plain_ascii(b) || b == b'\'') {
            text.push_str(string);
        } else {
            for c in string.chars() {
                escape_char(c, '"', &mut text);
            }
        }
        text.push('"');
        Literal::from_text(text)
    }

    /// A character literal `'c'`.
    pub fn character(ch: char) -> Literal {
        let mut text = String::with_capacity(8);
        text.push('\'');
        escape_char(ch, '\'', &mut text);
        text.push('\'');
        Literal::from_text(text)
    }

    /// A byte string literal `b"..."`; bytes outside printable ASCII are
    /// written as `\xNN`.
    pub fn byte_string(bytes: &[u8]) -> Literal {
        let mut text = String::with_capacity(bytes.len() + 3);
        text.push_str("b\"");
        for &b in bytes {
            match b {
                b'\0' => text.push_str("\\0"),
                b'\t' => text.push_str("\\t"),
                b'\n' => text.push_str("\\n"),
                b'\r' => text.push_str("\\r"),
                b'"' => text.push_str("\\\""),
                b'\\' => text.push_str("\\\\"),
                0x20..=0x7e => text.push(b as char),
                _ => {
                    let _ = write!(text, "\\x{:02X}", b);
                }
            }
        }
        text.push('"');
        Literal::from_text(text)
    }

    pub fn span(&self) -> Span {
        self.span
    }

    pub fn set_span(&mut self, span: Span) {
        self.span = span;
    }

    /// The span of part of the literal's text. Spans are opaque handles
    /// here, so there is never one: always `None`.
    pub fn subspan<R: RangeBounds<usize>>(&self, range: R) -> Option<Span> {
        let _ = range;
        None
    }
}

/// Makes `Display` output of a float read back as a float: `1` -> `1.0`.
fn float_text(mut text: String) -> String {
    if !text.contains(|c: char| c == '.' || c == 'e' || c == 'E') {
        text.push_str(".0");
    }
    text
}

/// Appends `c` to a string or character literal's text, escaped as needed.
/// `quote` is the literal's own delimiter, the one quote that must be escaped.
///
/// Escapes exactly as proc-macro2 (and rustc's proc_macro) do, with
/// `char::escape_debug`, so that a macro's output is the same token text on
/// this guest as natively: besides the quote, backslash and controls, that
/// escapes the characters Unicode calls grapheme extenders (combining marks)
/// and the ones it does not consider printable (U+200B, U+00AD, U+FEFF, private
/// use, ...). The other quote character is left as it is.
fn escape_char(c: char, quote: char, out: &mut String) {
    match c {
        c if c.is_ascii() && is_plain_ascii(c as u8) => out.push(c),
        '\'' | '"' if c != quote => out.push(c),
        c => out.extend(c.escape_debug()),
    }
}

/// Printable ASCII that `escape_debug` leaves as it is: all but the quotes
/// and the backslash. Checked first, as `escape_debug` looks every character
/// up in Unicode tables, which is slow in wasm.
fn is_plain_ascii(b: u8) -> bool {
    matches!(b, b' '..=b'~') && !matches!(b, b'\\' | b'"' | b'\'')
}

/// Parses a single literal, optionally negative (`-1`, `-1.5f32`).
impl FromStr for Literal {
    type Err = LexError;

    fn from_str(repr: &str) -> Result<Literal, LexError> {
        let error = LexError {
            span: Span::call_site(),
        };
        let stream: TokenStream = repr.parse()?;
        let mut trees = stream.into_iter();
        let (negative, first) = match trees.next() {
            Some(TokenTree::Punct(p)) if p.as_char() == '-' => (true, trees.next()),
            other => (false, other),
        };
        let literal = match first {
            Some(TokenTree::Literal(lit)) => lit,
            _ => return Err(error),
        };
        if trees.next().is_some() {
            return Err(error);
        }
        if !negative {
            return Ok(literal);
        }
        let text = literal.with_text(|t| format!("-{}", t));
        let starts_with_digit = text[1..].starts_with(|c: char| c.is_ascii_digit());
        if starts_with_digit {
            Ok(Literal::from_text(text))
        } else {
            Err(error)
        }
    }
}

impl Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        self.with_text(|text| f.write_str(text))
    }
}

impl Debug for Literal {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        self.with_text(|text| {
            f.debug_struct("Literal")
                .field("lit", &format_args!("{}", text))
                .field("span", &self.span)
                .finish()
        })
    }
}

#[cfg(test)]
mod tests;
