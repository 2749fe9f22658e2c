//! Round trips through serde_json, and errors from thiserror's derive.
use model::{Point, Shape};

/// What can go wrong reading a shape.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("not JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("a polygon needs 3 points, this one has {count}")]
    TooFewPoints { count: usize },
}

/// Parses a shape, refusing degenerate polygons.
pub fn read_shape(text: &str) -> Result<Shape, ReadError> {
    let shape: Shape = serde_json::from_str(text)?;
    if let Shape::Polygon { points } = &shape {
        if points.len() < 3 {
            return Err(ReadError::TooFewPoints { count: points.len() });
        }
    }
    Ok(shape)
}

fn main() {
    let p = Point { x: 1, y: -2, name: "a".into() };
    let circle = Shape::Circle { center: p.clone(), radius: 3 };
    let text = serde_json::to_string(&circle).unwrap();
    println!("{text}");
    assert_eq!(read_shape(&text).unwrap(), circle);
    let line = serde_json::to_string(&Shape::Polygon { points: vec![p.clone(), p] }).unwrap();
    println!("{}", read_shape(&line).unwrap_err());
    println!("{}", read_shape("{").unwrap_err());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renamed_field_round_trips() {
        let p: Point = serde_json::from_str(r#"{"x":5,"y":6,"label":"q"}"#).unwrap();
        assert_eq!(p.name, "q");
        assert_eq!(serde_json::to_string(&p).unwrap(), r#"{"x":5,"y":6,"label":"q"}"#);
    }

    #[test]
    fn error_messages_come_from_the_derive() {
        let e = read_shape(r#"{"kind":"Polygon","points":[]}"#).unwrap_err();
        assert_eq!(e.to_string(), "a polygon needs 3 points, this one has 0");
    }
}
