//! The fill-reducing elimination order of `L_FF` (docs/theory.md section 1;
//! section 9 for springs): the cheaper, by the factorisation's flop count,
//! of faer's approximate minimum degree (AMD) and METIS's node nested
//! dissection, as CHOLMOD picks among its orderings. AMD wins on small
//! networks, nested dissection on large planar ones, where it leaves
//! 5-22 % fewer entries in the factor and brings it within 6 % of
//! CHOLMOD's best ordering (docs/benchmarks.md, "Fill against CHOLMOD's
//! orderings"). METIS's order is renumbered by a postorder of its
//! elimination tree, without which faer's supernodes break up.
//!
//! Both orderings are deterministic: AMD has no random choices and METIS
//! seeds its generator at every call (its default seed), so an ordering
//! depends only on the pattern.

use std::sync::Mutex;

use faer::dyn_stack::{MemBuffer, MemStack};
use faer::sparse::linalg::amd;
use faer::sparse::linalg::cholesky::simplicial;
use faer::sparse::{SymbolicSparseColMat, SymbolicSparseColMatRef};

/// Which fill-reducing ordering numbered the free unknowns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FillOrdering {
    /// faer's approximate minimum degree.
    MinimumDegree,
    /// METIS's node nested dissection (`METIS_NodeND`, default options).
    NestedDissection,
}

impl FillOrdering {
    /// The name printed in tables: `AMD` or `METIS ND`.
    pub fn name(self) -> &'static str {
        match self {
            Self::MinimumDegree => "AMD",
            Self::NestedDissection => "METIS ND",
        }
    }
}

/// What a symbolic analysis predicts of a factorisation under one ordering.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FactorCount {
    /// Structural entries of the factor `L`, diagonal included (what
    /// CHOLMOD's `nnz(L)` counts; faer's supernodal storage pads it).
    pub entries: usize,
    /// Floating-point operations of the numeric factorisation, counted as
    /// CHOLMOD does: `sum_j c_j^2` over the columns' entry counts `c_j`.
    pub flops: f64,
}

/// The ordering that numbered a solver's free unknowns, with what the
/// symbolic analysis predicted under each candidate
/// ([`crate::physics::Solver::ordering`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OrderingChoice {
    /// The one chosen: the fewer flops, AMD on a tie.
    pub ordering: FillOrdering,
    /// The factor under AMD.
    pub minimum_degree: FactorCount,
    /// The factor under nested dissection; `None` when it was not tried
    /// (fewer than [`NESTED_DISSECTION_MIN_UNKNOWNS`] unknowns) or METIS
    /// could not order the pattern (more adjacency entries than its
    /// 32-bit indices hold, or out of memory).
    pub nested_dissection: Option<FactorCount>,
}

/// An elimination order and why it was chosen.
#[derive(Debug, Clone)]
pub(super) struct Chosen {
    /// `order[new] = old`.
    pub(super) order: Vec<usize>,
    pub(super) choice: OrderingChoice,
}

/// Below this many unknowns nested dissection is not tried. Measured on
/// five seeds each (docs/benchmarks.md): at 2 000 nodes it has 10-16 %
/// fewer flops than AMD on 4 of 5 jammed packings but 11-16 % more on 3
/// of 5 Delaunay triangulations; on the jammed packings of the paper's
/// size CHOLMOD's best ordering is within 0.3 % of AMD; and METIS takes
/// longer than the factorisation it would improve.
pub const NESTED_DISSECTION_MIN_UNKNOWNS: usize = 1000;

/// The cheaper elimination order of a lower-triangular `pattern` by the
/// factorisation's flop count, AMD kept on a tie.
pub(super) fn elimination_order(pattern: SymbolicSparseColMatRef<'_, usize>) -> Chosen {
    // The two orderings are independent: on two cores METIS's time hides
    // AMD's.
    let ((amd, minimum_degree), (dissection, nested)) = rayon::join(
        || {
            let amd = minimum_degree(pattern);
            let count = factor_count(pattern, &amd);
            (amd, count)
        },
        || match (pattern.ncols() >= NESTED_DISSECTION_MIN_UNKNOWNS)
            .then(|| nested_dissection(pattern))
            .flatten()
        {
            Some(order) => {
                let (count, parent) = analyse(pattern, &order);
                let order: Vec<usize> = postorder(&parent).iter().map(|&j| order[j]).collect();
                (Some(order), Some(count))
            }
            None => (None, None),
        },
    );
    let choice = |ordering| OrderingChoice {
        ordering,
        minimum_degree,
        nested_dissection: nested,
    };
    match dissection {
        Some(order) if nested.is_some_and(|count| count.flops < minimum_degree.flops) => Chosen {
            order,
            choice: choice(FillOrdering::NestedDissection),
        },
        _ => Chosen {
            order: amd,
            choice: choice(FillOrdering::MinimumDegree),
        },
    }
}

