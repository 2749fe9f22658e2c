// The `wasmacro` command driven in-process (driver::run), for the tests of
// this folder.
#pragma once

#include "driver/commands.hpp"

#include <sstream>
#include <string>
#include <vector>

namespace wasi_tests {

struct Result {
    int code;
    std::string out, err;
};

inline Result run_tool(std::vector<std::string> args, const std::string& stdin_text = {}) {
    args.insert(args.begin(), "wasmacro");
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    std::istringstream in(stdin_text);
    std::ostringstream out, err;
    int code = wasmacro::driver::run(static_cast<int>(argv.size()), argv.data(), in, out, err);
    return {code, out.str(), err.str()};
}

} // namespace wasi_tests
