//! JSON text straight into template values, keeping each object's key order. transformers hands templates Python
//! dicts parsed from JSON, which keep the file's order; `tojson` and `.items()` show it. serde_json's own `Value`
//! would sort the keys (its order-keeping feature would change every other crate's JSON too).

use std::fmt;

use minijinja::Value;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// A template value read from JSON with object keys in document order.
pub(crate) struct OrderedJson(pub Value);

impl<'de> Deserialize<'de> for OrderedJson {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(OrderedVisitor).map(OrderedJson)
    }
}

struct OrderedVisitor;

impl<'de> Visitor<'de> for OrderedVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::from(()))
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(OrderedJson(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::from(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut pairs: Vec<(String, Value)> = Vec::new();
        while let Some((key, OrderedJson(value))) = map.next_entry::<String, OrderedJson>()? {
            // A repeated key keeps its first position and its last value, as Python's json.loads does.
            match pairs.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = value,
                None => pairs.push((key, value)),
            }
        }
        Ok(Value::from_pairs(pairs))
    }
}

/// Parses JSON text into a template value with ordered objects.
pub(crate) fn parse_ordered(text: &str) -> Result<Value, serde_json::Error> {
    serde_json::from_str::<OrderedJson>(text).map(|OrderedJson(value)| value)
}

/// A serde_json value as a template value (its objects are already sorted by key: serde_json keeps no order).
pub(crate) fn from_json(json: &serde_json::Value) -> Value {
    match json {
        serde_json::Value::Null => Value::from(()),
        serde_json::Value::Bool(b) => Value::from(*b),
        serde_json::Value::Number(n) => number(n),
        serde_json::Value::String(s) => Value::from(s.as_str()),
        serde_json::Value::Array(items) => Value::from(items.iter().map(from_json).collect::<Vec<_>>()),
        serde_json::Value::Object(map) => {
            Value::from_pairs(map.iter().map(|(k, v)| (k.as_str(), from_json(v))))
        }
    }
}

fn number(n: &serde_json::Number) -> Value {
    if let Some(i) = n.as_i64() {
        Value::from(i)
    } else if let Some(u) = n.as_u64() {
        Value::from(u)
    } else {
        Value::from(n.as_f64().unwrap_or(f64::NAN))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_keep_document_order_and_nesting() {
        let v = parse_ordered(r#"{"z": 1, "a": {"y": [true, null], "b": 2.5}, "m": "s"}"#).unwrap();
        let keys: Vec<String> = v.try_iter().unwrap().map(|k| k.to_string()).collect();
        assert_eq!(keys, ["z", "a", "m"]);
        let inner = v.get_attr("a").unwrap();
        let inner_keys: Vec<String> = inner.try_iter().unwrap().map(|k| k.to_string()).collect();
        assert_eq!(inner_keys, ["y", "b"]);
        assert!(inner
            .get_attr("y")
            .unwrap()
            .get_item_by_index(1)
            .unwrap()
            .is_none());
    }

    #[test]
    fn repeated_keys_keep_the_last_value_at_the_first_place() {
        let v = parse_ordered(r#"{"a": 1, "b": 2, "a": 3}"#).unwrap();
        let keys: Vec<String> = v.try_iter().unwrap().map(|k| k.to_string()).collect();
        assert_eq!(keys, ["a", "b"]);
        assert_eq!(v.get_attr("a").unwrap().as_i64(), Some(3));
    }
}
