;; The other instance that rare_paths.wat calls into.
(module
  (memory 1)
  (func (export "twice") (param i32) (result i32)
    (i32.store (i32.const 0) (local.get 0))
    (i32.shl (i32.load (i32.const 0)) (i32.const 1))))
