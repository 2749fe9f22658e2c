use t::reject;

fn main() {
    let _ = 1;
    reject!(this is refused);
}
