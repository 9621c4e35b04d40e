//! Runs the fixed speed suite and prints the markdown table (`--json` for JSON).
//! `cargo run --release -p whylm-bench --example bench`

fn main() {
    let json = std::env::args().any(|a| a == "--json");
    let options = whylm_bench::BenchOptions::default();
    match whylm_bench::run_suite(&options) {
        Ok(report) if json => match report.to_json() {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("error: cannot write the report as JSON: {e}");
                std::process::exit(1);
            }
        },
        Ok(report) => println!("{}", report.to_markdown()),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
