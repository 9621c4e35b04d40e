//! A binary tree over the players, for Owen values (`Method::Partition`).

use crate::coalition::Coalition;
use crate::error::ShapleyError;

/// One node: a player, or the union of two subtrees.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    Leaf(usize),
    Split { left: usize, right: usize },
}

/// A binary tree whose leaves are the players 0..n, each exactly once.
#[derive(Debug, Clone, PartialEq)]
pub struct Hierarchy {
    n: usize,
    nodes: Vec<Node>,
    /// Players under each node.
    members: Vec<Coalition>,
    root: usize,
}

/// Nested groups of players, e.g. tokens in words in sentences.
#[derive(Debug, Clone, PartialEq)]
pub enum Group {
    Player(usize),
    Nested(Vec<Group>),
}

impl Hierarchy {
    /// Number of players.
    pub fn num_players(&self) -> usize {
        self.n
    }

    pub(crate) fn root(&self) -> usize {
        self.root
    }

    pub(crate) fn node(&self, id: usize) -> &Node {
        &self.nodes[id]
    }

    pub(crate) fn members(&self, id: usize) -> &Coalition {
        &self.members[id]
    }

    pub(crate) fn num_nodes(&self) -> usize {
        self.nodes.len()
    }

    /// A balanced tree over players in order: each node splits its contiguous range in halves.
    pub fn balanced(n: usize) -> Result<Self, ShapleyError> {
        let group = Group::Nested((0..n).map(Group::Player).collect());
        Hierarchy::from_groups(n, &group)
    }

    /// A tree from nested groups. A group of more than two members is split into two contiguous
    /// halves, recursively (so the tree stays binary and balanced within a group); a group of one is
    /// its member. Every player 0..n must appear exactly once.
    pub fn from_groups(n: usize, group: &Group) -> Result<Self, ShapleyError> {
        let mut b = Builder::new(n);
        let root = b.group(group)?.ok_or_else(|| {
            ShapleyError::InvalidHierarchy("the groups contain no player; give at least one".into())
        })?;
        b.finish(root)
    }

    /// A tree from a scipy-style linkage: `rows[k] = [left, right, distance, size]`, leaves are
    /// 0..M-1 and internal node M+k is row k; `M = rows.len() + 1`. Leaf j is player j.
    pub fn from_linkage(rows: &[[f64; 4]]) -> Result<Self, ShapleyError> {
        let leaves: Vec<Option<usize>> = (0..rows.len() + 1).map(Some).collect();
        Hierarchy::from_linkage_mapped(rows, &leaves, rows.len() + 1)
    }

    /// Like `from_linkage`, but leaf j is player `leaf_players[j]`, or no player when `None` (e.g.
    /// shap's BOS segment, which is always kept: a dummy). A node left with one child becomes that
    /// child; for the Owen values this is exact, since a dummy sibling changes no marginal value.
    pub fn from_linkage_mapped(
        rows: &[[f64; 4]],
        leaf_players: &[Option<usize>],
        n: usize,
    ) -> Result<Self, ShapleyError> {
        let m = leaf_players.len();
        if m == 0 || rows.len() + 1 != m {
            return Err(ShapleyError::InvalidHierarchy(format!(
                "a linkage over {m} leaves needs {} rows, got {}",
                m.saturating_sub(1),
                rows.len()
            )));
        }
        let mut b = Builder::new(n);
        // built[id]: this tree's node for linkage node id (None: no player below it).
        let mut built: Vec<Option<usize>> = Vec::with_capacity(2 * m - 1);
        for &p in leaf_players {
            built.push(match p {
                Some(p) => Some(b.leaf(p)?),
                None => None,
            });
        }
        let mut used = vec![false; 2 * m - 1];
        for (k, row) in rows.iter().enumerate() {
            let mut child = |x: f64| -> Result<Option<usize>, ShapleyError> {
                let id = x as usize;
                if !(x >= 0.0 && x.fract() == 0.0 && id < m + k) {
                    return Err(ShapleyError::InvalidHierarchy(format!(
                        "linkage row {k} refers to node {x}; it may only refer to leaves 0..{m} or earlier rows"
                    )));
                }
                if std::mem::replace(&mut used[id], true) {
                    return Err(ShapleyError::InvalidHierarchy(format!(
                        "linkage node {id} is merged twice (again in row {k}); each node has one parent"
                    )));
                }
                Ok(built[id])
            };
            let (left, right) = (child(row[0])?, child(row[1])?);
            built.push(match (left, right) {
                (Some(l), Some(r)) => Some(b.split(l, r)),
                (one, None) | (None, one) => one,
            });
        }
        let root = built[2 * m - 2]
            .ok_or_else(|| ShapleyError::InvalidHierarchy("no leaf of the linkage is a player".into()))?;
        b.finish(root)
    }
}

