//! Times whylm-quant's matmul against candle's `QMatMul::forward` on the same blocks and
//! against candle's f32 matmul on the dequantized weights, on SmolLM2-135M's shapes.
//!
//! cargo run --release -p whylm-quant --example matmul_bench [-- TYPES [MS [THREADS]]]
//! e.g. `-- Q4_1,Q4_K 1,44,1024 2`. Prints the minimum of several runs (the machine is shared).

use std::time::Instant;

use candle_core::quantized::{QMatMul, QTensor};
use candle_core::{Device, Module, Tensor};
use whylm_quant::{QuantLinear, QuantType, ALL_TYPES};

/// (N, K) of SmolLM2-135M: Q/O, K/V, gate/up, down, the tied head.
const SHAPES: [(usize, usize); 5] = [(576, 576), (192, 576), (1536, 576), (576, 1536), (49152, 576)];

/// Minimum seconds over runs: at least 2, more while the total stays under 0.4 s.
fn time(mut f: impl FnMut() -> candle_core::Result<Tensor>) -> candle_core::Result<f64> {
    let mut best = f64::INFINITY;
    let mut total = 0.0;
    let mut runs = 0;
    while runs < 2 || (total < 0.4 && runs < 50) {
        let t = Instant::now();
        let y = f()?;
        std::hint::black_box(y);
        let s = t.elapsed().as_secs_f64();
        best = best.min(s);
        total += s;
        runs += 1;
    }
    Ok(best)
}

fn bench(dtype: QuantType, (n, k): (usize, usize), m: usize) -> candle_core::Result<()> {
    let dev = Device::Cpu;
    let w = Tensor::randn(0f32, 0.05, (n, k), &dev)?;
    let q = QTensor::quantize(&w, dtype.to_ggml())?;
    let ours = QuantLinear::from_qtensor(&q).map_err(|e| candle_core::Error::Msg(e.to_string()))?;
    let wf = q.dequantize(&dev)?;
    let wt = wf.t()?;
    let candle_q = QMatMul::from_qtensor(q)?;
    let x = Tensor::randn(0f32, 1.0, (m, k), &dev)?;
    let t_ours = time(|| ours.forward(&x))?;
    let t_q = time(|| candle_q.forward(&x))?;
    let t_f = time(|| x.matmul(&wt))?;
    let gflops = 2.0 * (m * n * k) as f64 / t_ours / 1e9;
    println!(
        "{:<5} {:>5}x{:<5} M={:<5} ours {:>9.3} ms ({:>5.1} GFLOP/s) | candle QMatMul {:>9.3} ms  x{:>6.2} | candle f32 {:>9.3} ms  x{:>5.2}",
        dtype.name(),
        n,
        k,
        m,
        t_ours * 1e3,
        gflops,
        t_q * 1e3,
        t_q / t_ours,
        t_f * 1e3,
        t_f / t_ours
    );
    Ok(())
}

fn parse_list<T>(
    arg: Option<&String>,
    all: Vec<T>,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Vec<T>, String> {
    match arg {
        None => Ok(all),
        Some(s) => s
            .split(',')
            .map(|p| parse(p).ok_or_else(|| format!("cannot read {p:?}")))
            .collect(),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let types = parse_list(args.first(), ALL_TYPES.to_vec(), |p| {
        ALL_TYPES.into_iter().find(|t| t.name() == p)
    })?;
    let ms = parse_list(args.get(1), vec![1, 44, 1024], |p| p.parse().ok())?;
    let threads = args.get(2).and_then(|s| s.parse::<usize>().ok()).unwrap_or(2);
    // candle reads these once, on first use: set them before any tensor exists.
    std::env::set_var("RAYON_NUM_THREADS", threads.to_string());
    std::env::set_var("CANDLE_NUM_THREADS", threads.to_string());
    println!("threads {threads}; ratios are candle's time / ours (above 1 = ours faster)");
    for dtype in types {
        for shape in SHAPES {
            if shape.1 % dtype.block_size() != 0 {
                println!(
                    "{:<5} {:>5}x{:<5} skipped: K is not a multiple of {}",
                    dtype.name(),
                    shape.0,
                    shape.1,
                    dtype.block_size()
                );
                continue;
            }
            for &m in &ms {
                bench(dtype, shape, m)?;
            }
        }
    }
    Ok(())
}
