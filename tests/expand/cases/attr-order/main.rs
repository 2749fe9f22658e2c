// Attribute macros run in the order written, each on the output of the one
// before; a derive runs after the attribute macros on its item. Attribute
// macros on functions, methods, trait items, nested modules and items inside
// function bodies.
use example_macros::trace;
use t::keep;
use Demo::Demo;

// `keep` runs first and gives back the function with `#[trace]` still on it.
#[keep]
#[trace("outer")]
#[keep(again)]
fn work() -> u32 {
    println!("working");
    42
}

// `keep` sees the derive in its input and gives it back; the derive runs on
// what `keep` returned.
#[keep]
#[derive(Demo, Debug)]
#[keep(with, arguments)]
#[t::keep = "a value"]
struct AfterAttrs;

struct Thing;

impl Thing {
    #[trace]
    fn method(&self) -> &'static str {
        "method"
    }
}

trait Greet {
    #[trace("provided")]
    fn greet(&self) {
        println!("hello");
    }
}
impl Greet for Thing {}

mod nested {
    pub mod deeper {
        #[example_macros::trace]
        pub fn f() {}
    }
}

fn main() {
    println!("{}", work());
    println!("{} {:?}", AfterAttrs::MESSAGE, AfterAttrs);
    println!("{}", Thing.method());
    Thing.greet();
    nested::deeper::f();

    #[trace("local")]
    fn local() {}
    local();

    #[derive(Demo)]
    struct InBody;
    println!("{}", InBody::MESSAGE);
}
