// cfg and cfg_attr are evaluated before a macro sees its input: on the item,
// and on its fields and variants. Built with --cfg feature="on".
extern crate serde;
use serde_derive::Serialize;
use Demo::Demo;

#[cfg(feature = "on")]
#[derive(Demo)]
struct Chosen;

// Never expanded (a missing macro here would not be reported): rustc drops it.
#[cfg(not(feature = "on"))]
#[derive(Demo::NoSuchMacro)]
struct Chosen;

#[cfg_attr(feature = "on", derive(Demo))]
struct ViaCfgAttr;

#[cfg_attr(all(unix, feature = "on"), derive(Debug), derive(Demo))]
struct Two;

#[cfg_attr(feature = "on", cfg_attr(not(test), derive(Demo)))]
struct Nested;

#[cfg_attr(feature = "off", derive(Demo))]
struct NotDerived;

#[derive(Serialize)]
struct Fields {
    kept: u8,
    #[cfg(feature = "off")]
    dropped: u8,
    #[cfg_attr(feature = "on", serde(rename = "RENAMED"))]
    renamed: u8,
    #[cfg(any(target_os = "linux", target_os = "macos", windows))]
    host: u8,
    #[cfg(debug_assertions)]
    debug: bool,
}

#[derive(Serialize)]
enum Variants {
    Kept { a: u8, #[cfg(feature = "off")] b: u8 },
    #[cfg(feature = "off")]
    Dropped,
    #[cfg_attr(feature = "on", serde(rename = "on"))]
    Renamed(u8),
}

trait HasMessage {
    const M: &'static str = "no message";
}
impl HasMessage for NotDerived {}

fn main() {
    println!("{}", Chosen::MESSAGE);
    println!("{}", ViaCfgAttr::MESSAGE);
    println!("{} {:?}", Two::MESSAGE, Two);
    println!("{}", Nested::MESSAGE);
    println!("{}", NotDerived::M);
    let f = Fields { kept: 1, renamed: 2, host: 3, debug: true };
    println!("{}", serde_json::to_string(&f).unwrap());
    println!("{}", serde_json::to_string(&Variants::Kept { a: 1 }).unwrap());
    println!("{}", serde_json::to_string(&Variants::Renamed(5)).unwrap());
}
