fn f() { (a, [b]
