#[derive(Demo::Demo)]
struct S;

mod absent;

fn main() {}
