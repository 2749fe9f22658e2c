;; For the adaptive tier's test: work that costs a known amount of fuel, and
;; a recursion that ends on the machine stack only when compiled.
(module
  ;; Counts to $n: one unit of fuel an iteration.
  (func (export "count") (param $n i32) (result i32)
    (local $i i32)
    (loop $again
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $i))
  (func $recurse (export "recurse") (call $recurse)))
