;; Host functions in a loop. Each paid fuel for the bytes it touched only, so
;; making handles and trees cost almost nothing: a loop of
;; token_stream_serialize ran for 3.6 s of CPU, and one of string_new for
;; 3.4 s, until the store's budget stopped them. Fuel must stop them first.
(module
  (import "watt-0.5" "token_stream_serialize" (func $serialize (param i32) (result i32)))
  (import "watt-0.5" "token_stream_deserialize" (func $deserialize (param i32 i32) (result i32)))
  (import "watt-0.5" "bytes_len" (func $bytes_len (param i32) (result i32)))
  (import "watt-0.5" "bytes_read" (func $bytes_read (param i32 i32)))
  (import "watt-0.5" "string_new" (func $string_new (param i32 i32) (result i32)))
  (memory (export "memory") 64)
  (func (export "raw_to_token_stream") (param i32) (result i32) (local.get 0))
  (func (export "token_stream_into_raw") (param i32) (result i32) (local.get 0))
  (func (export "serialize") (param i32) (result i32)
    (loop $l (drop (call $serialize (local.get 0))) (br $l))
    (i32.const 0))
  (func (export "deserialize") (param $input i32) (result i32) (local $bytes i32) (local $length i32)
    (local.set $bytes (call $serialize (local.get $input)))
    (local.set $length (call $bytes_len (local.get $bytes)))
    (call $bytes_read (local.get $bytes) (i32.const 0))
    (loop $l (drop (call $deserialize (i32.const 0) (local.get $length))) (br $l))
    (i32.const 0))
  (func (export "strings") (param i32) (result i32)
    (loop $l (drop (call $string_new (i32.const 0) (i32.const 0))) (br $l))
    (i32.const 0)))
