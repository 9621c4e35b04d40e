//! `whylm explain --engine URL`: the same explanation, with the model on a serving engine. Every scored
//! coalition goes to a score cache (on by default here: a remote run is long and an engine can die), so a rerun
//! with the same arguments sends only what is missing.

use anyhow::Result;
use whylm_backend::{Backend, CachedBackend, ScoreFile};
use whylm_explain::MaskerSpec;

use crate::commands::explain::{explain_document, explain_request, report_targets, ExplainArgs};
use crate::failure::user_error;
use crate::fault::backend_error;
use crate::options::engine::{default_cache, engine_report_info, engine_status};
use crate::options::faithfulness::measure;
use crate::options::report_output::emit;
use crate::progress::Progress;

pub fn run(args: ExplainArgs) -> Result<()> {
    // the input is checked (and a chat rendered) before the engine is asked anything
    let request = explain_request(&args)?;
    if args.masker == MaskerSpec::Hide {
        return Err(user_error(
            "--masker hide cannot run on an engine: it reads plain token sequences and cannot hide a token from \
             attention",
            "use --masker delete or replace with --engine",
        ));
    }
    let remote = args.engine.connect(args.model.as_deref())?;
    let reports = [args.json.as_deref(), args.html.as_deref(), args.svg.as_deref()];
    let cache_path = default_cache(args.batch.cache.as_deref(), &reports, &remote.info().name)?;
    let cached = CachedBackend::new(&remote, ScoreFile::open(&cache_path).map_err(backend_error)?);
    let mut progress = Progress::new(args.quiet);
    progress.set_status(engine_status(remote.stats()));
    let info = engine_report_info(&remote, args.model.as_deref());
    let mut doc = explain_document(&cached, info, &args, &request, &mut progress)?;
    progress.finish();
    if let Some(samples) = args.faithfulness.faithfulness {
        measure(&cached, &mut doc, samples, args.seed, args.batch_size)?;
    }
    if !args.quiet {
        eprintln!(
            "note: {} ({} dialect, {} requests in flight at most) scored {} coalitions, {} came from the score cache {}",
            remote.info().name,
            remote.dialect(),
            remote.concurrency(),
            cached.scored(),
            cached.reused(),
            cache_path.display()
        );
    }
    emit(&doc, &report_targets(args))
}
