// edition:2018
// Before 2021 `c` is no literal prefix.
c"hello" cr"raw"
