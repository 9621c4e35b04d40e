//! Template variables beyond `messages` and `add_generation_prompt`: `bos_token`, `eos_token`, switches such as
//! `enable_thinking`, tool lists, and the clock that `strftime_now` reads.

use chrono::{NaiveDate, NaiveDateTime};
use minijinja::Value;

use crate::error::ChatError;
use crate::values::{from_json, parse_ordered};

/// Variables handed to a chat template, in the order they were set (a later value of a name replaces it).
#[derive(Debug, Clone, Default)]
pub struct Vars {
    values: Vec<(String, Value)>,
    now: Option<NaiveDateTime>,
}

impl Vars {
    pub fn new() -> Vars {
        Vars::default()
    }

    /// `bos_token` and `eos_token`, the two special tokens nearly every template reads; a `None` stays unset.
    pub fn with_special_tokens(bos_token: Option<&str>, eos_token: Option<&str>) -> Vars {
        let mut vars = Vars::new();
        for (name, token) in [("bos_token", bos_token), ("eos_token", eos_token)] {
            if let Some(token) = token {
                vars.set_str(name, token);
            }
        }
        vars
    }

    pub fn set_str(&mut self, name: &str, value: &str) -> &mut Vars {
        self.set(name, Value::from(value))
    }

    pub fn set_bool(&mut self, name: &str, value: bool) -> &mut Vars {
        self.set(name, Value::from(value))
    }

    /// A value given as JSON text; objects keep their key order, as Python's `json.loads` does.
    pub fn set_json(&mut self, name: &str, json: &str) -> Result<&mut Vars, ChatError> {
        let value = parse_ordered(json).map_err(|e| ChatError::BadVariableJson {
            name: name.to_string(),
            detail: e.to_string(),
        })?;
        Ok(self.set(name, value))
    }

    /// A serde_json value (its objects come sorted by key: serde_json keeps no order; use [`Vars::set_json`]
    /// where the order matters, e.g. tool schemas printed with `tojson`).
    pub fn set_json_value(&mut self, name: &str, value: &serde_json::Value) -> &mut Vars {
        self.set(name, from_json(value))
    }

    /// `NAME=VALUE` as given to `--set`: VALUE is JSON when it parses as JSON (`false`, `3`, `"x"`, `[...]`,
    /// `{...}`, `null`) and a plain string otherwise (`date_string=26 Jul 2024`).
    pub fn set_assignment(&mut self, assignment: &str) -> Result<&mut Vars, ChatError> {
        let bad = || ChatError::BadAssignment {
            given: assignment.to_string(),
        };
        let (name, value) = assignment.split_once('=').ok_or_else(bad)?;
        let name = name.trim();
        if name.is_empty() {
            return Err(bad());
        }
        let value = parse_ordered(value).unwrap_or_else(|_| Value::from(value));
        Ok(self.set(name, value))
    }

    /// Freezes the clock `strftime_now` reads (transformers reads the local time): `YYYY-MM-DD`,
    /// `YYYY-MM-DDTHH:MM` or `YYYY-MM-DDTHH:MM:SS` (a space may replace the `T`).
    pub fn set_now(&mut self, when: &str) -> Result<&mut Vars, ChatError> {
        self.now = Some(parse_clock(when)?);
        Ok(self)
    }

    /// The names set so far, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.values.iter().map(|(name, _)| name.as_str())
    }

    /// A variable's value if it is a string (e.g. to show which `bos_token` a rendering used).
    pub fn get_str(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.as_str())
    }

    pub(crate) fn values(&self) -> &[(String, Value)] {
        &self.values
    }

    pub(crate) fn now(&self) -> Option<NaiveDateTime> {
        self.now
    }

    fn set(&mut self, name: &str, value: Value) -> &mut Vars {
        match self.values.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = value,
            None => self.values.push((name.to_string(), value)),
        }
        self
    }
}

fn parse_clock(when: &str) -> Result<NaiveDateTime, ChatError> {
    let text = when.trim().replacen(' ', "T", 1);
    let parsed = ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(&text, format).ok())
        .or_else(|| {
            NaiveDate::parse_from_str(&text, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        });
    parsed.ok_or_else(|| ChatError::BadClock {
        given: when.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assignments_read_json_or_fall_back_to_text() {
        let mut vars = Vars::new();
        vars.set_assignment("enable_thinking=false").unwrap();
        vars.set_assignment("date_string=26 Jul 2024").unwrap();
        vars.set_assignment("n=3").unwrap();
        vars.set_assignment("empty=").unwrap();
        let get = |name: &str| {
            vars.values()
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
                .unwrap()
        };
        assert!(
            get("enable_thinking").kind() == minijinja::value::ValueKind::Bool
                && !get("enable_thinking").is_true()
        );
        assert_eq!(vars.get_str("date_string"), Some("26 Jul 2024"));
        assert_eq!(get("n").as_i64(), Some(3));
        assert_eq!(vars.get_str("empty"), Some(""));
        assert_eq!(
            vars.names().collect::<Vec<_>>(),
            ["enable_thinking", "date_string", "n", "empty"]
        );
    }

    #[test]
    fn a_later_value_replaces_an_earlier_one() {
        let mut vars = Vars::with_special_tokens(Some("<s>"), None);
        vars.set_str("bos_token", "<bos>");
        assert_eq!(vars.get_str("bos_token"), Some("<bos>"));
        assert_eq!(vars.names().count(), 1);
    }

    #[test]
    fn bad_assignments_and_clocks_name_the_problem() {
        let err = Vars::new().set_assignment("no-equals-sign").unwrap_err();
        assert!(
            err.to_string().contains("\"no-equals-sign\" is not NAME=VALUE"),
            "{err}"
        );
        assert!(Vars::new().set_assignment("=3").is_err());
        let err = Vars::new().set_json("tools", "[{").unwrap_err();
        assert!(err.to_string().contains("\"tools\" is not valid JSON"), "{err}");
        let err = Vars::new().set_now("yesterday").unwrap_err();
        assert!(
            err.to_string().contains("\"yesterday\" is not a date-time"),
            "{err}"
        );
    }

    #[test]
    fn clocks_accept_dates_and_times() {
        let mut vars = Vars::new();
        vars.set_now("2026-12-02 09:30").unwrap();
        assert_eq!(vars.now().unwrap().to_string(), "2026-12-02 09:30:00");
        vars.set_now("2026-12-02").unwrap();
        assert_eq!(vars.now().unwrap().to_string(), "2026-12-02 00:00:00");
        vars.set_now("2026-12-02T09:30:15").unwrap();
        assert_eq!(vars.now().unwrap().to_string(), "2026-12-02 09:30:15");
    }
}
