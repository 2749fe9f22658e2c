// Hand-written corpus entries: the cases the generator (gen_corpus.py) does
// not produce. Each entry is expanded by the macros on its `@entry` line;
// see README.md.

// @entry hw_raw_idents Serialize,Deserialize
pub struct RawIdents {
    pub r#type: String,
    pub r#match: u8,
    #[serde(rename = "async")]
    pub r#async: bool,
}

// @entry hw_escaped_names Serialize,Deserialize
#[serde(rename = "caf\u{e9}")]
pub struct EscapedNames {
    #[serde(rename = "tab\there")]
    pub a: u8,
    #[serde(rename = r#"quote"d"#)]
    pub b: u8,
    #[serde(rename = "ünïcödé ✓")]
    pub c: u8,
    #[serde(alias = "back\\slash", alias = "nul\0")]
    pub d: u8,
    pub größe: u32,
}

// @entry hw_field_identifier Deserialize
#[serde(field_identifier, rename_all = "lowercase")]
pub enum Field {
    Secs,
    Nanos,
    #[serde(other)]
    Unknown,
}

// @entry hw_variant_identifier Deserialize
#[serde(variant_identifier)]
pub enum Kind {
    Alpha,
    #[serde(rename = "b")]
    Beta,
}

// @entry hw_void_enum Serialize,Deserialize
pub enum Void {}

// @entry hw_empty_structs Serialize,Deserialize
pub struct EmptyBraced {}

// @entry hw_empty_tuple Serialize,Deserialize
pub struct EmptyTuple();

// @entry hw_unit Serialize,Deserialize
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Unit;

// @entry hw_remote Serialize,Deserialize
#[serde(remote = "std::time::Duration")]
pub struct DurationDef {
    #[serde(getter = "std::time::Duration::as_secs")]
    secs: u64,
    #[serde(getter = "std::time::Duration::subsec_nanos")]
    nanos: u32,
}

// @entry hw_borrow Serialize,Deserialize
pub struct Borrowed<'a, 'b: 'a> {
    pub plain: &'a str,
    pub bytes: &'a [u8],
    #[serde(borrow)]
    pub cow: std::borrow::Cow<'a, str>,
    #[serde(borrow = "'b")]
    pub cow_b: std::borrow::Cow<'b, str>,
    pub owned: String,
}

// @entry hw_const_generic Serialize
pub struct Buffer<const N: usize> {
    pub len: usize,
    pub tag: [u8; 4],
}

// @entry hw_tagged_struct Serialize,Deserialize
#[serde(tag = "type", rename_all = "camelCase", deny_unknown_fields)]
pub struct TaggedStruct {
    pub first_field: u8,
    pub second_field: Option<String>,
}

// @entry hw_adjacent_other Serialize,Deserialize
#[serde(tag = "t", content = "c", rename_all = "snake_case")]
pub enum Adjacent<T> {
    NewType(T),
    Tuple(u8, u8),
    Struct { a: T, b: Vec<T> },
    Unit,
    #[serde(other)]
    Unknown,
}

// @entry hw_bounds Serialize,Deserialize
#[serde(bound(serialize = "T: Serialize + Clone", deserialize = "T: Deserialize<'de> + Default"))]
pub struct Bounded<T, U: Copy>
where
    U: std::fmt::Debug + 'static,
{
    pub t: T,
    #[serde(bound = "U: Serialize + serde::de::DeserializeOwned")]
    pub u: U,
    pub phantom: std::marker::PhantomData<fn() -> T>,
}

// @entry hw_default_struct Serialize,Deserialize
#[serde(default, rename_all = "PascalCase")]
pub struct WithDefaults {
    pub a: u8,
    #[serde(default = "default_b", skip_serializing_if = "is_default_b")]
    pub b: u16,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub c: Vec<u32>,
}

// @entry hw_from_into Serialize,Deserialize
#[serde(from = "RawColor", into = "RawColor")]
#[derive(Clone)]
pub struct Color {
    r: u8,
    g: u8,
    b: u8,
}

// @entry hw_try_from Deserialize
#[serde(try_from = "String", expecting = "a color name like \"red\"")]
pub enum Named {
    Red,
    Green,
}

// @entry hw_flatten_many Serialize,Deserialize
pub struct Outer<M> {
    pub id: u64,
    #[serde(flatten)]
    pub meta: M,
    #[serde(flatten)]
    pub rest: std::collections::BTreeMap<String, serde_json::Value>,
    #[serde(flatten, skip_deserializing)]
    pub computed: Extra,
}

// @entry hw_deserialize_in_place_hint Serialize,Deserialize
#[serde(crate = "self::serde_reexport")]
pub struct CrateOverride {
    #[serde(with = "self::codec::hex")]
    pub key: [u8; 32],
}

