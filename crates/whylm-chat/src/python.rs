//! Python's spelling of values, which transformers' renderer produces because jinja2 runs on Python: `str()` for
//! `{{ x }}` and the `string` filter (`None`, `True`, `['a', 'b']`), `repr()` of floats and strings, and
//! `json.dumps` for the `tojson` filter that transformers installs.

use std::fmt::Write;

use minijinja::value::ValueKind;
use minijinja::{Error, ErrorKind, Value};

/// Python's `str(value)`, with undefined as the empty string (jinja2 prints an undefined that way).
pub(crate) fn py_str(value: &Value) -> String {
    match value.kind() {
        ValueKind::String => value.as_str().unwrap_or_default().to_string(),
        ValueKind::Undefined => String::new(),
        _ => py_repr(value),
    }
}

/// Python's `repr(value)` for the types JSON and templates make.
pub(crate) fn py_repr(value: &Value) -> String {
    let mut out = String::new();
    write_repr(&mut out, value);
    out
}

fn write_repr(out: &mut String, value: &Value) {
    match value.kind() {
        ValueKind::Undefined => {}
        ValueKind::None => out.push_str("None"),
        ValueKind::Bool => out.push_str(if value.is_true() { "True" } else { "False" }),
        ValueKind::Number => out.push_str(&number_repr(value)),
        ValueKind::String => repr_str(out, value.as_str().unwrap_or_default()),
        ValueKind::Seq | ValueKind::Iterable => {
            out.push('[');
            for (i, item) in value.try_iter().into_iter().flatten().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_repr(out, &item);
            }
            out.push(']');
        }
        ValueKind::Map => {
            out.push('{');
            for (i, key) in value.try_iter().into_iter().flatten().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_repr(out, &key);
                out.push_str(": ");
                write_repr(out, &value.get_item(&key).unwrap_or_default());
            }
            out.push('}');
        }
        _ => out.push_str(&value.to_string()),
    }
}

fn number_repr(value: &Value) -> String {
    match f64::try_from(value.clone()) {
        Ok(f) if !value.is_integer() => float_repr(f),
        _ => value.to_string(),
    }
}

/// Python's `repr(float)`: the shortest digits that round-trip, fixed notation for decimal exponents -4..16,
/// scientific (`1e+16`, `1.5e-05`) outside it.
pub(crate) fn float_repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    // Rust's `{:e}` gives the same shortest round-trip digits: "-1.2345e3".
    let sci = format!("{x:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return sci;
    }
    if !(-4..16).contains(&exp) {
        let (first, rest) = digits.split_at(1);
        let dot = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let exp_sign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{first}{dot}e{exp_sign}{:02}", exp.abs());
    }
    if exp < 0 {
        let zeros = "0".repeat((-exp - 1) as usize);
        return format!("{sign}0.{zeros}{digits}");
    }
    let int_len = exp as usize + 1;
    if digits.len() <= int_len {
        let zeros = "0".repeat(int_len - digits.len());
        format!("{sign}{digits}{zeros}.0")
    } else {
        let (int_part, frac) = digits.split_at(int_len);
        format!("{sign}{int_part}.{frac}")
    }
}

/// Python's `repr(str)`: single quotes unless the text holds `'` and no `"`; escapes for the non-printable.
fn repr_str(out: &mut String, s: &str) {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if !is_printable(c) => {
                let code = c as u32;
                let _ = match code {
                    0..=0xff => write!(out, "\\x{code:02x}"),
                    0x100..=0xffff => write!(out, "\\u{code:04x}"),
                    _ => write!(out, "\\U{code:08x}"),
                };
            }
            c => out.push(c),
        }
    }
    out.push(quote);
}

/// An approximation of Python's `str.isprintable`: control and format characters, separators other than the
/// ASCII space, and private-use code points are not printable.
fn is_printable(c: char) -> bool {
    let code = c as u32;
    let separator = c != ' ' && (c.is_whitespace() || matches!(code, 0x2028 | 0x2029));
    let format = matches!(code, 0xad | 0x200b..=0x200f | 0x202a..=0x202e | 0x2060..=0x2064 | 0xfeff);
    let private = matches!(code, 0xe000..=0xf8ff | 0xf0000..=0x10ffff);
    !(c.is_control() || separator || format || private)
}

/// How `json.dumps` lays out its output.
pub(crate) struct JsonStyle {
    pub ensure_ascii: bool,
    /// `None`: everything on one line; `Some(unit)`: one item per line, indented by `unit` per level.
    pub indent: Option<String>,
    pub item_sep: String,
    pub key_sep: String,
    pub sort_keys: bool,
}

impl JsonStyle {
    /// Python's defaults given an indent: `", "` between items on one line, `","` when indenting.
    pub(crate) fn new(indent: Option<String>, separators: Option<(String, String)>) -> JsonStyle {
        let (item_sep, key_sep) = separators.unwrap_or_else(|| {
            let item = if indent.is_some() { "," } else { ", " };
            (item.to_string(), ": ".to_string())
        });
        JsonStyle {
            ensure_ascii: false,
            indent,
            item_sep,
            key_sep,
            sort_keys: false,
        }
    }
}

/// Python's `json.dumps(value, ...)`; fails, as Python does, on values JSON cannot hold (undefined, objects).
pub(crate) fn json_dumps(value: &Value, style: &JsonStyle) -> Result<String, Error> {
    let mut out = String::new();
    write_json(&mut out, value, style, 0)?;
    Ok(out)
}

