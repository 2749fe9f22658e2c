#[derive(Demo::Demo)]
pub struct Deep;
