// libFuzzer target for the WebAssembly engine: any bytes are decoded,
// validated, instantiated (every import satisfied by a stand-in of the right
// type) and every exported function is called with zero arguments under small
// limits. The engine may only answer with its documented errors (decode,
// validation, link errors and traps); anything else — a crash, a sanitizer
// report, another exception, a hang — is a bug. Where the compiling tier
// runs, each module runs in both tiers, and any difference in what the calls
// return (float bits and the fuel they used included) or trap with, or in the
// memory and globals they leave, is a bug too.
#include "wasm/engine.hpp"
#include "wasi/wasi.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

using namespace wasmacro::wasm;

namespace {

SandboxLimits fuzz_limits() {
    SandboxLimits limits;
    limits.fuel = 20'000;
    limits.max_memory_pages = 64;
    limits.max_call_depth = 200;
    limits.max_store_bytes = 64 << 20;
    return limits;
}

/// A stand-in for an import: host functions return zeros, other objects get
/// the smallest shape the import accepts. WASI imports get the real shim
/// (without preopens), whose pointer checks are untrusted-input code too.
std::optional<Extern> stand_in(Store& store, const Module& module, const Import& import,
                               wasmacro::wasi::Wasi& wasi) {
    if (wasmacro::wasi::is_wasi_import(import)) {
        try {
            wasmacro::wasi::check_import(module, import);
            return wasi.resolve(import);
        } catch (const LinkError&) {
            // Not a preview 1 function with its type: a stand-in as for any other.
        }
    }
    switch (import.kind) {
    case ExternKind::Func:
        return store.create_host_function(
            module.types[import.func_type],
            [](HostCall& call) { std::fill(call.results.begin(), call.results.end(), 0); },
            import.name);
    case ExternKind::Table:
        return store.create_table(import.table, Value::null(import.table.element));
    case ExternKind::Memory: return store.create_memory(import.memory);
    case ExternKind::Global: return store.create_global(import.global, {import.global.type, 0});
    case ExternKind::Tag: break; // the store refuses tag imports itself
    }
    return std::nullopt;
}

/// A funcref is a pointer into its store, so of it only null compares. A
/// float compares by its bits, so that NaN payloads must agree too.
std::string comparable(const Value& value) {
    if (value.type == ValType::FuncRef) return value.bits ? "funcref" : "funcref:null";
    if (value.type == ValType::F32 || value.type == ValType::F64)
        return fmt::format("{} ({:#x})", to_string(value), value.bits);
    return to_string(value);
}

/// What running a module's exports did, in a form two tiers must agree on.
std::vector<std::string> run_exports(const std::shared_ptr<const Module>& module, Tier tier) {
    std::vector<std::string> outcome;
    Store store(fuzz_limits(), tier);
    wasmacro::wasi::Wasi wasi;
    wasi.link(store);
    wasi.begin_call("fuzz input");
    try {
        Instance& instance = store.instantiate(
            module, [&](const Import& import) { return stand_in(store, *module, import, wasi); });
        for (const Export& e : module->exports) {
            if (e.kind != ExternKind::Func) continue;
            Function& function = *instance.exported_function(e.name);
            std::vector<Value> args;
            for (ValType type : type_of(function).params) args.push_back({type, 0});
            try {
                for (const Value& result : store.call(function, args))
                    outcome.push_back(comparable(result));
                // Fuel is part of the result: both tiers charge alike, bulk
                // instructions and host functions included.
                outcome.push_back(fmt::format("fuel used: {}", *store.last_call_fuel_used()));
            } catch (const Trap& trap) {
                // A trap ends this call only; the store must serve the next one.
                outcome.push_back(trap.what());
            }
        }
        for (const Export& e : module->exports) {
            std::optional<Extern> external = instance.find_export(e.name);
            if (auto* global = std::get_if<Global*>(&*external))
                outcome.push_back(comparable(get(**global)));
        }
        if (Memory* memory = instance.memory()) {
            std::span<uint8_t> bytes = memory_bytes(*memory);
            outcome.emplace_back(bytes.begin(), bytes.end());
        }
        outcome.push_back(wasi.stdout_text() + "|" + wasi.stderr_text());
    } catch (const LinkError& error) {
        outcome.push_back(error.what());
    } catch (const Trap& trap) {
        outcome.push_back(trap.what());
    }
    return outcome;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::shared_ptr<const Module> module;
    try {
        module = load_module({data, size});
    } catch (const DecodeError&) {
        return 0;
    } catch (const ValidationError&) {
        return 0;
    }
    std::vector<std::string> interpreted = run_exports(module, Tier::Interpreter);
    static const bool compiler_runs = Store({}, Tier::Compiler).tier() == Tier::Compiler;
    if (!compiler_runs) return 0;
    std::vector<std::string> compiled = run_exports(module, Tier::Compiler);
    if (compiled != interpreted) {
        const std::string none = "(none)";
        for (size_t i = 0; i < std::max(compiled.size(), interpreted.size()); ++i) {
            const std::string& c = i < compiled.size() ? compiled[i] : none;
            const std::string& n = i < interpreted.size() ? interpreted[i] : none;
            if (c != n)
                std::fprintf(stderr,
                             "outcome %zu differs:\n  compiled:    %.200s\n  interpreted: %.200s\n",
                             i, c.c_str(), n.c_str());
        }
        std::abort();
    }
    return 0;
}
