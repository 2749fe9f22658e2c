fn main() {
    hostile::infinite_loop!();
}
