c"\0" c"\x00" c"\u{0}" cr"ok"