fn write_json(out: &mut String, value: &Value, style: &JsonStyle, depth: usize) -> Result<(), Error> {
    match value.kind() {
        ValueKind::None => out.push_str("null"),
        ValueKind::Bool => out.push_str(if value.is_true() { "true" } else { "false" }),
        ValueKind::Number => out.push_str(&json_number(value)),
        ValueKind::String => json_str(out, value.as_str().unwrap_or_default(), style.ensure_ascii),
        ValueKind::Seq | ValueKind::Iterable => {
            let items: Vec<Value> = value.try_iter()?.collect();
            write_container(out, style, depth, ('[', ']'), &items, |out, item| {
                write_json(out, item, style, depth + 1)
            })?;
        }
        ValueKind::Map => {
            let mut keys: Vec<(String, Value)> = value
                .try_iter()?
                .map(|k| json_key(&k).map(|s| (s, k)))
                .collect::<Result<_, _>>()?;
            if style.sort_keys {
                keys.sort_by(|a, b| a.0.cmp(&b.0));
            }
            write_container(out, style, depth, ('{', '}'), &keys, |out, (name, key)| {
                json_str(out, name, style.ensure_ascii);
                out.push_str(&style.key_sep);
                write_json(out, &value.get_item(key)?, style, depth + 1)
            })?;
        }
        other => {
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                format!("tojson: a value of type {other} is not JSON serializable"),
            ))
        }
    }
    Ok(())
}

fn write_container<T>(
    out: &mut String,
    style: &JsonStyle,
    depth: usize,
    (open, close): (char, char),
    items: &[T],
    mut write_item: impl FnMut(&mut String, &T) -> Result<(), Error>,
) -> Result<(), Error> {
    out.push(open);
    if items.is_empty() {
        out.push(close);
        return Ok(());
    }
    let newline = |out: &mut String, level: usize| {
        if let Some(unit) = &style.indent {
            out.push('\n');
            out.push_str(&unit.repeat(level));
        }
    };
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(&style.item_sep);
        }
        newline(out, depth + 1);
        write_item(out, item)?;
    }
    newline(out, depth);
    out.push(close);
    Ok(())
}

/// json.dumps turns str, int, float, bool and None keys into strings and refuses others.
fn json_key(key: &Value) -> Result<String, Error> {
    match key.kind() {
        ValueKind::String => Ok(key.as_str().unwrap_or_default().to_string()),
        ValueKind::Number => Ok(json_number(key)),
        ValueKind::Bool => Ok(if key.is_true() { "true" } else { "false" }.to_string()),
        ValueKind::None => Ok("null".to_string()),
        other => Err(Error::new(
            ErrorKind::InvalidOperation,
            format!("tojson: keys must be str, int, float, bool or None, not {other}"),
        )),
    }
}

fn json_number(value: &Value) -> String {
    match f64::try_from(value.clone()) {
        Ok(f) if !value.is_integer() => match float_repr(f).as_str() {
            "nan" => "NaN".into(),
            "inf" => "Infinity".into(),
            "-inf" => "-Infinity".into(),
            shown => shown.into(),
        },
        _ => value.to_string(),
    }
}

fn json_str(out: &mut String, s: &str, ensure_ascii: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || (ensure_ascii && !c.is_ascii()) => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_as_python_repr() {
        let cases = [
            (1.0, "1.0"),
            (0.1, "0.1"),
            (-2.5, "-2.5"),
            (1e16, "1e+16"),
            (1.5e16, "1.5e+16"),
            (123456789012345.6, "123456789012345.6"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-1.25e-7, "-1.25e-07"),
            (100.0, "100.0"),
        ];
        for (x, want) in cases {
            assert_eq!(float_repr(x), want, "repr({x})");
        }
    }

    #[test]
    fn str_and_repr_spell_python_values() {
        let list = Value::from(vec![
            Value::from("it's"),
            Value::from(()),
            Value::from(true),
            Value::from(2),
        ]);
        assert_eq!(py_str(&list), r#"["it's", None, True, 2]"#);
        let map = Value::from_pairs([("a", Value::from("x\ny")), ("b", Value::from(false))]);
        assert_eq!(py_str(&map), r"{'a': 'x\ny', 'b': False}");
        assert_eq!(py_str(&Value::from("plain")), "plain");
        assert_eq!(py_str(&Value::UNDEFINED), "");
        assert_eq!(py_repr(&Value::from("a\u{0}\u{a0}é")), r"'a\x00\xa0é'");
    }

    #[test]
    fn json_dumps_matches_python_layouts() {
        let v = Value::from_pairs([
            ("name", Value::from("café \"q\"\u{1}")),
            ("list", Value::from(vec![Value::from(1), Value::from(2.0)])),
            ("empty", Value::from(Vec::<Value>::new())),
        ]);
        let one_line = json_dumps(&v, &JsonStyle::new(None, None)).unwrap();
        assert_eq!(
            one_line,
            r#"{"name": "café \"q\"\u0001", "list": [1, 2.0], "empty": []}"#
        );
        let indented = json_dumps(&v, &JsonStyle::new(Some("  ".into()), None)).unwrap();
        assert_eq!(indented, "{\n  \"name\": \"café \\\"q\\\"\\u0001\",\n  \"list\": [\n    1,\n    2.0\n  ],\n  \"empty\": []\n}");
        let mut ascii = JsonStyle::new(None, Some((",".into(), ":".into())));
        ascii.ensure_ascii = true;
        ascii.sort_keys = true;
        let compact = json_dumps(&Value::from_pairs([("b", "é😀"), ("a", "x")]), &ascii).unwrap();
        assert_eq!(compact, r#"{"a":"x","b":"\u00e9\ud83d\ude00"}"#);
        assert!(json_dumps(&Value::UNDEFINED, &JsonStyle::new(None, None)).is_err());
    }
}
