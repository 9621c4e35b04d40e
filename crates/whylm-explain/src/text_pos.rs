//! Byte positions in text: rounding to char boundaries and finding non-whitespace characters. Token spans may
//! cut characters (byte fallback), so every lookup widens them first.

pub fn floor_char(text: &str, mut pos: usize) -> usize {
    pos = pos.min(text.len());
    while !text.is_char_boundary(pos) {
        pos -= 1;
    }
    pos
}

pub fn ceil_char(text: &str, mut pos: usize) -> usize {
    pos = pos.min(text.len());
    while !text.is_char_boundary(pos) {
        pos += 1;
    }
    pos
}

/// First byte in `text[from..to]` of a non-whitespace char (spans may cut chars: they are widened first).
pub fn first_non_space(text: &str, from: usize, to: usize) -> Option<usize> {
    let (from, to) = (floor_char(text, from), ceil_char(text, to));
    text[from..to.max(from)]
        .char_indices()
        .find(|(_, c)| !c.is_whitespace())
        .map(|(i, _)| from + i)
}

/// Start byte of the last non-whitespace char in `text[from..to]`.
pub fn last_non_space(text: &str, from: usize, to: usize) -> Option<usize> {
    let (from, to) = (floor_char(text, from), ceil_char(text, to));
    text[from..to.max(from)]
        .char_indices()
        .rev()
        .find(|(_, c)| !c.is_whitespace())
        .map(|(i, _)| from + i)
}
