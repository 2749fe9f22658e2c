// Writing the expanded crate: all of it or nothing, and its source map.
#include "expand/expand.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include <unistd.h>

namespace wasmacro::expand {

namespace fs = std::filesystem;

namespace {

nlohmann::json position(const Position& p) {
    return {{"line", p.line}, {"col", p.col}};
}

void write_file(const fs::path& path, const std::string& bytes) {
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) throw Error(fmt::format("cannot write {}", path.string()));
}

} // namespace

std::string source_map_json(const CrateExpansion& crate) {
    nlohmann::json files = nlohmann::json::array();
    for (const OutputFile& f : crate.files) {
        if (f.map.empty()) continue;
        nlohmann::json expansions = nlohmann::json::array();
        for (const MapEntry& m : f.map)
            expansions.push_back(
                {{"start", position(m.out_start)},
                 {"end", position(m.out_end)},
                 {"macro", m.macro},
                 {"kind", m.kind},
                 {"invocation", {{"file", m.file}, {"line", m.at.line}, {"col", m.at.col}}}});
        files.push_back({{"file", f.path}, {"expansions", std::move(expansions)}});
    }
    nlohmann::json doc = {{"version", 1}, {"files", std::move(files)}};
    return doc.dump(2) + "\n";
}

void write_crate(const CrateExpansion& crate, const std::string& out_dir, bool source_map) {
    fs::path out = fs::absolute(out_dir).lexically_normal();
    if (out.filename().empty()) out = out.parent_path();
    std::string tag = fmt::format(".wasmacro-{}", ::getpid());
    fs::path tmp = out.parent_path() / (out.filename().string() + tag + "-new");
    fs::path old = out.parent_path() / (out.filename().string() + tag + "-old");
    std::error_code ec;
    fs::remove_all(tmp, ec);
    try {
        fs::create_directories(tmp);
        for (const OutputFile& f : crate.files) write_file(tmp / f.path, f.bytes);
        if (source_map) write_file(tmp / "wasmacro-map.json", source_map_json(crate));
        bool replace = fs::exists(out);
        if (replace) fs::rename(out, old);
        fs::rename(tmp, out);
        if (replace) fs::remove_all(old, ec);
    } catch (const fs::filesystem_error& e) {
        fs::remove_all(tmp, ec);
        throw Error(fmt::format("cannot write the expanded crate to {}: {}", out.string(),
                                e.code().message()));
    } catch (...) {
        fs::remove_all(tmp, ec);
        throw;
    }
}

} // namespace wasmacro::expand
