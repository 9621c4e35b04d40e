//! The report JSON that `whylm render` loads, then every view `whylm render` draws from it (terminal, SVG,
//! HTML): a document that loads must draw without a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use whylm_report::{render_html, render_svg, render_terminal, ReportDoc, SvgOptions, TerminalOptions};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(doc) = ReportDoc::from_json_str(text) else {
        return;
    };
    let _ = render_terminal(&doc, &TerminalOptions::default());
    let _ = render_svg(&doc, &SvgOptions::default());
    let _ = render_html(&doc);
});
