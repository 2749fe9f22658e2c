// Each way a derive's path can name a wasm macro crate: one crate per way,
// all of them the demo derive.






struct Single ; impl Single { pub const MESSAGE : & 'static str = "Hello from WASM! My name is Single." ; }


struct ByRename ; impl ByRename { pub const MESSAGE : & 'static str = "Hello from WASM! My name is ByRename." ; }


struct ByGlobalUse ; impl ByGlobalUse { pub const MESSAGE : & 'static str = "Hello from WASM! My name is ByGlobalUse." ; }


// Built-in derives are kept, in their place.
# [derive (Debug , Clone , PartialEq)] struct ByPath ; impl ByPath { pub const MESSAGE : & 'static str = "Hello from WASM! My name is ByPath." ; }


struct ByGlobalPath ; impl ByGlobalPath { pub const MESSAGE : & 'static str = "Hello from WASM! My name is ByGlobalPath." ; }


mod by_glob {
    

    pub struct Glob ; impl Glob { pub const MESSAGE : & 'static str = "Hello from WASM! My name is Glob." ; }

}

mod by_macro_use {
    // No import here: `#[macro_use] extern crate` reaches every module.
    pub struct MacroUse ; impl MacroUse { pub const MESSAGE : & 'static str = "Hello from WASM! My name is MacroUse." ; }

}

macro_rules! message {
    ($t:ty) => {
        <$t>::MESSAGE
    };
}

fn main() {
    println!("{}", Single::MESSAGE);
    println!("{}", ByRename::MESSAGE);
    println!("{}", ByGlobalUse::MESSAGE);
    println!("{} {:?} {}", ByPath::MESSAGE, ByPath.clone(), ByPath == ByPath);
    println!("{}", ByGlobalPath::MESSAGE);
    println!("{}", message!(by_glob::Glob));
    println!("{}", by_macro_use::MacroUse::MESSAGE);
}
