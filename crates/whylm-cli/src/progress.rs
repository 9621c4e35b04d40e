//! A progress bar with ETA on stderr. It appears only once a command has worked for a second (quick commands
//! print nothing extra), and never with `--quiet` or when stderr is not a terminal.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

const SHOW_AFTER: Duration = Duration::from_secs(1);
const TEMPLATE: &str = "{prefix} [{bar:30}] {pos}/{len} {msg} ({elapsed}, ETA {eta})";

pub struct Progress {
    enabled: bool,
    started: Instant,
    bar: Option<ProgressBar>,
    /// The phase shown (e.g. "word level"); a new phase restarts the count and the ETA.
    phase: String,
    /// Shown before every phase (e.g. "row 3/50" in a batch).
    label: String,
    /// Words after the unit, asked afresh at every update (a remote engine's requests in flight and rate).
    status: Option<Box<dyn Fn() -> String>>,
}

impl Progress {
    pub fn new(quiet: bool) -> Self {
        Self {
            enabled: !quiet && std::io::stderr().is_terminal(),
            started: Instant::now(),
            bar: None,
            phase: String::new(),
            label: String::new(),
            status: None,
        }
    }

    /// Puts `label` before every phase shown from now on.
    pub fn set_label(&mut self, label: String) {
        self.label = label;
    }

    /// Shows `status()` after the unit from now on.
    pub fn set_status(&mut self, status: Box<dyn Fn() -> String>) {
        self.status = Some(status);
    }

    /// `done` of `planned` `unit`s of `phase` are finished.
    pub fn update(&mut self, phase: &str, unit: &'static str, done: u64, planned: u64) {
        if !self.enabled || self.started.elapsed() < SHOW_AFTER {
            return;
        }
        let phase = match self.label.is_empty() {
            true => phase.to_string(),
            false => format!("{} · {phase}", self.label),
        };
        let bar = self.bar.get_or_insert_with(|| {
            // Configured while hidden, so that the first frame drawn already has its labels.
            let bar = ProgressBar::with_draw_target(Some(planned), ProgressDrawTarget::hidden());
            // The template is a constant; should indicatif ever reject it, the default style still shows progress.
            if let Ok(style) = ProgressStyle::with_template(TEMPLATE) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar
        });
        if phase != self.phase {
            self.phase = phase;
            bar.reset();
            bar.set_prefix(self.phase.clone());
            bar.set_message(unit);
        }
        if let Some(status) = &self.status {
            bar.set_message(format!("{unit} ({})", status()));
        }
        bar.set_length(planned.max(done));
        bar.set_position(done);
        if bar.is_hidden() {
            bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    /// Removes the bar so that what is printed next starts on a clean line.
    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}
