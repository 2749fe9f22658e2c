// edition:2018
// Before 2021 `'r#a` is the lifetime `'r`, then `#` and `a`.
'r#a
