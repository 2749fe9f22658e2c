// A panicking derive: a compile error with the panic text at the derive.
use hostile::Panic;

#[derive(Panic)]
struct S;

fn main() {}
