// The engine at run time: results, traps and their messages, sandbox limits,
// host functions, linking, lazy translation and the translator's rewrites.
// Each module's source is beside its bytes (made with wat2wasm --debug-names).
#include "wasm/engine.hpp"
#include "wasm/runtime.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <pthread.h>

using namespace wasmacro::wasm;
using testing::AllOf;
using testing::HasSubstr;
using testing::Not;
using testing::StartsWith;

namespace {

// (module
//   (func $add (export "add") (param i32 i32) (result i32)
//     (i32.add (local.get 0) (local.get 1)))
//   (func $div (export "div") (param i32 i32) (result i32)
//     (i32.div_s (local.get 0) (local.get 1)))
//   (func $outer (export "outer") (result i32)
//     (call $inner))
//   (func $inner (result i32) unreachable))
const std::vector<uint8_t> arith_wasm = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0b, 0x02, 0x60, 0x02, 0x7f, 0x7f, 0x01,
    0x7f, 0x60, 0x00, 0x01, 0x7f, 0x03, 0x05, 0x04, 0x00, 0x00, 0x01, 0x01, 0x07, 0x15, 0x03, 0x03,
    0x61, 0x64, 0x64, 0x00, 0x00, 0x03, 0x64, 0x69, 0x76, 0x00, 0x01, 0x05, 0x6f, 0x75, 0x74, 0x65,
    0x72, 0x00, 0x02, 0x0a, 0x1a, 0x04, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b, 0x07, 0x00,
    0x20, 0x00, 0x20, 0x01, 0x6d, 0x0b, 0x04, 0x00, 0x10, 0x03, 0x0b, 0x03, 0x00, 0x00, 0x0b, 0x00,
    0x2b, 0x04, 0x6e, 0x61, 0x6d, 0x65, 0x01, 0x19, 0x04, 0x00, 0x03, 0x61, 0x64, 0x64, 0x01, 0x03,
    0x64, 0x69, 0x76, 0x02, 0x05, 0x6f, 0x75, 0x74, 0x65, 0x72, 0x03, 0x05, 0x69, 0x6e, 0x6e, 0x65,
    0x72, 0x02, 0x09, 0x04, 0x00, 0x00, 0x01, 0x00, 0x02, 0x00, 0x03, 0x00};

// (module
//   (memory 1 100)
//   (func $spin (export "spin") (loop $l (br $l)))
//   (func $spin_if (export "spin_if") (param i32) (loop $l (br_if $l (i32.eqz (local.get 0)))))
//   (func $recurse (export "recurse") (call $recurse))
//   (func $grow (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
//   (func (export "answer") (result i32) (i32.const 42)))
const std::vector<uint8_t> limits_wasm = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x11, 0x04, 0x60, 0x00, 0x00, 0x60,
    0x01, 0x7f, 0x00, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x60, 0x00, 0x01, 0x7f, 0x03, 0x06, 0x05,
    0x00, 0x01, 0x00, 0x02, 0x03, 0x05, 0x04, 0x01, 0x01, 0x01, 0x64, 0x07, 0x2c, 0x05, 0x04,
    0x73, 0x70, 0x69, 0x6e, 0x00, 0x00, 0x07, 0x73, 0x70, 0x69, 0x6e, 0x5f, 0x69, 0x66, 0x00,
    0x01, 0x07, 0x72, 0x65, 0x63, 0x75, 0x72, 0x73, 0x65, 0x00, 0x02, 0x04, 0x67, 0x72, 0x6f,
    0x77, 0x00, 0x03, 0x06, 0x61, 0x6e, 0x73, 0x77, 0x65, 0x72, 0x00, 0x04, 0x0a, 0x25, 0x05,
    0x07, 0x00, 0x03, 0x40, 0x0c, 0x00, 0x0b, 0x0b, 0x0a, 0x00, 0x03, 0x40, 0x20, 0x00, 0x45,
    0x0d, 0x00, 0x0b, 0x0b, 0x04, 0x00, 0x10, 0x02, 0x0b, 0x06, 0x00, 0x20, 0x00, 0x40, 0x00,
    0x0b, 0x04, 0x00, 0x41, 0x2a, 0x0b, 0x00, 0x33, 0x04, 0x6e, 0x61, 0x6d, 0x65, 0x01, 0x1f,
    0x04, 0x00, 0x04, 0x73, 0x70, 0x69, 0x6e, 0x01, 0x07, 0x73, 0x70, 0x69, 0x6e, 0x5f, 0x69,
    0x66, 0x02, 0x07, 0x72, 0x65, 0x63, 0x75, 0x72, 0x73, 0x65, 0x03, 0x04, 0x67, 0x72, 0x6f,
    0x77, 0x02, 0x0b, 0x05, 0x00, 0x00, 0x01, 0x00, 0x02, 0x00, 0x03, 0x00, 0x04, 0x00};

