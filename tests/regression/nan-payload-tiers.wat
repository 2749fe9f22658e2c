;; f32.add and f64.add of two NaNs with different payloads. The compiling
;; tier gave the second operand's payload (the C++ compiler had swapped the
;; operands of the addition), the interpreter the first; both must give the
;; first, quieted, as x86 and V8 do.
(module
  (func (export "add32") (result i32)
    (i32.reinterpret_f32
      (f32.add (f32.reinterpret_i32 (i32.const 0x7fa00001))
               (f32.reinterpret_i32 (i32.const 0x7fc00002)))))
  (func (export "mul32") (param i32 i32) (result i32)
    (i32.reinterpret_f32
      (f32.mul (f32.reinterpret_i32 (local.get 0)) (f32.reinterpret_i32 (local.get 1)))))
  (func (export "add64") (result i64)
    (i64.reinterpret_f64
      (f64.add (f64.reinterpret_i64 (i64.const 0x7ff4000000000001))
               (f64.reinterpret_i64 (i64.const 0x7ff8000000000002))))))
