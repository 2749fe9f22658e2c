// The one error type family of wasmacro: every failure is an exception derived
// from wasmacro::Error whose message names what was wrong and where.
#pragma once

#include <stdexcept>
#include <string>

namespace wasmacro {

class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

} // namespace wasmacro
