// No invocation here.
pub const UNTOUCHED: &str = "untouched";
