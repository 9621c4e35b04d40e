//! A parser for the Python literals golden files sometimes hold in strings: lists, tuples, strings (single or
//! double quoted, with backslash escapes), numbers, True/False/None. Enough for `repr()` of nested lists.

use serde_json::{Number, Value};

pub fn parse(s: &str) -> Result<Value, String> {
    let mut p = Parser {
        chars: s.chars().collect(),
        pos: 0,
    };
    let v = p.value()?;
    p.skip_space();
    if p.pos != p.chars.len() {
        return Err(format!("trailing text at {}", p.pos));
    }
    Ok(v)
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    fn value(&mut self) -> Result<Value, String> {
        self.skip_space();
        match self.peek() {
            Some('[') | Some('(') => self.list(),
            Some('\'') | Some('"') => self.string().map(Value::String),
            Some(_) => self.word(),
            None => Err("unexpected end".into()),
        }
    }

    fn list(&mut self) -> Result<Value, String> {
        let close = if self.peek() == Some('[') { ']' } else { ')' };
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            self.skip_space();
            if self.peek() == Some(close) {
                self.pos += 1;
                return Ok(Value::Array(items));
            }
            items.push(self.value()?);
            self.skip_space();
            match self.peek() {
                Some(',') => self.pos += 1,
                Some(c) if c == close => {}
                other => return Err(format!("expected , or {close} at {}, found {other:?}", self.pos)),
            }
        }
    }

    fn string(&mut self) -> Result<String, String> {
        let quote = self.peek().ok_or("unexpected end")?;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let c = self.peek().ok_or("unterminated string")?;
            self.pos += 1;
            if c == quote {
                return Ok(out);
            }
            if c != '\\' {
                out.push(c);
                continue;
            }
            let e = self.peek().ok_or("unterminated escape")?;
            self.pos += 1;
            match e {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                '0' => out.push('\0'),
                'x' | 'u' | 'U' => {
                    let len = match e {
                        'x' => 2,
                        'u' => 4,
                        _ => 8,
                    };
                    let hex: String = self
                        .chars
                        .get(self.pos..self.pos + len)
                        .ok_or("short escape")?
                        .iter()
                        .collect();
                    self.pos += len;
                    let code = u32::from_str_radix(&hex, 16).map_err(|e| e.to_string())?;
                    out.push(char::from_u32(code).ok_or("bad code point")?);
                }
                other => out.push(other),
            }
        }
    }

    fn word(&mut self) -> Result<Value, String> {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| !matches!(c, ',' | ']' | ')') && !c.is_whitespace())
        {
            self.pos += 1;
        }
        let w: String = self.chars[start..self.pos].iter().collect();
        match w.as_str() {
            "True" => Ok(Value::Bool(true)),
            "False" => Ok(Value::Bool(false)),
            "None" => Ok(Value::Null),
            _ => {
                if let Ok(i) = w.parse::<i64>() {
                    return Ok(Value::Number(i.into()));
                }
                let x: f64 = w.parse().map_err(|_| format!("not a literal: {w}"))?;
                Number::from_f64(x)
                    .map(Value::Number)
                    .ok_or_else(|| format!("not finite: {w}"))
            }
        }
    }
}

#[test]
fn parses_python_reprs() {
    let v = parse(r#"['', 'T', "it's", ' a\n', (1, -2.5e-3), [True, None]]"#).unwrap();
    assert_eq!(
        v,
        serde_json::json!(["", "T", "it's", " a\n", [1, -0.0025], [true, null]])
    );
}
