//! whylm-quant against candle: the same blocks (quantized by candle's own quantizer) must give
//! candle's dequantized values bit for bit, and the matmul must equal candle's f32 matmul on
//! those values to f32 rounding, for every type, odd shapes, any batch size and thread count.

use candle_core::quantized::QTensor;
use candle_core::{Device, Tensor};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use whylm_quant::{matmul, QuantLinear, QuantMatrix, QuantType, ALL_TYPES};

// K = 512 is a whole number of blocks for every type; N = 37 is a multiple of no tile size.
const K: usize = 512;
const N: usize = 37;

fn random(len: usize, seed: u64) -> Vec<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..len).map(|_| rng.random_range(-1.0f32..1.0)).collect()
}

fn quantized(dtype: QuantType, n: usize, k: usize, seed: u64) -> QTensor {
    let w = Tensor::from_vec(random(n * k, seed), (n, k), &Device::Cpu).unwrap();
    QTensor::quantize(&w, dtype.to_ggml()).unwrap()
}

/// candle's dequantize-then-f32-matmul.
fn candle_reference(q: &QTensor, x: &[f32], m: usize) -> Vec<f32> {
    let w = q.dequantize(&Device::Cpu).unwrap();
    let k = w.dim(1).unwrap();
    let x = Tensor::from_vec(x.to_vec(), (m, k), &Device::Cpu).unwrap();
    x.matmul(&w.t().unwrap())
        .unwrap()
        .flatten_all()
        .unwrap()
        .to_vec1()
        .unwrap()
}

fn run(w: &QuantMatrix, x: &[f32]) -> Vec<f32> {
    let mut y = vec![0f32; x.len() / w.cols() * w.rows()];
    matmul(w, x, &mut y).unwrap();
    y
}

#[test]
fn dequantize_is_bit_identical_to_candle() {
    for (t, dtype) in ALL_TYPES.into_iter().enumerate() {
        let q = quantized(dtype, N, K, 10 + t as u64);
        let ours = QuantMatrix::from_qtensor(&q).unwrap().dequantize();
        let theirs: Vec<f32> = q
            .dequantize(&Device::Cpu)
            .unwrap()
            .flatten_all()
            .unwrap()
            .to_vec1()
            .unwrap();
        assert_eq!(ours.len(), theirs.len());
        let differing = ours
            .iter()
            .zip(&theirs)
            .filter(|(a, b)| a.to_bits() != b.to_bits())
            .count();
        assert_eq!(
            differing, 0,
            "{dtype}: {differing} dequantized values differ from candle's"
        );
    }
}

#[test]
fn matmul_matches_candle_f32_matmul_for_every_type_and_batch() {
    for (t, dtype) in ALL_TYPES.into_iter().enumerate() {
        let q = quantized(dtype, N, K, 100 + t as u64);
        let w = QuantMatrix::from_qtensor(&q).unwrap();
        for m in [1usize, 3, 257] {
            let x = random(m * K, 1000 + m as u64);
            let ours = run(&w, &x);
            let theirs = candle_reference(&q, &x, m);
            let scale = theirs.iter().fold(0f32, |a, v| a.max(v.abs()));
            let worst = ours
                .iter()
                .zip(&theirs)
                .fold(0f32, |a, (p, r)| a.max((p - r).abs()));
            assert!(scale > 0.0, "{dtype}: degenerate reference");
            assert!(
                worst <= 1e-4 * scale,
                "{dtype} M={m}: max |diff| {worst} exceeds 1e-4 of output scale {scale}"
            );
        }
    }
}

#[test]
fn a_row_scores_the_same_bits_in_any_batch() {
    for dtype in [QuantType::Q4_1, QuantType::Q6K, QuantType::F16] {
        let w = QuantMatrix::from_qtensor(&quantized(dtype, N, K, 7)).unwrap();
        let x = random(64 * K, 8);
        let all = run(&w, &x);
        for m in [1usize, 7] {
            // Rows 5.. of the big batch, computed as a batch of m.
            let part = run(&w, &x[5 * K..(5 + m) * K]);
            assert_eq!(
                part.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                all[5 * N..(5 + m) * N]
                    .iter()
                    .map(|v| v.to_bits())
                    .collect::<Vec<_>>(),
                "{dtype}: rows differ between a batch of {m} and a batch of 64"
            );
        }
    }
}

#[test]
fn result_bits_do_not_depend_on_the_thread_count() {
    // 1500 rows make several tiles per thread, so the pools really split the work differently.
    let w = QuantMatrix::from_qtensor(&quantized(QuantType::Q5_0, 1500, K, 3)).unwrap();
    let x = random(9 * K, 4);
    let with = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| run(&w, &x))
    };
    let one = with(1);
    let two = with(2);
    let three = with(3);
    assert!(
        one.iter().zip(&two).all(|(a, b)| a.to_bits() == b.to_bits()),
        "1 vs 2 threads"
    );
    assert!(
        one.iter().zip(&three).all(|(a, b)| a.to_bits() == b.to_bits()),
        "1 vs 3 threads"
    );
}

