//! The layouts of the factor of `L_FF` (docs/theory.md section 1;
//! section 9 for springs): triangular patterns transposed for the
//! triangle faer reads (the free unknowns already numbered in the
//! elimination order, `super::ordering`, so that faer factorises the
//! assembled matrix without a permuted copy); and, for spring networks, a
//! simplicial copy of the supernodal factor without its padding, which
//! their solves read.

use faer::sparse::linalg::cholesky::{
    factorize_symbolic_cholesky, CholeskySymbolicParams, SymbolicCholesky, SymbolicCholeskyRaw,
    SymmetricOrdering,
};
use faer::sparse::{SymbolicSparseColMat, SymbolicSparseColMatRef};
use faer::Side;

/// The simplicial layout of a supernodal factor: the same entries without
/// the explicit zeros the supernodes pad their blocks with. Gathered after
/// each factorisation (one pass) for the solves of spring networks: at
/// 482 nodes the supernodal factorisation is the faster one (0.14 against
/// 0.27 ms) but its solves are the slower (0.14 against 0.11 ms per
/// iteration; docs/benchmarks.md, "Springs against resistors"), and the
/// copy's solves are faster at 10^5 nodes too (one or two drives per
/// block: 107 against 163 ms of solves per iteration). The gather costs
/// about one pass over the factor per factorisation.
#[derive(Debug)]
pub(super) struct SimplicialCopy {
    /// The simplicial analysis of the same matrix in the same order.
    pub(super) symbolic: SymbolicCholesky<usize>,
    /// For every value of the simplicial factor, its index among the
    /// supernodal factor's values (fewer than [`SIMPLICIAL_COPY_MAX_VALUES`]).
    pub(super) gather: Vec<u32>,
}

/// Up to this many values of the supernodal factor a spring network's
/// solves read a [`SimplicialCopy`] (12 bytes more per structural entry:
/// about 130 MB on a 10^5-node Delaunay spring network, whose 14 million
/// stored values hold 10.7 million structural ones). Measured with
/// `imprint bench springs` (docs/benchmarks.md): spring solves 20 %
/// faster at 482 nodes, 16 % at 2 x 10^4 and 34 % at 10^5 nodes; on
/// jammed packings of 2 000 and 5 000 disks within the noise either way.
pub(super) const SIMPLICIAL_COPY_MAX_VALUES: usize = 1 << 25;

impl SimplicialCopy {
    /// The copy for `supernodal`, the analysis of the upper triangle `upper`
    /// (identity ordering); `None` when it is not supernodal.
    pub(super) fn new(
        upper: SymbolicSparseColMatRef<'_, usize>,
        supernodal: &SymbolicCholesky<usize>,
    ) -> Option<Self> {
        let SymbolicCholeskyRaw::Supernodal(blocks) = supernodal.raw() else {
            return None;
        };
        let symbolic = factorize_symbolic_cholesky(
            upper,
            Side::Upper,
            SymmetricOrdering::Identity,
            CholeskySymbolicParams {
                supernodal_flop_ratio_threshold:
                    faer::sparse::linalg::SupernodalThreshold::FORCE_SIMPLICIAL,
                ..Default::default()
            },
        )
        .expect("symbolic Cholesky analysis ran out of memory");
        let SymbolicCholeskyRaw::Simplicial(simple) = symbolic.raw() else {
            unreachable!("forced simplicial");
        };
        let n = upper.ncols();
        let (begin, end) = (blocks.supernode_begin(), blocks.supernode_end());
        let (row_ptr, rows, val_ptr) = (
            blocks.col_ptr_for_row_idx(),
            blocks.row_idx(),
            blocks.col_ptr_for_val(),
        );
        let mut supernode = vec![0usize; n];
        for s in 0..blocks.n_supernodes() {
            supernode[begin[s]..end[s]].fill(s);
        }
        let (col_ptr, row_idx) = (simple.col_ptr(), simple.row_idx());
        let mut gather = Vec::with_capacity(row_idx.len());
        for j in 0..n {
            let s = supernode[j];
            let (start, stop) = (begin[s], end[s]);
            let below = &rows[row_ptr[s]..row_ptr[s + 1]];
            let height = (stop - start) + below.len();
            for &i in &row_idx[col_ptr[j]..col_ptr[j + 1]] {
                let local = if i < stop {
                    i - start
                } else {
                    (stop - start)
                        + below
                            .binary_search(&i)
                            .expect("a structural entry is in its supernode's rows")
                };
                let at = val_ptr[s] + (j - start) * height + local;
                gather.push(u32::try_from(at).expect("within SIMPLICIAL_COPY_MAX_VALUES"));
            }
        }
        Some(Self { symbolic, gather })
    }
}

