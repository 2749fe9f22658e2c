// Whole files as bytes: the driver's commands and the rustc bridge read
// modules, dep-info files and cache stamps, often megabytes on every call.
#pragma once

#include "common/error.hpp"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wasmacro {

/// The bytes of the file at `path`, or nullopt with the reason in `why`.
inline std::optional<std::vector<uint8_t>> try_read_file(const std::string& path,
                                                         std::string* why = nullptr) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) {
        if (why != nullptr) *why = std::strerror(errno);
        return std::nullopt;
    }
    std::vector<uint8_t> bytes;
    std::streamoff size = in.tellg();
    if (size >= 0) {
        // One read of the whole file: `wasmacro rustc` reads megabytes (the
        // wasm, the cached macro crate) on every call it wraps.
        bytes.resize(static_cast<size_t>(size));
        in.seekg(0);
        in.read(reinterpret_cast<char*>(bytes.data()), size);
        if (in.gcount() != size) in.setstate(std::ios::badbit);
    } else { // not seekable (a pipe)
        bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    if (in.bad()) {
        if (why != nullptr) *why = "read error";
        return std::nullopt;
    }
    return bytes;
}

/// The same, throwing Error (naming the file and the reason) when it cannot.
inline std::vector<uint8_t> read_file_bytes(const std::string& path) {
    std::string why;
    auto bytes = try_read_file(path, &why);
    if (!bytes) throw Error("cannot read " + path + ": " + why);
    return std::move(*bytes);
}

/// Replaces the file at `path` with `text`. Throws Error naming the file.
inline void write_file(const std::string& path, std::string_view text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) throw Error("cannot write " + path);
}

} // namespace wasmacro
