fn f<'a, 'static_, '_>(x: &'a T) -> &'static str { 'outer: loop { break 'outer; } }
'r#raw 'r#fn
