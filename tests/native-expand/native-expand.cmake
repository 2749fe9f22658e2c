# The native harness (this folder), built offline by cargo into the build
# tree: used by the corpus test (tests/corpus) and the macro benchmark
# (bench/macros), whichever includes this first defines the target.
# Sets WASMACRO_NATIVE_EXPAND to the executable's path.
set(WASMACRO_CARGO_REGISTRY /usr/share/cargo/registry CACHE PATH
    "Crate sources (Debian librust-*-dev): the token corpus, and the offline registry for pm2dump")
find_program(WASMACRO_CARGO cargo)
if(NOT WASMACRO_CARGO)
  # Without cargo the comparison with native expansions would silently not run.
  message(FATAL_ERROR "cargo not found: it is needed to build tests/native-expand")
endif()

set(_ne_src ${PROJECT_SOURCE_DIR}/tests/native-expand)
set(_ne_dir ${PROJECT_BINARY_DIR}/native-expand)
set(WASMACRO_NATIVE_EXPAND ${_ne_dir}/target/release/native-expand)
if(NOT TARGET native_expand)
  # Copied into the build tree so that cargo's lock file and output stay out
  # of the source tree.
  configure_file(${_ne_src}/cargo-config.toml.in ${_ne_dir}/cargo-config.toml @ONLY)
  set(_ne_files Cargo.toml src/main.rs src/corpus.rs serde/Cargo.toml serde/lib.rs thiserror/Cargo.toml thiserror/lib.rs)
  set(_ne_copies)
  foreach(f IN LISTS _ne_files)
    configure_file(${_ne_src}/${f} ${_ne_dir}/crate/${f} COPYONLY)
    list(APPEND _ne_copies ${_ne_dir}/crate/${f})
  endforeach()
  add_custom_command(OUTPUT ${WASMACRO_NATIVE_EXPAND}
    COMMAND ${CMAKE_COMMAND} -E env CARGO_BUILD_JOBS=2
            ${WASMACRO_CARGO} build --release --offline --quiet
            --config ${_ne_dir}/cargo-config.toml
            --manifest-path ${_ne_dir}/crate/Cargo.toml --target-dir ${_ne_dir}/target
    DEPENDS ${_ne_copies} ${_ne_dir}/cargo-config.toml
    COMMENT "Building native-expand (serde_derive, thiserror-impl natively) with cargo, offline"
    VERBATIM)
  add_custom_target(native_expand ALL DEPENDS ${WASMACRO_NATIVE_EXPAND})
endif()
