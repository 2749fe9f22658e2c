pub mod child;

pub struct Flat ; impl Flat { pub const MESSAGE : & 'static str = "Hello from WASM! My name is Flat." ; }

