//! Storage summary of loaded weights, for `whylm inspect`.

use std::collections::BTreeMap;

use crate::weights::Weight;

/// Storage summary of the loaded weights, for `whylm inspect`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WeightStats {
    /// Unique parameters (a tied output head counts once).
    pub parameters: usize,
    /// Bytes of weight storage as loaded.
    pub bytes: usize,
    /// Parameters per storage type ("F32", "Q4_K", ...).
    pub parameters_by_type: BTreeMap<String, usize>,
}

impl WeightStats {
    pub(crate) fn add(&mut self, w: &Weight) {
        let n: usize = w.dims().iter().product();
        self.parameters += n;
        self.bytes += w.storage_bytes();
        *self.parameters_by_type.entry(w.type_name()).or_default() += n;
    }

    /// The storage type holding most parameters.
    pub fn dominant_type(&self) -> String {
        self.parameters_by_type
            .iter()
            .max_by_key(|(_, n)| **n)
            .map(|(t, _)| t.clone())
            .unwrap_or_default()
    }
}