// @entry hw_nested_generics Serialize,Deserialize
pub enum Tree<K: Ord, V> {
    Leaf(K, V),
    Node(Box<Tree<K, V>>, Box<Tree<K, V>>),
    Map { entries: std::collections::BTreeMap<K, Vec<Option<Box<V>>>> },
    Fn(#[serde(skip)] Option<fn(&K) -> V>, u8),
}

// @entry hw_numbers_in_attrs Serialize,Deserialize
#[repr(u8)]
pub enum Discriminants {
    Zero = 0,
    Big = 0xff,
    #[serde(rename = "-1")]
    Neg = 1 << 3,
}

// @entry hw_internal_newtype Serialize,Deserialize
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Shape {
    Circle { radius: f64 },
    Rect(RectBody),
    Point,
    #[serde(rename = "poly-gon", alias = "polygon")]
    Polygon { points: Vec<(f64, f64)>, #[serde(default)] closed: bool },
}

// @entry hw_untagged_mix Serialize,Deserialize
#[serde(untagged)]
pub enum Value<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Str(&'a str),
    List(Vec<Value<'a>>),
    Obj { k: String, #[serde(borrow)] v: Box<Value<'a>> },
}

// @entry hw_wide_struct Serialize,Deserialize
#[serde(rename_all = "camelCase")]
pub struct Wide {
    #[serde(default)]
    pub field_number_0: u8,
    pub field_number_1: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field_number_2: Option<Vec<i32>>,
    pub field_number_3: f64,
    pub field_number_4: bool,
    #[serde(default)]
    pub field_number_5: u8,
    pub field_number_6: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field_number_7: Option<Vec<i32>>,
    pub field_number_8: f64,
    pub field_number_9: bool,
    #[serde(default)]
    pub field_number_10: u8,
    pub field_number_11: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field_number_12: Option<Vec<i32>>,
    pub field_number_13: f64,
    pub field_number_14: bool,
    #[serde(default)]
    pub field_number_15: u8,
    pub field_number_16: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field_number_17: Option<Vec<i32>>,
    pub field_number_18: f64,
    pub field_number_19: bool,
    #[serde(default)]
    pub field_number_20: u8,
    pub field_number_21: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field_number_22: Option<Vec<i32>>,
    pub field_number_23: f64,
    pub field_number_24: bool,
    #[serde(default)]
    pub field_number_25: u8,
    pub field_number_26: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field_number_27: Option<Vec<i32>>,
    pub field_number_28: f64,
    pub field_number_29: bool,
    #[serde(default)]
    pub field_number_30: u8,
    pub field_number_31: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field_number_32: Option<Vec<i32>>,
    pub field_number_33: f64,
    pub field_number_34: bool,
    #[serde(default)]
    pub field_number_35: u8,
    pub field_number_36: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field_number_37: Option<Vec<i32>>,
    pub field_number_38: f64,
    pub field_number_39: bool,
}

// @entry hw_wide_enum Serialize,Deserialize
pub enum WideEnum {
    V0,
    V1(u32),
    V2(u8, String),
    V3 { a: u8, b: Vec<u8> },
    V4,
    V5(u32),
    V6(u8, String),
    V7 { a: u8, b: Vec<u8> },
    V8,
    V9(u32),
    V10(u8, String),
    V11 { a: u8, b: Vec<u8> },
    V12,
    V13(u32),
    V14(u8, String),
    V15 { a: u8, b: Vec<u8> },
    V16,
    V17(u32),
    V18(u8, String),
    V19 { a: u8, b: Vec<u8> },
    V20,
    V21(u32),
    V22(u8, String),
    V23 { a: u8, b: Vec<u8> },
    V24,
    V25(u32),
    V26(u8, String),
    V27 { a: u8, b: Vec<u8> },
    V28,
    V29(u32),
    V30(u8, String),
    V31 { a: u8, b: Vec<u8> },
    V32,
    V33(u32),
    V34(u8, String),
    V35 { a: u8, b: Vec<u8> },
    V36,
    V37(u32),
    V38(u8, String),
    V39 { a: u8, b: Vec<u8> },
}

// @entry hw_error_formats Error
#[derive(Debug)]
pub enum FormatError {
    #[error("{{}} braces {{0}} and {0}")]
    Braces(u8),
    #[error("unicode é ✓ {0}")]
    Unicode(String),
    #[error("multi\nline\t{0:?}")]
    Escapes(String),
    #[error("first letter must be lowercase but was {:?}", first_char(.0))]
    WrongCase(String),
    #[error("invalid rdo_lookahead_frames {0} (expected < {})", i32::MAX)]
    InvalidLookahead(u32),
    #[error("{name:>10}|{name:<10}|{name:^10}|{count:08.3}")]
    Aligned { name: String, count: f64 },
    #[error("{len} items, {n}", len = .items.len(), n = .count + 1)]
    Computed { items: Vec<u8>, count: u32 },
    #[error(r"raw {0}")]
    Raw(i8),
}

// @entry hw_error_sources Error
#[derive(Debug)]
pub enum SourceError<E>
where
    E: std::error::Error + 'static,
{
    #[error("io error on {path:?}")]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("wrapped: {0}")]
    Wrapped(#[source] E),
    #[error("boxed")]
    Boxed(#[from] Box<dyn std::error::Error + Send + Sync + 'static>),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
    #[error("parse error at {line}:{col}")]
    Parse { line: usize, col: usize, #[source] cause: std::num::ParseIntError },
}

// @entry hw_error_lifetime Error
#[derive(Debug)]
#[error("cannot parse {input:?}: {reason}")]
pub struct ParseError<'a> {
    pub input: &'a str,
    pub reason: &'static str,
}

// @entry hw_error_transparent_named Error
#[derive(Debug)]
#[error(transparent)]
pub struct Opaque {
    #[from]
    inner: InnerError,
}

// @entry hw_error_from_source_field Error
#[derive(Debug)]
#[error("read failed")]
pub struct ReadError {
    #[from]
    source: std::io::Error,
}

// @entry hw_error_and_serde Serialize,Deserialize,Error
#[derive(Debug)]
#[error("{code}: {message}")]
#[serde(rename_all = "camelCase")]
pub struct ApiError {
    pub code: u16,
    pub message: String,
    #[serde(skip)]
    pub retry_after_secs: Option<u64>,
}

// @entry hw_error_enum_generic_display Error
#[derive(Debug)]
pub enum Mismatch<T, U: std::fmt::Debug> {
    #[error("expected {expected}, found {found:?}")]
    Value { expected: T, found: U },
    #[error("unit")]
    Unit,
    #[error("{0}")]
    Other(T),
}


// @entry hw_escape_debug_names Serialize,Deserialize
// Names that `char::escape_debug` escapes (proc-macro2's Literal::string
// uses it): combining marks, invisible and unassigned characters, controls.
pub enum EscapeDebug {
    #[serde(rename = "e\u{301}")]
    Combining,
    #[serde(rename = "zero\u{200b}width")]
    ZeroWidth,
    #[serde(rename = "soft\u{ad}hyphen")]
    SoftHyphen,
    #[serde(rename = "\u{feff}bom")]
    Bom,
    #[serde(rename = "line\u{2028}sep")]
    LineSeparator,
    #[serde(rename = "priv\u{e000}ate")]
    PrivateUse,
    #[serde(rename = "del\u{7f} ctl\u{1} nul\0")]
    Controls,
    #[serde(rename = "nbsp\u{a0} crab 🦀 quote' dq\" bs\\")]
    Printable,
}

// @entry hw_escape_debug_formats Error
#[derive(Debug)]
pub enum EscapeDebugError {
    #[error("e\u{301}: {0}")]
    Combining(u8),
    #[error("zero\u{200b}width {0:?}")]
    ZeroWidth(String),
    #[error("tab\t nul\0 del\u{7f} it's")]
    Controls,
}

// @entry hw_error_backtrace Error
#[derive(Debug)]
pub enum TraceError {
    #[error("io")]
    Io {
        #[from]
        source: std::io::Error,
        backtrace: std::backtrace::Backtrace,
    },
    #[error("explicit {0}")]
    Explicit(String, #[backtrace] std::backtrace::Backtrace),
    #[error("sourced")]
    Sourced {
        #[source]
        #[backtrace]
        inner: std::fmt::Error,
    },
}

// @entry hw_error_raw_idents Error
#[derive(Debug)]
#[error("{r#type} in {r#fn}: {value:#x} {value:#?} {value:+} {value:e}")]
pub struct RawFieldsError {
    pub r#type: String,
    pub r#fn: &'static str,
    pub value: u64,
}

// @entry hw_error_lifetimes_where Error
#[derive(Debug)]
pub enum Borrowing<'a, T: 'a + ?Sized>
where
    T: std::fmt::Debug,
{
    #[error("borrowed {0:?}")]
    Borrowed(&'a T),
    #[error("static {msg}")]
    Static { msg: &'static str },
    #[error(transparent)]
    Boxed(Box<dyn std::error::Error + Send + Sync + 'a>),
}

// @entry hw_literals_in_types Serialize,Deserialize
// Field types carry the input's literals into the output unchanged (host
// literal handles going out and coming back).
pub struct LiteralTypes {
    pub hex: [u8; 0x10],
    pub underscored: [u8; 1_0usize],
    pub byte: [u8; b'a' as usize],
    pub ch: [char; '\x07' as usize],
    pub float: [f32; 2.5e1 as usize],
    pub neg: [i8; (-3i32 + 5) as usize],
    pub raw: [u8; r"abc".len()],
    pub bytestr: [u8; b"\xff\n".len()],
    pub unicode: [u8; "\u{1F980}".len()],
    pub octal_bin: [u8; 0o7 + 0b1],
}

// @entry hw_error_raw_format Error
#[derive(Debug)]
pub enum RawFormat {
    #[error(r#"raw "quoted" {0} \n not an escape"#)]
    Raw(u8),
    #[error("neg {0} {}", -1)]
    Neg(i32),
    #[error("{0:.*}", 3)]
    Precision(f64),
}