// (module
//   (import "env" "sum" (func $sum (param i32 i32) (result i32)))
//   (import "env" "fail" (func $fail))
//   (memory (export "memory") 1)
//   (data (i32.const 16) "\01\02\03\04")
//   (func (export "sum_data") (result i32) (call $sum (i32.const 16) (i32.const 4)))
//   (func (export "sum_outside") (result i32) (call $sum (i32.const 65530) (i32.const 100)))
//   (func (export "call_fail") (call $fail)))
const std::vector<uint8_t> host_wasm = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0e, 0x03, 0x60, 0x02, 0x7f, 0x7f, 0x01,
    0x7f, 0x60, 0x00, 0x00, 0x60, 0x00, 0x01, 0x7f, 0x02, 0x16, 0x02, 0x03, 0x65, 0x6e, 0x76, 0x03,
    0x73, 0x75, 0x6d, 0x00, 0x00, 0x03, 0x65, 0x6e, 0x76, 0x04, 0x66, 0x61, 0x69, 0x6c, 0x00, 0x01,
    0x03, 0x04, 0x03, 0x02, 0x02, 0x01, 0x05, 0x03, 0x01, 0x00, 0x01, 0x07, 0x2f, 0x04, 0x06, 0x6d,
    0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, 0x08, 0x73, 0x75, 0x6d, 0x5f, 0x64, 0x61, 0x74, 0x61,
    0x00, 0x02, 0x0b, 0x73, 0x75, 0x6d, 0x5f, 0x6f, 0x75, 0x74, 0x73, 0x69, 0x64, 0x65, 0x00, 0x03,
    0x09, 0x63, 0x61, 0x6c, 0x6c, 0x5f, 0x66, 0x61, 0x69, 0x6c, 0x00, 0x04, 0x0a, 0x1b, 0x03, 0x08,
    0x00, 0x41, 0x10, 0x41, 0x04, 0x10, 0x00, 0x0b, 0x0b, 0x00, 0x41, 0xfa, 0xff, 0x03, 0x41, 0xe4,
    0x00, 0x10, 0x00, 0x0b, 0x04, 0x00, 0x10, 0x01, 0x0b, 0x0b, 0x0a, 0x01, 0x00, 0x41, 0x10, 0x0b,
    0x04, 0x01, 0x02, 0x03, 0x04, 0x00, 0x20, 0x04, 0x6e, 0x61, 0x6d, 0x65, 0x01, 0x0c, 0x02, 0x00,
    0x03, 0x73, 0x75, 0x6d, 0x01, 0x04, 0x66, 0x61, 0x69, 0x6c, 0x02, 0x0b, 0x05, 0x00, 0x00, 0x01,
    0x00, 0x02, 0x00, 0x03, 0x00, 0x04, 0x00};

// (module
//   (func (export "swap") (param i32 i32) (result i32)
//     (local.get 0) (local.get 1) (local.set 0) (local.set 1)
//     (i32.sub (i32.mul (local.get 0) (i32.const 10)) (local.get 1)))
//   (func (export "tee_hazard") (param i32) (result i32)
//     (local.get 0)
//     (local.tee 0 (i32.add (local.get 0) (i32.const 5)))
//     (i32.sub))
//   (func (export "count_down") (param i32) (result i32) (local i32)
//     (block $done
//       (loop $l
//         (br_if $done (i32.le_s (local.get 0) (i32.const 0)))
//         (local.set 1 (i32.add (local.get 1) (local.get 0)))
//         (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
//         (br $l)))
//     (local.get 1))
//   (func (export "pick") (param i32) (result i32)
//     (if (result i32) (i32.lt_u (local.get 0) (i32.const 10))
//       (then (i32.const 1)) (else (i32.const 2))))
//   (func (export "sum_pair") (param i32) (result i32 i32)
//     (local.get 0)
//     (block (param i32) (result i32 i32)
//       (i32.const 7)))
//   (func (export "loop_params") (param i32) (result i32)
//     (i32.const 0) (local.get 0)
//     (loop $l (param i32 i32) (result i32)
//       (local.set 0)
//       (i32.add (local.get 0))
//       (local.get 0) (i32.const 1) (i32.sub)
//       (local.tee 0) (i32.eqz)
//       (if (param i32) (result i32) (then) (else (local.get 0) (br $l)))))
//   (memory 1)
//   (data (i32.const 1) "\2a")
//   (func (export "load_wrapped") (param i32) (result i32)
//     (i32.load8_u (i32.add (local.get 0) (i32.const 2))))
//   (func (export "load_offset") (param i32) (result i32)
//     (i32.load8_u offset=2 (local.get 0)))
//   (func (export "select_const") (param i32) (result i32)
//     (select (i32.const 11) (i32.const 22) (local.get 0)))
//   (type $ii (func (param i32) (result i32)))
//   (table 3 funcref)
//   (elem (i32.const 0) $double $nothing)
//   (func $double (type $ii) (i32.mul (local.get 0) (i32.const 2)))
//   (func $nothing)
//   (func (export "call_slot") (param i32 i32) (result i32)
//     (call_indirect (type $ii) (local.get 1) (local.get 0))))
const std::vector<uint8_t> translate_wasm = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x15, 0x04, 0x60, 0x01, 0x7f, 0x01, 0x7f,
    0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x01, 0x7f, 0x02, 0x7f, 0x7f, 0x60, 0x00, 0x00, 0x03,
    0x0d, 0x0c, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x01, 0x04, 0x04,
    0x01, 0x70, 0x00, 0x03, 0x05, 0x03, 0x01, 0x00, 0x01, 0x07, 0x7a, 0x0a, 0x04, 0x73, 0x77, 0x61,
    0x70, 0x00, 0x00, 0x0a, 0x74, 0x65, 0x65, 0x5f, 0x68, 0x61, 0x7a, 0x61, 0x72, 0x64, 0x00, 0x01,
    0x0a, 0x63, 0x6f, 0x75, 0x6e, 0x74, 0x5f, 0x64, 0x6f, 0x77, 0x6e, 0x00, 0x02, 0x04, 0x70, 0x69,
    0x63, 0x6b, 0x00, 0x03, 0x08, 0x73, 0x75, 0x6d, 0x5f, 0x70, 0x61, 0x69, 0x72, 0x00, 0x04, 0x0b,
    0x6c, 0x6f, 0x6f, 0x70, 0x5f, 0x70, 0x61, 0x72, 0x61, 0x6d, 0x73, 0x00, 0x05, 0x0c, 0x6c, 0x6f,
    0x61, 0x64, 0x5f, 0x77, 0x72, 0x61, 0x70, 0x70, 0x65, 0x64, 0x00, 0x06, 0x0b, 0x6c, 0x6f, 0x61,
    0x64, 0x5f, 0x6f, 0x66, 0x66, 0x73, 0x65, 0x74, 0x00, 0x07, 0x0c, 0x73, 0x65, 0x6c, 0x65, 0x63,
    0x74, 0x5f, 0x63, 0x6f, 0x6e, 0x73, 0x74, 0x00, 0x08, 0x09, 0x63, 0x61, 0x6c, 0x6c, 0x5f, 0x73,
    0x6c, 0x6f, 0x74, 0x00, 0x0b, 0x09, 0x08, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x02, 0x09, 0x0a, 0x0a,
    0xb0, 0x01, 0x0c, 0x12, 0x00, 0x20, 0x00, 0x20, 0x01, 0x21, 0x00, 0x21, 0x01, 0x20, 0x00, 0x41,
    0x0a, 0x6c, 0x20, 0x01, 0x6b, 0x0b, 0x0c, 0x00, 0x20, 0x00, 0x20, 0x00, 0x41, 0x05, 0x6a, 0x22,
    0x00, 0x6b, 0x0b, 0x23, 0x01, 0x01, 0x7f, 0x02, 0x40, 0x03, 0x40, 0x20, 0x00, 0x41, 0x00, 0x4c,
    0x0d, 0x01, 0x20, 0x01, 0x20, 0x00, 0x6a, 0x21, 0x01, 0x20, 0x00, 0x41, 0x01, 0x6b, 0x21, 0x00,
    0x0c, 0x00, 0x0b, 0x0b, 0x20, 0x01, 0x0b, 0x0f, 0x00, 0x20, 0x00, 0x41, 0x0a, 0x49, 0x04, 0x7f,
    0x41, 0x01, 0x05, 0x41, 0x02, 0x0b, 0x0b, 0x09, 0x00, 0x20, 0x00, 0x02, 0x02, 0x41, 0x07, 0x0b,
    0x0b, 0x1e, 0x00, 0x41, 0x00, 0x20, 0x00, 0x03, 0x01, 0x21, 0x00, 0x20, 0x00, 0x6a, 0x20, 0x00,
    0x41, 0x01, 0x6b, 0x22, 0x00, 0x45, 0x04, 0x00, 0x05, 0x20, 0x00, 0x0c, 0x01, 0x0b, 0x0b, 0x0b,
    0x0a, 0x00, 0x20, 0x00, 0x41, 0x02, 0x6a, 0x2d, 0x00, 0x00, 0x0b, 0x07, 0x00, 0x20, 0x00, 0x2d,
    0x00, 0x02, 0x0b, 0x09, 0x00, 0x41, 0x0b, 0x41, 0x16, 0x20, 0x00, 0x1b, 0x0b, 0x07, 0x00, 0x20,
    0x00, 0x41, 0x02, 0x6c, 0x0b, 0x02, 0x00, 0x0b, 0x09, 0x00, 0x20, 0x01, 0x20, 0x00, 0x11, 0x00,
    0x00, 0x0b, 0x0b, 0x07, 0x01, 0x00, 0x41, 0x01, 0x0b, 0x01, 0x2a, 0x00, 0x3b, 0x04, 0x6e, 0x61,
    0x6d, 0x65, 0x01, 0x12, 0x02, 0x09, 0x06, 0x64, 0x6f, 0x75, 0x62, 0x6c, 0x65, 0x0a, 0x07, 0x6e,
    0x6f, 0x74, 0x68, 0x69, 0x6e, 0x67, 0x02, 0x19, 0x0c, 0x00, 0x00, 0x01, 0x00, 0x02, 0x00, 0x03,
    0x00, 0x04, 0x00, 0x05, 0x00, 0x06, 0x00, 0x07, 0x00, 0x08, 0x00, 0x09, 0x00, 0x0a, 0x00, 0x0b,
    0x00, 0x04, 0x05, 0x01, 0x00, 0x02, 0x69, 0x69};

