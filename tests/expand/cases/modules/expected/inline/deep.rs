pub struct Deep ; impl Deep { pub const MESSAGE : & 'static str = "Hello from WASM! My name is Deep." ; }

