// The compiling tier: translates a function's slot code (slot_code.hpp) into
// x86-64 machine code on its first call, and runs it. Internal to src/wasm;
// the interpreter stays the tier for other hosts and for
// WASMACRO_TIER=interpreter.
#pragma once

#include "wasm/runtime.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace wasmacro::wasm {

/// Whether this build and host can run compiled code.
bool jit_supported();

/// Executable memory for one store's compiled code, and the stubs that all
/// of its functions share.
class JitCode {
public:
    JitCode();
    ~JitCode();
    JitCode(const JitCode&) = delete;
    JitCode& operator=(const JitCode&) = delete;

    /// Copies position-independent machine code into executable memory.
    void* install(const std::vector<uint8_t>& code);

    void* enter = nullptr;        ///< the trampoline from C++ (see x64_compile.cpp)
    void* trap_exit = nullptr;    ///< unwinds to the innermost trampoline
    void* lazy_compile = nullptr; ///< compiles the callee in rsi, then runs it

private:
    struct Chunk {
        uint8_t* base;
        size_t size;
    };
    std::vector<Chunk> chunks_;
    [[maybe_unused]] size_t used_ = 0; ///< in the last chunk (unused where nothing compiles)
};

/// Runs a wasm function as compiled code.
ExecutionResult jit_execute(Store::Impl& store, Function& function, uint64_t* args_and_results);

} // namespace wasmacro::wasm