// (module
//   (import "env" "f" (func (param i32)))
//   (import "env" "g" (global i32)))
const std::vector<uint8_t> link_wasm = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x01, 0x7f, 0x00, 0x02,
    0x12, 0x02, 0x03, 0x65, 0x6e, 0x76, 0x01, 0x66, 0x00, 0x00, 0x03, 0x65, 0x6e, 0x76, 0x01, 0x67,
    0x03, 0x7f, 0x00, 0x00, 0x0a, 0x04, 0x6e, 0x61, 0x6d, 0x65, 0x02, 0x03, 0x01, 0x00, 0x00};

// (module
//   (memory 1)
//   (start $boom)
//   (func $boom (i32.store (i32.const 70000) (i32.const 1))))
const std::vector<uint8_t> start_trap_wasm = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02,
    0x01, 0x00, 0x05, 0x03, 0x01, 0x00, 0x01, 0x08, 0x01, 0x00, 0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x41,
    0xf0, 0xa2, 0x04, 0x41, 0x01, 0x36, 0x02, 0x00, 0x0b, 0x00, 0x13, 0x04, 0x6e, 0x61, 0x6d, 0x65,
    0x01, 0x07, 0x01, 0x00, 0x04, 0x62, 0x6f, 0x6f, 0x6d, 0x02, 0x03, 0x01, 0x00, 0x00};

ImportResolver no_imports() {
    return [](const Import&) { return std::nullopt; };
}

// (module
//   ;; Sums locals 1, 8, 12 and 20 as found on entry, which must all be zero,
//   ;; then dirties them and recurses: a second call runs on the dirty slots.
//   (func $probe (export "probe") (param $depth i32) (result i64) (local i64 x 20)
//     (local.get 1) (local.get 8) (i64.add) (local.get 12) (i64.add) (local.get 20) (i64.add)
//     (local.set 1 (i64.const 7)) (local.set 8 (i64.const 7))
//     (local.set 12 (i64.const 7)) (local.set 20 (i64.const 7))
//     (if (param i64) (result i64) (local.get $depth)
//       (then (i64.add (call $probe (i32.sub (local.get $depth) (i32.const 1)))))))
//   (func $fat (export "fat") (local i64 x 600) (call $fat)))
const std::vector<uint8_t> frames_wasm = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0e, 0x03, 0x60, 0x01, 0x7f, 0x01, 0x7e,
    0x60, 0x01, 0x7e, 0x01, 0x7e, 0x60, 0x00, 0x00, 0x03, 0x03, 0x02, 0x00, 0x02, 0x07, 0x0f, 0x02,
    0x05, 0x70, 0x72, 0x6f, 0x62, 0x65, 0x00, 0x00, 0x03, 0x66, 0x61, 0x74, 0x00, 0x01, 0x0a, 0x36,
    0x02, 0x2c, 0x01, 0x14, 0x7e, 0x20, 0x01, 0x20, 0x08, 0x7c, 0x20, 0x0c, 0x7c, 0x20, 0x14, 0x7c,
    0x42, 0x07, 0x21, 0x01, 0x42, 0x07, 0x21, 0x08, 0x42, 0x07, 0x21, 0x0c, 0x42, 0x07, 0x21, 0x14,
    0x20, 0x00, 0x04, 0x01, 0x20, 0x00, 0x41, 0x01, 0x6b, 0x10, 0x00, 0x7c, 0x0b, 0x0b, 0x07, 0x01,
    0xd8, 0x04, 0x7e, 0x10, 0x01, 0x0b, 0x00, 0x22, 0x04, 0x6e, 0x61, 0x6d, 0x65, 0x01, 0x0d, 0x02,
    0x00, 0x05, 0x70, 0x72, 0x6f, 0x62, 0x65, 0x01, 0x03, 0x66, 0x61, 0x74, 0x02, 0x0c, 0x02, 0x00,
    0x01, 0x00, 0x05, 0x64, 0x65, 0x70, 0x74, 0x68, 0x01, 0x00};

