// The module walker: m.rs, m/mod.rs, a non-mod.rs file's own directory,
// #[path], inline modules' directories, a cfg'd-out module that does not
// exist, and a file with no invocation (written byte for byte).


mod flat;
mod nested;
#[path = "elsewhere/renamed.rs"]
mod pathed;
mod inline {
    pub mod deep;
}
#[cfg(any())]
mod absent;
mod untouched;

struct Root ; impl Root { pub const MESSAGE : & 'static str = "Hello from WASM! My name is Root." ; }


fn main() {
    println!("{}", Root::MESSAGE);
    println!("{}", flat::Flat::MESSAGE);
    println!("{}", flat::child::Child::MESSAGE);
    println!("{}", nested::Nested::MESSAGE);
    println!("{}", nested::leaf::Leaf::MESSAGE);
    println!("{}", pathed::Pathed::MESSAGE);
    println!("{}", inline::deep::Deep::MESSAGE);
    println!("{}", untouched::UNTOUCHED);
}
