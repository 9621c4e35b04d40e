//! Counters a progress bar reads while requests are in flight: requests in flight, rows scored, retries.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Instant;

#[derive(Debug)]
pub struct EngineStats {
    started: Instant,
    in_flight: AtomicUsize,
    /// Most requests in flight at once since the last [`EngineStats::summary`].
    peak: AtomicUsize,
    rows: AtomicU64,
    requests: AtomicU64,
    retries: AtomicU64,
}

impl Default for EngineStats {
    fn default() -> Self {
        EngineStats {
            started: Instant::now(),
            in_flight: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
            rows: AtomicU64::new(0),
            requests: AtomicU64::new(0),
            retries: AtomicU64::new(0),
        }
    }
}

/// Marks one request in flight until it is dropped.
pub struct InFlight<'a>(&'a EngineStats);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

impl EngineStats {
    pub fn start_request(&self) -> InFlight<'_> {
        let now = self.in_flight.fetch_add(1, Ordering::Relaxed) + 1;
        self.peak.fetch_max(now, Ordering::Relaxed);
        self.requests.fetch_add(1, Ordering::Relaxed);
        InFlight(self)
    }

    pub fn count_rows(&self, rows: usize) {
        self.rows.fetch_add(rows as u64, Ordering::Relaxed);
    }

    pub fn count_retry(&self) {
        self.retries.fetch_add(1, Ordering::Relaxed);
    }

    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::Relaxed)
    }

    /// Rows (coalitions) the engine scored.
    pub fn rows(&self) -> u64 {
        self.rows.load(Ordering::Relaxed)
    }

    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    pub fn retries(&self) -> u64 {
        self.retries.load(Ordering::Relaxed)
    }

    /// Rows scored per second since the backend was made.
    pub fn rows_per_second(&self) -> f64 {
        let seconds = self.started.elapsed().as_secs_f64();
        if seconds > 0.0 {
            self.rows() as f64 / seconds
        } else {
            0.0
        }
    }

    /// "3 in flight, 41.2 evals/s" (and the retries, when there were any), for a progress bar. The requests in
    /// flight are the most at once since the last summary (a progress bar is drawn between batches, when none
    /// are).
    pub fn summary(&self) -> String {
        let peak = self.peak.swap(self.in_flight(), Ordering::Relaxed);
        let mut line = format!("{peak} in flight, {:.1} evals/s", self.rows_per_second());
        let retries = self.retries();
        if retries > 0 {
            line.push_str(&format!(", {retries} retries"));
        }
        line
    }
}
