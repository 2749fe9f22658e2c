//! The watt-0.5 wire format's tags and rules (DESIGN.md, "The watt-0.5
//! ABI"), in one file that both Rust sides include with `#[path]`: the guest
//! (rust/guest, inside wasm) and the bridge (rust/bridge, inside rustc). The
//! C++ side is src/abi/wire.cpp; all three decode and encode the golden
//! streams beside this file in their tests (see README.md).
//!
//! A stream is a list of trees, each starting with a tag byte, ended by a
//! `0` byte; integers are little-endian u32.
//!
//! | tag | host -> guest | guest -> host |
//! | --- | --- | --- |
//! | 1 group | delimiter byte, span, open span, close span, stream | delimiter byte, span, stream |
//! | 2 ident | span, length, UTF-8 name (`r#` for raw) | same |
//! | 3 punct | char, spacing byte (0 alone, 1 joint), span | same |
//! | 4 literal | span, `1`, literal handle | span, `1` + handle, or `0` + length + source text |
#![allow(dead_code)] // each side uses the part it needs

pub const END: u8 = 0;
pub const GROUP: u8 = 1;
pub const IDENT: u8 = 2;
pub const PUNCT: u8 = 3;
pub const LITERAL: u8 = 4;

/// A literal's form, after its span.
pub const LITERAL_TEXT: u8 = 0;
pub const LITERAL_HANDLE: u8 = 1;

/// Delimiter bytes, in the order of proc_macro's `Delimiter`.
pub const PARENTHESIS: u8 = 0;
pub const BRACE: u8 = 1;
pub const BRACKET: u8 = 2;
pub const NONE: u8 = 3;

/// Spacing bytes of a punct.
pub const ALONE: u8 = 0;
pub const JOINT: u8 = 1;

/// The span handle of the macro's call site.
pub const CALL_SITE: u32 = 0xFFFF_FFFF;

/// Spans a group carries: three towards the guest (whole, open, close), one
/// back.
pub const HOST_TO_GUEST_GROUP_SPANS: usize = 3;
pub const GUEST_TO_HOST_GROUP_SPANS: usize = 1;

/// Bounds-checked reads of a stream's fields; `None` at the end of the bytes.
pub struct Reader<'a> {
    pub bytes: &'a [u8],
    pub pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes, pos: 0 }
    }

    pub fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let slice = self.bytes.get(self.pos..end)?;
        self.pos = end;
        Some(slice)
    }

    pub fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    pub fn u32(&mut self) -> Option<u32> {
        let b = self.take(4)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A length-prefixed string: `None` if truncated, `Some(Err)` if not UTF-8.
    pub fn text(&mut self) -> Option<Result<&'a str, std::str::Utf8Error>> {
        let len = self.u32()? as usize;
        Some(std::str::from_utf8(self.take(len)?))
    }
}
