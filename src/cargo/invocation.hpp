// Running Cargo for `wasmacro cargo`: the graph it resolves, its command
// line with the shims' `--config` arguments, and the user's Cargo.lock
// left as it was.
#pragma once

#include "cargo/metadata.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace wasmacro::cargo {

/// Runs `cargo metadata` for `cargo_args` (metadata_command) and parses it.
/// Cargo's own messages go to stderr as they come. Throws Error with the
/// command line and status if it fails.
Workspace read_workspace(const std::string& cargo, const std::vector<std::string>& cargo_args);

/// `cargo cargo_args...` with `config` (shim_config) right after the
/// subcommand (or at the end if there is none). With a config, `--locked`
/// is dropped and `--frozen` becomes `--offline`: read_workspace checked the
/// lock file with them, and the shims' patches must go into it (for as long
/// as Cargo runs).
std::vector<std::string> cargo_command(const std::string& cargo,
                                       const std::vector<std::string>& cargo_args,
                                       const std::vector<std::string>& config);

/// Puts the workspace's Cargo.lock back as it was on construction: a patch
/// in `--config` makes Cargo record the shims there, and the user's files
/// are not ours to change.
class LockfileGuard {
public:
    explicit LockfileGuard(std::filesystem::path lockfile);
    ~LockfileGuard();
    LockfileGuard(const LockfileGuard&) = delete;
    LockfileGuard& operator=(const LockfileGuard&) = delete;

private:
    std::filesystem::path path_;
    std::optional<std::vector<uint8_t>> saved_;
};

} // namespace wasmacro::cargo
