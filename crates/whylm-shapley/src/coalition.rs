//! Coalitions: which players (features) are kept.

use std::fmt;

const WORD_BITS: usize = 64;

/// A set of kept players out of `n`, stored as a bitset (bit i set = player i kept).
///
/// Works for any `n` (token-level features of long prompts need more than 64). Hash + Eq so that
/// coalitions can be cached and deduplicated.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Coalition {
    n: usize,
    words: Vec<u64>,
}

impl Coalition {
    /// No player kept.
    pub fn empty(n: usize) -> Self {
        Coalition {
            n,
            words: vec![0; n.div_ceil(WORD_BITS)],
        }
    }

    /// Every player kept.
    pub fn full(n: usize) -> Self {
        let mut c = Coalition::empty(n);
        for (w, word) in c.words.iter_mut().enumerate() {
            let bits = (n - w * WORD_BITS).min(WORD_BITS);
            *word = if bits == WORD_BITS {
                u64::MAX
            } else {
                (1u64 << bits) - 1
            };
        }
        c
    }

    /// The players in `indices` kept; `None` when an index is not below `n`.
    pub fn from_indices<I: IntoIterator<Item = usize>>(n: usize, indices: I) -> Option<Self> {
        let mut c = Coalition::empty(n);
        for i in indices {
            if !c.insert(i) && i >= n {
                return None;
            }
        }
        Some(c)
    }

    /// The players whose bit is set in `mask` (bit i = player i); bits at or above `n` are ignored.
    pub fn from_mask(n: usize, mask: u64) -> Self {
        let mut c = Coalition::empty(n);
        if let Some(first) = c.words.first_mut() {
            let keep = if n >= WORD_BITS { u64::MAX } else { (1u64 << n) - 1 };
            *first = mask & keep;
        }
        c
    }

    /// Number of players the coalition is over (kept or not).
    pub fn num_players(&self) -> usize {
        self.n
    }

    /// Number of kept players.
    pub fn len(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// True when no player is kept.
    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|&w| w == 0)
    }

    /// Whether player `i` is kept (false for `i >= n`).
    pub fn contains(&self, i: usize) -> bool {
        i < self.n && self.words[i / WORD_BITS] >> (i % WORD_BITS) & 1 == 1
    }

    /// Keeps player `i`. Returns false (and changes nothing) when `i >= n` or it was already kept.
    pub fn insert(&mut self, i: usize) -> bool {
        if i >= self.n || self.contains(i) {
            return false;
        }
        self.words[i / WORD_BITS] |= 1 << (i % WORD_BITS);
        true
    }

    /// Masks player `i`. Returns false (and changes nothing) when it was not kept.
    pub fn remove(&mut self, i: usize) -> bool {
        if !self.contains(i) {
            return false;
        }
        self.words[i / WORD_BITS] &= !(1 << (i % WORD_BITS));
        true
    }

    /// The kept players in increasing order.
    pub fn iter_kept(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(w, &word)| {
            let mut rest = word;
            std::iter::from_fn(move || {
                if rest == 0 {
                    return None;
                }
                let bit = rest.trailing_zeros() as usize;
                rest &= rest - 1;
                Some(w * WORD_BITS + bit)
            })
        })
    }

    /// The players not kept here, kept.
    pub fn complement(&self) -> Self {
        let mut c = Coalition::full(self.n);
        for (out, &w) in c.words.iter_mut().zip(&self.words) {
            *out &= !w;
        }
        c
    }

    /// Players kept in either coalition. Coalitions over different `n` keep this one's `n`.
    pub fn union(&self, other: &Coalition) -> Self {
        let mut c = self.clone();
        for (out, &w) in c.words.iter_mut().zip(&other.words) {
            *out |= w;
        }
        c
    }

    /// Number of players kept in both coalitions.
    pub fn shared_with(&self, other: &Coalition) -> usize {
        self.words
            .iter()
            .zip(&other.words)
            .map(|(a, b)| (a & b).count_ones() as usize)
            .sum()
    }

    /// The low 64 bits as a mask (bit i = player i), for games indexed by bitmask.
    pub fn low_mask(&self) -> u64 {
        self.words.first().copied().unwrap_or(0)
    }
}

impl fmt::Debug for Coalition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// `{0, 3, 5} (3 of 10 kept)`; long lists are shortened so that error messages stay readable.
impl fmt::Display for Coalition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const SHOWN: usize = 24;
        let kept = self.len();
        write!(f, "{{")?;
        for (k, i) in self.iter_kept().take(SHOWN).enumerate() {
            if k > 0 {
                write!(f, ", ")?;
            }
            write!(f, "{i}")?;
        }
        if kept > SHOWN {
            write!(f, ", ...")?;
        }
        write!(f, "}} ({kept} of {} kept)", self.n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_and_empty_over_word_boundaries() {
        for n in [0, 1, 63, 64, 65, 130] {
            assert_eq!(Coalition::full(n).len(), n);
            assert!(Coalition::empty(n).is_empty());
            assert_eq!(Coalition::full(n).complement(), Coalition::empty(n));
        }
    }

    #[test]
    fn insert_contains_iter_beyond_64() {
        let c = Coalition::from_indices(200, [3, 64, 199, 70]).unwrap();
        assert!(c.contains(64) && c.contains(199) && !c.contains(65) && !c.contains(500));
        assert_eq!(c.iter_kept().collect::<Vec<_>>(), vec![3, 64, 70, 199]);
        assert_eq!(c.len(), 4);
        assert_eq!(c.complement().len(), 196);
        assert!(Coalition::from_indices(10, [10]).is_none());
    }

    #[test]
    fn shared_players_are_counted_across_words() {
        let a = Coalition::from_indices(130, [1, 64, 65, 129]).unwrap();
        let b = Coalition::from_indices(130, [1, 2, 65, 128, 129]).unwrap();
        assert_eq!(a.shared_with(&b), 3);
        assert_eq!(a.shared_with(&a.complement()), 0);
    }

    #[test]
    fn mask_round_trip_and_display() {
        let c = Coalition::from_mask(5, 0b1_0110 | 1 << 40);
        assert_eq!(c.low_mask(), 0b1_0110);
        assert_eq!(c.to_string(), "{1, 2, 4} (3 of 5 kept)");
        let mut d = c.clone();
        assert!(d.remove(2) && !d.remove(2) && !d.insert(9));
        assert_ne!(c, d);
    }
}
