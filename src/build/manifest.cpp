#include "build/manifest.hpp"

#include "build/source_rewrite.hpp"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace wasmacro::build {
namespace {

using nlohmann::json;

json parse_json(std::string_view text, std::string_view what) {
    try {
        return json::parse(text);
    } catch (const json::exception& e) {
        throw BuildError(fmt::format("cannot read the output of {}: {}", what, e.what()));
    }
}

std::string optional_string(const json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string toml_array(const std::vector<std::string>& items) {
    std::string out = "[";
    for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + toml_string(items[i]);
    return out + "]";
}

} // namespace

std::string toml_string(std::string_view text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\')
            (out += '\\') += c;
        else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            out += fmt::format("\\u{:04X}", static_cast<unsigned char>(c));
        else
            out += c;
    }
    return out + "\"";
}

Manifest parse_metadata(std::string_view text, const std::string& manifest_path) {
    json metadata = parse_json(text, "cargo metadata");
    namespace fs = std::filesystem;
    const fs::path wanted = fs::weakly_canonical(manifest_path);
    for (const json& package : metadata.at("packages")) {
        if (fs::weakly_canonical(package.at("manifest_path").get<std::string>()) != wanted)
            continue;
        Manifest m;
        m.name = package.at("name").get<std::string>();
        m.version = package.at("version").get<std::string>();
        m.edition = package.at("edition").get<std::string>();
        m.root = wanted.parent_path().string();
        if (std::string links = optional_string(package, "links"); !links.empty()) m.links = links;
        for (const json& target : package.at("targets")) {
            const json& kinds = target.at("kind");
            auto is = [&](const char* kind) {
                return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
            };
            std::string src = fs::path(target.at("src_path").get<std::string>())
                                  .lexically_relative(m.root)
                                  .string();
            if (is("custom-build")) m.build_script = src;
            if (is("proc-macro") || is("lib") || is("rlib") || is("dylib") || is("cdylib")) {
                m.proc_macro = is("proc-macro");
                // cargo metadata gives the target's name; the crate's has `_` for `-`.
                m.lib_name = target.at("name").get<std::string>();
                std::replace(m.lib_name.begin(), m.lib_name.end(), '-', '_');
                m.lib_path = src;
                if (std::string edition = optional_string(target, "edition"); !edition.empty())
                    m.edition = edition;
            }
        }
        if (m.lib_name.empty())
            throw BuildError(
                manifest_path + ": package `" + m.name +
                "` has no library target (a proc-macro crate has `[lib] proc-macro = true`)");
        for (const json& d : package.at("dependencies")) {
            Dependency dep;
            dep.name = d.at("name").get<std::string>();
            if (std::string rename = optional_string(d, "rename"); !rename.empty())
                dep.rename = rename;
            dep.req = d.at("req").get<std::string>();
            dep.kind = optional_string(d, "kind");
            if (std::string target = optional_string(d, "target"); !target.empty())
                dep.target = target;
            dep.optional = d.value("optional", false);
            dep.default_features = d.value("uses_default_features", true);
            dep.features = d.value("features", std::vector<std::string>{});
            if (std::string path = optional_string(d, "path"); !path.empty()) dep.path = path;
            m.dependencies.push_back(std::move(dep));
        }
        for (const auto& [feature, enables] : package.at("features").items())
            m.features[feature] = enables.get<std::vector<std::string>>();
        return m;
    }
    throw BuildError("cargo metadata lists no package with the manifest " + manifest_path);
}

std::vector<RegistryPackage> registry_libraries(std::string_view text) {
    json metadata = parse_json(text, "cargo metadata");
    std::vector<RegistryPackage> found;
    for (const json& package : metadata.at("packages")) {
        if (!package.at("source").is_string()) continue;
        for (const json& target : package.at("targets")) {
            const json& kinds = target.at("kind");
            if (std::find(kinds.begin(), kinds.end(), "lib") == kinds.end() &&
                std::find(kinds.begin(), kinds.end(), "rlib") == kinds.end())
                continue;
            found.push_back({package.at("name").get<std::string>(),
                             package.at("version").get<std::string>(),
                             std::filesystem::path(package.at("manifest_path").get<std::string>())
                                 .parent_path()
                                 .string(),
                             target.at("src_path").get<std::string>()});
        }
    }
    return found;
}

std::string build_crate_manifest(const Manifest& crate, const std::vector<Patch>& patches) {
    std::string out = fmt::format(
        "# Written by `wasmacro build`: {} {} compiled to wasm32-unknown-unknown as a cdylib.\n"
        "[package]\nname = {}\nversion = {}\nedition = {}\npublish = false\n",
        crate.name, crate.version, toml_string(crate.name), toml_string(crate.version),
        toml_string(crate.edition));
    if (crate.build_script) out += "build = " + toml_string(*crate.build_script) + "\n";
    if (crate.links) out += "links = " + toml_string(*crate.links) + "\n";
    out += fmt::format("\n[lib]\nname = {}\ncrate-type = [\"cdylib\"]\npath = {}\n",
                       toml_string(crate.lib_name), toml_string(crate.lib_path));
    out += "\n# The compiler's `proc_macro`, for a wasm guest.\n"
           "[dependencies.proc_macro]\npackage = \"wasmacro-proc-macro\"\npath = "
           "\"wasmacro-proc-macro\"\n";
    for (const Dependency& d : crate.dependencies) {
        if (d.kind == "dev") continue;
        std::string table = d.kind == "build" ? "build-dependencies" : "dependencies";
        if (d.target) table = "target." + toml_string(*d.target) + "." + table;
        out += fmt::format("\n[{}.{}]\n", table, toml_string(d.rename.value_or(d.name)));
        if (d.rename) out += "package = " + toml_string(d.name) + "\n";
        out += "version = " + toml_string(d.req) + "\n";
        if (d.path) out += "path = " + toml_string(*d.path) + "\n";
        if (d.optional) out += "optional = true\n";
        if (!d.default_features) out += "default-features = false\n";
        if (!d.features.empty()) out += "features = " + toml_array(d.features) + "\n";
    }
    if (!crate.features.empty()) {
        out += "\n[features]\n";
        for (const auto& [feature, enables] : crate.features)
            out += toml_string(feature) + " = " + toml_array(enables) + "\n";
    }
    out += "\n[patch.crates-io]\nproc-macro2 = { path = \"wasmacro-guest\" }\n";
    for (const Patch& p : patches)
        out += toml_string(p.name) + " = { path = " + toml_string(p.path) + " }\n";
    // What every wasm macro is built with: small and fast, no unwinding (the
    // guest's panic hook reports to the host, then the module traps), no
    // debug info but the name section (kept by `strip = "debuginfo"`), so
    // that traps name the function.
    out += "\n[profile.release]\nopt-level = 3\ncodegen-units = 1\nlto = true\npanic = \"abort\"\n"
           "debug = false\nstrip = \"debuginfo\"\nincremental = false\n"
           "\n# A workspace of its own, whatever surrounds the target directory.\n[workspace]\n";
    return out;
}

} // namespace wasmacro::build
