//! The storage type of a model's weight matrices: what the user asks for ([`WeightDtype`], with a
//! memory limit in [`LoadOptions`]) and what a load did ([`DtypeChoice`]).
//!
//! Norm vectors and biases are always f32 (they are tiny); only the matrices (projections, the
//! token embedding and the output head) follow the dtype.

use std::fmt;
use std::str::FromStr;

/// How a load stores the weight matrices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum WeightDtype {
    /// The fastest of the others whose weights fit in the memory limit.
    #[default]
    Auto,
    /// Every matrix as f32 (quantized and 16-bit ones converted at load).
    F32,
    /// Every matrix as IEEE half precision.
    F16,
    /// Every matrix as bfloat16.
    BF16,
    /// Each matrix in its file's type: quantized stays quantized, F16 stays F16, BF16 stays BF16.
    Native,
}

/// Every value, in the order `--dtype` lists them.
pub const WEIGHT_DTYPES: [WeightDtype; 5] = [
    WeightDtype::Auto,
    WeightDtype::F32,
    WeightDtype::F16,
    WeightDtype::BF16,
    WeightDtype::Native,
];

impl WeightDtype {
    pub fn name(self) -> &'static str {
        match self {
            WeightDtype::Auto => "auto",
            WeightDtype::F32 => "f32",
            WeightDtype::F16 => "f16",
            WeightDtype::BF16 => "bf16",
            WeightDtype::Native => "native",
        }
    }
}

impl fmt::Display for WeightDtype {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for WeightDtype {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        WEIGHT_DTYPES
            .into_iter()
            .find(|d| d.name() == wanted)
            .ok_or_else(|| {
                let names: Vec<&str> = WEIGHT_DTYPES.iter().map(|d| d.name()).collect();
                format!("unknown weight dtype '{s}'; use one of {}", names.join(", "))
            })
    }
}

/// What a load is asked to do with the weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LoadOptions {
    pub dtype: WeightDtype,
    /// Bytes the weights and one scoring batch may use together. None: the memory the machine
    /// has available (MemAvailable), or no limit where that is unknown.
    pub max_memory: Option<usize>,
}

/// What a load did with the weights, for `whylm inspect` and the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DtypeChoice {
    /// What was asked for.
    pub requested: WeightDtype,
    /// What ran (never `Auto`).
    pub chosen: WeightDtype,
    /// Why, in a sentence fragment ("the fastest that fits in 2.0 GiB").
    pub reason: String,
    /// Bytes of weight storage as loaded.
    pub weight_bytes: usize,
    /// The memory limit the choice was made against, if any.
    pub max_memory: Option<usize>,
}

impl DtypeChoice {
    /// Why the chosen dtype ran: "as asked", or "asked auto: the fastest that fits in ...".
    pub fn why(&self) -> String {
        if self.requested == self.chosen {
            self.reason.clone()
        } else {
            format!("asked {}: {}", self.requested, self.reason)
        }
    }
}

/// Bytes as "98.1 MiB", "2.0 GiB".
pub fn bytes_text(bytes: usize) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// Parses a memory size: a number with an optional binary unit, "2G", "512M", "1.5GiB", "300000000".
pub fn parse_memory_size(text: &str) -> Result<usize, String> {
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let bad = || {
        format!("'{text}' is not a memory size; write a number with an optional unit, e.g. 2G, 512M, 1.5GiB")
    };
    let value: f64 = number.parse().map_err(|_| bad())?;
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        "t" | "tb" | "tib" => 40,
        _ => return Err(bad()),
    };
    let bytes = value * (1u64 << shift) as f64;
    if !bytes.is_finite() || bytes < 1.0 || bytes > usize::MAX as f64 {
        return Err(format!(
            "{text} is not a usable memory size; give at least 1 byte"
        ));
    }
    Ok(bytes as usize)
}

/// The machine's available memory (MemAvailable in /proc/meminfo), where the system says.
pub fn available_memory() -> Option<usize> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dtypes_parse_by_name_and_refuse_others() {
        for d in WEIGHT_DTYPES {
            assert_eq!(d.name().parse::<WeightDtype>(), Ok(d));
        }
        assert_eq!("BF16".parse::<WeightDtype>(), Ok(WeightDtype::BF16));
        let err = "f8".parse::<WeightDtype>().unwrap_err();
        assert!(err.contains("'f8'") && err.contains("native"), "{err}");
    }

    #[test]
    fn memory_sizes_use_binary_units() {
        assert_eq!(parse_memory_size("2G"), Ok(2 << 30));
        assert_eq!(parse_memory_size("512M"), Ok(512 << 20));
        assert_eq!(parse_memory_size("1.5GiB"), Ok(3 << 29));
        assert_eq!(parse_memory_size("64kb"), Ok(64 << 10));
        assert_eq!(parse_memory_size("1000"), Ok(1000));
        for bad in ["", "G", "2X", "-1G", "1.2.3M", "0"] {
            assert!(parse_memory_size(bad).is_err(), "{bad} parsed");
        }
    }

    #[test]
    fn byte_counts_read_in_binary_units() {
        assert_eq!(bytes_text(512), "512 B");
        assert_eq!(bytes_text(3 << 29), "1.5 GiB");
    }
}
