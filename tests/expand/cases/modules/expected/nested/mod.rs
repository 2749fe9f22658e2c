pub mod leaf;

pub struct Nested ; impl Nested { pub const MESSAGE : & 'static str = "Hello from WASM! My name is Nested." ; }

