//! The pieces of a Llama-family model, each with `load` (from a checkpoint's tensors),
//! `forward` and `hf_tensors` (for export): [`Embedding`], [`RmsNorm`], attention, MLP,
//! [`Block`] and the output [`Head`].

mod attend;
mod attention;
mod block;
mod embedding;
mod head;
mod loader;
mod mlp;
mod norm;
mod slot_cache;
mod softmax;

pub(crate) use attention::LayerKv;
pub(crate) use block::Block;
pub(crate) use embedding::Embedding;
pub(crate) use head::Head;
pub(crate) use loader::Loader;
pub(crate) use norm::RmsNorm;
pub(crate) use slot_cache::SlotCache;

use candle_core::Tensor;

/// What every layer of one forward pass shares: the rotary tables gathered for the slots'
/// positions, the additive attention mask (batch, 1, seq, keys) and the pass's shape.
pub(crate) struct PassContext<'a> {
    pub cos: &'a Tensor,
    pub sin: &'a Tensor,
    pub mask: &'a Tensor,
    pub batch: usize,
    pub seq: usize,
    /// Use only ops with a backward pass (candle's fused kernels have none).
    pub autograd: bool,
    /// Return every layer's attention probabilities (otherwise they are dropped as soon as they are used).
    pub keep_probs: bool,
}