struct Fixture {
    explicit Fixture(const std::vector<uint8_t>& wasm, SandboxLimits limits = {},
                     ImportResolver resolver = no_imports())
        : store(limits), instance(store.instantiate(load_module(wasm), resolver)) {}

    std::vector<Value> call(std::string_view name, std::vector<Value> args = {}) {
        Function* f = instance.exported_function(name);
        if (!f) throw std::runtime_error("no export " + std::string(name));
        return store.call(*f, args);
    }
    uint32_t call_i32(std::string_view name, std::vector<Value> args = {}) {
        return call(name, std::move(args)).at(0).as_u32();
    }
    /// Calls `name`, which must trap; returns the trap.
    Trap trap(std::string_view name, std::vector<Value> args = {}) {
        try {
            call(name, std::move(args));
        } catch (const Trap& trap) {
            return trap;
        }
        throw std::runtime_error(std::string(name) + " did not trap");
    }

    Store store;
    Instance& instance;
};

Value i32(uint32_t v) {
    return Value::i32(v);
}

TEST(Execution, ComputesResults) {
    Fixture m(arith_wasm);
    EXPECT_EQ(m.call_i32("add", {i32(2), i32(3)}), 5u);
    EXPECT_EQ(m.call_i32("add", {i32(0xFFFFFFFF), i32(1)}), 0u);
    EXPECT_EQ(m.call_i32("div", {i32(-7), i32(2)}), static_cast<uint32_t>(-3));
}

TEST(Traps, NameTheTrapAndTheFunction) {
    Fixture m(arith_wasm);
    Trap by_zero = m.trap("div", {i32(1), i32(0)});
    EXPECT_EQ(by_zero.kind(), TrapKind::IntegerDivideByZero);
    EXPECT_THAT(by_zero.what(), HasSubstr("integer divide by zero in function #1 `div`"));

    EXPECT_EQ(m.trap("div", {i32(0x80000000), i32(-1)}).kind(), TrapKind::IntegerOverflow);

    // The innermost function is the one named.
    Trap unreachable = m.trap("outer");
    EXPECT_EQ(unreachable.kind(), TrapKind::Unreachable);
    EXPECT_THAT(unreachable.what(), HasSubstr("`inner`"));
}

TEST(Traps, WrongArgumentsAreRefusedBeforeRunning) {
    Fixture m(arith_wasm);
    EXPECT_THROW(m.call("add", {i32(1)}), wasmacro::Error);
    EXPECT_THROW(m.call("add", {i32(1), Value::i64(2)}), wasmacro::Error);
}

TEST(Limits, FuelStopsLoopsAndTheStoreStaysUsable) {
    SandboxLimits limits;
    limits.fuel = 1'000'000;
    Fixture m(limits_wasm, limits);
    for (const char* name : {"spin"}) {
        Trap trap = m.trap(name);
        EXPECT_EQ(trap.kind(), TrapKind::FuelExhausted);
        EXPECT_THAT(trap.what(), HasSubstr("fuel exhausted in function #0 `spin`"));
        EXPECT_THAT(trap.what(), HasSubstr("1000000 units"));
    }
    EXPECT_EQ(m.trap("spin_if", {i32(0)}).kind(), TrapKind::FuelExhausted);
    EXPECT_EQ(m.call_i32("answer"), 42u);
    // Each call gets the whole budget again.
    EXPECT_EQ(m.trap("spin").kind(), TrapKind::FuelExhausted);
    EXPECT_EQ(m.call_i32("answer"), 42u);
}

TEST(Limits, FuelAboveTwoToTheSixtyThreeMeansUnlimited) {
    SandboxLimits limits;
    limits.fuel = UINT64_MAX;
    Fixture m(limits_wasm, limits);
    EXPECT_EQ(m.call_i32("answer"), 42u);
}

TEST(Limits, CallDepth) {
    SandboxLimits limits;
    limits.max_call_depth = 50;
    Fixture m(limits_wasm, limits);
    Trap trap = m.trap("recurse");
    EXPECT_EQ(trap.kind(), TrapKind::CallStackExhausted);
    EXPECT_THAT(trap.what(), HasSubstr("more than 50 nested calls"));
    EXPECT_EQ(m.call_i32("answer"), 42u);

    Fixture deep(limits_wasm); // the default depth, and the value stack, also end it
    EXPECT_EQ(deep.trap("recurse").kind(), TrapKind::CallStackExhausted);
}

/// What `recurse` traps with, under a depth cap of ten million, on a thread
/// with a machine stack of `stack_size` bytes.
std::string deep_recursion_on_thread(size_t stack_size) {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, stack_size);
    pthread_t thread;
    std::string outcome;
    auto body = [](void* arg) -> void* {
        auto* result = static_cast<std::string*>(arg);
        SandboxLimits deep;
        deep.max_call_depth = 10'000'000;
        Fixture f(limits_wasm, deep);
        Trap trap = f.trap("recurse");
        *result = std::string(message(trap.kind())) + " | " + trap.what();
        if (f.call_i32("answer") != 42) *result += " | the store failed afterwards";
        return nullptr;
    };
    EXPECT_EQ(pthread_create(&thread, &attr, body, &outcome), 0);
    pthread_join(thread, nullptr);
    pthread_attr_destroy(&attr);
    return outcome;
}

