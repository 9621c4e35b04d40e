//! A batch row put into the command line's arguments: its input replaces the command line's, its options override
//! theirs, parsed with the same syntax.

use anyhow::Result;
use whylm_explain::{Level, MaskerSpec, MethodChoice, ScoreSpec, TurnSelection};

use super::explain::ExplainArgs;
use crate::failure::user_error;
use crate::options::batch::{BatchRow, Levels};

/// A per-row option value parsed as the command line parses it; the error names the row's field.
fn parsed<T: std::str::FromStr>(field: &str, value: &str) -> Result<T>
where
    T::Err: std::fmt::Display,
{
    value
        .parse()
        .map_err(|e| user_error(format!("\"{field}\": {e}"), "fix this row's value"))
}

/// The command line's arguments `base` with `row`'s input and options put in.
pub fn apply(row: BatchRow, base: &ExplainArgs) -> Result<ExplainArgs> {
    let inputs = [row.prompt.is_some(), row.chat.is_some(), row.user.is_some()];
    if inputs.iter().filter(|&&given| given).count() != 1 {
        return Err(user_error(
            "a batch row needs exactly one of \"prompt\", \"chat\" and \"user\"",
            "give the row's input in one of those fields",
        ));
    }
    let mut args = base.clone();
    args.batch = Default::default();
    args.prompt.prompt = row.prompt;
    args.chat.chat = None;
    args.chat.user = row.user;
    args.chat.system = row.system.or(base.chat.system.clone());
    args.chat.inline = row.chat.map(|json| json.to_string());
    override_with(&mut args.target, row.target.map(Some));
    override_with(&mut args.prefix, row.prefix);
    override_with(&mut args.suffix, row.suffix);
    override_with(&mut args.max_evals, row.max_evals.map(Some));
    override_with(&mut args.seed, row.seed);
    override_with(&mut args.sampling.max_new_tokens, row.max_new_tokens);
    if let Some(levels) = row.level {
        let names = match levels {
            Levels::One(list) => list.split(',').map(str::to_string).collect(),
            Levels::Many(names) => names,
        };
        args.level = names
            .iter()
            .map(|name| parsed::<Level>("level", name.trim()))
            .collect::<Result<_>>()?;
    }
    if let Some(masker) = &row.masker {
        args.masker = parsed::<MaskerSpec>("masker", masker)?;
    }
    if let Some(score) = &row.score {
        args.score = parsed::<ScoreSpec>("score", score)?;
    }
    if let Some(method) = &row.method {
        args.method = parsed::<MethodChoice>("method", method)?;
    }
    if let Some(turns) = &row.explain_turns {
        args.turns.explain_turns = parsed::<TurnSelection>("explain_turns", turns)?;
    }
    Ok(args)
}

fn override_with<T>(slot: &mut T, value: Option<T>) {
    if let Some(value) = value {
        *slot = value;
    }
}
