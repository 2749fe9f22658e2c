let s = r##"never closed"#