TEST(Limits, DeepRecursionStopsBeforeTheMachineStackEnds) {
    // `recurse` has a frame of no slots, so the value stack never fills, and
    // ten million calls need more machine stack than a thread has: compiled
    // code, whose wasm calls are machine calls, must end that with a trap
    // that says so. (The interpreter's frames are not on the machine stack.)
    if (Store().tier() != Tier::Compiler) GTEST_SKIP() << "the interpreter does not recurse";
    SandboxLimits limits;
    limits.max_call_depth = 10'000'000;
    Fixture m(limits_wasm, limits);
    Trap trap = m.trap("recurse");
    EXPECT_EQ(trap.kind(), TrapKind::MachineStackExhausted);
    EXPECT_THAT(trap.what(), HasSubstr("call stack exhausted"));
    EXPECT_THAT(trap.what(), HasSubstr("the machine stack ran out at a depth of"));
    EXPECT_THAT(trap.what(), Not(HasSubstr("10000000 nested calls")));
    EXPECT_EQ(m.call_i32("answer"), 42u);

    // The same on a thread of a small stack, whose size compiled code reads.
    EXPECT_THAT(deep_recursion_on_thread(size_t{1} << 20),
                AllOf(StartsWith("call stack exhausted | "), Not(HasSubstr("failed afterwards"))));
}

// A regression: with a fixed margin of 256 KiB below the stack's end, a
// thread whose whole stack was that small (musl's default is 128 KiB) got a
// limit past the end of its stack, and the recursion crashed the process.
TEST(Limits, DeepRecursionOnATinyStackTrapsCleanly) {
    if (Store().tier() != Tier::Compiler) GTEST_SKIP() << "the interpreter does not recurse";
    for (size_t stack : {size_t{128} << 10, size_t{256} << 10})
        EXPECT_THAT(deep_recursion_on_thread(stack),
                    AllOf(StartsWith("call stack exhausted | "), HasSubstr("machine stack"),
                          Not(HasSubstr("failed afterwards"))))
            << stack;
}

/// (module (table 10000000 funcref) ... thirty of them): each table under
/// any per-table cap, all of them 2.4 GB.
std::vector<uint8_t> many_tables_wasm(uint8_t count) {
    std::vector<uint8_t> table{0x70, 0x00, 0x80, 0xAD, 0xE2, 0x04}; // funcref, min 10,000,000
    std::vector<uint8_t> section{count};
    for (uint8_t i = 0; i < count; ++i) section.insert(section.end(), table.begin(), table.end());
    std::vector<uint8_t> wasm{0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00, 0x04};
    wasm.push_back(static_cast<uint8_t>(section.size())); // < 128 for count <= 21
    wasm.insert(wasm.end(), section.begin(), section.end());
    return wasm;
}

// A regression: tables were zero-filled at instantiation with no cap on
// their number, 2.35 GB and 12 s for a 343-byte module. The store's budget
// refuses them all before allocating any, and the store goes on serving.
TEST(Budget, ManyTablesAreRefusedBeforeAnyIsAllocated) {
    Store store;
    try {
        store.instantiate(load_module(many_tables_wasm(20)), no_imports());
        FAIL() << "instantiated";
    } catch (const Trap& trap) {
        EXPECT_EQ(trap.kind(), TrapKind::MemoryLimitExceeded);
        EXPECT_THAT(trap.what(), HasSubstr("the module (20 tables, 0 memories, 0 globals, 0 "
                                           "functions) needs 1600000000 bytes"));
    }
    EXPECT_EQ(store.available_bytes(), store.limits().store_bytes());
    Instance& instance = store.instantiate(load_module(arith_wasm), no_imports());
    std::vector<Value> args = {i32(40), i32(2)};
    EXPECT_EQ(store.call(*instance.exported_function("add"), args).at(0).as_u32(), 42u);
}

TEST(Budget, TablesGlobalsAndHostDataShareIt) {
    SandboxLimits limits;
    limits.max_store_bytes = 100'000'000;
    Store store(limits);
    store.instantiate(load_module(many_tables_wasm(1)), no_imports()); // 80 MB
    EXPECT_EQ(store.available_bytes(), 20'000'000u);
    EXPECT_FALSE(store.charge_host_bytes(20'000'001));
    EXPECT_TRUE(store.charge_host_bytes(20'000'000));
    EXPECT_THROW(store.instantiate(load_module(many_tables_wasm(1)), no_imports()), Trap);
    store.release_host_bytes(20'000'000);
    EXPECT_EQ(store.available_bytes(), 20'000'000u);
}

TEST(Tiers, ChosenPerStore) {
    EXPECT_EQ(Store({}, Tier::Interpreter).tier(), Tier::Interpreter);
#if defined(__x86_64__) && defined(__linux__)
    EXPECT_EQ(Store({}, Tier::Compiler).tier(), Tier::Compiler);
#endif
    for (Tier tier : {Tier::Compiler, Tier::Interpreter}) {
        Store store({}, tier);
        Instance& instance = store.instantiate(load_module(arith_wasm), no_imports());
        std::vector<Value> args = {i32(40), i32(2)};
        EXPECT_EQ(store.call(*instance.exported_function("add"), args).at(0).as_u32(), 42u);
    }
}

// (module
//   (memory 1 10)
//   (func $grow (param i32) (result i32) (memory.grow (local.get 0)))
//   (func (export "grow_in_callee") (result i32)
//     (drop (call $grow (i32.const 1)))
//     (i32.store (i32.const 65536) (i32.const 7))
//     (i32.add (i32.load (i32.const 65536)) (memory.size))))
const std::vector<uint8_t> grow_wasm = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0a, 0x02, 0x60, 0x01, 0x7f, 0x01, 0x7f,
    0x60, 0x00, 0x01, 0x7f, 0x03, 0x03, 0x02, 0x00, 0x01, 0x05, 0x04, 0x01, 0x01, 0x01, 0x0a, 0x07,
    0x12, 0x01, 0x0e, 0x67, 0x72, 0x6f, 0x77, 0x5f, 0x69, 0x6e, 0x5f, 0x63, 0x61, 0x6c, 0x6c, 0x65,
    0x65, 0x00, 0x01, 0x0a, 0x23, 0x02, 0x06, 0x00, 0x20, 0x00, 0x40, 0x00, 0x0b, 0x1a, 0x00, 0x41,
    0x01, 0x10, 0x00, 0x1a, 0x41, 0x80, 0x80, 0x04, 0x41, 0x07, 0x36, 0x02, 0x00, 0x41, 0x80, 0x80,
    0x04, 0x28, 0x02, 0x00, 0x3f, 0x00, 0x6a, 0x0b, 0x00, 0x15, 0x04, 0x6e, 0x61, 0x6d, 0x65, 0x01,
    0x07, 0x01, 0x00, 0x04, 0x67, 0x72, 0x6f, 0x77, 0x02, 0x05, 0x02, 0x00, 0x00, 0x01, 0x00};

