fn bom() {}
/// crlf doc
let s = "a
b";
