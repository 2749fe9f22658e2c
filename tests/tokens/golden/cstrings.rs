c"" c"hello" c"\x7f\u{1F600}\n" cr"raw" cr#"raw "c""# c"suffix"s
