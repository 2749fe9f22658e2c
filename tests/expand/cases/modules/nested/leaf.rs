#[derive(Demo::Demo)]
pub struct Leaf;
