//! proc_macro token streams to and from the wire format of include/wasmacro.h
//! (the guest-to-host style: one span per group, literals as source text).
//!
//! Spans cannot cross into C, so the encoder numbers them: handle `i` is
//! `spans[i]`, and the decoder gives an output token the span behind its
//! handle, or the call site for new tokens (`CALL_SITE`).

//! The format's tags and rules are rust/wire/format.rs, shared with the guest.

use proc_macro::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};

#[path = "../../wire/format.rs"]
mod format;

use format::{
    CALL_SITE, END as TAG_END, GROUP as TAG_GROUP, IDENT as TAG_IDENT, LITERAL as TAG_LITERAL,
    PUNCT as TAG_PUNCT,
};

#[derive(Default)]
pub struct Encoder {
    pub bytes: Vec<u8>,
    pub spans: Vec<Span>,
}

impl Encoder {
    fn u32(&mut self, v: u32) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }

    fn span(&mut self, span: Span) {
        let handle = self.spans.len() as u32;
        self.spans.push(span);
        self.u32(handle);
    }

    fn text(&mut self, text: &str) {
        self.u32(text.len() as u32);
        self.bytes.extend_from_slice(text.as_bytes());
    }

    /// Appends `stream` and its end byte; returns the offset it started at.
    pub fn stream(&mut self, stream: TokenStream) -> usize {
        let start = self.bytes.len();
        self.trees(stream);
        start
    }

    fn trees(&mut self, stream: TokenStream) {
        for tree in stream {
            match tree {
                TokenTree::Group(group) => {
                    self.bytes.push(TAG_GROUP);
                    self.bytes.push(match group.delimiter() {
                        Delimiter::Parenthesis => format::PARENTHESIS,
                        Delimiter::Brace => format::BRACE,
                        Delimiter::Bracket => format::BRACKET,
                        Delimiter::None => format::NONE,
                    });
                    self.span(group.span());
                    self.trees(group.stream());
                }
                TokenTree::Ident(ident) => {
                    self.bytes.push(TAG_IDENT);
                    self.span(ident.span());
                    // Display gives `r#name` for a raw identifier, as the format wants.
                    self.text(&ident.to_string());
                }
                TokenTree::Punct(punct) => {
                    self.bytes.push(TAG_PUNCT);
                    self.u32(punct.as_char() as u32);
                    self.bytes.push(match punct.spacing() {
                        Spacing::Alone => format::ALONE,
                        Spacing::Joint => format::JOINT,
                    });
                    self.span(punct.span());
                }
                TokenTree::Literal(literal) => {
                    self.bytes.push(TAG_LITERAL);
                    self.span(literal.span());
                    self.bytes.push(format::LITERAL_TEXT);
                    self.text(&literal.to_string());
                }
            }
        }
        self.bytes.push(TAG_END);
    }
}

/// Decodes one stream. The C side has already checked what it produced, so a
/// failure here means the two sides disagree about the format: reported, not
/// panicked on.
pub fn decode(bytes: &[u8], spans: &[Span]) -> Result<TokenStream, String> {
    let mut reader = Reader {
        inner: format::Reader::new(bytes),
        spans,
    };
    // Open groups, innermost last, kept on the heap: nesting depth is the
    // macro's to choose.
    let mut open: Vec<(Delimiter, Span, Vec<TokenTree>)> = Vec::new();
    let mut current: Vec<TokenTree> = Vec::new();
    loop {
        let tag = reader.u8()?;
        match tag {
            TAG_END => match open.pop() {
                Some((delimiter, span, outer)) => {
                    let inner: TokenStream = std::mem::replace(&mut current, outer).into_iter().collect();
                    let mut group = Group::new(delimiter, inner);
                    group.set_span(span);
                    current.push(TokenTree::Group(group));
                }
                None => break,
            },
            TAG_GROUP => {
                let delimiter = match reader.u8()? {
                    format::PARENTHESIS => Delimiter::Parenthesis,
                    format::BRACE => Delimiter::Brace,
                    format::BRACKET => Delimiter::Bracket,
                    format::NONE => Delimiter::None,
                    d => return Err(reader.error(&format!("bad delimiter {}", d))),
                };
                let span = reader.span()?;
                open.push((delimiter, span, std::mem::take(&mut current)));
            }
            TAG_IDENT => {
                let span = reader.span()?;
                let name = reader.text()?;
                let ident = match name.strip_prefix("r#") {
                    Some(raw) => Ident::new_raw(raw, span),
                    None => Ident::new(name, span),
                };
                current.push(TokenTree::Ident(ident));
            }
            TAG_PUNCT => {
                let c = reader.u32()?;
                let ch = char::from_u32(c).ok_or_else(|| reader.error("bad punct char"))?;
                let spacing = match reader.u8()? {
                    format::ALONE => Spacing::Alone,
                    format::JOINT => Spacing::Joint,
                    s => return Err(reader.error(&format!("bad spacing {}", s))),
                };
                let span = reader.span()?;
                let mut punct = Punct::new(ch, spacing);
                punct.set_span(span);
                current.push(TokenTree::Punct(punct));
            }
            TAG_LITERAL => {
                let span = reader.span()?;
                if reader.u8()? != format::LITERAL_TEXT {
                    return Err(reader.error("literal handle where text was expected"));
                }
                let text = reader.text()?;
                let mut literal: Literal = text
                    .parse()
                    .map_err(|_| reader.error(&format!("bad literal `{}`", text)))?;
                literal.set_span(span);
                current.push(TokenTree::Literal(literal));
            }
            t => return Err(reader.error(&format!("bad tag {}", t))),
        }
    }
    if reader.inner.pos != bytes.len() {
        return Err(reader.error("bytes after the end of the stream"));
    }
    Ok(current.into_iter().collect())
}

