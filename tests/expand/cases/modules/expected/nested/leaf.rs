pub struct Leaf ; impl Leaf { pub const MESSAGE : & 'static str = "Hello from WASM! My name is Leaf." ; }