/// The transpose of a triangular pattern (columns sorted), and where each
/// entry's slot moves: `to[slot]` in the transpose.
pub(super) fn transpose(
    pattern: SymbolicSparseColMatRef<'_, usize>,
) -> (SymbolicSparseColMat<usize>, Vec<usize>) {
    let n = pattern.ncols();
    let mut count = vec![0usize; n + 1];
    for col in 0..n {
        for &row in pattern.row_idx_of_col_raw(col) {
            count[row + 1] += 1;
        }
    }
    for i in 0..n {
        count[i + 1] += count[i];
    }
    let col_ptr = count.clone();
    let mut row_idx = vec![0usize; col_ptr[n]];
    let mut to = vec![0usize; col_ptr[n]];
    let mut slot = 0;
    for col in 0..n {
        for &row in pattern.row_idx_of_col_raw(col) {
            row_idx[count[row]] = col;
            to[slot] = count[row];
            count[row] += 1;
            slot += 1;
        }
    }
    (
        SymbolicSparseColMat::new_checked(n, n, col_ptr, None, row_idx),
        to,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use faer::dyn_stack::{MemBuffer, MemStack};
    use faer::sparse::linalg::cholesky::LltRef;
    use faer::sparse::SparseColMatRef;
    use faer::{Conj, Mat, Par};

    #[test]
    fn the_simplicial_copy_holds_the_supernodal_factors_entries() {
        // A 2D-spring-like pattern: a 12 x 12 triangulated grid of nodes
        // with two unknowns each, ordered by AMD (as the solver orders it
        // at this size), its matrix diagonally dominant.
        let side = 12;
        let node = |x: usize, y: usize| y * side + x;
        let mut bonds = Vec::new();
        for y in 0..side {
            for x in 0..side {
                for (dx, dy) in [(1, 0), (0, 1), (1, 1)] {
                    if x + dx < side && y + dy < side {
                        bonds.push([node(x, y), node(x + dx, y + dy)]);
                    }
                }
            }
        }
        let n = 2 * side * side;
        let mut columns: Vec<Vec<usize>> = (0..n).map(|c| vec![c]).collect();
        for &[i, j] in &bonds {
            let dofs = [2 * i, 2 * i + 1, 2 * j, 2 * j + 1];
            for &a in &dofs {
                for &b in &dofs {
                    if a > b {
                        columns[b].push(a);
                    }
                }
            }
        }
        let lower_of = |columns: &[Vec<usize>]| {
            let (mut col_ptr, mut row_idx) = (vec![0], Vec::new());
            for column in columns {
                let mut column = column.clone();
                column.sort_unstable();
                column.dedup();
                row_idx.extend_from_slice(&column);
                col_ptr.push(row_idx.len());
            }
            SymbolicSparseColMat::new_checked(n, n, col_ptr, None, row_idx)
        };
        let order = super::super::ordering::minimum_degree(lower_of(&columns).as_ref());
        let mut new = vec![0; n];
        for (a, &old) in order.iter().enumerate() {
            new[old] = a;
        }
        let mut renumbered: Vec<Vec<usize>> = (0..n).map(|c| vec![c]).collect();
        for (b, column) in columns.iter().enumerate() {
            for &a in column {
                let (r, c) = (new[a].max(new[b]), new[a].min(new[b]));
                renumbered[c].push(r);
            }
        }
        let lower = lower_of(&renumbered);
        let (upper, _) = transpose(lower.as_ref());
        let supernodal = factorize_symbolic_cholesky(
            upper.as_ref(),
            Side::Upper,
            SymmetricOrdering::Identity,
            CholeskySymbolicParams {
                supernodal_flop_ratio_threshold:
                    faer::sparse::linalg::SupernodalThreshold::FORCE_SUPERNODAL,
                ..Default::default()
            },
        )
        .unwrap();
        let copy = SimplicialCopy::new(upper.as_ref(), &supernodal).unwrap();
        // Values: 30 on the diagonal, -1 elsewhere (positive definite).
        let values: Vec<f64> = (0..n)
            .flat_map(|c| {
                lower
                    .row_idx_of_col_raw(c)
                    .iter()
                    .map(move |&r| if r == c { 30.0 } else { -1.0 })
            })
            .collect();
        let matrix = SparseColMatRef::new(lower.as_ref(), &values);
        let mut factor = vec![0.0; supernodal.len_val()];
        let mut memory = MemBuffer::new(
            supernodal.factorize_numeric_llt_scratch::<f64>(Par::Seq, Default::default()),
        );
        supernodal
            .factorize_numeric_llt(
                &mut factor,
                matrix,
                Side::Lower,
                Default::default(),
                Par::Seq,
                MemStack::new(&mut memory),
                Default::default(),
            )
            .unwrap();
        let gathered: Vec<f64> = copy.gather.iter().map(|&v| factor[v as usize]).collect();
        // Every structural entry, and fewer than the padded blocks hold.
        assert_eq!(gathered.len(), copy.symbolic.len_val());
        assert!(gathered.len() < supernodal.len_val());
        // The copy solves as the supernodal factor does.
        let rhs = Mat::from_fn(n, 3, |r, c| ((r * 7 + c * 3) % 11) as f64 - 5.0);
        let solve = |symbolic: &SymbolicCholesky<usize>, values: &[f64]| {
            let mut x = rhs.clone();
            let mut memory = MemBuffer::new(symbolic.solve_in_place_scratch::<f64>(3, Par::Seq));
            LltRef::new(symbolic, values).solve_in_place_with_conj(
                Conj::No,
                x.as_mut(),
                Par::Seq,
                MemStack::new(&mut memory),
            );
            x
        };
        let (a, b) = (
            solve(&supernodal, &factor),
            solve(&copy.symbolic, &gathered),
        );
        let scale = a.norm_max();
        assert!((&a - &b).norm_max() <= 1e-14 * scale);
    }
}
