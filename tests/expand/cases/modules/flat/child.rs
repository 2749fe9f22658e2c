use Demo::Demo;

#[derive(Demo)]
pub struct Child;
