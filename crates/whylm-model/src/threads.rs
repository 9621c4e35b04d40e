//! Thread count of the CPU backend.
//!
//! candle reads the thread count once, lazily: its matmuls (gemm) and rayon use
//! `RAYON_NUM_THREADS`, its quantized kernels use a barrier pool sized from
//! `CANDLE_NUM_THREADS` (falling back to `RAYON_NUM_THREADS`). Both are read on first use, so
//! this must run before the first tensor operation of the process; later calls have no effect
//! on pools that already exist.

/// Sets the number of CPU threads candle uses. Call before loading a model.
pub fn set_num_threads(n: usize) {
    let n = n.max(1).to_string();
    // Edition 2021: set_var is safe; the caller guarantees no other thread reads the
    // environment concurrently (it runs at start-up).
    std::env::set_var("RAYON_NUM_THREADS", &n);
    std::env::set_var("CANDLE_NUM_THREADS", &n);
}

/// The thread count candle will use (or uses) for matmuls.
pub fn num_threads() -> usize {
    candle_core::utils::get_num_threads()
}
