//! proc_macro token streams to and from the wire format of include/wasmacro.h
//! (the guest-to-host style: one span per group, literals as source text).
//!
//! Spans cannot cross into C, so the encoder numbers them: handle `i` is
//! `spans[i]`, and the decoder gives an output token the span behind its
//! handle, or the call site for new tokens (`CALL_SITE`).

use proc_macro::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};

const CALL_SITE: u32 = 0xFFFF_FFFF;

const TAG_END: u8 = 0;
const TAG_GROUP: u8 = 1;
const TAG_IDENT: u8 = 2;
const TAG_PUNCT: u8 = 3;
const TAG_LITERAL: u8 = 4;

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
                        Delimiter::Parenthesis => 0,
                        Delimiter::Brace => 1,
                        Delimiter::Bracket => 2,
                        Delimiter::None => 3,
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
                        Spacing::Alone => 0,
                        Spacing::Joint => 1,
                    });
                    self.span(punct.span());
                }
                TokenTree::Literal(literal) => {
                    self.bytes.push(TAG_LITERAL);
                    self.span(literal.span());
                    self.bytes.push(0);
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
    let mut reader = Reader { bytes, pos: 0, spans };
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
                    0 => Delimiter::Parenthesis,
                    1 => Delimiter::Brace,
                    2 => Delimiter::Bracket,
                    3 => Delimiter::None,
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
                    0 => Spacing::Alone,
                    1 => Spacing::Joint,
                    s => return Err(reader.error(&format!("bad spacing {}", s))),
                };
                let span = reader.span()?;
                let mut punct = Punct::new(ch, spacing);
                punct.set_span(span);
                current.push(TokenTree::Punct(punct));
            }
            TAG_LITERAL => {
                let span = reader.span()?;
                if reader.u8()? != 0 {
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
    if reader.pos != bytes.len() {
        return Err(reader.error("bytes after the end of the stream"));
    }
    Ok(current.into_iter().collect())
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    spans: &'a [Span],
}

impl<'a> Reader<'a> {
    fn error(&self, what: &str) -> String {
        format!(
            "wasmacro bridge: malformed expansion at byte {}: {}",
            self.pos, what
        )
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if self.bytes.len() - self.pos < n {
            return Err(self.error("truncated"));
        }
        let slice = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(slice)
    }

    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }

    fn u32(&mut self) -> Result<u32, String> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
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
        let len = self.u32()? as usize;
        let bytes = self.take(len)?;
        std::str::from_utf8(bytes).map_err(|_| self.error("invalid UTF-8"))
    }
}
