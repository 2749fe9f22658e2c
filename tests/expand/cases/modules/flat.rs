pub mod child;

#[derive(Demo::Demo)]
pub struct Flat;