#[test]
fn candle_op_maps_leading_dims_and_matches_matmul() {
    let q = quantized(QuantType::Q4_0, N, K, 21);
    let layer = QuantLinear::from_qtensor(&q).unwrap();
    let x = random(2 * 3 * K, 22);
    let xt = Tensor::from_vec(x.clone(), (2, 3, K), &Device::Cpu).unwrap();
    let y = layer.forward(&xt).unwrap();
    assert_eq!(y.dims(), &[2, 3, N]);
    let flat: Vec<f32> = y.flatten_all().unwrap().to_vec1().unwrap();
    assert_eq!(flat, run(layer.weight(), &x));
    // A transposed (non-contiguous) view is made contiguous first, not misread.
    let xt2 = Tensor::from_vec(x, (K, 6), &Device::Cpu).unwrap().t().unwrap();
    let y2: Vec<f32> = layer
        .forward(&xt2)
        .unwrap()
        .flatten_all()
        .unwrap()
        .to_vec1()
        .unwrap();
    let expected = run(
        layer.weight(),
        &xt2.contiguous()
            .unwrap()
            .flatten_all()
            .unwrap()
            .to_vec1::<f32>()
            .unwrap(),
    );
    assert_eq!(y2, expected);
}

#[test]
fn candle_op_rejects_wrong_width_and_dtype_with_one_line() {
    let layer = QuantLinear::from_qtensor(&quantized(QuantType::Q8_0, N, K, 5)).unwrap();
    let narrow = Tensor::zeros((2, K - 32), candle_core::DType::F32, &Device::Cpu).unwrap();
    let err = layer.forward(&narrow).unwrap_err().to_string();
    assert!(err.contains(&format!("(..., {K})")), "{err}");
    let f16 = Tensor::zeros((2, K), candle_core::DType::F16, &Device::Cpu).unwrap();
    // candle appends a backtrace when RUST_BACKTRACE is set: the message is the first line.
    let err = layer.forward(&f16).unwrap_err().to_string();
    let first = err.lines().next().unwrap_or_default();
    assert!(
        first.contains("takes f32 input") && first.contains("to_dtype"),
        "{err}"
    );
}

/// How far generation's one-row product may stray from the f32 product for output `j` of activation row `x`: on
/// the integer path each activation moves by at most half its block's step (max |x| over its 32 values / 254),
/// so the output moves by at most Σ over blocks of that step times Σ|w| over the block; plus f32 rounding.
fn activation_rounding_bound(w: &[f32], x: &[f32]) -> f32 {
    w.chunks(32)
        .zip(x.chunks(32))
        .map(|(wb, xb)| {
            let step = xb.iter().fold(0f32, |m, v| m.max(v.abs())) / 127.0;
            step / 2.0 * wb.iter().map(|v| v.abs()).sum::<f32>()
        })
        .sum()
}

#[test]
fn matvec_matches_candle_f32_matmul_within_activation_rounding_and_keeps_a_rows_bits_in_any_batch() {
    for (t, dtype) in ALL_TYPES.into_iter().enumerate() {
        let q = quantized(dtype, N, K, 300 + t as u64);
        let w = QuantMatrix::from_qtensor(&q).unwrap();
        let dense = w.dequantize();
        let x = random(3 * K, 301);
        let mut ours = vec![0f32; 3 * N];
        whylm_quant::matvec(&w, &x, &mut ours).unwrap();
        let theirs = candle_reference(&q, &x, 3);
        let scale = theirs.iter().fold(0f32, |a, v| a.max(v.abs()));
        let float_type = matches!(dtype, QuantType::F32 | QuantType::F16 | QuantType::BF16);
        for (o, (p, r)) in ours.iter().zip(&theirs).enumerate() {
            let (i, j) = (o / N, o % N);
            // The 16-bit and f32 types keep f32 activations: only f32 rounding.
            let allowed = 1e-4 * scale
                + if float_type {
                    0.0
                } else {
                    activation_rounding_bound(&dense[j * K..(j + 1) * K], &x[i * K..(i + 1) * K])
                };
            assert!(
                (p - r).abs() <= allowed,
                "{dtype}: output {o} {p} vs {r}, allowed {allowed} (scale {scale})"
            );
        }
        let mut one = vec![0f32; N];
        whylm_quant::matvec(&w, &x[K..2 * K], &mut one).unwrap();
        assert_eq!(
            one.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            ours[N..2 * N].iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            "{dtype}: row 1 alone differs from row 1 of three"
        );
    }
}
