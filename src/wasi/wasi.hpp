// WASI preview 1 (`wasi_snapshot_preview1`) for the engine: deterministic and
// without ambient authority. A module sees only what its host passes in:
// arguments, environment, stdin bytes, and read-only directories; its stdout
// and stderr go to the host. Everything else (sockets, polls, writing files,
// signals) is an errno, never a host effect. Knows nothing of macros.
#pragma once

#include "wasm/engine.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace wasmacro::wasi {

inline constexpr std::string_view kImportModule = "wasi_snapshot_preview1";

/// A host directory the module may read, under the name it sees
/// (`fd_prestat_dir_name`), e.g. "." for the current directory.
struct Preopen {
    std::string guest_path;
    std::string host_path;
};

struct Options {
    std::vector<std::string> args;        ///< argv, including argv[0]
    std::vector<std::string> environment; ///< "NAME=value" entries
    std::vector<Preopen> preopens;        ///< read-only; fds 3, 4, ... in this order
    /// Where fd_write on fd 1 and 2 goes. Unset: the per-call buffers
    /// (stdout_text, stderr_text), each kept to `max_buffered_output` bytes.
    std::function<void(int fd, std::string_view bytes)> output;
    /// Reads stdin into the span, returning the count (0 at its end). Unset:
    /// the bytes given to set_stdin.
    std::function<size_t(std::span<uint8_t>)> input;
    size_t max_buffered_output = size_t{1} << 20;
};

/// The module called `proc_exit`: ends the call, like a trap, with its code.
class ProcExit : public wasm::Trap {
public:
    explicit ProcExit(uint32_t code);
    uint32_t code() const { return code_; }

private:
    uint32_t code_;
};

/// Whether the import is one of the shim's (by its module name).
bool is_wasi_import(const wasm::Import& import);
/// Checks that a `wasi_snapshot_preview1` import is a function the shim
/// provides, with its preview 1 type. Throws wasm::LinkError naming it.
void check_import(const wasm::Module& module, const wasm::Import& import);

/// One module's WASI state: its fd table, the input it reads, the output it
/// wrote. Not thread-safe; outlives the stores it is linked into.
class Wasi {
public:
    explicit Wasi(Options options = {});
    ~Wasi();
    Wasi(const Wasi&) = delete;
    Wasi& operator=(const Wasi&) = delete;

    /// Creates the shim's host functions in `store`. A later call (for a new
    /// store) replaces them; `resolve` then links to the new ones.
    void link(wasm::Store& store);
    /// The linked function for a `wasi_snapshot_preview1` import; nullopt for
    /// anything else (after check_import, every shim import resolves).
    std::optional<wasm::Extern> resolve(const wasm::Import& import) const;

    /// Starts a call afresh: stdin is `input`, the output buffers are
    /// emptied, random_get starts its sequence again, files opened by the
    /// previous call are closed.
    void begin_call(std::string input = {});
    /// Replaces the environment (Options::environment) from the next
    /// environ_get on; a libc reads it once, so a module that already did
    /// needs a new instance to see the change.
    void set_environment(std::vector<std::string> environment);
    const std::vector<std::string>& environment() const;
    const std::string& stdout_text() const;
    const std::string& stderr_text() const;

    struct State;

private:
    std::unique_ptr<State> state_;
};

} // namespace wasmacro::wasi
