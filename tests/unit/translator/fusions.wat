;; The translator's rewrites, one export each; fusions.slot is the slot code
;; each must become. A change there is a change in what both tiers run.
(module
  (import "env" "log" (func $log (param i32)))
  (global $sp (mut i32) (i32.const 65536))
  (memory 1)
  (table 2 funcref)
  (elem (i32.const 0) $add $add)
  (type $binary (func (param i32 i32) (result i32)))

  ;; Locals are read where they are, and the result goes straight to slot 2.
  (func $add (export "add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1)))

  ;; A result followed by local.set is written into the local itself; a
  ;; constant operand becomes an immediate.
  (func (export "into_local") (param i32) (result i32) (local i32)
    (local.set 1 (i32.mul (local.get 0) (i32.const 3)))
    (local.get 1))

  ;; A compare feeding br_if becomes one compare-and-branch; eqz feeding
  ;; br_if becomes a branch on zero. The and reads the sum just made from
  ;; the accumulator, and the branch the and. The loop's back edge is a
  ;; branch to offset 0.
  (func (export "count") (param i32) (result i32) (local i32)
    (block $done
      (loop $again
        (br_if $done (i32.ge_u (local.get 1) (local.get 0)))
        (local.set 1 (i32.add (local.get 1) (i32.const 1)))
        (br_if $again (i32.eqz (i32.and (local.get 1) (i32.const 1024))))))
    (local.get 1))

  ;; The shadow stack's prologue and epilogue: global.get, i32.sub and
  ;; global.set as one GlobalBumpI; i32.add and global.set as GlobalSetAddI.
  ;; An address computed as local + constant folds into the access (StA).
  (func (export "frame") (param i32) (result i32) (local i32)
    (global.set $sp (local.tee 1 (i32.sub (global.get $sp) (i32.const 16))))
    (i32.store offset=4 (i32.add (local.get 1) (i32.const 8)) (local.get 0))
    (local.set 0 (i32.load offset=12 (local.get 1)))
    (global.set $sp (i32.add (local.get 1) (i32.const 16)))
    (local.get 0))

  ;; Constant addresses, offset included, are one field; the store takes
  ;; the constant just made from the accumulator.
  (func (export "constant_address") (result i64)
    (i64.store (i32.const 256) (i64.const 0x123456789))
    (i64.load offset=8 (i32.const 248)))

  ;; br_table: a target whose values are in place is a direct entry; the
  ;; function's own label (a return) is a stub after the table.
  (func (export "table") (param i32) (result i32)
    (i32.add (i32.const 10)
      (block $b (result i32)
        (br_table $b 1 (i32.const 7) (local.get 0)))))

  ;; Calls copy their arguments from where they are; a host function is a
  ;; plain Call, one of this instance a CallLocal, and call_indirect names
  ;; its table and type.
  (func (export "calls") (param i32) (result i32)
    (call $log (local.get 0))
    (call_indirect (type $binary) (local.get 0) (i32.const 2) (i32.const 1))
    (call $add (local.get 0)))

  (func (export "pick") (param i32 i32 i32) (result i32)
    (select (local.get 0) (local.get 1) (local.get 2)))

  ;; A tail call moves the arguments from base to the frame's start.
  (func (export "tail") (param i32) (result i32)
    (return_call $add (local.get 0) (i32.const 5)))

  ;; A function longer than 256 bytes of slot code pays for its length when
  ;; it is entered (Fuel), not only for the call.
  (func (export "long") (param i32) (result i32)
    (local.get 0)
    (i32.add (i32.const 1)) (i32.add (i32.const 2)) (i32.add (i32.const 3))
    (i32.add (i32.const 4)) (i32.add (i32.const 5)) (i32.add (i32.const 6))
    (i32.add (i32.const 7)) (i32.add (i32.const 8)) (i32.add (i32.const 9))
    (i32.add (i32.const 10)) (i32.add (i32.const 11)) (i32.add (i32.const 12))))
