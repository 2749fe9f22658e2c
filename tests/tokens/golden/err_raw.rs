r#_ r#self r#super r#Self r#crate r#ok 'r#static
r#x"" r"ok" r#
