//! Matrix multiplication y = x · Wᵀ over GGML-quantized weights (the block layouts of GGUF
//! files), for whylm's CPU forward pass.
//!
//! Why not candle's `QMatMul`: candle 0.11 has SIMD dot products only for Q4_0, Q8_0 and the
//! K-quants; Q4_1, Q5_0 and Q5_1 run a scalar loop (85% of a Q4_1 SmolLM2 evaluation). whylm
//! scores many rows per matmul, so dequantizing a tile of W once and running an f32 kernel on
//! all rows is both faster and exact to f32 rounding (no activation quantization).
//! Generation's one-row product ([`matvec`]), whose time is per weight value rather than per row,
//! rounds the new token's activations to 8 bits and multiplies in integers where the CPU has
//! AVX-512 VNNI, as llama.cpp does (`activation`, `intdot`).
//!
//! ```no_run
//! # fn demo(q: &candle_core::quantized::QTensor, x: &candle_core::Tensor) -> Result<(), Box<dyn std::error::Error>> {
//! let layer = whylm_quant::QuantLinear::from_qtensor(q)?;
//! let y = layer.forward(x)?; // (..., K) -> (..., N)
//! # Ok(()) }
//! ```

mod activation;
mod candle_op;
mod cpu;
mod dequant;
mod dtype;
mod error;
mod intdot;
mod kernel;
mod matmul;
mod matrix;
mod matvec;
mod pack;
mod rowdot;
#[cfg(test)]
mod test_blocks;

pub use candle_op::QuantLinear;
pub use dtype::{QuantType, ALL_TYPES};
pub use error::{QuantError, Result};
pub use matmul::matmul;
pub use matrix::QuantMatrix;
pub use matvec::{matvec, matvec_many};
