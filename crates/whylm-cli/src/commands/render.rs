//! `whylm render`: redraw a saved explanation without the model.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use whylm_report::ReportDoc;

use crate::failure::{user_error, UserFault};
use crate::options::report_output::{emit, ReportTargets};

#[derive(Args, Debug)]
pub struct RenderArgs {
    /// An explanation saved with `whylm explain --json`.
    #[arg(value_name = "EXPLANATION.json")]
    pub explanation: PathBuf,
    /// Write a self-contained HTML report.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Write an SVG chart.
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
    /// Never colour the terminal report.
    #[arg(long)]
    pub no_color: bool,
    /// Print no terminal report (only write the files asked for).
    #[arg(long)]
    pub quiet: bool,
}

pub fn run(args: RenderArgs) -> Result<()> {
    if args.quiet && args.html.is_none() && args.svg.is_none() {
        return Err(user_error(
            "--quiet without --html or --svg leaves nothing to render",
            "add --html FILE or --svg FILE, or drop --quiet to see the report in the terminal",
        ));
    }
    // Every load failure (missing file, not JSON, another schema, edited numbers) is about the user's file.
    let doc = ReportDoc::load(&args.explanation).user_fault()?;
    let targets = ReportTargets {
        json: None,
        html: args.html,
        svg: args.svg,
        terminal: !args.quiet,
        no_color: args.no_color,
    };
    // The document passed validation on load, so drawing it can only fail on a bug: keep those internal.
    emit(&doc, &targets)
}
