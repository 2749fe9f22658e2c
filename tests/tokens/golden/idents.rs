// Identifiers, keywords, raw identifiers, non-ASCII identifiers.
fn main() { let _x = r#match + self_ + Self::new(); }
struct Über; let Σ = 1; let r#async = 2; let ident_123 = _;
r#try!(x); crate::super_::self_
