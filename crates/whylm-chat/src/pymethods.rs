//! Python methods that templates call on values (`content.strip()`, `name.rsplit('.', 1)`, `d.items()`):
//! minijinja-contrib's pycompat, plus the string methods it lacks or spells differently from Python.

use minijinja::value::from_args;
use minijinja::{Error, ErrorKind, State, Value};

/// The unknown-method callback: whylm's string methods first, then pycompat's.
pub(crate) fn python_method(
    state: &mut State,
    value: &Value,
    method: &str,
    args: &[Value],
) -> Result<Value, Error> {
    if let Some(s) = value.as_str() {
        if let Some(result) = string_method(s, method, args) {
            return result;
        }
    }
    minijinja_contrib::pycompat::unknown_method_callback(state, value, method, args)
}

fn string_method(s: &str, method: &str, args: &[Value]) -> Option<Result<Value, Error>> {
    let no_args = args.is_empty();
    let result = match method {
        "title" if no_args => Ok(Value::from(py_title(s))),
        "strip" if no_args => Ok(Value::from(s.trim_matches(is_py_space))),
        "lstrip" if no_args => Ok(Value::from(s.trim_start_matches(is_py_space))),
        "rstrip" if no_args => Ok(Value::from(s.trim_end_matches(is_py_space))),
        "rsplit" => from_args(args).map(|(sep, max): (Option<&str>, Option<i64>)| rsplit(s, sep, max)),
        "removeprefix" => from_args(args).map(|(p,): (&str,)| Value::from(s.strip_prefix(p).unwrap_or(s))),
        "removesuffix" => from_args(args).map(|(p,): (&str,)| Value::from(s.strip_suffix(p).unwrap_or(s))),
        "ljust" | "rjust" | "center" => pad(s, method, args),
        "zfill" => from_args(args)
            .and_then(|(width,): (i64,)| check_width(method, width).map(|()| Value::from(zfill(s, width)))),
        _ => return None,
    };
    Some(result)
}

/// The widest padding whylm builds (Python would try any width and run out of memory on absurd ones).
pub(crate) const MAX_WIDTH: i64 = 1 << 20;

fn check_width(method: &str, width: i64) -> Result<(), Error> {
    if width > MAX_WIDTH {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            format!("{method}: width {width} is over {MAX_WIDTH}"),
        ));
    }
    Ok(())
}

/// Python's `str.isspace` for one character: Rust's whitespace plus the four information separators.
pub(crate) fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python's `str.title`: a cased character after a cased one is lowered, any other cased one is raised, so
/// "they're" becomes "They'Re" (jinja2's `title` filter differs and stays minijinja's).
fn py_title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut previous_cased = false;
    for c in s.chars() {
        if previous_cased {
            out.extend(c.to_lowercase());
        } else {
            out.extend(c.to_uppercase());
        }
        previous_cased = c.is_lowercase() || c.is_uppercase();
    }
    out
}

/// Python's `str.rsplit(sep=None, maxsplit=-1)`.
fn rsplit(s: &str, sep: Option<&str>, max: Option<i64>) -> Value {
    let max = max.filter(|m| *m >= 0).map(|m| m as usize);
    let mut parts: Vec<&str> = match sep {
        Some(sep) => match max {
            Some(m) => s.rsplitn(m + 1, sep).collect(),
            None => s.rsplit(sep).collect(),
        },
        None => {
            let mut parts = Vec::new();
            let mut rest = s.trim_end_matches(is_py_space);
            while !rest.is_empty() && max.is_none_or(|m| parts.len() < m) {
                match rest.rfind(is_py_space) {
                    Some(at) => {
                        let ws_len = rest[at..].chars().next().map_or(1, char::len_utf8);
                        parts.push(&rest[at + ws_len..]);
                        rest = rest[..at].trim_end_matches(is_py_space);
                    }
                    None => {
                        parts.push(rest);
                        rest = "";
                    }
                }
            }
            if !rest.is_empty() {
                parts.push(rest);
            }
            parts
        }
    };
    parts.reverse();
    Value::from(parts.into_iter().map(Value::from).collect::<Vec<_>>())
}

/// `ljust`, `rjust` and `center(width, fillchar=' ')`, counting characters as Python does.
fn pad(s: &str, method: &str, args: &[Value]) -> Result<Value, Error> {
    let (width, fill): (i64, Option<&str>) = from_args(args)?;
    check_width(method, width)?;
    let fill = match fill.map(|f| f.chars().collect::<Vec<_>>()) {
        None => ' ',
        Some(chars) if chars.len() == 1 => chars[0],
        Some(_) => {
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                format!("{method}: the fill character must be one character"),
            ))
        }
    };
    let len = s.chars().count() as i64;
    let margin = (width - len).max(0) as usize;
    let left = match method {
        "ljust" => 0,
        "rjust" => margin,
        // CPython puts the odd character on the left when the width is odd.
        _ => margin / 2 + (margin & width.max(0) as usize & 1),
    };
    let fill_n = |n: usize| std::iter::repeat_n(fill, n).collect::<String>();
    Ok(Value::from(format!(
        "{}{s}{}",
        fill_n(left),
        fill_n(margin - left)
    )))
}

/// Python's `str.zfill`: zeros after a leading sign.
fn zfill(s: &str, width: i64) -> String {
    let len = s.chars().count() as i64;
    let zeros = "0".repeat((width - len).max(0) as usize);
    match s.strip_prefix(['+', '-']) {
        Some(rest) => format!("{}{zeros}{rest}", &s[..1]),
        None => format!("{zeros}{s}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strs(v: Value) -> Vec<String> {
        v.try_iter().unwrap().map(|x| x.to_string()).collect()
    }

    #[test]
    fn rsplit_matches_python() {
        assert_eq!(strs(rsplit("a.b.c", Some("."), Some(1))), ["a.b", "c"]);
        assert_eq!(strs(rsplit("a.b.c", Some("."), None)), ["a", "b", "c"]);
        assert_eq!(strs(rsplit("  a b  c ", None, Some(1))), ["  a b", "c"]);
        assert_eq!(strs(rsplit("  a b  c ", None, None)), ["a", "b", "c"]);
        assert!(strs(rsplit("   ", None, None)).is_empty());
    }

    #[test]
    fn padding_matches_python() {
        let pad_with = |method: &str, width: i64, fill: &str| {
            pad("ab", method, &[Value::from(width), Value::from(fill)])
                .unwrap()
                .to_string()
        };
        assert_eq!(pad_with("center", 5, "*"), "**ab*");
        assert_eq!(pad_with("center", 6, "*"), "**ab**");
        assert_eq!(pad_with("ljust", 4, "-"), "ab--");
        assert_eq!(pad_with("rjust", 1, "-"), "ab");
        assert_eq!(pad("x", "center", &[Value::from(4)]).unwrap().to_string(), " x  ");
        let err = pad("ab", "center", &[Value::from(5), Value::from("**")]).unwrap_err();
        assert!(
            err.to_string()
                .contains("center: the fill character must be one character"),
            "{err}"
        );
        assert_eq!(
            (zfill("-7", 4), zfill("42", 5), zfill("abc", 2)),
            ("-007".into(), "00042".into(), "abc".into())
        );
    }
}
