;; Exception handling in its first form (try, catch, catch_all, throw,
;; rethrow, delegate), as clang's -fwasm-exceptions emits it: each export is
;; one case of test_exceptions.cpp, which says what it must return.
(module
  (tag $e (param i32))
  (tag $pair (param i32 i64))
  (tag $empty)

  (func $throw_e (param i32) (local.get 0) (throw $e))
  ;; Throws $e from `depth` nested calls down.
  (func $throw_deep (param $depth i32)
    (if (i32.eqz (local.get $depth)) (then (throw $e (i32.const 7))))
    (call $throw_deep (i32.sub (local.get $depth) (i32.const 1))))

  ;; The value a catch clause receives.
  (func (export "catch_value") (param i32) (result i32)
    (try (result i32)
      (do (call $throw_e (local.get 0)) (i32.const -1))
      (catch $e (i32.add (i32.const 100)))))

  ;; Several values, and the clause chosen by tag.
  (func (export "catch_by_tag") (param i32) (result i64)
    (local $second i64)
    (try (result i64)
      (do
        (if (i32.eqz (local.get 0)) (then (throw $pair (i32.const 3) (i64.const 40))))
        (throw $empty))
      (catch $e (drop) (i64.const -1))
      (catch $pair
        (local.set $second)
        (i64.add (i64.extend_i32_u) (local.get $second)))
      (catch $empty (i64.const 99))))

  ;; catch_all takes what no catch names; stack values below the try stay.
  (func (export "catch_all_keeps_stack") (result i32)
    (i32.const 1000)
    (try (result i32)
      (do (throw $pair (i32.const 1) (i64.const 2)))
      (catch $e)
      (catch_all (i32.const 5)))
    (i32.add))

  ;; An exception crosses frames; their locals are the catcher's again.
  (func (export "deep") (param $depth i32) (result i32)
    (local $mine i32)
    (local.set $mine (i32.const 30))
    (try (result i32)
      (do (call $throw_deep (local.get $depth)) (i32.const 0))
      (catch $e (i32.add (local.get $mine)))))

  ;; A throw in a catch clause goes to the try outside, not the same one.
  (func (export "throw_in_catch") (result i32)
    (try (result i32)
      (do
        (try (result i32)
          (do (throw $e (i32.const 1)))
          (catch $e (i32.add (i32.const 10)) (throw $e))))
      (catch $e (i32.add (i32.const 100)))))

  ;; rethrow hands the caught exception, values and all, to the outer try;
  ;; depth 1 names the outer clause from within a block in the inner one.
  (func (export "rethrow") (result i32)
    (try (result i32)
      (do
        (try (result i32)
          (do (throw $e (i32.const 4)))
          (catch_all
            (try
              (do (throw $empty))
              (catch $empty (rethrow 1)))
            (i32.const -1))))
      (catch $e (i32.add (i32.const 20)))))

  ;; delegate hands the try body's exceptions to the try it names (label 2
  ;; here: the outer one, past the middle one's clauses).
  (func (export "delegate") (result i32)
    (try (result i32)
      (do
        (try (result i32)
          (do
            (block
              (try (do (throw $e (i32.const 8))) (delegate 2)))
            (i32.const -1))
          (catch $e (drop) (i32.const -2))))
      (catch $e (i32.add (i32.const 50)))))

  ;; delegate to the function's label: straight to the caller.
  (func $delegate_out
    (try (do (throw $e (i32.const 9))) (delegate 0)))
  (func (export "delegate_to_caller") (result i32)
    (try (result i32)
      (do (call $delegate_out) (i32.const -1))
      (catch $e)))

  ;; A branch out of a catch clause, then the next throw is caught again:
  ;; a loop that throws and catches `n` times.
  (func (export "loop") (param $n i32) (result i32)
    (local $sum i32)
    (block $done
      (loop $again
        (br_if $done (i32.eqz (local.get $n)))
        (try
          (do (throw $e (local.get $n)))
          (catch $e
            (local.set $sum (i32.add (local.get $sum)))
            (local.set $n (i32.sub (local.get $n) (i32.const 1)))
            (br $again)))
        (unreachable)))
    (local.get $sum))

;; 64 try blocks that end before the call: an exception unwinding this
  ;; frame looks at each, and pays a unit per 16.
  (func $many_tries (param $depth i32)
    (try (do)) (try (do)) (try (do)) (try (do)) (try (do)) (try (do)) (try (do)) (try (do))
    (try (do)) (try (do)) (try (do)) (try (do)) (try (do)) (try (do)) (try (do)) (try (do))
    (try (do)) (try (do)) (try (do)) (try (do)) (try (do)) (try (do)) (try (do)) (try (do))
    (try (do)) (try (do)) (try (do)) (try (do)) (try (do)) (try (do)) (try (do)) (try (do))
    (try (do)) (try (do)) (try (do)) (try (do)) (try (do)) (try (do)) (try (do)) (try (do))
    (try (do)) (try (do)) (try (do)) (try (do)) (try (do)) (try (do)) (try (do)) (try (do))
    (try (do)) (try (do)) (try (do)) (try (do)) (try (do)) (try (do)) (try (do)) (try (do))
    (try (do)) (try (do)) (try (do)) (try (do)) (try (do)) (try (do)) (try (do)) (try (do))
    (if (i32.eqz (local.get $depth)) (then (throw $e (i32.const 1))))
    (call $many_tries (i32.sub (local.get $depth) (i32.const 1))))
  (func (export "deep_many_tries") (param $depth i32) (result i32)
    (try (result i32)
      (do (call $many_tries (local.get $depth)) (i32.const 0))
      (catch $e)))

  ;; No try catches it: the call ends with an uncaught-exception trap.
  (func (export "uncaught") (param i32) (call $throw_e (local.get 0)))

  ;; A try without an exception runs its body only.
  (func (export "no_throw") (param i32) (result i32)
    (try (result i32)
      (do (i32.mul (local.get 0) (i32.const 2)))
      (catch_all (i32.const -1))))
)