TEST(Limits, MemoryGrownByACalleeIsThereForTheCaller) {
    // Compiled code keeps the memory's size in a register; a callee's
    // memory.grow must reach the caller's bounds checks.
    Fixture m(grow_wasm);
    EXPECT_EQ(m.call_i32("grow_in_callee"), 7u + 2u);
}

TEST(Limits, FramesOfManyLocalsFillTheValueStack) {
    // Frames of 600 slots fill the value stack long before a million calls;
    // the interpreter's fixed-size writes past a frame stay inside it.
    SandboxLimits limits;
    limits.max_call_depth = 1'000'000;
    Fixture m(frames_wasm, limits);
    Trap trap = m.trap("fat");
    EXPECT_EQ(trap.kind(), TrapKind::CallStackExhausted);
    EXPECT_THAT(trap.what(), HasSubstr("the value stack is full"));
    EXPECT_EQ(m.call("probe", {i32(3)}).at(0).bits, 0u);
}

TEST(Translator, DeclaredLocalsStartAtZeroOnReusedSlots) {
    Fixture m(frames_wasm);
    for (int round = 0; round < 3; ++round)
        EXPECT_EQ(m.call("probe", {i32(40)}).at(0).bits, 0u) << "round " << round;
}

TEST(Limits, MemoryCapTrapsButTheDeclaredMaximumFailsTheGrow) {
    SandboxLimits limits;
    limits.max_memory_pages = 10;
    Fixture m(limits_wasm, limits);
    EXPECT_EQ(m.call_i32("grow", {i32(5)}), 1u); // old size
    // Beyond the declared maximum of 100 pages: memory.grow says -1.
    EXPECT_EQ(m.call_i32("grow", {i32(200)}), 0xFFFFFFFFu);
    // Within it but beyond the sandbox's 10 pages: a trap naming the limit.
    Trap trap = m.trap("grow", {i32(10)});
    EXPECT_EQ(trap.kind(), TrapKind::MemoryLimitExceeded);
    EXPECT_THAT(trap.what(), HasSubstr("beyond 10 pages"));
    EXPECT_EQ(memory_size_pages(*m.instance.memory()), 6u);
}

TEST(Limits, InitialMemoryAboveTheCapIsRefused) {
    SandboxLimits limits;
    limits.max_memory_pages = 0;
    Store store(limits);
    EXPECT_THROW(store.instantiate(load_module(limits_wasm), no_imports()), Trap);
}

struct CustomFailure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

ImportResolver host_imports(Store& store) {
    Function* sum = store.create_host_function(
        {{ValType::I32, ValType::I32}, {ValType::I32}},
        [](HostCall& call) {
            uint32_t total = 0;
            for (uint8_t byte : call.guest_bytes(static_cast<uint32_t>(call.args[0]),
                                                 static_cast<uint32_t>(call.args[1])))
                total += byte;
            call.results[0] = total;
        },
        "env.sum");
    Function* fail = store.create_host_function(
        {}, [](HostCall&) { throw CustomFailure("the host gave up"); }, "env.fail");
    return [=](const Import& import) -> std::optional<Extern> {
        if (import.name == "sum") return sum;
        if (import.name == "fail") return fail;
        return std::nullopt;
    };
}

TEST(HostFunctions, ReadGuestMemoryThroughCheckedSpans) {
    Store store;
    Instance& instance = store.instantiate(load_module(host_wasm), host_imports(store));
    auto call = [&](const char* name) { return store.call(*instance.exported_function(name), {}); };
    EXPECT_EQ(call("sum_data").at(0).as_u32(), 10u);

    // A range outside guest memory is a trap, not a host read out of bounds.
    try {
        call("sum_outside");
        FAIL() << "no trap";
    } catch (const Trap& trap) {
        EXPECT_EQ(trap.kind(), TrapKind::MemoryOutOfBounds);
        EXPECT_THAT(trap.what(), HasSubstr("100 bytes at 0xfffa"));
    }
    // The host's own exception reaches the caller unchanged.
    EXPECT_THROW(call("call_fail"), CustomFailure);
    EXPECT_EQ(call("sum_data").at(0).as_u32(), 10u);
}

TEST(Linking, UnknownAndIncompatibleImports) {
    Store store;
    auto module = load_module(link_wasm);
    try {
        store.instantiate(module, no_imports());
        FAIL() << "linked";
    } catch (const LinkError& e) {
        EXPECT_THAT(e.what(), HasSubstr("unknown import \"env\" \"f\""));
    }
    Function* wrong = store.create_host_function(
        {{ValType::I64}, {}}, [](HostCall&) {}, "wrong");
    try {
        store.instantiate(module, [&](const Import&) -> std::optional<Extern> { return wrong; });
        FAIL() << "linked";
    } catch (const LinkError& e) {
        EXPECT_THAT(e.what(), HasSubstr("incompatible import type for \"env\" \"f\""));
        EXPECT_THAT(e.what(), HasSubstr("expected (i32) -> ()"));
    }
}

TEST(Instantiation, AStartFunctionTrapIsReported) {
    Store store;
    try {
        store.instantiate(load_module(start_trap_wasm), no_imports());
        FAIL() << "instantiated";
    } catch (const Trap& trap) {
        EXPECT_EQ(trap.kind(), TrapKind::MemoryOutOfBounds);
        EXPECT_THAT(trap.what(), HasSubstr("`boom`"));
    }
}

