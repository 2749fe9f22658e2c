// cfg and cfg_attr are evaluated before a macro sees its input: on the item,
// and on its fields and variants. Built with --cfg feature="on".
extern crate serde;



# [cfg (feature = "on")] struct Chosen ; impl Chosen { pub const MESSAGE : & 'static str = "Hello from WASM! My name is Chosen." ; }



// Never expanded (a missing macro here would not be reported): rustc drops it.
#[cfg(not(feature = "on"))]
#[derive(Demo::NoSuchMacro)]
struct Chosen;

struct ViaCfgAttr ; impl ViaCfgAttr { pub const MESSAGE : & 'static str = "Hello from WASM! My name is ViaCfgAttr." ; }


# [derive (Debug)] struct Two ; impl Two { pub const MESSAGE : & 'static str = "Hello from WASM! My name is Two." ; }


struct Nested ; impl Nested { pub const MESSAGE : & 'static str = "Hello from WASM! My name is Nested." ; }


#[cfg_attr(feature = "off", derive(Demo))]
struct NotDerived;

struct Fields { kept : u8 , renamed : u8 , # [cfg (any (target_os = "linux" , target_os = "macos" , windows))] host : u8 , # [cfg (debug_assertions)] debug : bool , } # [doc (hidden)] # [allow (non_upper_case_globals , unused_attributes , unused_qualifications)] const _ : () = { # [allow (unused_extern_crates , clippy :: useless_attribute)] extern crate serde as _serde ; # [allow (unused_macros)] macro_rules ! r#try { ($ __expr : expr) => { match $ __expr { _serde :: __private :: Ok (__val) => __val , _serde :: __private :: Err (__err) => { return _serde :: __private :: Err (__err) ; } } } } # [automatically_derived] impl _serde :: Serialize for Fields { fn serialize < __S > (& self , __serializer : __S) -> _serde :: __private :: Result < __S :: Ok , __S :: Error > where __S : _serde :: Serializer , { let mut __serde_state = r#try ! (_serde :: Serializer :: serialize_struct (__serializer , "Fields" , false as usize + 1 + 1 + 1 + 1)) ; r#try ! (_serde :: ser :: SerializeStruct :: serialize_field (& mut __serde_state , "kept" , & self . kept)) ; r#try ! (_serde :: ser :: SerializeStruct :: serialize_field (& mut __serde_state , "RENAMED" , & self . renamed)) ; r#try ! (_serde :: ser :: SerializeStruct :: serialize_field (& mut __serde_state , "host" , & self . host)) ; r#try ! (_serde :: ser :: SerializeStruct :: serialize_field (& mut __serde_state , "debug" , & self . debug)) ; _serde :: ser :: SerializeStruct :: end (__serde_state) } } } ;












enum Variants { Kept { a : u8 , } , Renamed (u8) , } # [doc (hidden)] # [allow (non_upper_case_globals , unused_attributes , unused_qualifications)] const _ : () = { # [allow (unused_extern_crates , clippy :: useless_attribute)] extern crate serde as _serde ; # [allow (unused_macros)] macro_rules ! r#try { ($ __expr : expr) => { match $ __expr { _serde :: __private :: Ok (__val) => __val , _serde :: __private :: Err (__err) => { return _serde :: __private :: Err (__err) ; } } } } # [automatically_derived] impl _serde :: Serialize for Variants { fn serialize < __S > (& self , __serializer : __S) -> _serde :: __private :: Result < __S :: Ok , __S :: Error > where __S : _serde :: Serializer , { match * self { Variants :: Kept { ref a } => { let mut __serde_state = r#try ! (_serde :: Serializer :: serialize_struct_variant (__serializer , "Variants" , 0u32 , "Kept" , 0 + 1 ,)) ; r#try ! (_serde :: ser :: SerializeStructVariant :: serialize_field (& mut __serde_state , "a" , a)) ; _serde :: ser :: SerializeStructVariant :: end (__serde_state) } Variants :: Renamed (ref __field0) => _serde :: Serializer :: serialize_newtype_variant (__serializer , "Variants" , 1u32 , "on" , __field0 ,) , } } } } ;








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
