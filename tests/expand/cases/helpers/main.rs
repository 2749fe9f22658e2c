// Derive helper attributes are removed once every derive that declared them
// has run; built-in derives stay on the item.
use serde_derive::{Deserialize, Serialize};
use thiserror::Error;

#[derive(Serialize, Deserialize, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
struct Point {
    #[serde(rename = "X")]
    x_pos: i32,
    y_pos: i32,
    #[serde(skip)]
    hidden: u8,
}

#[derive(Serialize, Deserialize, Debug)]
#[serde(tag = "type")]
enum Shape {
    Circle { r: u32 },
    #[serde(rename = "sq")]
    Square { side: u32 },
}

#[derive(Error, Debug)]
enum AppError {
    #[error("not found: {0}")]
    NotFound(String),
    #[error("bad value {value} at {line}")]
    Bad { value: i64, line: u32 },
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

fn main() {
    let p = Point { x_pos: 1, y_pos: -2, hidden: 9 };
    let json = serde_json::to_string(&p).unwrap();
    println!("{}", json);
    let back: Point = serde_json::from_str(&json).unwrap();
    println!("{:?}", back);
    for s in [Shape::Circle { r: 3 }, Shape::Square { side: 4 }] {
        let json = serde_json::to_string(&s).unwrap();
        println!("{} -> {:?}", json, serde_json::from_str::<Shape>(&json).unwrap());
    }
    println!("{}", AppError::NotFound("key".into()));
    println!("{}", AppError::Bad { value: -1, line: 7 });
    let io: AppError = std::io::Error::new(std::io::ErrorKind::Other, "disk").into();
    println!("{} / source: {}", io, std::error::Error::source(&io).is_none());
}
