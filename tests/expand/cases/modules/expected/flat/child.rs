

pub struct Child ; impl Child { pub const MESSAGE : & 'static str = "Hello from WASM! My name is Child." ; }

