r"" r"raw \n no escapes" r#"with "quotes""# r##"with "# inside"## r###"three"### r"multi
line"
br"raw bytes" br#"raw "bytes""# r"suffix"s
