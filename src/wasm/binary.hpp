// Editing WebAssembly binaries without decoding them: the sections as they
// stand in the bytes, and writing a custom section. For tools that change a
// module's metadata (`wasmacro annotate`) and keep every other byte. Reading
// goes through the decoder's Reader, so a malformed module is reported in
// the decoder's words.
#pragma once

#include "wasm/reader.hpp"

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace wasmacro::wasm {

/// Appends `v` as an unsigned LEB128 (spec 5.2.2).
inline void write_leb_u32(std::vector<uint8_t>& out, uint32_t v) {
    do {
        uint8_t b = v & 0x7F;
        v >>= 7;
        if (v) b |= 0x80;
        out.push_back(b);
    } while (v);
}

/// One section of a module, as offsets into its bytes.
struct SectionSpan {
    uint8_t id = 0;
    size_t start = 0;             ///< of the id byte
    size_t payload = 0;           ///< of the contents, after the size
    size_t end = 0;               ///< one past the contents
    std::string_view custom_name; ///< custom sections (id 0) only
};

/// The sections of `wasm` in order. Checks the header's length and each
/// section's framing (its size, and a custom section's name); throws
/// DecodeError where it is malformed. The contents are not looked at.
inline std::vector<SectionSpan> sections(std::span<const uint8_t> wasm) {
    if (wasm.size() < 8) throw DecodeError("module", 0, "too short for a module header");
    std::vector<SectionSpan> out;
    detail::Reader r(wasm.data(), 8, wasm.size(), "module");
    r.set_top_level();
    while (!r.at_end()) {
        SectionSpan s;
        s.start = r.pos();
        s.id = r.u8();
        uint32_t size = r.u32();
        s.payload = r.pos();
        if (size > wasm.size() - s.payload)
            r.fail(s.start, "a section runs past the end of the module");
        s.end = s.payload + size;
        if (s.id == 0) {
            detail::Reader name(wasm.data(), s.payload, s.end, "custom section");
            s.custom_name = name.name();
        }
        out.push_back(s);
        r.seek(s.end);
    }
    return out;
}

/// Appends a custom section named `name` holding `payload`.
inline void append_custom_section(std::vector<uint8_t>& out, std::string_view name,
                                  std::span<const uint8_t> payload) {
    std::vector<uint8_t> contents;
    write_leb_u32(contents, static_cast<uint32_t>(name.size()));
    contents.insert(contents.end(), name.begin(), name.end());
    contents.insert(contents.end(), payload.begin(), payload.end());
    out.push_back(0);
    write_leb_u32(out, static_cast<uint32_t>(contents.size()));
    out.insert(out.end(), contents.begin(), contents.end());
}

/// `wasm` with its custom sections named `name` (if any) replaced by one
/// holding `payload`, at the end; every other byte is kept. Throws
/// DecodeError if the section structure of `wasm` is malformed.
inline std::vector<uint8_t> with_custom_section(std::span<const uint8_t> wasm,
                                                std::string_view name,
                                                std::span<const uint8_t> payload) {
    std::vector<SectionSpan> all = sections(wasm);
    std::vector<uint8_t> out(wasm.begin(), wasm.begin() + 8);
    out.reserve(wasm.size() + name.size() + payload.size() + 16);
    for (const SectionSpan& s : all)
        if (s.id != 0 || s.custom_name != name)
            out.insert(out.end(), wasm.begin() + s.start, wasm.begin() + s.end);
    append_custom_section(out, name, payload);
    return out;
}

} // namespace wasmacro::wasm
