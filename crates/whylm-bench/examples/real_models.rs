//! The real-model section of `whylm bench` alone (SmolLM2 as shipped, Q4_K_M, Q8_0, F16).
//! `cargo run --release -p whylm-bench --example real_models -- [PYTHON_WITH_LLAMA_CPP]`
//! Threads: RAYON_NUM_THREADS / CANDLE_NUM_THREADS as for whylm (2 on the benchmark machine).

fn main() {
    let options = whylm_bench::RealOptions {
        llama_cpp: std::env::args().nth(1).map(std::path::PathBuf::from),
        ..Default::default()
    };
    match whylm_bench::run_real(&options, whylm_model::num_threads()) {
        Ok(report) => print!("{}", report.to_markdown()),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
