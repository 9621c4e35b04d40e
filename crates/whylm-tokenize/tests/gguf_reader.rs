//! The crate's own GGUF reader: values read back as written, and damaged or hostile headers
//! refused with one-line errors before anything large is allocated.

mod common;

use common::{Gguf, ARRAY, BOOL, STRING, U32};
use whylm_tokenize::{GgufMetadata, MetaValue, TokenizeError, Tokenizer};

fn refused(bytes: &[u8]) -> String {
    let err = GgufMetadata::from_bytes(bytes).expect_err("damaged header was read");
    assert!(matches!(err, TokenizeError::MalformedGgufBytes { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(!msg.contains('\n'), "multi-line error: {msg}");
    msg
}

#[test]
fn values_read_back_as_written_in_v2_and_v3() {
    for version in [2, 3] {
        let mut g = Gguf::new(version, 4);
        g.string_entry("general.name", "tiny");
        g.string("answer").u32(U32).u32(42);
        g.string("flag").u32(BOOL);
        g.bytes.push(1);
        g.strings_entry("list", &["a", "bc"]);
        let meta = GgufMetadata::from_bytes(&g.bytes).unwrap_or_else(|e| panic!("v{version}: {e}"));
        assert_eq!(meta.version(), Some(version));
        assert_eq!(meta.len(), 4);
        assert_eq!(meta.get("general.name").and_then(MetaValue::as_str), Some("tiny"));
        assert_eq!(meta.get("answer"), Some(&MetaValue::U32(42)));
        assert_eq!(meta.get("flag").and_then(MetaValue::as_bool), Some(true));
        let list = meta.get("list").and_then(MetaValue::as_array).map(<[_]>::to_vec);
        assert_eq!(
            list,
            Some(vec![
                MetaValue::String("a".into()),
                MetaValue::String("bc".into())
            ])
        );
    }
}

#[test]
fn a_string_claiming_two_gigabytes_is_refused() {
    let mut g = Gguf::new(3, 1);
    g.u64(1 << 31);
    g.bytes.extend([b'x'; 64]);
    let msg = refused(&g.bytes);
    assert!(msg.contains("2147483648"), "{msg}");
}

#[test]
fn a_billion_array_items_or_entries_are_refused() {
    let mut g = Gguf::new(3, 1);
    g.string("tokenizer.ggml.tokens")
        .u32(ARRAY)
        .u32(STRING)
        .u64(1_000_000_000);
    let msg = refused(&g.bytes);
    assert!(
        msg.contains("1000000000") && msg.contains("tokenizer.ggml.tokens"),
        "{msg}"
    );

    let msg = refused(&Gguf::new(3, 1_000_000_000).bytes);
    assert!(
        msg.contains("1000000000") && msg.contains("metadata count"),
        "{msg}"
    );
}

#[test]
fn a_file_shorter_than_it_claims_is_refused() {
    // an array of a million strings (each at least 8 bytes) in a file of a few dozen bytes
    let mut g = Gguf::new(3, 1);
    g.string("tokenizer.ggml.tokens")
        .u32(ARRAY)
        .u32(STRING)
        .u64(1_000_000);
    let msg = refused(&g.bytes);
    assert!(msg.contains("bytes are left"), "{msg}");

    // a string that claims more bytes than follow
    let mut g = Gguf::new(3, 1);
    g.u64(100);
    g.bytes.extend(b"short");
    let msg = refused(&g.bytes);
    assert!(msg.contains("100") && msg.contains("5 bytes are left"), "{msg}");

    // cut inside a fixed-size field
    let g = Gguf::new(3, 1);
    let msg = refused(&g.bytes[..10]);
    assert!(msg.contains("ends inside"), "{msg}");
}

#[test]
fn unknown_versions_types_and_values_are_refused() {
    assert!(refused(&Gguf::new(1, 0).bytes).contains("version 1"));
    assert!(refused(&Gguf::new(7, 0).bytes).contains("version 7"));
    let mut big_endian = b"GGUF".to_vec();
    big_endian.extend(3u32.to_be_bytes());
    big_endian.extend([0u8; 16]);
    assert!(refused(&big_endian).contains("big-endian"));

    let mut g = Gguf::new(3, 1);
    g.string("odd").u32(99);
    assert!(refused(&g.bytes).contains("unknown value type 99"));

    let mut g = Gguf::new(3, 1);
    g.string("flag").u32(BOOL);
    g.bytes.push(2);
    assert!(refused(&g.bytes).contains("bool"));

    let mut g = Gguf::new(3, 2);
    g.string_entry("k", "a").string_entry("k", "b");
    assert!(refused(&g.bytes).contains("`k` appears twice"));

    let mut g = Gguf::new(3, 1);
    g.string("deep").u32(ARRAY);
    for _ in 0..6 {
        g.u32(ARRAY).u64(1);
    }
    g.u32(U32).u64(1).u32(7);
    assert!(refused(&g.bytes).contains("nests arrays"));

    assert!(refused(b"PK\x03\x04 zip").contains("expected \"GGUF\""));
}

#[test]
fn file_errors_name_the_file() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("claims-too-much.gguf");
    let mut g = Gguf::new(3, 1);
    g.u64(1 << 31);
    g.bytes.extend([b'x'; 64]);
    std::fs::write(&path, &g.bytes).unwrap_or_else(|e| panic!("{e}"));
    let err = Tokenizer::from_gguf_file(&path).expect_err("loaded");
    assert!(matches!(err, TokenizeError::TruncatedGguf { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains("claims-too-much.gguf") && !msg.contains('\n'),
        "{msg}"
    );
}
