fn f() {} }
