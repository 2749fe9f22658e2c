// A derive with helper attributes: thiserror's `Error` (#[error], #[from],
// #[source]), its runtime crate compiled against the wasm macro as well.
use std::error::Error as _;
use thiserror::Error;

#[derive(Error, Debug)]
pub enum AppError {
    #[error("invalid value {value} (expected at most {max})")]
    Invalid { value: u32, max: u32 },
    #[error("parse failed")]
    Parse(#[from] std::num::ParseIntError),
    #[error(transparent)]
    Other(#[from] std::fmt::Error),
}

#[derive(Error, Debug)]
#[error("wrapped: {msg}")]
pub struct Wrapped {
    msg: String,
    #[source]
    cause: AppError,
}

fn parse(text: &str) -> Result<u32, AppError> {
    let value: u32 = text.parse()?;
    if value > 10 {
        return Err(AppError::Invalid { value, max: 10 });
    }
    Ok(value)
}

fn main() {
    println!("{:?}", parse("7").ok());
    println!("{}", parse("70").unwrap_err());
    let e = parse("x").unwrap_err();
    println!("{} / source: {}", e, e.source().unwrap());
    let w = Wrapped { msg: "outer".into(), cause: AppError::Invalid { value: 11, max: 10 } };
    println!("{} / source: {}", w, w.source().unwrap());
}
