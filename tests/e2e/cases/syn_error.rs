// The macro's own syn parse error must point at the user's token.
use example_macros::enum_str;

enum_str! {
    pub struct NotAnEnum;
}

fn main() {}