struct Reader<'a> {
    inner: format::Reader<'a>,
    spans: &'a [Span],
}

impl<'a> Reader<'a> {
    fn error(&self, what: &str) -> String {
        format!(
            "wasmacro bridge: malformed expansion at byte {}: {}",
            self.inner.pos, what
        )
    }

    fn u8(&mut self) -> Result<u8, String> {
        self.inner.u8().ok_or_else(|| self.error("truncated"))
    }

    fn u32(&mut self) -> Result<u32, String> {
        self.inner.u32().ok_or_else(|| self.error("truncated"))
    }

    fn span(&mut self) -> Result<Span, String> {
        let handle = self.u32()?;
        if handle == CALL_SITE {
            return Ok(Span::call_site());
        }
        self.spans
            .get(handle as usize)
            .copied()
            .ok_or_else(|| self.error(&format!("unknown span handle {}", handle)))
    }

    fn text(&mut self) -> Result<&'a str, String> {
        match self.inner.text() {
            None => Err(self.error("truncated")),
            Some(text) => text.map_err(|_| self.error("invalid UTF-8")),
        }
    }
}

/// Decodes the golden stream of rust/wire and encodes it again, which must
/// give the same bytes; for tests/e2e (case wire_golden), since proc_macro's
/// types exist only while rustc runs a macro.
#[cfg(feature = "wire-golden")]
pub fn check_golden() -> Result<(), String> {
    let golden: &[u8] = include_bytes!("../../wire/golden-guest-to-host.bin");
    // Handles are numbered in the order the tokens come, as the encoder
    // numbers them: 15 spans.
    let spans = vec![Span::call_site(); 15];
    let stream = decode(golden, &spans)?;
    let trees = stream.clone().into_iter().count();
    if trees != 11 {
        return Err(format!("the golden stream decoded to {} trees, not 11", trees));
    }
    let same = |what: &str, stream: TokenStream| {
        let mut encoder = Encoder::default();
        encoder.stream(stream);
        if encoder.bytes == golden {
            return Ok(());
        }
        Err(format!("{} encode differently:\n{:?}\n{:?}", what, encoder.bytes, golden))
    };
    same("the golden stream's tokens", stream)?;
    // The same tokens built by hand encode to the same bytes, so that the
    // tags mean what the other sides take them to mean.
    let group = |delimiter, trees: Vec<TokenTree>| {
        TokenTree::Group(Group::new(delimiter, trees.into_iter().collect()))
    };
    let ident = |name| TokenTree::Ident(Ident::new(name, Span::call_site()));
    let punct = |c, spacing| TokenTree::Punct(Punct::new(c, spacing));
    let built: TokenStream = vec![
        punct('#', Spacing::Alone),
        group(
            Delimiter::Bracket,
            vec![ident("derive"), group(Delimiter::Parenthesis, vec![ident("Debug")])],
        ),
        TokenTree::Ident(Ident::new_raw("fn", Span::call_site())),
        punct('=', Spacing::Joint),
        punct('>', Spacing::Alone),
        TokenTree::Literal(Literal::string("hi")),
        TokenTree::Literal(Literal::u8_suffixed(1)),
        group(Delimiter::None, vec![ident("ünï")]),
        group(Delimiter::Brace, vec![]),
        punct('\'', Spacing::Joint),
        ident("a"),
    ]
    .into_iter()
    .collect();
    same("the golden tokens built by hand", built)?;
    Ok(())
}
