#!/usr/bin/env python3
"""Writes the native harness of a macro crate that `wasmacro build` built.

    native-harness.py BUILD_CRATE_DIR HARNESS_DIR NATIVE_EXPAND_SRC [MODULE.wasm]

BUILD_CRATE_DIR is TARGET/wasmacro-build/NAME-VERSION: the crate's sources
with its entry points rewritten, the facade, and the patched crates. The
harness compiles those same sources natively (an rlib over the real
proc-macro2, which outside a compiler runs its fallback implementation; the
facade's registrations are then no-ops) and calls each entry point as a plain
function, with the `dump` and `bench` commands of tests/native-expand
(NATIVE_EXPAND_SRC/corpus.rs). Build it with cargo in HARNESS_DIR/harness.
MODULE.wasm, the build's output (read with `$WASMACRO inspect`), names the
entry points that a macro_rules! of the crate writes.
"""
import os
import re
import subprocess
import sys

build_dir, harness_dir, native_src = (os.path.abspath(a) for a in sys.argv[1:4])
module = os.path.abspath(sys.argv[4]) if len(sys.argv) > 4 else None
macro_dir = os.path.join(harness_dir, "macro")
main_dir = os.path.join(harness_dir, "harness")
os.makedirs(macro_dir, exist_ok=True)
os.makedirs(os.path.join(main_dir, "src"), exist_ok=True)

# The build crate's files, but its manifest and the guest.
for name in os.listdir(build_dir):
    if name in ("Cargo.toml", "Cargo.lock", "wasmacro-guest"):
        continue
    link = os.path.join(macro_dir, name)
    if os.path.lexists(link):
        os.remove(link)
    os.symlink(os.path.join(build_dir, name), link)

manifest = open(os.path.join(build_dir, "Cargo.toml")).read()
package, patch_section = manifest.split("\n[patch.crates-io]\n", 1)
package = package.replace('crate-type = ["cdylib"]', 'crate-type = ["rlib"]')
open(os.path.join(macro_dir, "Cargo.toml"), "w").write(package)
name = re.search(r'^name = "(.*)"$', package, re.M).group(1)
patched_crates = os.listdir(os.path.join(build_dir, "wasmacro-patched"))
(syn_dir,) = [d for d in patched_crates if d.startswith("syn-1.")]
# The registry the build crate's patched copies link to.
registry = os.path.dirname(os.path.dirname(
    os.path.realpath(os.path.join(build_dir, "wasmacro-patched", syn_dir, ".cargo-checksum.json"))))


def copy_crate(crate, into, edits):
    """Links to `crate`'s files in `into`, but those in `edits` (a path
    relative to the crate, and a function of its text) written edited."""
    for top, dirs, files in os.walk(crate):
        rel = os.path.relpath(top, crate)
        os.makedirs(os.path.join(into, rel), exist_ok=True)
        for f in files:
            path = os.path.normpath(os.path.join(rel, f))
            out = os.path.join(into, path)
            if os.path.lexists(out):
                os.remove(out)
            if path in edits:
                open(out, "w").write(edits[path](open(os.path.join(top, f)).read()))
            else:
                os.symlink(os.path.join(top, f), out)


def native_proc_macro_error():
    """The real proc-macro-error, where the wasm build has wasmacro's
    replacement: with the facade as its `proc_macro`, less the impl for
    `proc_macro::Span` that is then its impl for `proc_macro2::Span` again;
    and its attribute crate (a proc macro, in the compiler, where syn must
    take the compiler's proc_macro, but the patch gives syn the facade), with
    syn-mid, whose types it shares, on syn under another package name.
    Returns the patch lines."""
    pme = max(d for d in os.listdir(registry) if re.fullmatch(r"proc-macro-error-1\.[\d.]+", d))
    syn_mid = max(d for d in os.listdir(registry) if d.startswith("syn-mid-0.5."))
    native = os.path.join(harness_dir, "native")
    span_impl = re.compile(r"\n    impl DoubleSpanSingleSpan for proc_macro::Span \{.*?\n    \}\n", re.S)
    facade = f'\n[dependencies.proc_macro]\npackage = "wasmacro-proc-macro"\npath = "{macro_dir}/wasmacro-proc-macro"\n'
    copy_crate(os.path.join(registry, pme), os.path.join(native, "pme"), {
        "Cargo.toml": lambda text: text + facade,
        "src/lib.rs": lambda text: span_impl.sub("\n", text, 1),
    })

    def use_host_syn(text):
        return text.replace("[dependencies.syn]\n", f'[dependencies.syn]\npackage = "syn-host"\npath = "{native}/syn"\n', 1)

    copy_crate(os.path.join(registry, syn_dir), os.path.join(native, "syn"),
               {"Cargo.toml": lambda text: text.replace('\nname = "syn"\n', '\nname = "syn-host"\n', 1)})
    copy_crate(os.path.join(registry, syn_mid), os.path.join(native, "syn-mid"), {"Cargo.toml": use_host_syn})
    copy_crate(os.path.join(registry, pme.replace("error-", "error-attr-")), os.path.join(native, "attr"), {
        "Cargo.toml": lambda text: use_host_syn(text).replace(
            "[dependencies.syn-mid]\n", f'[dependencies.syn-mid]\npath = "{native}/syn-mid"\n', 1)})
    return [f'"proc-macro-error" = {{ path = "{native}/pme" }}',
            f'"proc-macro-error-attr" = {{ path = "{native}/attr" }}']


