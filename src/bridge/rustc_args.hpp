// rustc's command line as `wasmacro rustc` reads and rewrites it: the wasm
// macro arguments, the values of rustc's own flags, and where rustc puts
// its outputs.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wasmacro::bridge {

/// One `--wasm-proc-macro NAME=PATH` or `--extern NAME=PATH.wasm`.
struct WasmMacroArg {
    size_t index;  ///< of the argument holding NAME=PATH
    bool separate; ///< `--flag NAME=PATH` (two arguments) rather than `--flag=NAME=PATH`
    std::string name;
    std::string path;
};

/// The wasm macro arguments of `args`, in order. An `--extern` whose path
/// does not end in `.wasm` is rustc's. Throws Error for a malformed
/// --wasm-proc-macro, or a NAME that is not a crate name.
std::vector<WasmMacroArg> find_wasm_macros(const std::vector<std::string>& args);

/// Replaces each of `wasm` (found in `args`) by `--extern NAME=<crates[i]>`,
/// in the form it was written in, and appends `-L dependency=<its directory>`
/// for each, so that a crate compiled against this one finds it again.
void use_macro_crates(std::vector<std::string>& args, const std::vector<WasmMacroArg>& wasm,
                      const std::vector<std::filesystem::path>& crates);

/// Whether rustc's option `arg` takes its value as the next argument.
bool takes_value(std::string_view arg);

/// Every value of `flag` in `args` (`--flag V` or `--flag=V`; for one-letter
/// flags also `-CV`), in order; the values of other flags are skipped.
std::vector<std::string> flag_values(const std::vector<std::string>& args, std::string_view flag);

/// The arguments of one rustc call for pre-expand mode: rustc's own, the
/// wasm macros taken out.
struct PreExpandArgs {
    std::vector<std::string> args;    ///< rustc's, without the wasm macro arguments
    std::vector<std::string> macros;  ///< NAME=FILE.wasm
    std::optional<size_t> root_index; ///< the .rs input in `args`
};
PreExpandArgs split_wasm_macros(const std::vector<std::string>& args);

/// Where rustc puts its outputs: --out-dir, beside -o, or here.
std::filesystem::path output_dir(const std::vector<std::string>& args);
/// The crate's name: --crate-name, else the root file's stem, `-` as `_`.
std::string crate_name(const std::vector<std::string>& args, const std::filesystem::path& root);
/// The value of `-C extra-filename=` (Cargo's hash suffix), or empty.
std::string extra_filename(const std::vector<std::string>& args);

/// Where rustc writes its dep-info in the form Cargo uses (`--emit` with
/// dep-info and no path, `--out-dir`, `--crate-name`, `-C extra-filename`);
/// nullopt for other invocations, which then get no dep-info edits.
std::optional<std::filesystem::path> cargo_dep_info(const std::vector<std::string>& args);
/// The dep-info file rustc will write, if --emit asks for one (its own path
/// for `dep-info=PATH`).
std::optional<std::filesystem::path> dep_info_path(const std::vector<std::string>& args,
                                                   const std::filesystem::path& root);

} // namespace wasmacro::bridge
