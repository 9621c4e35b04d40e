//! Many requests in flight: jobs run on up to `workers` plain threads, each taking the next job, and come back in
//! job order. The first failure stops the others from taking new jobs and is what the caller sees.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use whylm_backend::BackendError;

/// Runs `work(index, job)` for every job on up to `workers` threads; the results in job order.
pub fn run_all<J: Sync, T: Send>(
    jobs: &[J],
    workers: usize,
    work: impl Fn(usize, &J) -> Result<T, BackendError> + Sync,
) -> Result<Vec<T>, BackendError> {
    let workers = workers.clamp(1, jobs.len().max(1));
    if workers == 1 {
        return jobs.iter().enumerate().map(|(i, job)| work(i, job)).collect();
    }
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let results: Mutex<Vec<Option<T>>> = Mutex::new((0..jobs.len()).map(|_| None).collect());
    let failure: Mutex<Option<(usize, BackendError)>> = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                while !stop.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(i) else { break };
                    match work(i, job) {
                        Ok(value) => {
                            if let Ok(mut slots) = results.lock() {
                                slots[i] = Some(value);
                            }
                        }
                        Err(error) => {
                            stop.store(true, Ordering::Relaxed);
                            if let Ok(mut first) = failure.lock() {
                                // the earliest job's error, so that the message does not depend on thread timing
                                if first.as_ref().is_none_or(|(j, _)| i < *j) {
                                    *first = Some((i, error));
                                }
                            }
                        }
                    }
                }
            });
        }
    });
    if let Some((_, error)) = failure.into_inner().ok().flatten() {
        return Err(error);
    }
    let slots = results
        .into_inner()
        .map_err(|_| BackendError::Failed("a request thread panicked".into()))?;
    slots
        .into_iter()
        .map(|slot| slot.ok_or_else(|| BackendError::Failed("a request thread panicked".into())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_job_order_and_the_earliest_failure_wins() {
        let jobs: Vec<usize> = (0..50).collect();
        let doubled = run_all(&jobs, 4, |_, &j| Ok(j * 2)).unwrap();
        assert_eq!(doubled, jobs.iter().map(|j| j * 2).collect::<Vec<_>>());
        let failed = run_all(&jobs, 1, |i, &j| match j {
            7 | 9 => Err(BackendError::Failed(format!("job {i}"))),
            _ => Ok(j),
        });
        assert_eq!(failed.unwrap_err().to_string(), "job 7");
        assert!(run_all(&Vec::<usize>::new(), 8, |_, &j| Ok(j))
            .unwrap()
            .is_empty());
    }
}
