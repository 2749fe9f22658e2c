#[derive(Debug, hostile::Panic)]
struct S;

fn main() {}
