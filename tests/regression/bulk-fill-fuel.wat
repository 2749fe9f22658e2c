;; memory.fill, memory.copy, table.fill and table.copy in a loop. Each cost
;; one unit of fuel whatever its length, so under the default fuel these ran
;; for days; the fuel must be charged for the bytes and elements touched.
(module
  (memory 256)
  (table 1000000 funcref)
  (func (export "fill_memory") (result i32)
    (loop $again
      (memory.fill (i32.const 0) (i32.const 7) (i32.const 16777216))
      (br $again))
    (i32.const 0))
  (func (export "copy_memory") (result i32)
    (loop $again
      (memory.copy (i32.const 0) (i32.const 1) (i32.const 16777215))
      (br $again))
    (i32.const 0))
  (func (export "fill_table") (result i32)
    (loop $again
      (table.fill 0 (i32.const 0) (ref.null func) (i32.const 1000000))
      (br $again))
    (i32.const 0))
  (func (export "copy_table") (result i32)
    (loop $again
      (table.copy (i32.const 1) (i32.const 0) (i32.const 999999))
      (br $again))
    (i32.const 0)))
