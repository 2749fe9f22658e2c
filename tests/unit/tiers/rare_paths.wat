;; The compiling tier's rare paths: what it does not compile inline but hands
;; to a helper (the interpreter's handler for tables and bulk memory, calls
;; that leave the instance, indirect calls) and the immediates and addresses
;; that do not fit an x86 instruction. test_compiling_tier.cpp runs each in
;; both tiers.
(module
  (import "host" "add_fuel" (func $host_add (param i32 i32) (result i32)))
  (import "other" "twice" (func $other_twice (param i32) (result i32)))
  (memory 1 4)
  (table $t 2 10 funcref)
  (type $unary (func (param i32) (result i32)))
  (elem (i32.const 0) $inc)

  (func $inc (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))

  ;; memory.grow runs in a helper; the size the compiled code checks loads
  ;; against must be the new one afterwards.
  (func (export "grow_then_store") (result i32)
    (drop (memory.grow (i32.const 1)))
    (i32.store (i32.const 70000) (i32.const 77))
    (i32.load (i32.const 70000)))

  (func $fill_out_of_bounds (export "fill_out_of_bounds") (param i32)
    (memory.fill (local.get 0) (i32.const 1) (i32.const 100)))

  (func (export "copy_within") (result i32)
    (i32.store (i32.const 0) (i32.const 0x01020304))
    (memory.copy (i32.const 2) (i32.const 0) (i32.const 4))
    (i32.load (i32.const 2)))

  ;; Tables: grow, fill, set, get and size through the interpreter's handlers.
  (func (export "tables") (result i32)
    (drop (table.grow $t (ref.null func) (i32.const 3)))
    (table.fill $t (i32.const 2) (ref.func $inc) (i32.const 3))
    (table.set $t (i32.const 1) (table.get $t (i32.const 4)))
    (i32.add (table.size $t)
      (call_indirect (type $unary) (i32.const 40) (i32.const 1))))

  (func (export "call_null_element") (result i32)
    (call_indirect (type $unary) (i32.const 1) (i32.const 1)))
  (func (export "call_missing_element") (result i32)
    (call_indirect (type $unary) (i32.const 1) (i32.const 9)))

  ;; Calls that leave the instance: a host function, another instance's
  ;; function, and a tail call to each.
  (func (export "call_host") (param i32) (result i32)
    (call $host_add (local.get 0) (i32.const 5)))
  (func (export "call_other") (param i32) (result i32)
    (i32.add (call $other_twice (local.get 0)) (i32.const 1)))
  (func (export "tail_host") (param i32) (result i32)
    (return_call $host_add (local.get 0) (i32.const 6)))
  (func (export "tail_other") (param i32) (result i32)
    (return_call $other_twice (local.get 0)))

  ;; A br_table whose targets include a loop header: the backward entry goes
  ;; through a thunk that charges fuel, as the interpreter's jump does.
  (func (export "table_loop") (param i32) (result i32) (local i32)
    (block $out
      (loop $again
        (local.set 1 (i32.add (local.get 1) (i32.const 1)))
        (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
        (br_table $out $again (i32.ne (local.get 0) (i32.const 0)))))
    (local.get 1))

  ;; Immediates beyond 32 bits, which x86 cannot encode in the instruction.
  (func (export "wide_immediates") (param i64) (result i64)
    (if (i64.lt_u (local.get 0) (i64.const 0x100000000))
      (then (return (i64.add (local.get 0) (i64.const 0x100000000)))))
    (i64.mul (local.get 0) (i64.const 0x7fffffffff)))

  ;; Addresses and offsets that do not fit a displacement.
  (func (export "far_constant_address") (result i32)
    (i32.load (i32.const 0xfffffff0)))
  (func (export "far_offset") (param i32) (result i32)
    (i32.load offset=0xfffffff0 (local.get 0))))