/// faer's AMD order (`order[new] = old`) of a lower-triangular `pattern`,
/// as its symbolic analysis would run it.
pub(super) fn minimum_degree(pattern: SymbolicSparseColMatRef<'_, usize>) -> Vec<usize> {
    let n = pattern.ncols();
    let (mut order, mut inverse) = (vec![0usize; n], vec![0usize; n]);
    let mut memory = MemBuffer::new(amd::order_maybe_unsorted_scratch::<usize>(
        n,
        pattern.compute_nnz(),
    ));
    amd::order_maybe_unsorted(
        &mut order,
        &mut inverse,
        pattern,
        amd::Control::default(),
        MemStack::new(&mut memory),
    )
    .expect("AMD ordering ran out of memory");
    order
}

/// METIS keeps its random generator's state in globals (GKlib), so two
/// calls at once would race; this lock makes them take turns.
static METIS: Mutex<()> = Mutex::new(());

/// METIS's node nested dissection of a lower-triangular `pattern` (each
/// entry once), as `order[new] = old`; `None` when the graph's adjacency
/// does not fit METIS's 32-bit indices or METIS reports an error.
pub(super) fn nested_dissection(pattern: SymbolicSparseColMatRef<'_, usize>) -> Option<Vec<usize>> {
    use metis_sys::idx_t;
    let n = pattern.ncols();
    // The graph of the pattern: both directions of every off-diagonal
    // entry, no self loops.
    let mut degree = vec![0usize; n + 1];
    for col in 0..n {
        for &row in pattern.row_idx_of_col_raw(col) {
            if row != col {
                degree[row + 1] += 1;
                degree[col + 1] += 1;
            }
        }
    }
    for i in 0..n {
        degree[i + 1] += degree[i];
    }
    if degree[n] > idx_t::MAX as usize || n > idx_t::MAX as usize {
        return None;
    }
    let mut xadj: Vec<idx_t> = degree.iter().map(|&d| d as idx_t).collect();
    let mut next = degree;
    let mut adjncy: Vec<idx_t> = vec![0; next[n]];
    for col in 0..n {
        for &row in pattern.row_idx_of_col_raw(col) {
            if row != col {
                adjncy[next[row]] = col as idx_t;
                next[row] += 1;
                adjncy[next[col]] = row as idx_t;
                next[col] += 1;
            }
        }
    }
    let mut vertices = n as idx_t;
    let mut options = [0 as idx_t; metis_sys::METIS_NOPTIONS as usize];
    let (mut perm, mut iperm) = (vec![0 as idx_t; n], vec![0 as idx_t; n]);
    let status = {
        let _turn = METIS
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // SAFETY: every array has the length METIS_NodeND reads or writes:
        // xadj n + 1, adjncy xadj[n], options METIS_NOPTIONS (filled by
        // METIS_SetDefaultOptions), perm and iperm n; the vertex weights
        // are null (unit weights). The graph is symmetric without self
        // loops, as METIS requires, and the lock keeps its globals to one
        // caller.
        unsafe {
            metis_sys::METIS_SetDefaultOptions(options.as_mut_ptr());
            metis_sys::METIS_NodeND(
                &mut vertices,
                xadj.as_mut_ptr(),
                adjncy.as_mut_ptr(),
                std::ptr::null_mut(),
                options.as_mut_ptr(),
                perm.as_mut_ptr(),
                iperm.as_mut_ptr(),
            )
        }
    };
    if status != metis_sys::rstatus_et_METIS_OK {
        return None;
    }
    // METIS's manual: row `i` of the permuted matrix is row `perm[i]` of
    // the original, so `perm[new] = old` is our order.
    let order: Vec<usize> = perm.iter().map(|&old| old as usize).collect();
    debug_assert!({
        let mut seen = vec![false; n];
        order
            .iter()
            .all(|&old| old < n && !std::mem::replace(&mut seen[old], true))
    });
    Some(order)
}

/// The factor's structural entries and flop count for `pattern` (lower
/// triangle) eliminated in `order` (`order[new] = old`), from the
/// elimination tree's column counts (no factor is formed).
pub(super) fn factor_count(
    pattern: SymbolicSparseColMatRef<'_, usize>,
    order: &[usize],
) -> FactorCount {
    analyse(pattern, order).0
}

