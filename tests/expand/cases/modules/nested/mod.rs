pub mod leaf;

#[derive(Demo::Demo)]
pub struct Nested;
