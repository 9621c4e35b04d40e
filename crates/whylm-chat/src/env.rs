//! The minijinja environment set up as transformers sets up jinja2 for chat templates
//! (`_cached_compile_jinja_template` in transformers/utils/chat_template_utils.py): trim_blocks and lstrip_blocks,
//! loop controls, jinja2's default (lenient) undefined, no autoescaping, and the globals `raise_exception` and
//! `strftime_now` and the `tojson` filter it installs. Values print the way Python's `str()` prints them.

use std::fmt::Write;

use chrono::NaiveDateTime;
use minijinja::syntax::SyntaxConfig;
use minijinja::value::{Kwargs, Rest, ValueKind};
use minijinja::{AutoEscape, Environment, Error, ErrorKind, UndefinedBehavior, Value};

use crate::pymethods::{is_py_space, python_method, MAX_WIDTH};
use crate::python::{json_dumps, py_str, JsonStyle};

/// The error `raise_exception` raises, kept as the source of minijinja's error so that the renderer can hand back
/// the template's message untouched.
#[derive(Debug)]
pub(crate) struct Raised(pub String);

impl std::fmt::Display for Raised {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Raised {}

/// An environment for one rendering; `now` freezes the clock of `strftime_now` (None: the local time, as
/// transformers uses `datetime.now()`).
pub(crate) fn environment<'s>(now: Option<NaiveDateTime>) -> Result<Environment<'s>, Error> {
    let mut env = Environment::new();
    env.set_syntax(
        SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build()?,
    );
    env.set_undefined_behavior(UndefinedBehavior::Lenient);
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env.set_formatter(|out, _state, value| {
        out.write_str(&py_str(value))
            .map_err(|_| Error::new(ErrorKind::WriteFailure, "cannot write output"))
    });
    env.set_unknown_method_callback(python_method);
    env.add_filter("tojson", tojson);
    env.add_filter("string", |value: Value| py_str(&value));
    env.add_filter("trim", trim);
    env.add_filter("wordcount", |text: Value| wordcount(&py_str(&text)));
    env.add_function("raise_exception", |message: Value| -> Result<Value, Error> {
        let message = py_str(&message);
        Err(
            Error::new(ErrorKind::InvalidOperation, "the template raised an exception")
                .with_source(Raised(message)),
        )
    });
    env.add_function("strftime_now", move |format: String| strftime_now(&format, now));
    Ok(env)
}

/// jinja2's `trim` filter: `str(value).strip(chars)`.
fn trim(value: Value, chars: Option<String>) -> String {
    let text = py_str(&value);
    match chars {
        Some(chars) => text.trim_matches(|c| chars.contains(c)).to_string(),
        None => text.trim_matches(is_py_space).to_string(),
    }
}

/// jinja2's `wordcount`: the number of runs of word characters (letters, digits, underscore).
fn wordcount(text: &str) -> usize {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    text.split(|c| !word(c)).filter(|w| !w.is_empty()).count()
}

/// transformers' `tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False)`: json.dumps with
/// those options, positional or by keyword.
fn tojson(value: Value, args: Rest<Value>, kwargs: Kwargs) -> Result<String, Error> {
    let names = ["ensure_ascii", "indent", "separators", "sort_keys"];
    if args.len() > names.len() {
        return Err(Error::new(
            ErrorKind::TooManyArguments,
            "tojson takes at most 4 arguments",
        ));
    }
    let mut given: [Option<Value>; 4] = Default::default();
    for (slot, arg) in given.iter_mut().zip(args.0) {
        *slot = Some(arg);
    }
    for (slot, name) in given.iter_mut().zip(names) {
        if let Some(v) = kwargs.get::<Option<Value>>(name)? {
            *slot = Some(v);
        }
    }
    kwargs.assert_all_used()?;
    let [ensure_ascii, indent, separators, sort_keys] = given;
    let indent = match indent.filter(|v| !v.is_none()) {
        None => None,
        Some(v) if v.kind() == ValueKind::String => Some(v.as_str().unwrap_or_default().to_string()),
        Some(v) => {
            let width = i64::try_from(v)?;
            if width > MAX_WIDTH {
                return Err(Error::new(
                    ErrorKind::InvalidOperation,
                    format!("tojson: indent {width} is over {MAX_WIDTH}"),
                ));
            }
            Some(" ".repeat(width.max(0) as usize))
        }
    };
    let separators = match separators.filter(|v| !v.is_none()) {
        None => None,
        Some(v) => {
            let (item, key): (String, String) =
                (py_str(&v.get_item_by_index(0)?), py_str(&v.get_item_by_index(1)?));
            Some((item, key))
        }
    };
    let mut style = JsonStyle::new(indent, separators);
    style.ensure_ascii = ensure_ascii.is_some_and(|v| v.is_true());
    style.sort_keys = sort_keys.is_some_and(|v| v.is_true());
    json_dumps(&value, &style)
}

/// `datetime.now().strftime(format)` on a naive local time: `%z` and `%Z` print nothing, as Python prints them for
/// a naive datetime.
fn strftime_now(format: &str, now: Option<NaiveDateTime>) -> Result<String, Error> {
    let now = now.unwrap_or_else(|| chrono::Local::now().naive_local());
    let mut cleaned = String::with_capacity(format.len());
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            cleaned.push(c);
            continue;
        }
        match chars.next() {
            Some('z' | 'Z') => {}
            Some(next) => {
                cleaned.push('%');
                cleaned.push(next);
            }
            None => cleaned.push('%'),
        }
    }
    let mut out = String::new();
    write!(out, "{}", now.format(&cleaned)).map_err(|_| {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("strftime_now({format:?}) has a directive whylm cannot format"),
        )
    })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(source: &str) -> Result<String, Error> {
        let now = chrono::NaiveDate::from_ymd_opt(2026, 12, 2).and_then(|d| d.and_hms_opt(9, 30, 0));
        environment(now)?.render_str(source, ())
    }

    #[test]
    fn python_spellings_of_values() {
        assert_eq!(
            render("{{ none }}|{{ true }}|{{ [1, 'a'] }}|{{ 2.0 }}|{{ x }}").unwrap(),
            "None|True|[1, 'a']|2.0|"
        );
        assert_eq!(
            render("{{ none | string }}{{ false | string }}").unwrap(),
            "NoneFalse"
        );
    }

    #[test]
    fn python_string_methods() {
        assert_eq!(
            render("{{ \"they're bill's\".title() }}").unwrap(),
            "They'Re Bill'S"
        );
        assert_eq!(
            render("{{ '\u{1c} x \u{1f}'.strip() }}|{{ '  y '.lstrip() }}|{{ 'a,b'.split(',') }}").unwrap(),
            "x|y |['a', 'b']"
        );
        assert_eq!(
            render("{{ 'abc'.startswith('ab') }}{{ 'x\n' | trim }}").unwrap(),
            "Truex"
        );
    }

    #[test]
    fn tojson_takes_transformers_options() {
        let src = r#"{% set d = {"b": "é", "a": [1, 2]} %}{{ d | tojson }}|{{ d | tojson(indent=2) }}|{{ d | tojson(separators=(",", ":"), sort_keys=true, ensure_ascii=true) }}"#;
        assert_eq!(
            render(src).unwrap(),
            "{\"b\": \"é\", \"a\": [1, 2]}|{\n  \"b\": \"é\",\n  \"a\": [\n    1,\n    2\n  ]\n}|{\"a\":[1,2],\"b\":\"\\u00e9\"}"
        );
        assert!(render("{{ 1 | tojson(bogus=1) }}").is_err());
        let err = render("{{ [1] | tojson(indent=10000000000) }}").unwrap_err();
        assert!(err.to_string().contains("indent 10000000000 is over"), "{err}");
        let err = render("{{ 'a'.ljust(10000000000) }}").unwrap_err();
        assert!(
            err.to_string().contains("ljust: width 10000000000 is over"),
            "{err}"
        );
    }

    #[test]
    fn strftime_now_reads_the_injected_clock() {
        assert_eq!(
            render("{{ strftime_now('%d %b %Y %H:%M%Z') }}").unwrap(),
            "02 Dec 2026 09:30"
        );
        assert!(render("{{ strftime_now('%Q') }}").is_err());
    }

    #[test]
    fn strftime_now_reads_the_local_clock_when_none_is_fixed() {
        // Two readings of the local clock straddle the rendering; the month can only change between them.
        let before = chrono::Local::now().format("%Y-%m").to_string();
        let out = environment(None)
            .unwrap()
            .render_str("{{ strftime_now('%Y-%m') }}", ())
            .unwrap();
        let after = chrono::Local::now().format("%Y-%m").to_string();
        assert!(out == before || out == after, "{out} vs {before}/{after}");
    }

    #[test]
    fn raise_exception_keeps_its_message_as_the_source() {
        let err = render("{{ raise_exception('No system role') }}").unwrap_err();
        let raised = std::error::Error::source(&err).and_then(|s| s.downcast_ref::<Raised>());
        assert_eq!(raised.map(|r| r.0.as_str()), Some("No system role"));
    }

    #[test]
    fn loop_controls_and_whitespace_control_work() {
        let src = "{% for i in [1, 2, 3] %}\n  {% if i == 2 %}{% continue %}{% endif %}{{ i }}\n{% endfor %}";
        assert_eq!(render(src).unwrap(), "1\n3\n");
    }
}
