//! Types that serde's derives (from wasm) serialize.
use serde::{Deserialize, Serialize};

/// A point with a name.
#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
pub struct Point {
    pub x: i32,
    pub y: i32,
    #[serde(rename = "label")]
    pub name: String,
}

/// A shape, as serde tags an enum.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
#[serde(tag = "kind")]
pub enum Shape {
    Circle { center: Point, radius: u32 },
    Polygon { points: Vec<Point> },
}
