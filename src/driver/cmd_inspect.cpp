// `wasmacro inspect FILE.wasm [--json]`: what a macro module offers (its
// macros from the decls section), what it needs (imports), its exports, size
// and the wasm features its code uses. Problems that would stop it loading as
// a macro library are listed too, and make the exit code 1.
#include "driver/commands.hpp"

#include "abi/host.hpp"
#include "macros/library.hpp"
#include "wasm/engine.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <iterator>
#include <memory>
#include <ostream>

namespace wasmacro::driver {
namespace {

struct InspectOptions {
    std::string file;
    bool json = false;
};

std::string import_type(const wasm::Module& m, const wasm::Import& i) {
    switch (i.kind) {
    case wasm::ExternKind::Func: return to_string(m.types[i.func_type]);
    case wasm::ExternKind::Global:
        return fmt::format("{}{}", i.global.is_mutable ? "mut " : "", name(i.global.type));
    case wasm::ExternKind::Memory: return fmt::format("{} pages", i.memory.limits.min);
    case wasm::ExternKind::Table: return std::string(name(i.table.element));
    case wasm::ExternKind::Tag: return to_string(m.types[i.func_type]);
    }
    return {};
}

void run_inspect(const InspectOptions& o, Context& ctx) {
    std::vector<uint8_t> bytes = read_file_bytes(o.file);
    std::shared_ptr<const wasm::Module> module;
    try {
        module = wasm::load_module(bytes);
    } catch (const Error& e) {
        throw Error(fmt::format("{}: {}", o.file, e.what()));
    }

    std::vector<std::string> problems;
    std::optional<macros::Decls> decls;
    try {
        decls = macros::read_decls(*module);
        if (decls) macros::check_exports(*module, *decls);
    } catch (const Error& e) {
        problems.emplace_back(e.what());
    }
    for (auto check : {abi::check_imports, abi::check_helper_exports}) {
        try {
            check(*module);
        } catch (const Error& e) {
            problems.emplace_back(e.what());
        }
    }
    std::vector<std::string_view> features = wasm::feature_names(module->features);

    if (o.json) {
        nlohmann::json j;
        j["file"] = o.file;
        j["size"] = bytes.size();
        j["has_decls"] = decls.has_value();
        j["edition"] = nullptr;
        if (decls) j["edition"] = std::string(tokens::edition_name(decls->edition));
        j["macros"] = nlohmann::json::array();
        if (decls)
            for (const macros::MacroDecl& m : decls->macros)
                j["macros"].push_back({{"kind", std::string(macros::name(m.kind))},
                                       {"name", m.name},
                                       {"export", m.export_name},
                                       {"helpers", m.helpers}});
        j["imports"] = nlohmann::json::array();
        for (const wasm::Import& i : module->imports)
            j["imports"].push_back({{"module", i.module},
                                    {"name", i.name},
                                    {"kind", std::string(name(i.kind))},
                                    {"type", import_type(*module, i)}});
        j["exports"] = nlohmann::json::array();
        for (const wasm::Export& e : module->exports)
            j["exports"].push_back({{"name", e.name}, {"kind", std::string(name(e.kind))}});
        j["features"] = nlohmann::json::array();
        for (std::string_view f : features) j["features"].push_back(std::string(f));
        j["problems"] = problems;
        ctx.out << j.dump(1) << "\n";
    } else {
        std::ostream& out = ctx.out;
        out << fmt::format("{}: {} bytes\n", o.file, bytes.size());
        if (!decls) {
            out << fmt::format("macros: none declared (no {} section; add one with `wasmacro "
                               "annotate`)\n",
                               macros::kDeclsSection);
        } else {
            out << fmt::format("macros ({}), edition {}:\n", decls->macros.size(),
                               tokens::edition_name(decls->edition));
            for (const macros::MacroDecl& m : decls->macros) {
                out << fmt::format("  {} {} -> {}", macros::name(m.kind), m.name, m.export_name);
                if (!m.helpers.empty())
                    out << fmt::format(" (helpers: {})", fmt::join(m.helpers, ", "));
                out << "\n";
            }
        }
        out << fmt::format("imports ({}):\n", module->imports.size());
        for (const wasm::Import& i : module->imports)
            out << fmt::format("  {} \"{}\" \"{}\" {}\n", name(i.kind), i.module, i.name,
                               import_type(*module, i));
        out << fmt::format("exports ({}):\n", module->exports.size());
        for (const wasm::Export& e : module->exports)
            out << fmt::format("  {} \"{}\"\n", name(e.kind), e.name);
        out << "features: "
            << (features.empty() ? std::string("none beyond the MVP")
                                 : fmt::format("{}", fmt::join(features, ", ")))
            << "\n";
        for (const std::string& p : problems) out << "problem: " << p << "\n";
    }
    if (!problems.empty()) ctx.exit_code = 1;
}

} // namespace

void add_inspect_command(CLI::App& app, Context& ctx) {
    auto opts = std::make_shared<InspectOptions>();
    CLI::App* cmd = app.add_subcommand(
        "inspect", "Show a macro module's macros, imports, exports, size and wasm features");
    cmd->add_option("FILE", opts->file, "The .wasm module")->required();
    cmd->add_flag("--json", opts->json, "Print as JSON");
    cmd->callback([opts, &ctx] { run_inspect(*opts, ctx); });
}

} // namespace wasmacro::driver
