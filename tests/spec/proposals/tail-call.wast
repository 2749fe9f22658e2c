;; Tail calls (return_call, return_call_indirect), which the test suite in
;; ../shared does not cover yet. Each runs in both tiers like the suite.

(module $M
  (func (export "inc") (param i32) (result i32)
    (i32.add (local.get 0) (i32.const 1))))
(register "M" $M)

(module
  (import "spectest" "print_i32" (func $print (param i32)))
  (import "M" "inc" (func $inc (param i32) (result i32)))
  (type $i64-i64 (func (param i64) (result i64)))
  (type $i32 (func (result i32)))
  (table funcref (elem $count-indirect $const))

  (func $const (result i32) (i32.const 0x132))

  ;; A million calls deep: only a tail call keeps the stack flat.
  (func $count (export "count") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (local.get 0))
      (else (return_call $count (i64.sub (local.get 0) (i64.const 1))))))
  (func $even (export "even") (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0))
      (then (i32.const 44))
      (else (return_call $odd (i64.sub (local.get 0) (i64.const 1))))))
  (func $odd (export "odd") (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0))
      (then (i32.const 99))
      (else (return_call $even (i64.sub (local.get 0) (i64.const 1))))))

  ;; The arguments trade places on every call: moving them into the frame
  ;; must not overwrite one before it is read.
  (func $swap (export "swap") (param i32 i32 i32) (result i32)
    (if (result i32) (i32.eqz (local.get 2))
      (then (i32.sub (local.get 0) (local.get 1)))
      (else (return_call $swap (local.get 1) (local.get 0)
                               (i32.sub (local.get 2) (i32.const 1))))))

  ;; Several results; the callee's declared locals start at zero although the
  ;; caller's frame held other values there.
  (func $pair (param i32) (result i32 i64) (local i64)
    (local.get 0) (i64.add (local.get 1) (i64.const 7)))
  (func (export "pair") (param i32) (result i32 i64) (local i64 i64)
    (local.set 1 (i64.const 100))
    (local.set 2 (i64.const 200))
    (return_call $pair (local.get 0)))

  (func $count-indirect (export "count-indirect") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (local.get 0))
      (else (return_call_indirect (type $i64-i64)
              (i64.sub (local.get 0) (i64.const 1)) (i32.const 0)))))
  (func (export "indirect-const") (result i32)
    (return_call_indirect (type $i32) (i32.const 1)))
  (func (export "indirect-wrong-type") (result i64)
    (return_call_indirect (type $i64-i64) (i64.const 0) (i32.const 1)))
  (func (export "indirect-undefined") (result i64)
    (return_call_indirect (type $i64-i64) (i64.const 0) (i32.const 9)))

  ;; A host function and another instance's function, tail-called.
  (func (export "print") (return_call $print (i32.const 7)))
  (func (export "inc") (param i32) (result i32) (return_call $inc (local.get 0)))

  ;; From inside blocks, with values below on the stack; and code after a
  ;; tail call is unreachable, so the stack is polymorphic there.
  (func (export "from-block") (param i64) (result i64)
    (i32.const 1)
    (block (result i64) (return_call $count (local.get 0)))
    (drop) (drop) (i64.const 5))
  (func (export "after") (result i32)
    (return_call $const) (i64.const 0) (drop))
)

(assert_return (invoke "count" (i64.const 0)) (i64.const 0))
(assert_return (invoke "count" (i64.const 1_000_000)) (i64.const 0))
(assert_return (invoke "even" (i64.const 1_000_000)) (i32.const 44))
(assert_return (invoke "odd" (i64.const 999_999)) (i32.const 44))
(assert_return (invoke "swap" (i32.const 1) (i32.const 5) (i32.const 3)) (i32.const 4))
(assert_return (invoke "pair" (i32.const 3)) (i32.const 3) (i64.const 7))
(assert_return (invoke "count-indirect" (i64.const 1_000_000)) (i64.const 0))
(assert_return (invoke "indirect-const") (i32.const 0x132))
(assert_trap (invoke "indirect-wrong-type") "indirect call type mismatch")
(assert_trap (invoke "indirect-undefined") "undefined element")
(assert_return (invoke "print"))
(assert_return (invoke "inc" (i32.const 41)) (i32.const 42))
(assert_return (invoke "from-block" (i64.const 1000)) (i64.const 0))
(assert_return (invoke "after") (i32.const 0x132))

(assert_invalid
  (module (func $f (result i64) (i64.const 0)) (func (result i32) (return_call $f)))
  "type mismatch")
(assert_invalid
  (module (func $f (result i32) (i32.const 0)) (func (return_call $f)))
  "type mismatch")
(assert_invalid
  (module (func $f (param i32)) (func (return_call $f)))
  "type mismatch")
(assert_invalid
  (module (type $t (func (result i64))) (table 1 funcref)
    (func (result i32) (return_call_indirect (type $t) (i32.const 0))))
  "type mismatch")
(assert_invalid
  (module (type $t (func)) (table 1 funcref)
    (func (return_call_indirect (type $t))))
  "type mismatch")
(assert_invalid (module (func (return_call 1))) "unknown function")
(assert_invalid
  (module (type $t (func)) (func (return_call_indirect (type $t) (i32.const 0))))
  "unknown table")
