//! Renders a report JSON file with every renderer, for looking at the output without the CLI:
//! `cargo run -p whylm-report --example render -- report.json out_dir` writes out_dir/report.{html,svg,txt} and
//! prints the coloured terminal view.

use std::path::PathBuf;

use whylm_report::{render_html, render_svg, render_terminal, ReportDoc, SvgOptions, TerminalOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(input), Some(out_dir)) = (args.next(), args.next()) else {
        return Err("usage: render <report.json> <out_dir>".into());
    };
    let doc = ReportDoc::load(&input)?;
    let out_dir = PathBuf::from(out_dir);
    std::fs::create_dir_all(&out_dir)?;
    std::fs::write(out_dir.join("report.html"), render_html(&doc)?)?;
    std::fs::write(
        out_dir.join("report.svg"),
        render_svg(&doc, &SvgOptions::default())?,
    )?;
    let plain = TerminalOptions {
        color: false,
        ..TerminalOptions::default()
    };
    std::fs::write(out_dir.join("report.txt"), render_terminal(&doc, &plain)?)?;
    print!("{}", render_terminal(&doc, &TerminalOptions::default())?);
    Ok(())
}
