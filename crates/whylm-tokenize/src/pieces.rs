//! How a vocabulary piece maps back to the bytes of text it stands for.
//!
//! SentencePiece pieces write a space as `▁` and a byte-fallback token as `<0xNN>`; GPT-2 style
//! byte-level pieces write every byte as one printable character (`Ġ` is a space). Spans and
//! human-readable pieces both need the bytes behind a piece, so the two conventions live here.

use std::collections::HashMap;
use std::sync::OnceLock;

/// The SentencePiece word-boundary marker that stands for a space.
pub const SPM_SPACE: char = '\u{2581}';

/// How the pieces of a vocabulary encode text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PieceStyle {
    /// `▁` for a space, `<0xNN>` for a byte-fallback token, anything else is literal UTF-8.
    SentencePiece,
    /// GPT-2 byte-to-unicode mapping: every character of a piece is one byte.
    ByteLevel,
    /// Pieces are literal text.
    Plain,
}

/// GPT-2's reversible byte -> printable char table (bytes that are printable map to themselves,
/// the rest to U+0100 upwards in byte order).
fn byte_to_char_table() -> &'static [char; 256] {
    static TABLE: OnceLock<[char; 256]> = OnceLock::new();
    TABLE.get_or_init(|| {
        let printable = |b: u32| {
            (u32::from(b'!')..=u32::from(b'~')).contains(&b)
                || (0xA1..=0xAC).contains(&b)
                || (0xAE..=0xFF).contains(&b)
        };
        let mut table = ['\0'; 256];
        let mut next_extra = 256u32;
        for (b, slot) in table.iter_mut().enumerate() {
            let b = b as u32;
            let code = if printable(b) {
                b
            } else {
                let c = next_extra;
                next_extra += 1;
                c
            };
            // Every code here is below U+0200, so it is always a valid char.
            *slot = char::from_u32(code).unwrap_or('\u{FFFD}');
        }
        table
    })
}

fn char_to_byte_table() -> &'static HashMap<char, u8> {
    static TABLE: OnceLock<HashMap<char, u8>> = OnceLock::new();
    TABLE.get_or_init(|| {
        byte_to_char_table()
            .iter()
            .enumerate()
            .map(|(b, &c)| (c, b as u8))
            .collect()
    })
}

/// Decodes a byte-level piece; `None` when a character is outside the byte alphabet (such pieces
/// are added tokens written as literal text).
pub fn byte_level_decode(piece: &str) -> Option<Vec<u8>> {
    let table = char_to_byte_table();
    piece.chars().map(|c| table.get(&c).copied()).collect()
}

/// Parses a SentencePiece byte-fallback piece `<0xNN>`.
pub fn spm_byte(piece: &str) -> Option<u8> {
    let hex = piece.strip_prefix("<0x")?.strip_suffix('>')?;
    if hex.len() != 2 {
        return None;
    }
    u8::from_str_radix(hex, 16).ok()
}

/// The bytes of text a piece stands for (`literal` pieces, such as special tokens, stand for
/// their own text).
pub fn surface_bytes(style: PieceStyle, piece: &str, literal: bool) -> Vec<u8> {
    if literal {
        return piece.as_bytes().to_vec();
    }
    match style {
        PieceStyle::SentencePiece => match spm_byte(piece) {
            Some(b) => vec![b],
            None => piece.replace(SPM_SPACE, " ").into_bytes(),
        },
        PieceStyle::ByteLevel => byte_level_decode(piece).unwrap_or_else(|| piece.as_bytes().to_vec()),
        PieceStyle::Plain => piece.as_bytes().to_vec(),
    }
}

/// Renders bytes for people: valid UTF-8 as text, every invalid byte as `<0xNN>`.
pub fn bytes_for_display(bytes: &[u8]) -> String {
    let mut out = String::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                out.push_str(s);
                break;
            }
            Err(e) => {
                let (good, bad) = rest.split_at(e.valid_up_to());
                // `good` is valid by construction.
                out.push_str(std::str::from_utf8(good).unwrap_or_default());
                let n_bad = e.error_len().unwrap_or(bad.len()).max(1);
                for b in &bad[..n_bad] {
                    out.push_str(&format!("<0x{b:02X}>"));
                }
                rest = &bad[n_bad..];
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_level_table_matches_gpt2_landmarks() {
        let t = byte_to_char_table();
        assert_eq!(t[b' ' as usize], 'Ġ');
        assert_eq!(t[b'\n' as usize], 'Ċ');
        assert_eq!(t[b'A' as usize], 'A');
        assert_eq!(t[0xF0], 'ð');
        let distinct: std::collections::HashSet<char> = t.iter().copied().collect();
        assert_eq!(distinct.len(), 256);
    }

    #[test]
    fn byte_level_round_trip() {
        assert_eq!(byte_level_decode("Ġthe").as_deref(), Some(&b" the"[..]));
        assert_eq!(byte_level_decode("ðŁ¦Ļ").as_deref(), Some("🦙".as_bytes()));
        assert_eq!(
            byte_level_decode("<|endoftext|>").as_deref(),
            Some(&b"<|endoftext|>"[..])
        );
        assert_eq!(byte_level_decode("日"), None);
    }

    #[test]
    fn spm_surfaces() {
        assert_eq!(spm_byte("<0x0A>"), Some(b'\n'));
        assert_eq!(spm_byte("<0x0A"), None);
        assert_eq!(spm_byte("<0xABC>"), None);
        assert_eq!(surface_bytes(PieceStyle::SentencePiece, "▁the", false), b" the");
        assert_eq!(
            surface_bytes(PieceStyle::SentencePiece, "<0xE2>", false),
            vec![0xE2]
        );
        assert_eq!(
            surface_bytes(PieceStyle::SentencePiece, "<0xE2>", true),
            b"<0xE2>"
        );
    }

    #[test]
    fn display_escapes_only_invalid_bytes() {
        assert_eq!(bytes_for_display(b"a\n"), "a\n");
        assert_eq!(bytes_for_display(&[b'x', 0xF0, 0x9F]), "x<0xF0><0x9F>");
        assert_eq!(bytes_for_display("🦙".as_bytes()), "🦙");
    }
}
