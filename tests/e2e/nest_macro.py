#!/usr/bin/env python3
"""Writes a watt-0.5 guest in WebAssembly text whose function-like macro
`nest` ignores its input and returns closures nested DEPTH deep,
`|| { || { ... 1 } }`: the shape in which rustc's parser needs the most
stack per group. IMPORT is the host function that makes the stream:
`parse` (token_stream_parse of the text) or `deserialize`
(token_stream_deserialize of its wire bytes).

    nest_macro.py IMPORT DEPTH > nest.wat
"""
import struct
import sys

CALL_SITE = struct.pack("<I", 0xFFFFFFFF)


def wire(depth):
    """The guest-to-host wire bytes of the stream (DESIGN.md's format)."""
    def punct(ch, joint):
        return bytes([3]) + struct.pack("<I", ord(ch)) + bytes([joint]) + CALL_SITE

    out = bytearray()
    for _ in range(depth):
        out += punct("|", 1) + punct("|", 0) + bytes([1, 1]) + CALL_SITE
    out += bytes([4]) + CALL_SITE + bytes([0]) + struct.pack("<I", 1) + b"1" + bytes([0])
    out += bytes(depth)  # each group's stream ends, then each outer stream
    return bytes(out)


def main():
    import_name, depth = sys.argv[1], int(sys.argv[2])
    if import_name == "parse":
        data = ("|| {" * depth + "1" + "}" * depth).encode()
    elif import_name == "deserialize":
        data = wire(depth)
    else:
        sys.exit("IMPORT is parse or deserialize")
    pages = len(data) // 65536 + 1
    escaped = "".join("\\%02x" % b for b in data)
    print(f"""(module
  (import "watt-0.5" "token_stream_{import_name}" (func $make (param i32 i32) (result i32)))
  (memory {pages})
  (data (i32.const 0) "{escaped}")
  (func (export "raw_to_token_stream") (param i32) (result i32) local.get 0)
  (func (export "token_stream_into_raw") (param i32) (result i32) local.get 0)
  (func (export "nest") (param i32) (result i32)
    (call $make (i32.const 0) (i32.const {len(data)}))))""")


main()
