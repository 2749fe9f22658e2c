// edition:2021
## #"not reserved yet"#