/// [`factor_count`] and the elimination tree of the renumbered matrix
/// (`parent[j]`, negative at a root).
fn analyse(
    pattern: SymbolicSparseColMatRef<'_, usize>,
    order: &[usize],
) -> (FactorCount, Vec<isize>) {
    let upper = permuted_upper(pattern, order);
    let n = order.len();
    let mut etree = vec![0isize; n];
    let mut counts = vec![0usize; n];
    let mut memory = MemBuffer::new(simplicial::prefactorize_symbolic_cholesky_scratch::<usize>(
        n,
        upper.compute_nnz(),
    ));
    simplicial::prefactorize_symbolic_cholesky(
        &mut etree,
        &mut counts,
        upper.as_ref(),
        MemStack::new(&mut memory),
    );
    let count = FactorCount {
        entries: counts.iter().sum(),
        flops: counts.iter().map(|&c| (c as f64) * (c as f64)).sum(),
    };
    (count, etree)
}

/// A postorder of the elimination tree `parent` (children before their
/// parent, every subtree's columns consecutive, children in increasing
/// order), as `post[new] = old`. Renumbering by a postorder keeps the
/// fill and makes the chains of the tree consecutive columns, which is
/// what supernodes are made of: METIS's order is not postordered, and
/// without this faer's supernodes on it are fragmented (the factorisation
/// of a 10^6-node network took 1.5x as long as AMD's despite 27 % fewer
/// flops).
fn postorder(parent: &[isize]) -> Vec<usize> {
    let n = parent.len();
    let (mut first_child, mut next_sibling) = (vec![usize::MAX; n], vec![usize::MAX; n]);
    // Children linked in decreasing order so that the lists read increasing.
    for j in (0..n).rev() {
        if let Ok(p) = usize::try_from(parent[j]) {
            next_sibling[j] = first_child[p];
            first_child[p] = j;
        }
    }
    let mut post = Vec::with_capacity(n);
    let mut stack = Vec::new();
    for root in (0..n).filter(|&j| parent[j] < 0) {
        stack.push(root);
        while let Some(&top) = stack.last() {
            let child = first_child[top];
            if child == usize::MAX {
                post.push(top);
                stack.pop();
            } else {
                first_child[top] = next_sibling[child];
                stack.push(child);
            }
        }
    }
    post
}

