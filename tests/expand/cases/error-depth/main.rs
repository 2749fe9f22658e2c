use t::rec;

rec!();

fn main() {}
