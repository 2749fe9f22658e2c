// Each way a derive's path can name a wasm macro crate: one crate per way,
// all of them the demo derive.
#[macro_use]
extern crate d_macro_use;
use d_single::Demo;
use d_group::{Demo as Renamed, Demo as _};
use ::d_global_use::Demo as GlobalUse;

#[derive(Demo)]
struct Single;

#[derive(Renamed)]
struct ByRename;

#[derive(GlobalUse)]
struct ByGlobalUse;

// Built-in derives are kept, in their place.
#[derive(Debug, Clone, d_path::Demo, PartialEq)]
struct ByPath;

#[derive(::d_path::Demo)]
struct ByGlobalPath;

mod by_glob {
    use d_glob::*;

    #[derive(Demo)]
    pub struct Glob;
}

mod by_macro_use {
    // No import here: `#[macro_use] extern crate` reaches every module.
    #[derive(Demo)]
    pub struct MacroUse;
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
