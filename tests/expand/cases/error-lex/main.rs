mod bad;

fn main() {}
