//! Run-time CPU feature checks (cached by the standard library), so one binary runs everywhere.

#[cfg(target_arch = "x86_64")]
pub(crate) fn has_avx2_fma() -> bool {
    is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") && is_x86_feature_detected!("f16c")
}

#[cfg(not(target_arch = "x86_64"))]
pub(crate) fn has_avx2_fma() -> bool {
    false
}

/// `WHYLM_QUANT_NO_AVX512=1` forces the AVX2 path (to test it, or to match an AVX2 machine's bits).
#[cfg(target_arch = "x86_64")]
pub(crate) fn has_avx512() -> bool {
    static OK: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *OK.get_or_init(|| {
        is_x86_feature_detected!("avx512f")
            && has_avx2_fma()
            && std::env::var_os("WHYLM_QUANT_NO_AVX512").is_none()
    })
}

/// AVX-512 VNNI with the 256-bit forms (VL) and byte masks (BW): the integer dot products of `intdot`.
/// `WHYLM_QUANT_NO_AVX512=1` turns these off too.
#[cfg(target_arch = "x86_64")]
pub(crate) fn has_vnni() -> bool {
    static OK: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *OK.get_or_init(|| {
        has_avx512()
            && is_x86_feature_detected!("avx512vnni")
            && is_x86_feature_detected!("avx512vl")
            && is_x86_feature_detected!("avx512bw")
    })
}

#[cfg(not(target_arch = "x86_64"))]
pub(crate) fn has_vnni() -> bool {
    false
}
