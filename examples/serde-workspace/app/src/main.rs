//! serde_json round trips through Serialize/Deserialize impls that a wasm
//! build of serde_derive generated inside rustc.
use serde_derive::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Serialize, Deserialize, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
struct Order {
    order_id: u64,
    customer: Customer,
    lines: Vec<Line>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    note: Option<String>,
    status: Status,
    tags: BTreeMap<String, u32>,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Customer {
    name: String,
    #[serde(rename = "e-mail")]
    email: String,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Line {
    sku: String,
    quantity: u32,
    unit_price: f64,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
#[serde(tag = "kind", content = "detail")]
enum Status {
    Open,
    Shipped { carrier: String },
    Cancelled(String),
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Pair<T>(T, T);

fn round_trip<T>(value: &T) -> T
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let json = serde_json::to_string(value).expect("serialize");
    println!("{}", json);
    let back: T = serde_json::from_str(&json).expect("deserialize");
    assert_eq!(&back, value, "round trip changed the value");
    back
}

fn main() {
    let order = Order {
        order_id: 42,
        customer: Customer { name: "Ada".into(), email: "ada@example.org".into() },
        lines: vec![
            Line { sku: "WASM-1".into(), quantity: 2, unit_price: 9.5 },
            Line { sku: "RUST-2".into(), quantity: 1, unit_price: 30.0 },
        ],
        note: None,
        status: Status::Shipped { carrier: "post".into() },
        tags: [("priority".to_string(), 1)].into_iter().collect(),
    };
    round_trip(&order);
    round_trip(&Status::Cancelled("out of stock".into()));
    round_trip(&Pair(1u8, 2u8));

    // Input written by hand: renamed fields, a default, an unknown field.
    let json = r#"{"orderId":7,"customer":{"name":"Bo","e-mail":"bo@example.org"},
                   "lines":[],"status":{"kind":"Open"},"tags":{},"extra":true}"#;
    let parsed: Order = serde_json::from_str(json).expect("hand-written input");
    println!("{:?}", parsed);
    let err = serde_json::from_str::<Customer>(r#"{"name":"Cy"}"#).unwrap_err();
    println!("error: {}", err);
    println!("all round trips ok");
}
