//! The watt-0.5 wire format (see DESIGN.md), both directions; its tags and
//! rules are rust/wire/format.rs, shared with the bridge.

use crate::{Delimiter, Group, Ident, Literal, LiteralRepr, Punct, Spacing, Span, TokenStream, TokenTree};
use std::fmt;

#[path = "../../wire/format.rs"]
mod format;

use format::{END, GROUP, IDENT, LITERAL, LITERAL_HANDLE, LITERAL_TEXT, PUNCT};

fn delimiter_byte(d: Delimiter) -> u8 {
    match d {
        Delimiter::Parenthesis => format::PARENTHESIS,
        Delimiter::Brace => format::BRACE,
        Delimiter::Bracket => format::BRACKET,
        Delimiter::None => format::NONE,
    }
}

/// Appends to a byte vector through room reserved up front: one capacity
/// check (and length update in memory) per token instead of one per field,
/// which matters because the encoding of an expansion's output is a tenth of
/// its executed wasm. The bounds asserts fold away where the compiler sees
/// the sizes.
struct Room<'a> {
    out: &'a mut Vec<u8>,
    len: usize,
    end: usize,
}

impl<'a> Room<'a> {
    fn new(out: &'a mut Vec<u8>, bytes: usize) -> Room<'a> {
        out.reserve(bytes);
        let len = out.len();
        Room { out, len, end: len + bytes }
    }

    fn bytes(&mut self, bytes: &[u8]) {
        assert!(bytes.len() <= self.end - self.len, "wire encoding overran its room");
        // SAFETY: `new` reserved room up to `end`, and the assert keeps the
        // write inside it.
        unsafe {
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), self.out.as_mut_ptr().add(self.len), bytes.len());
        }
        self.len += bytes.len();
    }

    fn byte(&mut self, b: u8) {
        self.bytes(&[b]);
    }

    fn u32(&mut self, v: u32) {
        self.bytes(&v.to_le_bytes());
    }
}

impl Drop for Room<'_> {
    fn drop(&mut self) {
        // SAFETY: the bytes up to `len` were written, within the capacity.
        unsafe { self.out.set_len(self.len) }
    }
}

/// Appends `stream` in the guest -> host form to `out`.
pub fn encode(stream: &TokenStream, out: &mut Vec<u8>) {
    for tree in stream.trees() {
        match tree {
            TokenTree::Group(g) => {
                let mut room = Room::new(out, 6);
                room.byte(GROUP);
                room.byte(delimiter_byte(g.delimiter()));
                room.u32(g.span().handle());
                drop(room);
                encode(g.stream_ref(), out);
            }
            TokenTree::Ident(i) => {
                let sym = i.sym().as_bytes();
                let mut room = Room::new(out, 11 + sym.len());
                room.byte(IDENT);
                room.u32(i.span().handle());
                if i.is_raw() {
                    room.u32(sym.len() as u32 + 2);
                    room.bytes(b"r#");
                } else {
                    room.u32(sym.len() as u32);
                }
                room.bytes(sym);
            }
            TokenTree::Punct(p) => {
                let mut room = Room::new(out, 10);
                room.byte(PUNCT);
                room.u32(p.as_char() as u32);
                room.byte(match p.spacing() {
                    Spacing::Alone => format::ALONE,
                    Spacing::Joint => format::JOINT,
                });
                room.u32(p.span().handle());
            }
            TokenTree::Literal(l) => encode_literal(l, out),
        }
    }
    out.push(END);
}

fn encode_literal(l: &Literal, out: &mut Vec<u8>) {
    let span = l.span().handle();
    match l.repr() {
        LiteralRepr::Host { handle, .. } => {
            let mut room = Room::new(out, 10);
            room.byte(LITERAL);
            room.u32(span);
            room.byte(LITERAL_HANDLE);
            room.u32(*handle);
        }
        LiteralRepr::Text(text) => {
            let mut room = Room::new(out, 20 + text.len());
            // A negative number (`Literal::i32_unsuffixed(-1)`) goes as `-`
            // and the number, the tokens a lexer makes of it, so that a host
            // needs no special case for it.
            let text = match text.strip_prefix('-') {
                Some(positive) => {
                    room.byte(PUNCT);
                    room.u32('-' as u32);
                    room.byte(format::ALONE);
                    room.u32(span);
                    positive
                }
                None => text,
            };
            room.byte(LITERAL);
            room.u32(span);
            room.byte(LITERAL_TEXT);
            room.u32(text.len() as u32);
            room.bytes(text.as_bytes());
        }
    }
}

