//! An engine that dies in the middle of an explanation: the run fails with a one-line error, every coalition
//! scored before is in the cache file, and the same run started again against the restarted engine scores only
//! the missing coalitions and gives exactly the numbers of a run that was never interrupted.

mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use common::fake_server::{FakeServer, Reply, Request};
use common::*;
use whylm_backend::{CachedBackend, ScoreFile};
use whylm_remote::RemoteBackend;

/// A vLLM engine that answers `alive_for` completions requests and then drops every connection (and says so in
/// `died`), as a process killed mid-run.
fn dying_engine(alive_for: usize, died: Arc<AtomicBool>) -> FakeServer {
    let answered = AtomicUsize::new(0);
    FakeServer::start(Arc::new(move |request: &Request| match request.path.as_str() {
        "/v1/models" => Reply::Json(200, models_list("vllm")),
        _ if answered.fetch_add(1, Ordering::SeqCst) < alive_for => {
            Reply::Json(200, vllm_completion(&request.body))
        }
        _ => {
            died.store(true, Ordering::SeqCst);
            Reply::Drop
        }
    }))
}

#[test]
fn a_rerun_after_the_engine_died_scores_only_what_is_missing_and_equals_an_uninterrupted_run() {
    let dir = std::env::temp_dir().join(format!("whylm-remote-kill-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (interrupted_cache, clean_cache) = (dir.join("interrupted.cache"), dir.join("clean.cache"));
    for path in [&interrupted_cache, &clean_cache] {
        let _ = std::fs::remove_file(path);
    }

    // the uninterrupted run
    let healthy = FakeServer::start(vllm_handler(counters()));
    let backend = RemoteBackend::connect(&quick_config(&healthy.url()), Some(stories_tokenizer())).unwrap();
    let cached = CachedBackend::new(&backend, ScoreFile::open(&clean_cache).unwrap());
    let clean = run(&cached, &word_request()).unwrap();
    let total = cached.scored();
    assert!(total > 100, "{total} coalitions");

    // the engine dies after 20 requests (100 rows of 5); the explanation fails with a one-line error
    let died = Arc::new(AtomicBool::new(false));
    let mut dying = dying_engine(20, Arc::clone(&died));
    let port = dying.addr.port();
    let backend = RemoteBackend::connect(&quick_config(&dying.url()), Some(stories_tokenizer())).unwrap();
    let cached = CachedBackend::new(&backend, ScoreFile::open(&interrupted_cache).unwrap());
    let error = run(&cached, &word_request()).unwrap_err().to_string();
    assert!(died.load(Ordering::SeqCst));
    assert!(!error.contains('\n') && error.contains(&dying.url()), "{error}");
    let kept = cached.scored();
    assert!(kept > 0 && kept < total, "{kept} of {total} kept");
    drop(cached);
    dying.stop();

    // restarted on the same port: the rerun sends only the missing coalitions
    let restarted_counts = counters();
    let restarted = FakeServer::start_on(port, vllm_handler(restarted_counts.clone()));
    let backend = RemoteBackend::connect(&quick_config(&restarted.url()), Some(stories_tokenizer())).unwrap();
    let cached = CachedBackend::new(&backend, ScoreFile::open(&interrupted_cache).unwrap());
    let resumed = run(&cached, &word_request()).unwrap();
    assert_eq!(restarted_counts.rows.load(Ordering::SeqCst), total - kept);
    assert_eq!(cached.scored(), total - kept);
    assert_eq!(max_phi_difference(&resumed, &clean), 0.0);
    assert_eq!(resumed.levels[0].base_value, clean.levels[0].base_value);
    let _ = std::fs::remove_dir_all(&dir);
}
