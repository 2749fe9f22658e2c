# The header-only libraries, for the wasm32-wasip1 build: Debian's packages
# install them for the host, in /usr/include beside glibc's headers, which
# must not come before wasi-libc's. So only their own directories are made
# visible, through links in the build tree; fmt is used header-only (its
# compiled library is for the host).
set(wasi_deps_include ${CMAKE_BINARY_DIR}/host-headers)
file(MAKE_DIRECTORY ${wasi_deps_include})
foreach(dir fmt CLI nlohmann)
  if(NOT EXISTS /usr/include/${dir})
    message(FATAL_ERROR "/usr/include/${dir} is missing (libfmt-dev, libcli11-dev, nlohmann-json3-dev)")
  endif()
  file(CREATE_LINK /usr/include/${dir} ${wasi_deps_include}/${dir} SYMBOLIC)
endforeach()
add_library(fmt::fmt INTERFACE IMPORTED)
target_include_directories(fmt::fmt SYSTEM INTERFACE ${wasi_deps_include})
target_compile_definitions(fmt::fmt INTERFACE FMT_HEADER_ONLY=1)
add_library(CLI11::CLI11 INTERFACE IMPORTED)
target_include_directories(CLI11::CLI11 SYSTEM INTERFACE ${wasi_deps_include})
add_library(nlohmann_json::nlohmann_json INTERFACE IMPORTED)
target_include_directories(nlohmann_json::nlohmann_json SYSTEM INTERFACE ${wasi_deps_include})
