// derive: the demo macro on a plain and a generic struct.
use demo::Demo;

#[derive(Demo)]
struct S;

#[derive(demo::Demo)]
struct Wrapper<T: Copy> {
    _value: T,
}

fn main() {
    println!("{}", S::MESSAGE);
    println!("{}", Wrapper::<u8>::MESSAGE);
}
