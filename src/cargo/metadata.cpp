#include "cargo/metadata.hpp"

#include "common/error.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

namespace wasmacro::cargo {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const json& field(const json& object, const char* name, std::string_view where) {
    auto it = object.find(name);
    if (it == object.end()) throw Error(fmt::format("cargo metadata: {} has no `{}`", where, name));
    return *it;
}

std::string text(const json& object, const char* name, std::string_view where) {
    const json& value = field(object, name, where);
    if (!value.is_string())
        throw Error(fmt::format("cargo metadata: `{}` of {} is not a string", name, where));
    return value.get<std::string>();
}

/// The `wasmacro.macros` table of a `metadata` value (workspace or package),
/// if there is one; paths are relative to `manifest`'s directory.
void read_macro_table(const json& metadata, const fs::path& manifest, const std::string& table,
                      std::vector<MappedMacro>& out) {
    if (!metadata.is_object()) return;
    auto wasmacro = metadata.find("wasmacro");
    if (wasmacro == metadata.end()) return;
    if (!wasmacro->is_object())
        throw Error(fmt::format("{}: `{}` is not a table", manifest.string(),
                                table.substr(0, table.rfind('.'))));
    auto macros = wasmacro->find("macros");
    if (macros == wasmacro->end()) return;
    if (!macros->is_object())
        throw Error(fmt::format("{}: `{}` is not a table of crate names to .wasm paths",
                                manifest.string(), table));
    for (const auto& [crate, path] : macros->items()) {
        if (!path.is_string() || path.get<std::string>().empty())
            throw Error(fmt::format("{}: `{}.{}` is not a path to a .wasm file", manifest.string(),
                                    table, crate));
        fs::path wasm = path.get<std::string>();
        if (wasm.is_relative()) wasm = manifest.parent_path() / wasm;
        out.push_back({crate, wasm.lexically_normal(), manifest, table});
    }
}

} // namespace

Workspace parse_metadata(std::string_view text_json) {
    json doc = json::parse(text_json, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded() || !doc.is_object())
        throw Error("cargo metadata: the output is not a JSON object");
    Workspace ws;
    ws.root = text(doc, "workspace_root", "the output");
    const json& packages = field(doc, "packages", "the output");
    const json& resolve = field(doc, "resolve", "the output");
    if (!packages.is_array()) throw Error("cargo metadata: `packages` is not an array");

    // Each resolved package's enabled features and dependencies.
    std::unordered_map<std::string, std::vector<std::string>> resolved;
    if (resolve.is_object())
        for (const json& node : field(resolve, "nodes", "`resolve`")) {
            std::string node_id = text(node, "id", "a resolve node");
            std::vector<std::string>& enabled = resolved[node_id];
            for (const json& f : node.value("features", json::array()))
                if (f.is_string()) enabled.push_back(f.get<std::string>());
            std::sort(enabled.begin(), enabled.end());
            std::vector<std::string>& deps = ws.dependencies[node_id];
            for (const json& d : node.value("dependencies", json::array()))
                if (d.is_string()) deps.push_back(d.get<std::string>());
        }
    std::unordered_set<std::string> members;
    for (const json& id : field(doc, "workspace_members", "the output"))
        if (id.is_string()) {
            members.insert(id.get<std::string>());
            ws.members.push_back(id.get<std::string>());
        }

    read_macro_table(doc.value("metadata", json()), ws.root / "Cargo.toml",
                     "workspace.metadata.wasmacro.macros", ws.mapped);
    for (const json& p : packages) {
        std::string id = text(p, "id", "a package");
        if (members.count(id) != 0)
            read_macro_table(p.value("metadata", json()), text(p, "manifest_path", id),
                             "package.metadata.wasmacro.macros", ws.mapped);
        // Without a resolve (--no-deps), every package listed counts.
        if (resolve.is_object() && resolved.count(id) == 0) continue;
        for (const json& target : field(p, "targets", id)) {
            const json& kinds = field(target, "kind", id);
            if (std::find(kinds.begin(), kinds.end(), "proc-macro") == kinds.end()) continue;
            ProcMacroPackage m;
            m.name = text(p, "name", id);
            m.version = text(p, "version", id);
            const json& source = field(p, "source", id);
            if (source.is_string()) m.source = source.get<std::string>();
            m.lib_name = text(target, "name", id);
            std::replace(m.lib_name.begin(), m.lib_name.end(), '-', '_');
            m.edition = text(p, "edition", id);
            for (const auto& [feature, enables] : field(p, "features", id).items())
                m.features.push_back(feature);
            std::sort(m.features.begin(), m.features.end());
            if (auto node = resolved.find(id); node != resolved.end()) m.enabled = node->second;
            m.dir = fs::path(text(p, "manifest_path", id)).parent_path();
            m.id = id;
            ws.macros.push_back(std::move(m));
            break;
        }
    }
    std::sort(ws.macros.begin(), ws.macros.end(), [](const auto& a, const auto& b) {
        return std::tie(a.name, a.version, a.source) < std::tie(b.name, b.version, b.source);
    });
    return ws;
}

std::vector<std::string> metadata_command(const std::string& cargo,
                                          const std::vector<std::string>& cargo_args) {
    static const std::set<std::string_view> kFlags = {"--all-features", "--no-default-features",
                                                      "--offline", "--frozen", "--locked"};
    static const std::set<std::string_view> kWithValue = {"--manifest-path", "--features", "-F",
                                                          "--config", "-Z"};
    std::vector<std::string> command{cargo};
    size_t i = 0;
    // A toolchain (`+nightly`) comes before the subcommand.
    if (!cargo_args.empty() && cargo_args[0].starts_with('+')) command.push_back(cargo_args[i++]);
    command.insert(command.end(), {"metadata", "--format-version", "1"});
    for (; i < cargo_args.size() && cargo_args[i] != "--"; ++i) {
        const std::string& arg = cargo_args[i];
        std::string_view option = std::string_view(arg).substr(0, arg.find('='));
        if (kFlags.count(arg) != 0 || (option != arg && kWithValue.count(option) != 0))
            command.push_back(arg);
        else if (kWithValue.count(arg) != 0 && i + 1 < cargo_args.size())
            command.insert(command.end(), {arg, cargo_args[++i]});
    }
    return command;
}

} // namespace wasmacro::cargo
