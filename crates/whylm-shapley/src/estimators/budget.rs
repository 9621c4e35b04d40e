//! Budget arithmetic shared by the methods' rules.

/// 2^n, saturating: the number of coalitions, which no budget needs to exceed.
pub(crate) fn all_coalitions(n: usize) -> usize {
    if n >= usize::BITS as usize {
        usize::MAX
    } else {
        1usize << n
    }
}

/// The default of the budgeted methods: 20 evaluations per player, at least the minimum, at most
/// every coalition.
pub(crate) fn per_player_default(n: usize, minimum: usize) -> usize {
    (20 * n).max(minimum).min(all_coalitions(n))
}