/// Why host -> guest bytes could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The bytes end inside a tree, or before the final `0`.
    Truncated,
    /// Bytes follow the outermost stream's end.
    TrailingBytes(usize),
    BadTag(u8),
    BadDelimiter(u8),
    BadSpacing(u8),
    BadLiteralKind(u8),
    BadChar(u32),
    BadUtf8,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            DecodeError::Truncated => f.write_str("truncated"),
            DecodeError::TrailingBytes(n) => write!(f, "{} bytes after the end", n),
            DecodeError::BadTag(t) => write!(f, "unknown tree tag {}", t),
            DecodeError::BadDelimiter(d) => write!(f, "unknown delimiter {}", d),
            DecodeError::BadSpacing(s) => write!(f, "unknown spacing {}", s),
            DecodeError::BadLiteralKind(k) => write!(f, "unknown literal kind {}", k),
            DecodeError::BadChar(c) => write!(f, "invalid char {:#x}", c),
            DecodeError::BadUtf8 => f.write_str("invalid UTF-8"),
        }
    }
}

struct Reader<'a>(format::Reader<'a>);

impl<'a> Reader<'a> {
    fn u8(&mut self) -> Result<u8, DecodeError> {
        self.0.u8().ok_or(DecodeError::Truncated)
    }

    fn u32(&mut self) -> Result<u32, DecodeError> {
        self.0.u32().ok_or(DecodeError::Truncated)
    }

    fn span(&mut self) -> Result<Span, DecodeError> {
        Ok(Span::from_handle(self.u32()?))
    }

    fn str(&mut self) -> Result<&'a str, DecodeError> {
        self.0.text().ok_or(DecodeError::Truncated)?.map_err(|_| DecodeError::BadUtf8)
    }
}

/// A group whose inner trees are still being read.
struct OpenGroup {
    delimiter: Delimiter,
    spans: [Span; 3],
    trees: Vec<TokenTree>,
}

/// Decodes host -> guest bytes (exactly one stream) into token trees.
/// Nesting depth is bounded only by memory: groups are kept on a heap stack,
/// not the wasm call stack.
pub fn decode(bytes: &[u8]) -> Result<TokenStream, DecodeError> {
    let mut r = Reader(format::Reader::new(bytes));
    let mut open: Vec<OpenGroup> = Vec::new();
    let mut trees: Vec<TokenTree> = Vec::new();
    loop {
        let tree = match r.u8()? {
            END => match open.pop() {
                None => break,
                Some(group) => {
                    let inner = std::mem::replace(&mut trees, group.trees);
                    let [span, span_open, span_close] = group.spans;
                    TokenTree::Group(Group::with_spans(
                        group.delimiter,
                        TokenStream::from_vec(inner),
                        span,
                        span_open,
                        span_close,
                    ))
                }
            },
            GROUP => {
                let delimiter = match r.u8()? {
                    format::PARENTHESIS => Delimiter::Parenthesis,
                    format::BRACE => Delimiter::Brace,
                    format::BRACKET => Delimiter::Bracket,
                    format::NONE => Delimiter::None,
                    d => return Err(DecodeError::BadDelimiter(d)),
                };
                let spans = [r.span()?, r.span()?, r.span()?];
                open.push(OpenGroup {
                    delimiter,
                    spans,
                    trees: std::mem::take(&mut trees),
                });
                continue;
            }
            IDENT => {
                let span = r.span()?;
                TokenTree::Ident(Ident::from_wire(r.str()?, span))
            }
            PUNCT => {
                let code = r.u32()?;
                let ch = char::from_u32(code).ok_or(DecodeError::BadChar(code))?;
                let spacing = match r.u8()? {
                    format::ALONE => Spacing::Alone,
                    format::JOINT => Spacing::Joint,
                    s => return Err(DecodeError::BadSpacing(s)),
                };
                TokenTree::Punct(Punct::with_span(ch, spacing, r.span()?))
            }
            LITERAL => {
                let span = r.span()?;
                match r.u8()? {
                    LITERAL_HANDLE => TokenTree::Literal(Literal::from_host(r.u32()?, span)),
                    LITERAL_TEXT => {
                        let mut lit = Literal::from_text(r.str()?.to_owned());
                        lit.set_span(span);
                        TokenTree::Literal(lit)
                    }
                    k => return Err(DecodeError::BadLiteralKind(k)),
                }
            }
            tag => return Err(DecodeError::BadTag(tag)),
        };
        trees.push(tree);
    }
    if r.0.pos != bytes.len() {
        return Err(DecodeError::TrailingBytes(bytes.len() - r.0.pos));
    }
    Ok(TokenStream::from_vec(trees))
}