TEST(LazyTranslation, OnlyCalledFunctionsAreTranslated) {
    Fixture m(arith_wasm);
    auto& functions = m.instance.impl().functions;
    m.call("add", {i32(1), i32(2)});
    EXPECT_NE(functions[0]->compiled, nullptr);
    EXPECT_EQ(functions[1]->compiled, nullptr);
    EXPECT_EQ(functions[2]->compiled, nullptr);
    EXPECT_EQ(functions[3]->compiled, nullptr);
    m.trap("outer");
    EXPECT_NE(functions[2]->compiled, nullptr);
    EXPECT_NE(functions[3]->compiled, nullptr);
}

// The translator reads locals and constants in place and writes results
// straight into locals; these pin the cases where that would be wrong.
TEST(Translator, LocalsReadBeforeAWriteKeepTheirOldValue) {
    Fixture m(translate_wasm);
    EXPECT_EQ(m.call_i32("swap", {i32(3), i32(4)}), 37u);
    EXPECT_EQ(m.call_i32("tee_hazard", {i32(10)}), static_cast<uint32_t>(-5));
}

// (module
//   (func (export "bit_if") (param i32 i32) (result i32)
//     (if (result i32) (i32.and (local.get 0) (local.get 1))
//       (then (i32.const 1)) (else (i32.const 2))))
//   (func (export "bit_br_if") (param i32) (result i32)
//     (block (br_if 0 (i32.and (local.get 0) (i32.const 0x100)))
//       (return (i32.const 0)))
//     (i32.const 1))
//   (func (export "bit_of_sum") (param i32) (result i32)
//     (block (br_if 0 (i32.and (i32.add (local.get 0) (i32.const 1)) (i32.const 0x80000000)))
//       (return (i32.const 0)))
//     (i32.const 1)))
const std::vector<uint8_t> bit_test_wasm = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0c, 0x02, 0x60, 0x02, 0x7f, 0x7f, 0x01,
    0x7f, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x03, 0x04, 0x03, 0x00, 0x01, 0x01, 0x07, 0x23, 0x03, 0x06,
    0x62, 0x69, 0x74, 0x5f, 0x69, 0x66, 0x00, 0x00, 0x09, 0x62, 0x69, 0x74, 0x5f, 0x62, 0x72, 0x5f,
    0x69, 0x66, 0x00, 0x01, 0x0a, 0x62, 0x69, 0x74, 0x5f, 0x6f, 0x66, 0x5f, 0x73, 0x75, 0x6d, 0x00,
    0x02, 0x0a, 0x3d, 0x03, 0x0f, 0x00, 0x20, 0x00, 0x20, 0x01, 0x71, 0x04, 0x7f, 0x41, 0x01, 0x05,
    0x41, 0x02, 0x0b, 0x0b, 0x12, 0x00, 0x02, 0x40, 0x20, 0x00, 0x41, 0x80, 0x02, 0x71, 0x0d, 0x00,
    0x41, 0x00, 0x0f, 0x0b, 0x41, 0x01, 0x0b, 0x18, 0x00, 0x02, 0x40, 0x20, 0x00, 0x41, 0x01, 0x6a,
    0x41, 0x80, 0x80, 0x80, 0x80, 0x78, 0x71, 0x0d, 0x00, 0x41, 0x00, 0x0f, 0x0b, 0x41, 0x01, 0x0b};

TEST(Translator, FusedComparesBranchBothWays) {
    Fixture m(translate_wasm);
    EXPECT_EQ(m.call_i32("count_down", {i32(4)}), 10u);
    EXPECT_EQ(m.call_i32("count_down", {i32(0)}), 0u);
    EXPECT_EQ(m.call_i32("pick", {i32(3)}), 1u);
    EXPECT_EQ(m.call_i32("pick", {i32(10)}), 2u);
    EXPECT_EQ(m.call_i32("select_const", {i32(1)}), 11u);
    EXPECT_EQ(m.call_i32("select_const", {i32(0)}), 22u);
}

// An i32.and feeding br_if or if becomes one bit-test-and-branch: with two
// slots, with a constant, and with the sum before it in the accumulator,
// which must be tested as the 32-bit value it is.
TEST(Translator, BitTestsBranchBothWays) {
    Fixture m(bit_test_wasm);
    EXPECT_EQ(m.call_i32("bit_if", {i32(6), i32(3)}), 1u);
    EXPECT_EQ(m.call_i32("bit_if", {i32(4), i32(3)}), 2u);
    EXPECT_EQ(m.call_i32("bit_br_if", {i32(0x1ff)}), 1u);
    EXPECT_EQ(m.call_i32("bit_br_if", {i32(0xff)}), 0u);
    EXPECT_EQ(m.call_i32("bit_of_sum", {i32(0x7fffffff)}), 1u);
    EXPECT_EQ(m.call_i32("bit_of_sum", {i32(0xffffffff)}), 0u);
    EXPECT_EQ(m.call_i32("bit_of_sum", {i32(5)}), 0u);
}

