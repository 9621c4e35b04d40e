//! Checks on a GGUF file that candle's reader does not make, run before candle reads or allocates: candle divides
//! by `general.alignment` (0 panics) and multiplies a tensor's dimensions unchecked (overflow panics, or wraps to a
//! size that no longer matches the data). Each claim is bounded by the bytes the file really has.

use candle_core::quantized::gguf_file::Content;
use whylm_tokenize::GgufMetadata;

/// `general.alignment`, when present, must be a positive power of two (GGUF's rule; candle divides by it).
pub(crate) fn check_metadata(meta: &GgufMetadata) -> Result<(), String> {
    let Some(value) = meta.get("general.alignment") else {
        return Ok(());
    };
    match value.as_i64() {
        Some(a) if a > 0 && (a as u64).is_power_of_two() => Ok(()),
        _ => Err(format!(
            "general.alignment is {value:?}, not a positive power of two; the file is damaged"
        )),
    }
}

/// Every tensor's shape has an element count that fits, is whole blocks of its type, and its bytes lie inside
/// the file: a tensor that claims 2^40 elements is refused here, before any tensor is read.
pub(crate) fn check_tensors(content: &Content, file_len: u64) -> Result<(), String> {
    let data_start = content.tensor_data_offset;
    for (name, info) in &content.tensor_infos {
        let dims = info.shape.dims();
        let elements = dims
            .iter()
            .try_fold(1usize, |acc, &d| acc.checked_mul(d))
            .ok_or_else(|| format!("tensor '{name}' claims dimensions {dims:?}, whose product overflows; the file is damaged"))?;
        // candle views a tensor's bytes as a slice of blocks: an empty buffer's dangling pointer is misaligned
        // for that (fuzzing found it; undefined behaviour), and no real model has an empty tensor.
        if elements == 0 {
            return Err(format!(
                "tensor '{name}' has dimensions {dims:?}, with no elements; the file is damaged"
            ));
        }
        let block = info.ggml_dtype.block_size();
        if !elements.is_multiple_of(block) {
            return Err(format!(
                "tensor '{name}' has {elements} elements, not a multiple of {block} ({:?} blocks); the file is damaged",
                info.ggml_dtype
            ));
        }
        let bytes = (elements / block) as u128 * info.ggml_dtype.type_size() as u128;
        let end = data_start as u128 + info.offset as u128 + bytes;
        if end > file_len as u128 {
            return Err(format!(
                "tensor '{name}' claims {bytes} bytes at offset {} but the file has only {file_len} bytes; \
                 the file is truncated or damaged, download it again",
                data_start as u128 + info.offset as u128
            ));
        }
    }
    Ok(())
}
