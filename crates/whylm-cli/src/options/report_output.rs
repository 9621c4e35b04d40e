//! Showing a finished explanation: the terminal report on stdout and the JSON / HTML / SVG files asked for.
//! Shared by `explain` (fresh document) and `render` (document read back from JSON).

use std::path::PathBuf;

use anyhow::{Context, Result};
use whylm_report::{render_html, render_svg, render_terminal, ReportDoc, SvgOptions, TerminalOptions};

use crate::options::output::{is_stdout, print_stdout, use_color, write_file};

/// Where the explanation goes.
pub struct ReportTargets {
    /// A file, or `-` for stdout (which then carries the JSON alone, without the terminal report).
    pub json: Option<PathBuf>,
    pub html: Option<PathBuf>,
    pub svg: Option<PathBuf>,
    /// Print the terminal report on stdout (unless the JSON goes there).
    pub terminal: bool,
    pub no_color: bool,
}

/// Writes every output asked for. Failures to render are whylm's (the caller marks a document read from a
/// user's file as the user's); failures to write a file are the user's (see `write_file`).
pub fn emit(doc: &ReportDoc, targets: &ReportTargets) -> Result<()> {
    let json_on_stdout = targets.json.as_deref().is_some_and(is_stdout);
    if let Some(path) = &targets.json {
        let json = doc
            .to_json_pretty()
            .context("could not encode the explanation as JSON")?
            + "\n";
        if json_on_stdout {
            print_stdout(&json)?;
        } else {
            write_file(path, &json, "JSON explanation")?;
        }
    }
    if let Some(path) = &targets.html {
        let html = render_html(doc).context("could not draw the HTML report")?;
        write_file(path, &html, "HTML report")?;
    }
    if let Some(path) = &targets.svg {
        let svg = render_svg(doc, &SvgOptions::default()).context("could not draw the SVG chart")?;
        write_file(path, &svg, "SVG chart")?;
    }
    if targets.terminal && !json_on_stdout {
        let options = TerminalOptions {
            color: use_color(targets.no_color),
            true_color: supports_true_color(),
            ..TerminalOptions::default()
        };
        let text = render_terminal(doc, &options).context("could not draw the terminal report")?;
        print_stdout(&text)?;
    }
    Ok(())
}

/// Terminals announce 24-bit colour through COLORTERM; the others get the 256-colour palette.
fn supports_true_color() -> bool {
    std::env::var("COLORTERM").is_ok_and(|value| value == "truecolor" || value == "24bit")
}
