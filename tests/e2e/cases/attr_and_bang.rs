// An attribute macro (with and without arguments) and a function-like macro.
use example_macros::{enum_str, trace};

enum_str! {
    #[derive(Debug, PartialEq)]
    pub enum Color { Red, Green, Blue }
}

#[trace]
fn add(a: i32, b: i32) -> i32 {
    a + b
}

struct Counter(u32);

impl Counter {
    #[trace("Counter::bump")]
    fn bump(&mut self) -> u32 {
        self.0 += 1;
        self.0
    }
}

fn main() {
    println!("{}", add(2, 3));
    let mut c = Counter(41);
    println!("{}", c.bump());
    println!("{:?}", Color::ALL);
    println!("{}", Color::Green.as_str());
    println!("{:?}", "Blue".parse::<Color>());
}
