//! Maskers: every way of removing prompt tokens reduces to a row of equal length with a
//! per-slot attend flag and explicit position ids, so that all coalitions share one batch.

/// One input row of a masked batch. `attend[i] == false` excludes slot i as a key for every
/// query; its token id and position are then irrelevant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaskedRow {
    pub token_ids: Vec<u32>,
    pub attend: Vec<bool>,
    pub position_ids: Vec<u32>,
}

/// What "token absent" means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Masker {
    /// Absent tokens are removed; kept tokens get positions 0..k-1 (equals a shorter sequence).
    Delete,
    /// Absent tokens are excluded from attention; positions are unchanged.
    Hide,
    /// Absent tokens become `baseline`; with `collapse`, each run of absent tokens becomes one
    /// baseline token (positions renumbered over the visible slots).
    Replace { baseline: u32, collapse: bool },
}

impl MaskedRow {
    /// An unmasked sequence: every slot visible, positions 0..n-1.
    pub fn full(token_ids: &[u32]) -> Self {
        Self {
            token_ids: token_ids.to_vec(),
            attend: vec![true; token_ids.len()],
            position_ids: (0..token_ids.len() as u32).collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.token_ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.token_ids.is_empty()
    }

    /// The position that the next token after this row gets: last visible position + 1.
    pub fn next_position(&self) -> u32 {
        self.attend
            .iter()
            .zip(&self.position_ids)
            .filter(|(a, _)| **a)
            .map(|(_, p)| *p + 1)
            .max()
            .unwrap_or(0)
    }

    /// Slot index of the last visible token, if any.
    pub fn last_visible(&self) -> Option<usize> {
        self.attend.iter().rposition(|a| *a)
    }
}

/// Builds the row for one coalition: `keep[i]` says whether input token i is present.
/// Panics never: a `keep` shorter than the input treats the missing entries as kept.
pub fn masked_row(input_ids: &[u32], keep: &[bool], masker: &Masker) -> MaskedRow {
    let kept = |i: usize| keep.get(i).copied().unwrap_or(true);
    let n = input_ids.len();
    let mut row = MaskedRow {
        token_ids: input_ids.to_vec(),
        attend: (0..n).map(kept).collect(),
        position_ids: (0..n as u32).collect(),
    };
    match *masker {
        Masker::Hide => {}
        Masker::Delete => renumber_visible(&mut row),
        Masker::Replace { baseline, collapse } => {
            let mut previous_absent = false;
            for i in 0..n {
                if kept(i) {
                    previous_absent = false;
                    continue;
                }
                row.token_ids[i] = baseline;
                // Without collapse every absent slot shows the baseline; with collapse only the
                // first slot of each absent run does.
                row.attend[i] = !collapse || !previous_absent;
                previous_absent = true;
            }
            if collapse {
                renumber_visible(&mut row);
            }
        }
    }
    row
}

/// Visible slots get positions 0..k-1 in order; hidden slots get position 0 (unused).
fn renumber_visible(row: &mut MaskedRow) {
    let mut next = 0u32;
    for (a, p) in row.attend.iter().zip(row.position_ids.iter_mut()) {
        if *a {
            *p = next;
            next += 1;
        } else {
            *p = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delete_renumbers_kept_tokens() {
        let r = masked_row(&[1, 5, 6, 7], &[true, false, true, true], &Masker::Delete);
        assert_eq!(r.attend, vec![true, false, true, true]);
        assert_eq!(r.position_ids, vec![0, 0, 1, 2]);
        assert_eq!(r.next_position(), 3);
    }

    #[test]
    fn hide_keeps_positions() {
        let r = masked_row(&[1, 5, 6, 7], &[true, false, true, false], &Masker::Hide);
        assert_eq!(r.position_ids, vec![0, 1, 2, 3]);
        assert_eq!(r.next_position(), 3);
        assert_eq!(r.last_visible(), Some(2));
    }

    #[test]
    fn replace_collapse_keeps_one_baseline_per_run() {
        let keep = [true, false, false, true, false];
        let r = masked_row(
            &[1, 5, 6, 7, 8],
            &keep,
            &Masker::Replace {
                baseline: 0,
                collapse: true,
            },
        );
        assert_eq!(r.token_ids, vec![1, 0, 0, 7, 0]);
        assert_eq!(r.attend, vec![true, true, false, true, true]);
        assert_eq!(r.position_ids, vec![0, 1, 0, 2, 3]);
        let plain = masked_row(
            &[1, 5, 6, 7, 8],
            &keep,
            &Masker::Replace {
                baseline: 0,
                collapse: false,
            },
        );
        assert_eq!(plain.attend, vec![true; 5]);
        assert_eq!(plain.position_ids, vec![0, 1, 2, 3, 4]);
    }
}
