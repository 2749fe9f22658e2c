# Toolchain file: wasmacro for wasm32-wasip1 with clang-19 and Debian's
# wasi-libc, libc++-19-dev-wasm32 and libclang-rt-19-dev-wasm32
# (scripts/build.sh wasi). Debian installs them under the triple's older name,
# wasm32-wasi (the same ABI), so that is the target clang is given.
set(CMAKE_SYSTEM_NAME WASI)
set(CMAKE_SYSTEM_PROCESSOR wasm32)
list(APPEND CMAKE_MODULE_PATH ${CMAKE_CURRENT_LIST_DIR})

set(CMAKE_C_COMPILER clang-19)
set(CMAKE_CXX_COMPILER clang++-19)
set(CMAKE_AR llvm-ar-19)
set(CMAKE_RANLIB llvm-ranlib-19)
set(CMAKE_C_COMPILER_TARGET wasm32-wasi)
set(CMAKE_CXX_COMPILER_TARGET wasm32-wasi)
set(WASMACRO_WASI_SYSROOT /usr CACHE PATH "Where include/wasm32-wasi and lib/wasm32-wasi are")

# -mtail-call: the interpreter's handlers end in [[clang::musttail]] calls,
# which on wasm are return_call instructions (the tail-call proposal, in
# node 20). mmap is declared by wasi-libc's emulation and defined by
# src/wasi/mman.cpp (the engine reserves linear memories with it); getpid is
# wasi-libc's emulation (the pre-expander names temporary files after it).
set(wasi_flags "--sysroot=${WASMACRO_WASI_SYSROOT} -mtail-call -D_WASI_EMULATED_MMAN -D_WASI_EMULATED_GETPID")
set(CMAKE_C_FLAGS_INIT "${wasi_flags}")
# Debian's wasm32 libc++ is configured without filesystem support, which
# takes <fstream> away too (and every file read goes through it, CLI11's
# included). Its __config_site, less that line, comes first: <fstream> is
# then libc++'s own header code over wasi-libc's FILE (instantiated in each
# user, as the library has no compiled copy of it), and std::filesystem's
# path (which the library has). The filesystem operations are still missing
# (see src/wasi/README.md).
set(libcxx_config ${CMAKE_BINARY_DIR}/libcxx-config)
file(READ ${WASMACRO_WASI_SYSROOT}/include/wasm32-wasi/c++/v1/__config_site config_site)
string(REPLACE "#define _LIBCPP_HAS_NO_FILESYSTEM" "/* filesystem: see cmake/wasm32-wasip1.cmake */"
       config_site "${config_site}")
file(WRITE ${libcxx_config}/__config_site "${config_site}")
# -fwasm-exceptions: C++ exceptions as the legacy exception-handling proposal
# (try/catch/rethrow/delegate, which node 20 runs), with our own runtime for
# them, src/wasi/exceptions.cpp, since Debian's wasm32 libc++abi has none.
set(CMAKE_CXX_FLAGS_INIT "${wasi_flags} -fwasm-exceptions -D_LIBCPP_DISABLE_EXTERN_TEMPLATE -isystem ${libcxx_config} -isystem ${WASMACRO_WASI_SYSROOT}/include/wasm32-wasi/c++/v1")
# 8 MiB of stack (wasm-ld's default is 64 KiB; the lexer and printer recurse
# into nested groups as the native build does on its 8 MiB main stack).
# 512 MiB of memory from the start: node 20's V8 can crash (a fatal
# "unreachable code" in its garbage collector, entered from memory.grow)
# when the memory grows while the interpreter's tail-calling frames are on
# the stack; memory it has from the start costs nothing until touched, and
# a macro call then never grows it. Debian's libc carries debug info; it is
# stripped.
set(WASMACRO_WASI_LINK_FLAGS "-Wl,-z,stack-size=8388608 -Wl,--initial-memory=536870912 -Wl,--strip-debug -lwasi-emulated-getpid")
set(CMAKE_EXE_LINKER_FLAGS_INIT "${WASMACRO_WASI_LINK_FLAGS}")

set(CMAKE_FIND_ROOT_PATH ${WASMACRO_WASI_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# Compiler checks link a program; wasm-ld links it as a WASI command.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
