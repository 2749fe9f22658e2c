// edition:2018
// Before 2021 an identifier may touch a literal or `#`.
quote!(#a#b) foo"bar" k'x'
