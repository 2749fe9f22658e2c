;; Endless tail calls keep the stack flat, so only fuel can stop them: each
;; call costs a unit, in both tiers, direct or through a table.
(module
  (type $v (func))
  (table funcref (elem $through_table))
  (func $direct (export "direct") (return_call $direct))
  (func $through_table (export "through_table") (return_call_indirect (type $v) (i32.const 0))))
