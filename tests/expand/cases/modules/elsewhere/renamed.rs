#[derive(Demo::Demo)]
pub struct Pathed;
