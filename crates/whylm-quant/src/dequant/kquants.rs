//! Dequantization of the 256-value K-quant blocks (Q2_K..Q6_K), one block per call, with the
//! same arithmetic as GGML's reference dequantizer so the values match candle's bit for bit.
//! Byte offsets follow the C structs (`block_q4_K` etc. in ggml-common.h).

use half::f16;

#[inline(always)]
fn half_at(b: &[u8], at: usize) -> f32 {
    f16::from_le_bytes([b[at], b[at + 1]]).to_f32()
}

/// Scale and min of sub-block `j` (0..8) from the 12 packed 6-bit pairs of Q4_K / Q5_K.
#[inline(always)]
pub(crate) fn scale_min_k4(j: usize, s: &[u8]) -> (u8, u8) {
    if j < 4 {
        (s[j] & 63, s[j + 4] & 63)
    } else {
        (
            (s[j + 4] & 0x0F) | ((s[j - 4] >> 6) << 4),
            (s[j + 4] >> 4) | ((s[j] >> 6) << 4),
        )
    }
}

/// Layout: scales[16] (min << 4 | scale), qs[64] (2 bits), d, dmin.
#[inline(always)]
pub(super) fn q2k(b: &[u8; 84], y: &mut [f32; 256]) {
    let d = half_at(b, 80);
    let dmin = half_at(b, 82);
    for half in 0..2 {
        let qs = &b[16 + 32 * half..16 + 32 * half + 32];
        for j in 0..4 {
            let shift = 2 * j;
            for g in 0..2 {
                let sc = b[8 * half + 2 * j + g];
                let dl = d * (sc & 0x0F) as f32;
                let ml = dmin * (sc >> 4) as f32;
                let base = 128 * half + 32 * j + 16 * g;
                for i in 0..16 {
                    y[base + i] = dl * ((qs[16 * g + i] >> shift) & 3) as f32 - ml;
                }
            }
        }
    }
}

/// The 16 signed 6-bit scales of Q3_K: low nibbles from bytes 0..8, high pairs from 8..12.
#[inline(always)]
fn q3k_scales(s: &[u8]) -> [i8; 16] {
    let mut out = [0i8; 16];
    for (j, o) in out.iter_mut().enumerate() {
        let low = if j < 8 { s[j] & 0x0F } else { s[j - 8] >> 4 };
        let high = (s[8 + j % 4] >> (2 * (j / 4))) & 3;
        *o = (low | (high << 4)) as i8 - 32;
    }
    out
}

/// Layout: hmask[32] (3rd bit, clear = subtract 4), qs[64] (low 2 bits), scales[12], d.
#[inline(always)]
pub(super) fn q3k(b: &[u8; 110], y: &mut [f32; 256]) {
    let d = half_at(b, 108);
    let scales = q3k_scales(&b[96..108]);
    let hmask = &b[0..32];
    for half in 0..2 {
        let qs = &b[32 + 32 * half..32 + 32 * half + 32];
        for j in 0..4 {
            let shift = 2 * j;
            let bit = 1u8 << (4 * half + j);
            for g in 0..2 {
                let dl = d * scales[8 * half + 2 * j + g] as f32;
                let base = 128 * half + 32 * j + 16 * g;
                for i in 0..16 {
                    let l = 16 * g + i;
                    let low = ((qs[l] >> shift) & 3) as i8;
                    let q = low - if hmask[l] & bit == 0 { 4 } else { 0 };
                    y[base + i] = dl * q as f32;
                }
            }
        }
    }
}

/// Layout: d, dmin, scales[12], qs[128] (4 bits; 64-value chunks, low nibbles first).
#[inline(always)]
pub(super) fn q4k(b: &[u8; 144], y: &mut [f32; 256]) {
    let d = half_at(b, 0);
    let dmin = half_at(b, 2);
    let scales = &b[4..16];
    for j in 0..4 {
        let qs = &b[16 + 32 * j..16 + 32 * j + 32];
        let (s1, m1) = scale_min_k4(2 * j, scales);
        let (s2, m2) = scale_min_k4(2 * j + 1, scales);
        let (d1, m1) = (d * s1 as f32, dmin * m1 as f32);
        let (d2, m2) = (d * s2 as f32, dmin * m2 as f32);
        for i in 0..32 {
            y[64 * j + i] = d1 * (qs[i] & 0x0F) as f32 - m1;
            y[64 * j + 32 + i] = d2 * (qs[i] >> 4) as f32 - m2;
        }
    }
}

/// Layout: d, dmin, scales[12], qh[32] (5th bits, two per chunk), qs[128].
#[inline(always)]
pub(super) fn q5k(b: &[u8; 176], y: &mut [f32; 256]) {
    let d = half_at(b, 0);
    let dmin = half_at(b, 2);
    let scales = &b[4..16];
    let qh = &b[16..48];
    for j in 0..4 {
        let qs = &b[48 + 32 * j..48 + 32 * j + 32];
        let (s1, m1) = scale_min_k4(2 * j, scales);
        let (s2, m2) = scale_min_k4(2 * j + 1, scales);
        let (d1, m1) = (d * s1 as f32, dmin * m1 as f32);
        let (d2, m2) = (d * s2 as f32, dmin * m2 as f32);
        let (u1, u2) = (1u8 << (2 * j), 2u8 << (2 * j));
        for i in 0..32 {
            let h1 = if qh[i] & u1 != 0 { 16f32 } else { 0f32 };
            let h2 = if qh[i] & u2 != 0 { 16f32 } else { 0f32 };
            y[64 * j + i] = d1 * ((qs[i] & 0x0F) as f32 + h1) - m1;
            y[64 * j + 32 + i] = d2 * ((qs[i] >> 4) as f32 + h2) - m2;
        }
    }
}

/// Layout: ql[128] (low 4 bits), qh[64] (high 2 bits), scales[16] (i8), d.
#[inline(always)]
pub(super) fn q6k(b: &[u8; 210], y: &mut [f32; 256]) {
    let d = half_at(b, 208);
    for half in 0..2 {
        let ql = &b[64 * half..64 * half + 64];
        let qh = &b[128 + 32 * half..128 + 32 * half + 32];
        let sc = &b[192 + 8 * half..192 + 8 * half + 8];
        let ys = &mut y[128 * half..128 * half + 128];
        for l in 0..32 {
            let is = l / 16;
            let q1 = ((ql[l] & 0x0F) | ((qh[l] & 3) << 4)) as i8 - 32;
            let q2 = ((ql[l + 32] & 0x0F) | (((qh[l] >> 2) & 3) << 4)) as i8 - 32;
            let q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) as i8 - 32;
            let q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) as i8 - 32;
            ys[l] = d * sc[is] as i8 as f32 * q1 as f32;
            ys[l + 32] = d * sc[is + 2] as i8 as f32 * q2 as f32;
            ys[l + 64] = d * sc[is + 4] as i8 as f32 * q3 as f32;
            ys[l + 96] = d * sc[is + 6] as i8 as f32 * q4 as f32;
        }
    }
}
