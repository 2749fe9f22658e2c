#include "cargo/invocation.hpp"

#include "bridge/process.hpp"
#include "common/error.hpp"
#include "common/file.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <set>
#include <string_view>

namespace wasmacro::cargo {

namespace fs = std::filesystem;

Workspace read_workspace(const std::string& cargo, const std::vector<std::string>& cargo_args) {
    std::vector<std::string> command = metadata_command(cargo, cargo_args);
    std::string output;
    int status = bridge::run_captured(command, output, bridge::Capture::StdoutOnly);
    if (status != 0)
        throw Error(fmt::format("`{}` failed (exit status {}){}", bridge::command_line(command),
                                status, status < 0 ? ": " + output : ""));
    return parse_metadata(output);
}

std::vector<std::string> cargo_command(const std::string& cargo,
                                       const std::vector<std::string>& cargo_args,
                                       const std::vector<std::string>& config) {
    // After the subcommand, not before: Cargo gives an external subcommand
    // (`cargo clippy`) only the arguments after its name, which it then
    // hands to the `cargo check` it runs.
    static const std::set<std::string_view> kGlobalWithValue = {"--color", "--config", "-Z", "-C"};
    size_t i = 0;
    while (i < cargo_args.size() && cargo_args[i] != "--" &&
           (cargo_args[i].starts_with('-') || (i == 0 && cargo_args[i].starts_with('+'))))
        i += kGlobalWithValue.count(cargo_args[i]) != 0 ? 2 : 1;
    i = std::min(i + 1, cargo_args.size());
    std::vector<std::string> command{cargo};
    command.insert(command.end(), cargo_args.begin(), cargo_args.begin() + static_cast<long>(i));
    command.insert(command.end(), config.begin(), config.end());
    command.insert(command.end(), cargo_args.begin() + static_cast<long>(i), cargo_args.end());
    if (config.empty()) return command;
    // Cargo records the shims' patches in the lock file, which --locked
    // forbids. The user's lock file was checked by `cargo metadata`, which
    // read_workspace runs with their --locked or --frozen, and it is put back
    // afterwards (LockfileGuard): here they become nothing and --offline.
    auto end = std::find(command.begin(), command.end(), "--");
    for (auto it = command.begin() + 1; it != end; ++it)
        if (*it == "--frozen") *it = "--offline";
    command.erase(std::remove(command.begin() + 1, end, "--locked"), end);
    return command;
}

LockfileGuard::LockfileGuard(fs::path lockfile)
    : path_(std::move(lockfile)), saved_(try_read_file(path_.string())) {}

LockfileGuard::~LockfileGuard() {
    if (!saved_) return;
    if (auto now = try_read_file(path_.string()); now && *now == *saved_) return;
    try {
        write_file(path_.string(),
                   std::string_view(reinterpret_cast<const char*>(saved_->data()), saved_->size()));
    } catch (const Error& e) {
        std::cerr << "warning: " << e.what() << " (to put back the lock file as it was)\n";
    }
}

} // namespace wasmacro::cargo
