fn f() { (a] }
