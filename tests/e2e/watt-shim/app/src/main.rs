use demo_shim::Demo;

#[derive(Demo)]
struct FromWatt;

fn main() {
    println!("{}", FromWatt::MESSAGE);
}
