//! The examples' command-line parsing: `--name value` pairs, nothing more (the examples are tools for
//! maintainers, not a user interface, so they do without an argument-parsing dependency).

/// The value after `name`, parsed; None when the flag is absent. A flag whose value is missing or does not
/// parse ends the program with a one-line error rather than falling back to the default unnoticed.
pub fn value<T: std::str::FromStr>(args: &[String], name: &str) -> Option<T> {
    let at = args.iter().position(|a| a == name)?;
    match args.get(at + 1).map(|v| v.parse()) {
        Some(Ok(parsed)) => Some(parsed),
        _ => {
            eprintln!(
                "error: {name} needs a value of the right kind (got {:?}); see the example's doc comment",
                args.get(at + 1)
            );
            std::process::exit(2);
        }
    }
}
