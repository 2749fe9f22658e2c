// `wasmacro run FILE.wasm EXPORT [ARG...]`: calls one export of a module
// without imports and prints its results, one per line. For trying the
// engine on plain modules; macros go through the other commands.
// `wasmacro run --wasi FILE.wasm [--dir DIR]... [-- ARGS...]` runs a WASI
// command's `_start` instead, with stdio, its arguments and read-only DIRs.
#include "driver/commands.hpp"

#include "wasi/wasi.hpp"
#include "wasm/engine.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <memory>
#include <ostream>

namespace wasmacro::driver {
namespace {

using namespace wasmacro::wasm;

/// A program's run is one long call, which gains nothing from starting
/// interpreted: `run` compiles from the first call unless asked otherwise.
Tier run_tier() {
    Tier tier = default_tier();
    return tier == Tier::Adaptive ? Tier::Compiler : tier;
}

struct RunOptions {
    std::string file;
    std::string export_name;
    std::vector<std::string> args;
    SandboxLimits limits;
    bool wasi = false;
    bool dump_code = false;
    std::vector<std::string> dirs;
};

template <typename T>
bool parse_integer(std::string_view text, T& out) {
    int base = 10;
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        text.remove_prefix(2);
        base = 16;
    }
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out, base);
    return ec == std::errc() && end == text.data() + text.size();
}

/// An argument for a parameter of type `type`: integers signed or unsigned
/// (decimal or 0x hex), floats as strtod reads them (inf, nan included).
Value parse_argument(const std::string& text, ValType type) {
    auto bad = [&]() {
        return Error(fmt::format("argument \"{}\" is not a valid {}", text, name(type)));
    };
    switch (type) {
    case ValType::I32: {
        int64_t v;
        if (!parse_integer(text, v) || v < INT32_MIN || v > UINT32_MAX) throw bad();
        return Value::i32(static_cast<uint32_t>(v));
    }
    case ValType::I64: {
        int64_t s;
        if (parse_integer(text, s)) return Value::i64(static_cast<uint64_t>(s));
        uint64_t u;
        if (parse_integer(text, u)) return Value::i64(u);
        throw bad();
    }
    case ValType::F32:
    case ValType::F64: {
        char* end = nullptr;
        double v = std::strtod(text.c_str(), &end);
        if (text.empty() || *end != '\0') throw bad();
        return type == ValType::F32 ? Value::f32(static_cast<float>(v)) : Value::f64(v);
    }
    default: throw Error(fmt::format("`run` cannot pass a {} argument", name(type)));
    }
}

std::string format_result(const Value& v) {
    switch (v.type) {
    case ValType::I32: return std::to_string(static_cast<int32_t>(v.as_u32()));
    case ValType::I64: return std::to_string(static_cast<int64_t>(v.bits));
    case ValType::F32: return fmt::format("{}", v.as_f32());
    case ValType::F64: return fmt::format("{}", v.as_f64());
    case ValType::FuncRef:
    case ValType::ExternRef:
        return v.bits == 0 ? fmt::format("null {}", name(v.type)) : std::string(name(v.type));
    default: return to_string(v);
    }
}

/// The decoded module, or null after printing why it would not load.
std::shared_ptr<const Module> load(Context& ctx, const RunOptions& opts) {
    std::vector<uint8_t> bytes = read_file_bytes(opts.file);
    try {
        return load_module(bytes);
    } catch (const Error& e) {
        ctx.err << "error: " << opts.file << ": " << e.what() << "\n";
        return nullptr;
    }
}