patches = []
for line in patch_section.split("\n\n", 1)[0].splitlines():
    m = re.match(r'^"?([\w-]+)"? = \{ path = "(.*)" \}$', line)
    if not m or m.group(1) == "proc-macro2":
        continue
    if m.group(2) == "wasmacro-proc-macro-error":
        patches += native_proc_macro_error()
    else:
        patches.append(f'"{m.group(1)}" = {{ path = "../macro/{m.group(2)}" }}')

open(os.path.join(main_dir, "Cargo.toml"), "w").write(f"""[package]
name = "native-harness"
version = "0.1.0"
edition = "2021"
publish = false

[dependencies]
the_macro = {{ path = "../macro", package = "{name}" }}
proc-macro2 = "1"

[patch.crates-io]
{chr(10).join(patches)}

# As the wasm modules are built, so that the benchmark compares like with like.
[profile.release]
opt-level = 3
codegen-units = 1
lto = true
debug = false

[workspace]
""")

# The entry points, from the registrations the rewrite wrote, with their
# cfgs (a feature cfg is off in the harness, as the harness builds the macro
# crate's default features; `not(test)` holds in both). A function under
# `#[proc_macro_error]` is registered inside `proc_macro_error!(entry ...)`;
# natively its attribute does that.
root = re.search(r'^path = "(.*)"$', package, re.M).group(1)
source = open(os.path.join(build_dir, root)).read()
arms = []
registered = set()
for m in re.finditer(
    r"(#\[cfg[^\]]*\]\s*)?const _: \(\) = \{ extern crate proc_macro as __wasmacro_proc_macro; "
    r"__wasmacro_proc_macro::__wasmacro::export_(derive|attribute|function)!\((\w+)[^=]*=> \w+, "
    r"(?:proc_macro_error!\(entry )?(\w+)",
    source,
):
    cfg = m.group(1).strip() + " " if m.group(1) else ""
    kind, macro, function = m.group(2), m.group(3), m.group(4)
    call = f"the_macro::{function}(args, input)" if kind == "attribute" else f"the_macro::{function}(input)"
    arms.append(f'        {cfg}"{macro}" => {call},')
    registered.add(macro)
# Entry points that a macro_rules! writes (derive_more's create_derive!) have
# their names only in the module, whose decls say them: there the export is
# the function's name.
if module:
    inspect = subprocess.run([os.environ.get("WASMACRO", "wasmacro"), "inspect", module],
                             check=True, capture_output=True, text=True).stdout
    for m in re.finditer(r"^  (derive|attr|bang) (\w+) -> (\w+)", inspect, re.M):
        kind, macro, function = m.groups()
        if macro not in registered:
            args = "args, input" if kind == "attr" else "input"
            arms.append(f'        "{macro}" => the_macro::{function}({args}),')
if not arms:
    sys.exit(f"native-harness.py: no entry points in {root}")

open(os.path.join(main_dir, "src", "main.rs"), "w").write(f"""//! The native harness of {name} (written by tests/build/native-harness.py).
#![allow(unused_variables)]

#[path = "{native_src}/corpus.rs"]
mod corpus;

use proc_macro2::TokenStream;

fn expand(name: &str, args: TokenStream, input: TokenStream) -> Option<TokenStream> {{
    Some(match name {{
{chr(10).join(arms)}
        _ => return None,
    }})
}}

fn main() -> std::process::ExitCode {{
    corpus::main("native-harness", expand, None)
}}
""")