/// The upper triangle of the symmetric matrix whose lower triangle is
/// `pattern`, renumbered by `order` (`order[new] = old`); columns sorted.
fn permuted_upper(
    pattern: SymbolicSparseColMatRef<'_, usize>,
    order: &[usize],
) -> SymbolicSparseColMat<usize> {
    let n = pattern.ncols();
    let mut new = vec![0usize; n];
    for (a, &old) in order.iter().enumerate() {
        new[old] = a;
    }
    let mut col_ptr = vec![0usize; n + 1];
    for col in 0..n {
        for &row in pattern.row_idx_of_col_raw(col) {
            col_ptr[new[row].max(new[col]) + 1] += 1;
        }
    }
    for i in 0..n {
        col_ptr[i + 1] += col_ptr[i];
    }
    let mut next = col_ptr.clone();
    let mut row_idx = vec![0usize; col_ptr[n]];
    for col in 0..n {
        for &row in pattern.row_idx_of_col_raw(col) {
            let (a, b) = (new[row], new[col]);
            let upper_col = a.max(b);
            row_idx[next[upper_col]] = a.min(b);
            next[upper_col] += 1;
        }
    }
    for col in 0..n {
        row_idx[col_ptr[col]..col_ptr[col + 1]].sort_unstable();
    }
    SymbolicSparseColMat::new_checked(n, n, col_ptr, None, row_idx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use faer::sparse::linalg::cholesky::{
        factorize_symbolic_cholesky, CholeskySymbolicParams, SymmetricOrdering,
    };
    use faer::sparse::linalg::SupernodalThreshold;
    use faer::Side;

    /// The lower triangle of the Laplacian of a `side x side` square grid
    /// with one corner removed (held), in natural order.
    fn grid(side: usize) -> SymbolicSparseColMat<usize> {
        let node = |x: usize, y: usize| (y * side + x) as isize - 1;
        let n = side * side - 1;
        let mut columns: Vec<Vec<usize>> = (0..n).map(|c| vec![c]).collect();
        for y in 0..side {
            for x in 0..side {
                for (dx, dy) in [(1, 0), (0, 1)] {
                    if x + dx < side && y + dy < side {
                        let (a, b) = (node(x, y), node(x + dx, y + dy));
                        if a >= 0 {
                            columns[a as usize].push(b as usize);
                        }
                    }
                }
            }
        }
        let (mut col_ptr, mut row_idx) = (vec![0], Vec::new());
        for column in &mut columns {
            column.sort_unstable();
            row_idx.extend_from_slice(column);
            col_ptr.push(row_idx.len());
        }
        SymbolicSparseColMat::new_checked(n, n, col_ptr, None, row_idx)
    }

    /// The structural entries of the factor as faer's simplicial symbolic
    /// analysis forms them: the independent count.
    fn simplicial_entries(pattern: &SymbolicSparseColMat<usize>, order: &[usize]) -> usize {
        let upper = permuted_upper(pattern.as_ref(), order);
        factorize_symbolic_cholesky(
            upper.as_ref(),
            Side::Upper,
            SymmetricOrdering::Identity,
            CholeskySymbolicParams {
                supernodal_flop_ratio_threshold: SupernodalThreshold::FORCE_SIMPLICIAL,
                ..Default::default()
            },
        )
        .unwrap()
        .len_val()
    }

    fn is_permutation(order: &[usize]) -> bool {
        let mut seen = vec![false; order.len()];
        order
            .iter()
            .all(|&old| old < order.len() && !std::mem::replace(&mut seen[old], true))
    }

    #[test]
    fn the_counts_equal_the_symbolic_factors_entries() {
        let pattern = grid(40);
        let amd = minimum_degree(pattern.as_ref());
        let nd = nested_dissection(pattern.as_ref()).unwrap();
        let natural: Vec<usize> = (0..pattern.ncols()).collect();
        for order in [&amd, &nd, &natural] {
            assert!(is_permutation(order));
            let count = factor_count(pattern.as_ref(), order);
            assert_eq!(count.entries, simplicial_entries(&pattern, order));
            assert!(count.flops >= count.entries as f64);
        }
        // The natural (banded) order fills every band: 40 entries per
        // column, give or take its ends, far above both orderings.
        let banded = factor_count(pattern.as_ref(), &natural).entries;
        assert!(banded > 30 * pattern.ncols(), "{banded}");
    }

    #[test]
    fn a_postorder_keeps_the_fill_and_puts_children_first() {
        let pattern = grid(30);
        let nd = nested_dissection(pattern.as_ref()).unwrap();
        let (count, parent) = analyse(pattern.as_ref(), &nd);
        let post = postorder(&parent);
        assert!(is_permutation(&post));
        let mut at = vec![0; post.len()];
        for (new, &old) in post.iter().enumerate() {
            at[old] = new;
        }
        for (j, &p) in parent.iter().enumerate() {
            if let Ok(p) = usize::try_from(p) {
                assert!(at[j] < at[p], "child {j} after its parent {p}");
            }
        }
        let renumbered: Vec<usize> = post.iter().map(|&j| nd[j]).collect();
        let (after, parent_after) = analyse(pattern.as_ref(), &renumbered);
        assert_eq!(after, count);
        // The renumbered matrix's tree is postordered already: its own
        // postorder is the identity.
        assert_eq!(
            postorder(&parent_after),
            (0..post.len()).collect::<Vec<_>>()
        );
    }

    #[test]
    fn nested_dissection_wins_on_a_large_grid_and_amd_on_a_small_one() {
        // 100 x 100: nested dissection's separators beat minimum degree
        // (the factor's flops grow as n^1.5 under it, faster under AMD).
        let large = grid(100);
        let chosen = elimination_order(large.as_ref());
        let nested = chosen.choice.nested_dissection.unwrap();
        assert_eq!(chosen.choice.ordering, FillOrdering::NestedDissection);
        assert!(nested.flops < 0.9 * chosen.choice.minimum_degree.flops);
        assert_eq!(factor_count(large.as_ref(), &chosen.order), nested);
        // Below the threshold it is not tried.
        let small = grid(20);
        let chosen = elimination_order(small.as_ref());
        assert_eq!(chosen.choice.ordering, FillOrdering::MinimumDegree);
        assert_eq!(chosen.choice.nested_dissection, None);
        assert_eq!(chosen.order, minimum_degree(small.as_ref()));
    }

    #[test]
    fn nested_dissection_is_the_same_on_every_call_and_thread() {
        let pattern = grid(60);
        let first = nested_dissection(pattern.as_ref()).unwrap();
        let again: Vec<Vec<usize>> = {
            use rayon::prelude::*;
            (0..8)
                .into_par_iter()
                .map(|_| nested_dissection(pattern.as_ref()).unwrap())
                .collect()
        };
        assert!(again.iter().all(|order| *order == first));
    }
}
