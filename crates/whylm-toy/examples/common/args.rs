//! The examples' command-line parsing: `--name value` pairs, nothing more (the examples are tools for
//! maintainers, not a user interface, so they do without an argument-parsing dependency).

/// The value after `name`, parsed; None when the flag is absent or its value does not parse.
pub fn value<T: std::str::FromStr>(args: &[String], name: &str) -> Option<T> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
}
