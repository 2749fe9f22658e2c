// edition:2024
## #"reserved"#
