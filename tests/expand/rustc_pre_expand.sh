#!/bin/sh
# `wasmacro rustc --pre-expand` and WASMACRO_MODE=pre-expand under Cargo:
#  1. a crate with a module, expanded and compiled by rustc with dep-info:
#     it runs, and its dep-info names the original files and the .wasm, not
#     the expanded copies;
#  2. rustc's errors point into the original file, at the original line;
#  3. the serde example workspace built by Cargo in pre-expand mode prints the
#     same round trips as in bridge mode.
#
#   rustc_pre_expand.sh WASMACRO REPO_ROOT WORK_DIR
set -eu
wasmacro=$1 root=$2 work=$3
fail() { echo "rustc --pre-expand: $*" >&2; exit 1; }
rm -rf "$work" && mkdir -p "$work/crate" "$work/out"
demo=$root/tests/fixtures/demo.wasm

cat > "$work/crate/main.rs" <<'RS'
mod m;
use Demo::Demo;

#[derive(Demo)]
struct S;

fn main() {
    println!("{} / {}", S::MESSAGE, m::M::MESSAGE);
}
RS
cat > "$work/crate/m.rs" <<'RS'
#[derive(Demo::Demo)]
pub struct M;
RS
"$wasmacro" rustc --pre-expand "$work/crate/main.rs" --edition 2021 --crate-name app \
    --wasm-proc-macro "Demo=$demo" --emit=link,dep-info --out-dir "$work/out" ||
    fail "the build failed"
[ "$("$work/out/app")" = "Hello from WASM! My name is S. / Hello from WASM! My name is M." ] ||
    fail "the program printed $("$work/out/app")"
dep="$work/out/app.d"
for f in "$work/crate/main.rs" "$work/crate/m.rs" "$demo"; do
    grep -q "^$work/out/app: .*$f" "$dep" || { cat "$dep"; fail "dep-info does not name $f"; }
done
if grep -q wasmacro-pre-expand "$dep"; then cat "$dep"; fail "dep-info names the expanded copies"; fi

# An error after expansion names the original file and line.
printf '#[derive(Demo::Demo)]\npub struct M;\npub fn f() -> u32 { "no" }\n' > "$work/crate/m.rs"
if "$wasmacro" rustc --pre-expand "$work/crate/main.rs" --edition 2021 --crate-name app \
    --wasm-proc-macro "Demo=$demo" --out-dir "$work/out" 2> "$work/err"; then
    fail "a type error compiled"
fi
grep -q -- "--> $work/crate/m.rs:3:21" "$work/err" || { cat "$work/err"; fail "the error is not at m.rs:3:21"; }

# Cargo, in both modes.
run_workspace() { # MODE TARGET_DIR
    (cd "$root/examples/serde-workspace" &&
        WASMACRO_MODE=$1 RUSTC_WRAPPER="$wasmacro" CARGO_TARGET_DIR="$2" \
        RUSTFLAGS="--wasm-proc-macro serde_derive=$root/tests/fixtures/serde_derive.wasm" \
        cargo run --quiet --offline -p serde-wasm-app 2> "$2.err") || { cat "$2.err" >&2; fail "cargo ($1) failed"; }
}
run_workspace pre-expand "$work/cargo-pre-expand" > "$work/pre-expand.out"
run_workspace bridge "$work/cargo-bridge" > "$work/bridge.out"
[ -s "$work/pre-expand.out" ] || fail "the workspace printed nothing"
diff -u "$work/bridge.out" "$work/pre-expand.out" || fail "pre-expand and bridge mode print differently"
grep -rq "wasmacro-pre-expand" "$work/cargo-pre-expand" 2>/dev/null ||
    find "$work/cargo-pre-expand" -type d -name wasmacro-pre-expand | grep -q . ||
    fail "Cargo's build did not go through pre-expand mode"
echo "rustc --pre-expand: ok"
