//! Writes the suite's synthetic Llama (dim 512, 8 layers, vocab 32000, seed 0) to a directory as
//! `synthetic.gguf` and `hf/`, so that other tools can run the same weights.
//! `cargo run --release -p whylm-bench --example write_synthetic -- DIR`

fn main() {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: write_synthetic DIR");
        std::process::exit(2);
    };
    match whylm_bench::write_synthetic(&whylm_bench::SyntheticSpec::default(), std::path::Path::new(&dir)) {
        Ok(files) => println!("{}\n{}", files.gguf.display(), files.hf_dir.display()),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
