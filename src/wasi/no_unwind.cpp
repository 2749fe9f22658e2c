// How `throw` works when wasmacro itself is built for wasm32-wasip1.
//
// Debian's wasm32 libc++abi is built without exception support (no
// __cxa_throw, no personality routine, no libunwind), and neither our engine
// nor -fwasm-exceptions' users could run the exception-handling proposal
// everywhere wasmacro.wasm must run. Without it clang drops every catch
// clause, so a throw cannot be caught: it ends the program. This is what
// makes it end well: the message of the error (every exception wasmacro
// throws is a std::exception) on stderr, as the native command prints an
// error that reaches its top level, and exit status 1, flushing stdout.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <typeinfo>

extern "C" {

void* __cxa_allocate_exception(size_t size) noexcept {
    // Never freed: the program ends right after.
    void* object = std::malloc(size);
    if (!object) std::abort();
    return object;
}

[[noreturn]] void __cxa_throw(void* object, std::type_info* type, void (*)(void*)) {
    const char* what = static_cast<std::exception*>(object)->what();
    std::fflush(stdout);
    std::fprintf(stderr, "error: %s\n", what);
    (void)type;
    std::exit(1);
}

} // extern "C"