/// `run --wasi`: the command's `_start` with the process's stdio, the
/// arguments after FILE (argv[0] is FILE) and read-only access to the DIRs
/// only. The exit status is the one it passed to proc_exit, else 0.
int run_wasi_command(Context& ctx, const RunOptions& opts) {
    std::shared_ptr<const Module> module = load(ctx, opts);
    if (!module) return 1;
    wasi::Options options;
    options.args.push_back(opts.file);
    if (!opts.export_name.empty()) options.args.push_back(opts.export_name);
    options.args.insert(options.args.end(), opts.args.begin(), opts.args.end());
    for (const std::string& dir : opts.dirs) options.preopens.push_back({dir, dir});
    options.output = [&ctx](int fd, std::string_view bytes) {
        std::ostream& stream = fd == 1 ? ctx.out : ctx.err;
        stream.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    };
    options.input = [&ctx](std::span<uint8_t> buffer) {
        ctx.in.read(reinterpret_cast<char*>(buffer.data()),
                    static_cast<std::streamsize>(buffer.size()));
        return static_cast<size_t>(ctx.in.gcount());
    };
    try {
        for (const Import& import : module->imports) {
            if (!wasi::is_wasi_import(import))
                throw LinkError(fmt::format("the module imports {} \"{}\" \"{}\", and `run "
                                            "--wasi` provides only \"{}\"",
                                            name(import.kind), import.module, import.name,
                                            wasi::kImportModule));
            wasi::check_import(*module, import);
        }
        wasi::Wasi shim(std::move(options));
        Store store(opts.limits, run_tier());
        shim.link(store);
        Instance& instance =
            store.instantiate(module, [&](const Import& import) { return shim.resolve(import); });
        Function* start = instance.exported_function("_start");
        if (!start || !type_of(*start).params.empty())
            throw Error("the module exports no function \"_start\" () -> (), so it is not a "
                        "WASI command");
        try {
            store.call(*start, {});
        } catch (const wasi::ProcExit& e) {
            ctx.out.flush();
            return static_cast<int>(e.code());
        }
    } catch (const Error& e) {
        ctx.out.flush();
        ctx.err << "error: " << opts.file << ": " << e.what() << "\n";
        return 1;
    }
    return 0;
}

/// What `run --dump-code` links imports to: nothing it calls, since it only
/// translates. A function import traps if the start function calls it.
std::optional<Extern> placeholder(Store& store, const Module& module, const Import& import) {
    switch (import.kind) {
    case ExternKind::Func: {
        std::string what = fmt::format("\"{}\" \"{}\"", import.module, import.name);
        return store.create_host_function(
            module.types.at(import.func_type),
            [what](HostCall&) {
                throw Error(fmt::format("the import {} is not provided: `run --dump-code` "
                                        "translates code and runs only the start function",
                                        what));
            },
            what);
    }
    case ExternKind::Table:
        return store.create_table(import.table, Value::null(import.table.element));
    case ExternKind::Memory: return store.create_memory(import.memory);
    case ExternKind::Global:
        return store.create_global(import.global, Value{import.global.type, 0});
    case ExternKind::Tag: break; // the store refuses tag imports itself
    }
    return std::nullopt;
}

/// `run --dump-code`: the slot code of EXPORT, or of every exported
/// function, as the engine translated it for this host.
int dump_code(Context& ctx, const RunOptions& opts) {
    std::shared_ptr<const Module> module = load(ctx, opts);
    if (!module) return 1;
    try {
        Store store(opts.limits);
        Instance& instance = store.instantiate(
            module, [&](const Import& import) { return placeholder(store, *module, import); });
        std::string text = disassemble_exports(instance, opts.export_name);
        if (text.empty()) {
            ctx.err << fmt::format("error: {}: no exported function{}\n", opts.file,
                                   opts.export_name.empty()
                                       ? std::string()
                                       : fmt::format(" \"{}\"", opts.export_name));
            return 1;
        }
        ctx.out << text;
    } catch (const Error& e) {
        ctx.err << "error: " << opts.file << ": " << e.what() << "\n";
        return 1;
    }
    return 0;
}

