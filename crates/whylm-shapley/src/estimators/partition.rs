//! Owen values over a binary hierarchy, computed as shap's PartitionExplainer does (with its
//! default `fixed_context=None`).
//!
//! A node is explained in a context m00 (the coalition outside it that is kept) knowing
//! f00 = v(m00) and f11 = v(m00 + node). Expanding it evaluates f10 = v(m00 + left) and
//! f01 = v(m00 + right), and each child is then explained in both contexts of its sibling, each with
//! half the weight: left in (m00, f00 -> f10) and (m00 + right, f01 -> f11); right in
//! (m00, f00 -> f01) and (m00 + left, f10 -> f11). A leaf receives weight * (f11 - f00). Expanding
//! the whole tree gives the recursive binary Owen values. Nodes are expanded largest
//! max_t |f11 - f00| * weight first; when the budget runs out, each node still waiting keeps its
//! weight * (f11 - f00), shared among its leaves in proportion to their number (shap's
//! `lower_credit`), so the values are always efficient.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashSet};

use super::budget::per_player_default;
use super::estimate::{ends, Estimate};
use super::spec::{no_limits, BudgetRules, Job, Spec};
use crate::coalition::Coalition;
use crate::error::ShapleyError;
use crate::evaluator::{Evaluator, RowId};
use crate::hierarchy::{Hierarchy, Node};
use crate::method::Method;

pub(crate) const SPEC: Spec = Spec {
    method: Method::Partition,
    name: "partition",
    aliases: &[],
    description: "Owen values over a hierarchy of the features (shap's PartitionExplainer), exact when the budget expands the whole tree",
    budget: BudgetRules {
        // v(empty) and v(full): the root alone, credited to its leaves.
        minimum: |_| 2,
        default: per_player_default,
        limits: no_limits,
    },
    needs_hierarchy: true,
    run,
};

fn run(ev: &mut Evaluator, job: &mut Job) -> Result<Estimate, ShapleyError> {
    match job.hierarchy {
        Some(h) => estimate(ev, h, job.budget),
        // `explain` checks the hierarchy of methods that need one; kept as an error, not a panic.
        None => Err(ShapleyError::MissingHierarchy),
    }
}

/// A node waiting to be expanded in one context.
struct Task {
    priority: f64,
    /// Insertion order: ties are expanded first come, first served (deterministic).
    order: u64,
    node: usize,
    context: Coalition,
    f00: RowId,
    f11: RowId,
    weight: f64,
}

impl PartialEq for Task {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Task {}
impl PartialOrd for Task {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Task {
    fn cmp(&self, other: &Self) -> Ordering {
        self.priority
            .total_cmp(&other.priority)
            .then_with(|| other.order.cmp(&self.order))
    }
}

struct Owen<'h> {
    hierarchy: &'h Hierarchy,
    t: usize,
    queue: BinaryHeap<Task>,
    order: u64,
    /// Per player, n x T flat.
    leaf_values: Vec<f64>,
    /// Per hierarchy node, credit of unexpanded nodes, nodes x T flat.
    node_values: Vec<f64>,
}

impl Owen<'_> {
    /// Queues a node in a context, or credits it at once when it is a leaf.
    fn push(&mut self, ev: &Evaluator, node: usize, context: Coalition, f00: RowId, f11: RowId, weight: f64) {
        let (lo, hi) = (ev.row(f00), ev.row(f11));
        if let Node::Leaf(p) = self.hierarchy.node(node) {
            for s in 0..self.t {
                self.leaf_values[p * self.t + s] += weight * (hi[s] - lo[s]);
            }
            return;
        }
        let spread = lo.iter().zip(hi).map(|(a, b)| (b - a).abs()).fold(0.0, f64::max);
        self.order += 1;
        self.queue.push(Task {
            priority: spread * weight,
            order: self.order,
            node,
            context,
            f00,
            f11,
            weight,
        });
    }

    /// Credits a node left unexpanded to the node itself.
    fn keep_on_node(&mut self, ev: &Evaluator, task: &Task) {
        let (lo, hi) = (ev.row(task.f00), ev.row(task.f11));
        for s in 0..self.t {
            self.node_values[task.node * self.t + s] += task.weight * (hi[s] - lo[s]);
        }
    }

