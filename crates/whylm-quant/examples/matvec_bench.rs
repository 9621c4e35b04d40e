//! Times generation's one-row product (`whylm_quant::matvec`) per type on SmolLM2-135M's shapes, as milliseconds
//! and as the rate at which it reads the weights (GB/s), the minimum of many runs (the machine is shared).
//!
//! cargo run --release -p whylm-quant --example matvec_bench [-- TYPES [THREADS]]   e.g. `-- Q4_0,Q4_1,Q8_0 2`

use std::time::Instant;

use candle_core::quantized::QTensor;
use candle_core::{Device, Tensor};
use whylm_quant::{QuantMatrix, QuantType, ALL_TYPES};

/// (N, K) of SmolLM2-135M (Q/O, gate/up, down, the tied head), then of a dim-1024 Llama whose widths are multiples
/// of 256, where the K-quants apply to every matrix (`write_synthetic DIR 1024 2816 8 16`).
const SHAPES: [(usize, usize); 8] = [
    (576, 576),
    (1536, 576),
    (576, 1536),
    (49152, 576),
    (1024, 1024),
    (2816, 1024),
    (1024, 2816),
    (32000, 1024),
];

fn bench(dtype: QuantType, (n, k): (usize, usize)) -> Result<(), Box<dyn std::error::Error>> {
    let w = Tensor::randn(0f32, 0.05, (n, k), &Device::Cpu)?;
    let w = QuantMatrix::from_qtensor(&QTensor::quantize(&w, dtype.to_ggml())?)?;
    let x: Vec<f32> = (0..k).map(|i| ((i * 7919 % 1000) as f32 / 500.0) - 1.0).collect();
    let mut y = vec![0f32; n];
    let (mut best, mut total, mut runs) = (f64::INFINITY, 0.0, 0);
    while runs < 5 || (total < 0.3 && runs < 2000) {
        let t = Instant::now();
        whylm_quant::matvec(&w, &x, &mut y)?;
        std::hint::black_box(&y);
        let s = t.elapsed().as_secs_f64();
        best = best.min(s);
        total += s;
        runs += 1;
    }
    println!(
        "{:<5} {:>5}x{:<5} {:>8.3} ms {:>6.1} GB/s",
        dtype.name(),
        n,
        k,
        best * 1e3,
        w.bytes().len() as f64 / best / 1e9
    );
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let types: Vec<QuantType> = match args.first() {
        None => ALL_TYPES.to_vec(),
        Some(list) => list
            .split(',')
            .map(|p| {
                ALL_TYPES
                    .into_iter()
                    .find(|t| t.name() == p)
                    .ok_or(format!("unknown type {p:?}"))
            })
            .collect::<Result<_, _>>()?,
    };
    let threads = args.get(1).and_then(|s| s.parse::<usize>().ok()).unwrap_or(2);
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()?;
    println!("threads {threads}");
    for dtype in types {
        for shape in SHAPES.into_iter().filter(|s| s.1 % dtype.block_size() == 0) {
            bench(dtype, shape)?;
        }
    }
    Ok(())
}
