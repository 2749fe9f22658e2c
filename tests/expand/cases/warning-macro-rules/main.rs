// An invocation inside a macro_rules! body is left as written, with a
// warning: only rustc expands macro_rules!, and it cannot run wasm macros.
use t::id;

#[allow(unused_macros)]
macro_rules! uses_id {
    () => {
        id!(1)
    };
}

fn main() {
    println!("{}", id!(2));
}
