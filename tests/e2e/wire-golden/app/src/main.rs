fn main() {
    println!("{}", wire_golden_macro::wire_golden!());
}
