#include "cargo/sources.hpp"

#include "common/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <system_error>
#include <unordered_map>
#include <unordered_set>

namespace wasmacro::cargo {

namespace fs = std::filesystem;

std::string patch_table(const std::string& source) {
    // Cargo's ids of crates.io, whether through git or the sparse index; a
    // source replacement (a vendored directory) keeps the original's id.
    if (source == "registry+https://github.com/rust-lang/crates.io-index" ||
        source == "sparse+https://index.crates.io/")
        return "crates-io";
    for (std::string_view prefix : {"registry+", "sparse+"})
        if (source.starts_with(prefix)) return source.substr(prefix.size());
    return {};
}

bool mark_unused(std::vector<MacroChoice>& choices, const Workspace& ws, bool expect_builds) {
    std::unordered_map<std::string, const MacroChoice*> by_id;
    for (const MacroChoice& c : choices) by_id[c.package.id] = &c;
    auto from_wasm = [&](const MacroChoice& c) {
        return c.wasm ||
               (expect_builds && c.build_failure.empty() && !patch_table(c.package.source).empty());
    };
    // What Cargo builds: the members, and their dependencies but those of a
    // proc-macro package from wasm, whose shim has none.
    std::unordered_set<std::string> reached;
    std::vector<std::string> stack = ws.members;
    while (!stack.empty()) {
        std::string id = std::move(stack.back());
        stack.pop_back();
        if (!reached.insert(id).second) continue;
        if (auto c = by_id.find(id); c != by_id.end() && from_wasm(*c->second)) continue;
        if (auto deps = ws.dependencies.find(id); deps != ws.dependencies.end())
            stack.insert(stack.end(), deps->second.begin(), deps->second.end());
    }
    bool revived = false;
    for (MacroChoice& c : choices) {
        // Without a resolve nothing is known to be left out.
        bool used = ws.dependencies.empty() || reached.count(c.package.id) != 0;
        revived |= c.unused && used;
        c.unused = !used;
        if (c.unused) c.origin = "not built: only proc-macro crates that come from wasm use it";
    }
    return revived;
}

std::vector<MacroChoice> choose_wasm_builds(const Workspace& ws, const fs::path& macro_dir) {
    std::vector<MacroChoice> choices;
    for (const ProcMacroPackage& p : ws.macros) {
        MacroChoice c{p, std::nullopt, {}, {}};
        if (patch_table(p.source).empty()) {
            c.origin = p.source.empty()
                           ? "none: a path package, which Cargo builds from its sources"
                           : "none: its source (" + p.source +
                                 ") cannot be patched; only registry packages can";
            choices.push_back(std::move(c));
            continue;
        }
        auto mapped = std::find_if(ws.mapped.begin(), ws.mapped.end(), [&](const MappedMacro& m) {
            return m.crate == p.name || m.crate == p.lib_name;
        });
        if (mapped != ws.mapped.end()) {
            std::error_code ec;
            if (!fs::is_regular_file(mapped->wasm, ec))
                throw Error(fmt::format("{}: `{}.{}` names {}, which does not exist",
                                        mapped->manifest.string(), mapped->table, mapped->crate,
                                        mapped->wasm.string()));
            c.wasm = mapped->wasm;
            c.origin = fmt::format("{} in {}", mapped->table, mapped->manifest.string());
        } else if (!macro_dir.empty()) {
            fs::path file = macro_dir / fmt::format("{}-{}.wasm", p.name, p.version);
            std::error_code ec;
            if (fs::is_regular_file(file, ec)) {
                c.wasm = fs::absolute(file).lexically_normal();
                c.origin = "the macro directory";
            } else {
                c.origin = fmt::format("none: not in a wasmacro.macros table, and no {} in {}",
                                       file.filename().string(), macro_dir.string());
            }
        } else {
            c.origin = "none: not in a wasmacro.macros table, and no macro directory "
                       "(--macro-dir or WASMACRO_MACRO_DIR)";
        }
        choices.push_back(std::move(c));
    }
    return choices;
}

} // namespace wasmacro::cargo
