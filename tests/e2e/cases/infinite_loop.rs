// A macro that never returns: stopped by the fuel limit.
use hostile::infinite_loop;

infinite_loop!();

fn main() {}
