//! Inner line doc.
/*! Inner block doc. */
/// Outer line doc with "quotes" and "# hash.
///
/** Outer block
    doc */
fn f() {}
///no space
/**single line*/
struct S;
/// "## many
x
