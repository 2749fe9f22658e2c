use t::reject;

mod other;

#[derive(hostile::Panic)]
struct A;

fn main() {
    reject!(one);
    reject!(two);
}