int run_export(Context& ctx, const RunOptions& opts) {
    if (opts.dump_code) return dump_code(ctx, opts);
    if (opts.wasi) return run_wasi_command(ctx, opts);
    std::shared_ptr<const Module> module = load(ctx, opts);
    if (!module) return 1;
    if (opts.export_name.empty()) {
        ctx.err << "error: `run` needs the EXPORT to call (or --wasi, to run a WASI command)\n";
        return 1;
    }
    if (!module->imports.empty()) {
        const Import& first = module->imports.front();
        ctx.err << fmt::format("error: {}: `run` cannot provide imports, and the module imports "
                               "{} \"{}\" \"{}\" ({} imports in all)\n",
                               opts.file, name(first.kind), first.module, first.name,
                               module->imports.size());
        return 1;
    }

    try {
        Store store(opts.limits, run_tier());
        Instance& instance = store.instantiate(
            module, [](const Import&) -> std::optional<Extern> { return std::nullopt; });
        Function* function = instance.exported_function(opts.export_name);
        if (!function) {
            ctx.err << fmt::format("error: {}: no exported function \"{}\"\n", opts.file,
                                   opts.export_name);
            return 1;
        }
        const FuncType& type = type_of(*function);
        if (opts.args.size() != type.params.size()) {
            ctx.err << fmt::format("error: \"{}\" has type {}: expected {} arguments, got {}\n",
                                   opts.export_name, to_string(type), type.params.size(),
                                   opts.args.size());
            return 1;
        }
        std::vector<Value> args;
        for (size_t i = 0; i < opts.args.size(); ++i)
            args.push_back(parse_argument(opts.args[i], type.params[i]));
        for (const Value& result : store.call(*function, args))
            ctx.out << format_result(result) << "\n";
    } catch (const Error& e) {
        ctx.err << "error: " << e.what() << "\n";
        return 1;
    }
    return 0;
}

} // namespace

void add_run_command(CLI::App& app, Context& ctx) {
    auto opts = std::make_shared<RunOptions>();
    CLI::App* cmd = app.add_subcommand("run", "Call an exported function of a module (without "
                                              "imports) and print its results, or run a WASI "
                                              "command (--wasi)");
    cmd->add_option("FILE", opts->file, "The .wasm module")->required();
    cmd->add_option("EXPORT", opts->export_name,
                    "The exported function to call (with --wasi: the command's first argument)");
    cmd->add_option("ARG", opts->args,
                    "Arguments, converted to the function's parameter types (i32, i64, f32, "
                    "f64); use -- before negative numbers");
    SandboxOptions sandbox = add_sandbox_options(*cmd, opts->limits);
    cmd->add_flag("--wasi", opts->wasi,
                  "Run the module's _start as a WASI preview 1 command: stdin, stdout, stderr, "
                  "the arguments after FILE (put -- before them), read-only --dir directories, "
                  "nothing else of the host");
    cmd->add_option("--dir", opts->dirs,
                    "With --wasi: a directory the command may read, under the same name");
    cmd->add_flag("--dump-code", opts->dump_code,
                  "Print the engine's translation (slot code) of EXPORT, or of every exported "
                  "function, instead of running it; imports are placeholders");
    cmd->footer("With --wasi, --fuel is unlimited and --max-memory-pages is 65536 (all that "
                "wasm32 addresses) unless given.");
    cmd->callback([&ctx, opts, sandbox] {
        // A command is a program its user chose to run, as under any WASI
        // runtime, not a macro that a build runs unasked: no budget unless
        // one is given, and the memory that wasm32 can address (wasmacro.wasm
        // itself starts with 512 MiB).
        if (opts->wasi && sandbox.fuel->count() == 0) opts->limits.fuel = UINT64_MAX;
        if (opts->wasi && sandbox.max_memory_pages->count() == 0)
            opts->limits.max_memory_pages = 65536;
        // What follows `--` is the export's arguments, or the command's.
        for (std::string& arg : ctx.after_dashes) {
            if (opts->export_name.empty())
                opts->export_name = std::move(arg);
            else
                opts->args.push_back(std::move(arg));
        }
        ctx.exit_code = run_export(ctx, *opts);
    });
}

} // namespace wasmacro::driver