// (module
//   (global $sp (mut i32) (i32.const 1024))
//   (global $other (mut i32) (i32.const 0))
//   (func (export "sp") (result i32) (global.get $sp))
//   (func (export "other") (result i32) (global.get $other))
//   (func (export "set_sp") (param i32) (global.set $sp (local.get 0)))
//   (func (export "frame") (result i32) (local i32)
//     (global.set $sp (local.tee 0 (i32.sub (global.get $sp) (i32.const 16))))
//     (global.set $sp (i32.add (local.get 0) (i32.const 16)))
//     (local.get 0))
//   (func (export "set_twice_plus_16") (param i32)
//     (global.set $sp (i32.add (i32.mul (local.get 0) (i32.const 2)) (i32.const 16))))
//   (func (export "push") (result i32)
//     (global.set $sp (i32.sub (global.get $sp) (i32.const 16)))
//     (global.get $sp))
//   (func (export "cross") (result i32) (local i32)
//     (global.set $other (local.tee 0 (i32.sub (global.get $sp) (i32.const 16))))
//     (local.get 0))
//   (func (export "branchy") (param i32) (result i32)
//     (block (result i32)
//       (i32.const 7)
//       (local.get 0)
//       (br_if 0)
//       (drop)
//       (i32.sub (global.get $sp) (i32.const 16)))
//     (global.set $sp)
//     (global.get $sp)))
const std::vector<uint8_t> stack_pointer_wasm = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0e, 0x03, 0x60, 0x00, 0x01, 0x7f, 0x60,
    0x01, 0x7f, 0x00, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x03, 0x09, 0x08, 0x00, 0x00, 0x01, 0x00, 0x01,
    0x00, 0x00, 0x02, 0x06, 0x0c, 0x02, 0x7f, 0x01, 0x41, 0x80, 0x08, 0x0b, 0x7f, 0x01, 0x41, 0x00,
    0x0b, 0x07, 0x4c, 0x08, 0x02, 0x73, 0x70, 0x00, 0x00, 0x05, 0x6f, 0x74, 0x68, 0x65, 0x72, 0x00,
    0x01, 0x06, 0x73, 0x65, 0x74, 0x5f, 0x73, 0x70, 0x00, 0x02, 0x05, 0x66, 0x72, 0x61, 0x6d, 0x65,
    0x00, 0x03, 0x11, 0x73, 0x65, 0x74, 0x5f, 0x74, 0x77, 0x69, 0x63, 0x65, 0x5f, 0x70, 0x6c, 0x75,
    0x73, 0x5f, 0x31, 0x36, 0x00, 0x04, 0x04, 0x70, 0x75, 0x73, 0x68, 0x00, 0x05, 0x05, 0x63, 0x72,
    0x6f, 0x73, 0x73, 0x00, 0x06, 0x07, 0x62, 0x72, 0x61, 0x6e, 0x63, 0x68, 0x79, 0x00, 0x07, 0x0a,
    0x68, 0x08, 0x04, 0x00, 0x23, 0x00, 0x0b, 0x04, 0x00, 0x23, 0x01, 0x0b, 0x06, 0x00, 0x20, 0x00,
    0x24, 0x00, 0x0b, 0x16, 0x01, 0x01, 0x7f, 0x23, 0x00, 0x41, 0x10, 0x6b, 0x22, 0x00, 0x24, 0x00,
    0x20, 0x00, 0x41, 0x10, 0x6a, 0x24, 0x00, 0x20, 0x00, 0x0b, 0x0c, 0x00, 0x20, 0x00, 0x41, 0x02,
    0x6c, 0x41, 0x10, 0x6a, 0x24, 0x00, 0x0b, 0x0b, 0x00, 0x23, 0x00, 0x41, 0x10, 0x6b, 0x24, 0x00,
    0x23, 0x00, 0x0b, 0x0f, 0x01, 0x01, 0x7f, 0x23, 0x00, 0x41, 0x10, 0x6b, 0x22, 0x00, 0x24, 0x01,
    0x20, 0x00, 0x0b, 0x15, 0x00, 0x02, 0x7f, 0x41, 0x07, 0x20, 0x00, 0x0d, 0x00, 0x1a, 0x23, 0x00,
    0x41, 0x10, 0x6b, 0x0b, 0x24, 0x00, 0x23, 0x00, 0x0b};

// Rust's shadow-stack pointer updates fuse into single instructions; these
// pin what the fused forms must still do: write the local and the global,
// wrap at 32 bits, leave other globals alone, and not swallow a global.set
// that a branch reaches.
TEST(Translator, StackPointerUpdates) {
    {
        Fixture m(stack_pointer_wasm);
        EXPECT_EQ(m.call_i32("frame", {}), 1008u);
        EXPECT_EQ(m.call_i32("sp", {}), 1024u);
        EXPECT_EQ(m.call_i32("push", {}), 1008u);
        EXPECT_EQ(m.call_i32("cross", {}), 992u);
        EXPECT_EQ(m.call_i32("other", {}), 992u);
        EXPECT_EQ(m.call_i32("sp", {}), 1008u);
        m.call("set_sp", {i32(8)});
        EXPECT_EQ(m.call_i32("push", {}), 0xfffffff8u);
        m.call("set_twice_plus_16", {i32(100)}); // the add reads the accumulator
        EXPECT_EQ(m.call_i32("sp", {}), 216u);
    }
    {
        Fixture m(stack_pointer_wasm);
        EXPECT_EQ(m.call_i32("branchy", {i32(1)}), 7u);
        EXPECT_EQ(m.call_i32("branchy", {i32(0)}), static_cast<uint32_t>(7 - 16));
    }
}

TEST(Translator, BlocksWithParametersAndSeveralResults) {
    Fixture m(translate_wasm);
    std::vector<Value> pair = m.call("sum_pair", {i32(5)});
    ASSERT_EQ(pair.size(), 2u);
    EXPECT_EQ(pair[0].as_u32(), 5u);
    EXPECT_EQ(pair[1].as_u32(), 7u);
    EXPECT_EQ(m.call_i32("loop_params", {i32(3)}), 6u);
}

TEST(Translator, AnAddFusedIntoALoadStillWrapsAt32Bits) {
    Fixture m(translate_wasm);
    // (0xFFFFFFFF + 2) wraps to address 1, which holds 42 ...
    EXPECT_EQ(m.call_i32("load_wrapped", {i32(0xFFFFFFFF)}), 42u);
    // ... while a static offset does not wrap.
    EXPECT_EQ(m.trap("load_offset", {i32(0xFFFFFFFF)}).kind(), TrapKind::MemoryOutOfBounds);
    EXPECT_EQ(m.trap("load_offset", {i32(0xFFFFFFFE)}).kind(), TrapKind::MemoryOutOfBounds);
}

TEST(Translator, IndirectCalls) {
    Fixture m(translate_wasm);
    EXPECT_EQ(m.call_i32("call_slot", {i32(0), i32(21)}), 42u);
    EXPECT_EQ(m.trap("call_slot", {i32(1), i32(0)}).kind(), TrapKind::IndirectCallTypeMismatch);
    Trap null_slot = m.trap("call_slot", {i32(2), i32(0)});
    EXPECT_EQ(null_slot.kind(), TrapKind::UninitializedElement);
    EXPECT_THAT(null_slot.what(), HasSubstr("uninitialized element 2"));
    EXPECT_EQ(m.trap("call_slot", {i32(3), i32(0)}).kind(), TrapKind::UndefinedElement);
}

} // namespace
