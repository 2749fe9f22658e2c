;; Small watt-0.5 macros for the pre-expand tests, each doing one thing the
;; fixtures' real macros do not: a guest stream here is the host's stream
;; handle itself, so raw_to_token_stream and token_stream_into_raw are the
;; identity. The decls section is added by `wasmacro annotate` (see
;; CMakeLists.txt): bang id, rec and reject; attr keep.
(module
  (import "watt-0.5" "token_stream_parse" (func $parse (param i32 i32) (result i32)))
  (memory 1)
  (data (i32.const 16) "rec!()")
  (data (i32.const 32) "compile_error!(\22reject! refuses its input\22)")
  (func (export "raw_to_token_stream") (param i32) (result i32) local.get 0)
  (func (export "token_stream_into_raw") (param i32) (result i32) local.get 0)
  ;; id!(tokens) expands to the tokens: an expression, pattern, type or items.
  (func (export "bang_id") (param i32) (result i32) local.get 0)
  ;; rec!() expands to rec!() again, for ever: the depth limit stops it.
  (func (export "bang_rec") (param i32) (result i32)
    (call $parse (i32.const 16) (i32.const 6)))
  ;; reject!(...) expands to a compile_error!.
  (func (export "bang_reject") (param i32) (result i32)
    (call $parse (i32.const 32) (i32.const 43)))
  ;; #[keep] / #[keep(anything)] gives back its item unchanged.
  (func (export "attr_keep") (param i32 i32) (result i32) local.get 1)
)
