//! The SwiGLU feed-forward layer: down(silu(gate(x)) * up(x)).

use std::collections::BTreeMap;

use candle_core::Tensor;

use super::loader::Loader;
use crate::error::Result;
use crate::names::{Naming, Role};
use crate::weights::Linear;

#[derive(Debug, Clone)]
enum GateUp {
    Separate {
        gate: Linear,
        up: Linear,
    },
    /// Phi-3: rows [gate; up].
    Fused(Linear),
}

#[derive(Debug, Clone)]
pub(crate) struct Mlp {
    gate_up: GateUp,
    down: Linear,
    intermediate: usize,
}

impl Mlp {
    pub fn load(ld: &mut Loader<'_>, layer: usize) -> Result<Self> {
        let c = ld.config;
        let (h, i) = (c.hidden_size, c.intermediate_size);
        // llama.cpp stores Phi-3's fused gate+up under the name of up, so in a GGUF file it is
        // fused unless a separate gate exists.
        let fused = c.architecture.spec().fused_gate_up
            && (ld.naming == Naming::Gguf || ld.contains(Role::GateUp, layer))
            && !ld.contains(Role::Gate, layer);
        let gate_up = if fused {
            GateUp::Fused(ld.linear(Role::GateUp, layer, 2 * i, h, false)?)
        } else {
            GateUp::Separate {
                gate: ld.linear(Role::Gate, layer, i, h, false)?,
                up: ld.linear(Role::Up, layer, i, h, false)?,
            }
        };
        Ok(Self {
            gate_up,
            down: ld.linear(Role::Down, layer, h, i, false)?,
            intermediate: i,
        })
    }

    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let act = match &self.gate_up {
            GateUp::Separate { gate, up } => (gate.forward(x)?.silu()? * up.forward(x)?)?,
            GateUp::Fused(gu) => {
                let all = gu.forward(x)?;
                let i = self.intermediate;
                (all.narrow(1, 0, i)?.silu()? * all.narrow(1, i, i)?)?
            }
        };
        self.down.forward(&act)
    }

    /// One row (generation's step), with candle's silu (x / (1 + e^-x)).
    pub fn step(&self, x: &[f32]) -> Result<Vec<f32>> {
        let (gate, up) = match &self.gate_up {
            GateUp::Separate { gate, up } => {
                let mut all = Linear::matvec_all(&[gate, up], x)?.into_iter();
                (all.next().unwrap_or_default(), all.next().unwrap_or_default())
            }
            GateUp::Fused(gu) => {
                let mut all = gu.matvec(x)?;
                let up = all.split_off(self.intermediate);
                (all, up)
            }
        };
        let act: Vec<f32> = gate
            .iter()
            .zip(&up)
            .map(|(g, u)| g / (1.0 + (-g).exp()) * u)
            .collect();
        self.down.matvec(&act)
    }

    pub fn hf_tensors(&self, layer: usize, out: &mut BTreeMap<String, Tensor>) -> Result<()> {
        match &self.gate_up {
            GateUp::Separate { gate, up } => {
                gate.hf_tensors(Role::Gate, layer, out)?;
                up.hf_tensors(Role::Up, layer, out)?;
            }
            GateUp::Fused(gu) => gu.hf_tensors(Role::GateUp, layer, out)?,
        }
        self.down.hf_tensors(Role::Down, layer, out)
    }
}
