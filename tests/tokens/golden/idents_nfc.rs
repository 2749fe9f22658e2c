// Identifiers reach macros in NFC: e + U+0301 becomes U+00E9.
let café = r#näive;
