// libFuzzer target for the WebAssembly engine: any bytes are decoded,
// validated, instantiated (every import satisfied by a stand-in of the right
// type) and every exported function is called with zero arguments under small
// limits. The engine may only answer with its documented errors (decode,
// validation, link errors and traps); anything else — a crash, a sanitizer
// report, another exception, a hang — is a bug.
#include "wasm/engine.hpp"

#include <cstdint>
#include <optional>

using namespace wasmacro::wasm;

namespace {

SandboxLimits fuzz_limits() {
    SandboxLimits limits;
    limits.fuel = 20'000;
    limits.max_memory_pages = 64;
    limits.max_call_depth = 200;
    return limits;
}

/// A stand-in for an import: host functions return zeros, other objects get
/// the smallest shape the import accepts.
std::optional<Extern> stand_in(Store& store, const Module& module, const Import& import) {
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
    }
    return std::nullopt;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        std::shared_ptr<const Module> module = load_module({data, size});
        Store store(fuzz_limits());
        Instance& instance = store.instantiate(
            module, [&](const Import& import) { return stand_in(store, *module, import); });
        for (const Export& e : module->exports) {
            if (e.kind != ExternKind::Func) continue;
            Function& function = *instance.exported_function(e.name);
            std::vector<Value> args;
            for (ValType type : type_of(function).params) args.push_back({type, 0});
            try {
                store.call(function, args);
            } catch (const Trap&) {
                // A trap ends this call only; the store must serve the next one.
            }
        }
    } catch (const DecodeError&) {
    } catch (const ValidationError&) {
    } catch (const LinkError&) {
    } catch (const Trap&) {}
    return 0;
}
