//! One self-contained HTML file: inline CSS and JS, no network (a Content-Security-Policy forbids any fetch), the
//! document embedded as JSON and drawn by plain JS (src/html/*.js). The page works like shap.plots.text (click a
//! target token to colour the prompt by its attributions, "whole target" for the sum) and adds a level switch, a
//! feature × target heatmap, the largest attributions as bars, and the numbers to judge them by. A conversation
//! adds a chat view (chat.js), a summary a source × summary view (summary.js); `--attention` adds an attention
//! panel beside the Shapley colouring (attention.js), `--interactions` a clickable interaction matrix
//! (interactions.js), `--refine` a drill-down tree whose units open into their parts (refine.js).

use crate::document::ReportDoc;
use crate::error::ReportError;
use crate::escape::{escape_json_for_script, escape_xml, truncate_chars};

const CSS: &str = include_str!("html/report.css");
/// The page's script in parts, joined in this order inside one function so that they share its scope (and the
/// page keeps exactly one script of its own, which the CSP's 'unsafe-inline' covers without naming files).
const JS_PARTS: [&str; 8] = [
    include_str!("html/util.js"),
    include_str!("html/report.js"),
    include_str!("html/chat.js"),
    include_str!("html/summary.js"),
    include_str!("html/attention.js"),
    include_str!("html/interactions.js"),
    include_str!("html/refine.js"),
    include_str!("html/main.js"),
];

/// Renders the document as a standalone HTML page.
pub fn render_html(doc: &ReportDoc) -> Result<String, ReportError> {
    let json = escape_json_for_script(&doc.to_json_compact()?);
    let target: String = doc.target_tokens.iter().map(|t| t.text.as_str()).collect();
    let title = escape_xml(&truncate_chars(target.trim(), 60));
    Ok(format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="whylm {version}">
<title>whylm: {title}</title>
<style>
{CSS}</style>
</head>
<body>
<noscript><p>This report is drawn by JavaScript; its data is the JSON block in this file (see docs/report-schema.md).</p></noscript>
<script type="application/json" id="whylm-data">{json}</script>
<script>
(function () {{
  "use strict";
{js}}})();
</script>
</body>
</html>
"#,
        version = escape_xml(&doc.whylm_version),
        js = JS_PARTS.concat(),
    ))
}
