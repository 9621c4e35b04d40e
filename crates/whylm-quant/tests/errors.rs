//! Construction and shape errors are one-line messages, never panics.

use std::sync::Arc;

use candle_core::quantized::GgmlDType;
use whylm_quant::{matmul, QuantError, QuantMatrix, QuantType};

#[test]
fn wrong_byte_count_is_rejected() {
    // 2 rows x 64 cols of Q4_1 = 4 blocks of 20 bytes.
    let err = QuantMatrix::new(QuantType::Q4_1, 2, 64, Arc::from(vec![0u8; 79])).unwrap_err();
    assert!(
        matches!(
            err,
            QuantError::ByteCount {
                expected: 80,
                found: 79,
                ..
            }
        ),
        "{err}"
    );
    assert!(!err.to_string().contains('\n'));
    assert!(QuantMatrix::new(QuantType::Q4_1, 2, 64, Arc::from(vec![0u8; 80])).is_ok());
}

#[test]
fn cols_must_be_whole_blocks() {
    let err = QuantMatrix::new(QuantType::Q4K, 1, 576, Arc::from(vec![0u8; 0])).unwrap_err();
    assert!(
        matches!(
            err,
            QuantError::BadCols {
                block: 256,
                cols: 576,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn activation_only_types_are_unsupported() {
    for t in [GgmlDType::Q8_1, GgmlDType::Q8K] {
        let err = QuantType::from_ggml(t).unwrap_err();
        assert!(matches!(err, QuantError::Unsupported(_)), "{err}");
    }
}

#[test]
fn shapes_of_x_and_y_are_checked() {
    let w = QuantMatrix::new(QuantType::Q8_0, 3, 32, Arc::from(vec![0u8; 3 * 34])).unwrap();
    let mut y = vec![0f32; 6];
    let err = matmul(&w, &[0.0; 33], &mut y).unwrap_err();
    assert!(
        matches!(err, QuantError::InputShape { found: 33, cols: 32 }),
        "{err}"
    );
    let err = matmul(&w, &[0.0; 64], &mut y[..5]).unwrap_err();
    assert!(
        matches!(
            err,
            QuantError::OutputShape {
                found: 5,
                expected: 6
            }
        ),
        "{err}"
    );
    assert!(matmul(&w, &[0.0; 64], &mut y).is_ok());
}