    /// Hands each node's credit down to its leaves, in proportion to their number of players.
    fn lower_credit(&mut self) {
        let h = self.hierarchy;
        let mut stack = vec![(h.root(), vec![0.0; self.t])];
        while let Some((id, mut inherited)) = stack.pop() {
            for (s, x) in inherited.iter_mut().enumerate() {
                *x += self.node_values[id * self.t + s];
            }
            match h.node(id) {
                Node::Leaf(p) => {
                    for (s, x) in inherited.iter().enumerate() {
                        self.leaf_values[p * self.t + s] += x;
                    }
                }
                Node::Split { left, right } => {
                    let total = h.members(id).len() as f64;
                    for child in [*left, *right] {
                        let share = h.members(child).len() as f64 / total;
                        stack.push((child, inherited.iter().map(|x| x * share).collect()));
                    }
                }
            }
        }
    }
}

/// Coalitions per expansion wave: the nodes of one wave are taken from the queue before their children enter
/// it. A fixed number, not the batch size, so that which nodes a budget reaches (and so every value) is the same
/// for any batch size and any machine's memory budget; the evaluator splits a wave into model batches.
const WAVE: usize = 64;

fn estimate(ev: &mut Evaluator, hierarchy: &Hierarchy, budget: usize) -> Result<Estimate, ShapleyError> {
    let (n, t) = (ev.num_players(), ev.num_outputs());
    let (base_id, full_id) = ends(ev)?;
    let mut owen = Owen {
        hierarchy,
        t,
        queue: BinaryHeap::new(),
        order: 0,
        leaf_values: vec![0.0; n * t],
        node_values: vec![0.0; hierarchy.num_nodes() * t],
    };
    owen.push(ev, hierarchy.root(), Coalition::empty(n), base_id, full_id, 1.0);
    // Expansions that hit the cache cost no evaluation; this still bounds the work.
    let mut expansions_left = budget.max(2);
    let mut out_of_budget = false;
    while !owen.queue.is_empty() && !out_of_budget {
        let mut batch: Vec<(Task, usize, usize)> = Vec::new();
        let mut masks: Vec<Coalition> = Vec::new();
        let mut pending: HashSet<Coalition> = HashSet::new();
        while masks.len() < WAVE {
            let Some(task) = owen.queue.pop() else { break };
            let Node::Split { left, right } = *hierarchy.node(task.node) else {
                continue;
            };
            let m10 = task.context.union(hierarchy.members(left));
            let m01 = task.context.union(hierarchy.members(right));
            let pair = [m10, m01];
            let cost = ev.new_cost(&pair, &pending);
            if expansions_left == 0 || ev.evaluations() + pending.len() + cost > budget {
                owen.queue.push(task);
                out_of_budget = true;
                break;
            }
            expansions_left -= 1;
            pending.extend(pair.iter().filter(|c| !ev.is_cached(c)).cloned());
            masks.extend(pair);
            batch.push((task, left, right));
        }
        let rows = ev.rows_of(&masks)?;
        for (k, (task, left, right)) in batch.into_iter().enumerate() {
            let (f10, f01) = (rows[2 * k], rows[2 * k + 1]);
            let w = task.weight / 2.0;
            let (m10, m01) = (&masks[2 * k], &masks[2 * k + 1]);
            owen.push(ev, left, task.context.clone(), task.f00, f10, w);
            owen.push(ev, right, task.context.clone(), task.f00, f01, w);
            owen.push(ev, left, m01.clone(), f01, task.f11, w);
            owen.push(ev, right, m10.clone(), f10, task.f11, w);
        }
    }
    while let Some(task) = owen.queue.pop() {
        owen.keep_on_node(ev, &task);
    }
    owen.lower_credit();
    let phi = (0..n)
        .map(|i| owen.leaf_values[i * t..(i + 1) * t].to_vec())
        .collect();
    Ok(Estimate {
        phi,
        std_err: None,
        base: ev.row(base_id).to_vec(),
        full: ev.row(full_id).to_vec(),
    })
}
