pub struct Pathed ; impl Pathed { pub const MESSAGE : & 'static str = "Hello from WASM! My name is Pathed." ; }