struct Builder {
    n: usize,
    nodes: Vec<Node>,
    members: Vec<Coalition>,
    seen: Vec<bool>,
}

impl Builder {
    fn new(n: usize) -> Self {
        Builder {
            n,
            nodes: Vec::new(),
            members: Vec::new(),
            seen: vec![false; n],
        }
    }

    fn leaf(&mut self, p: usize) -> Result<usize, ShapleyError> {
        if p >= self.n {
            return Err(ShapleyError::InvalidHierarchy(format!(
                "player {p} is out of range; the hierarchy is over {} players",
                self.n
            )));
        }
        if std::mem::replace(&mut self.seen[p], true) {
            return Err(ShapleyError::InvalidHierarchy(format!(
                "player {p} appears twice; give each once"
            )));
        }
        self.nodes.push(Node::Leaf(p));
        self.members
            .push(Coalition::from_indices(self.n, [p]).unwrap_or_else(|| Coalition::empty(self.n)));
        Ok(self.nodes.len() - 1)
    }

    fn split(&mut self, left: usize, right: usize) -> usize {
        self.members.push(self.members[left].union(&self.members[right]));
        self.nodes.push(Node::Split { left, right });
        self.nodes.len() - 1
    }

    fn group(&mut self, g: &Group) -> Result<Option<usize>, ShapleyError> {
        match g {
            Group::Player(p) => Ok(Some(self.leaf(*p)?)),
            Group::Nested(children) => {
                let mut ids = Vec::with_capacity(children.len());
                for c in children {
                    if let Some(id) = self.group(c)? {
                        ids.push(id);
                    }
                }
                Ok(self.halves(&ids))
            }
        }
    }

    fn halves(&mut self, ids: &[usize]) -> Option<usize> {
        match ids.len() {
            0 => None,
            1 => Some(ids[0]),
            len => {
                let (l, r) = ids.split_at(len.div_ceil(2));
                let (l, r) = (self.halves(l)?, self.halves(r)?);
                Some(self.split(l, r))
            }
        }
    }

    fn finish(self, root: usize) -> Result<Hierarchy, ShapleyError> {
        if let Some(missing) = self.seen.iter().position(|s| !s) {
            return Err(ShapleyError::InvalidHierarchy(format!(
                "player {missing} is in no leaf; every one of the {} players must be a leaf",
                self.n
            )));
        }
        Ok(Hierarchy {
            n: self.n,
            nodes: self.nodes,
            members: self.members,
            root,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balanced_tree_covers_every_player_once() {
        let h = Hierarchy::balanced(5).unwrap();
        assert_eq!(h.members(h.root()), &Coalition::full(5));
        assert_eq!(h.num_nodes(), 9);
    }

    #[test]
    fn linkage_with_dummy_leaf_collapses_it() {
        // Leaves 0 (dummy), 1, 2: row 0 merges 0 and 1, row 1 merges node 3 and 2.
        let rows = [[0.0, 1.0, 0.1, 2.0], [3.0, 2.0, 0.2, 3.0]];
        let h = Hierarchy::from_linkage_mapped(&rows, &[None, Some(0), Some(1)], 2).unwrap();
        assert_eq!(h.num_nodes(), 3);
        assert_eq!(h.node(h.root()), &Node::Split { left: 0, right: 1 });
    }

    #[test]
    fn bad_linkages_are_errors() {
        assert!(Hierarchy::from_linkage(&[[0.0, 0.0, 0.1, 2.0]]).is_err());
        assert!(Hierarchy::from_linkage(&[[0.0, 2.0, 0.1, 2.0]]).is_err());
        assert!(Hierarchy::from_linkage(&[[0.0, 1.5, 0.1, 2.0]]).is_err());
        assert!(Hierarchy::from_linkage(&[]).is_ok());
        let g = Group::Nested(vec![Group::Player(0), Group::Player(0)]);
        assert!(Hierarchy::from_groups(2, &g).is_err());
        let g = Group::Nested(vec![Group::Player(0)]);
        assert!(Hierarchy::from_groups(2, &g).is_err());
    }
}
