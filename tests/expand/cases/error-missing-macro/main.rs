#[derive(Demo::Nope)]
struct S;

fn main() {
    Demo::nope!();
}
