// Function-like macros in item, statement, expression, pattern and type
// position; an expression's output is parenthesised so precedence holds.
use example_macros::enum_str;
use t::id;

enum_str! {
    #[derive(Debug, PartialEq)]
    enum Color { Red, Green }
}

id! {
    fn from_item_position() -> u32 {
        7
    }
}

struct S;

impl S {
    id! {
        fn in_impl(&self) -> u32 { 8 }
    }
}

trait T {
    id! { fn in_trait(&self) -> u32 { 9 } }
}
impl T for S {}

fn main() {
    id!(let x = 5;);
    // Without the parentheses this would be 2 * 1 + 2 = 4.
    let y = 2 * id!(1 + 2);
    let v: id!(u64) = 10;
    let z = id! { x + 1 };
    match 3 {
        id!(3) => println!("pattern matched"),
        _ => println!("no match"),
    }
    println!("{} {} {} {}", x, y, v, z);
    println!("{}", id![y + 1]);
    println!("{} {} {}", from_item_position(), S.in_impl(), S.in_trait());
    println!("{:?} {} {:?}", Color::ALL, Color::Green.as_str(), "Red".parse::<Color>());
    let closure = || t::id!(11);
    println!("{}", closure());
    // Nested: the output of the outer call is expanded again.
    println!("{}", id!(id!(id!(12))));
    fn in_body() -> u32 {
        enum_str! { enum Local { A, B } }
        Local::ALL.len() as u32
    }
    println!("{}", in_body());
}
