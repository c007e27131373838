//! Regular lattices: test beds with known answers (effective resistances,
//! edge counts) and the networks the solver benchmarks sweep over.

use super::{Network, NetworkError};

/// A `columns x rows` square lattice with unit spacing and unit conductances.
///
/// Node `(c, r)` has index `r * columns + c` and sits at `(c, r)`. With
/// `periodic` the lattice wraps in both directions (a torus in a box of
/// `columns x rows`), which needs at least 3 nodes per side so that no two
/// edges join the same pair.
///
/// Edge counts: open `2 c r - c - r`; periodic `2 c r`.
///
/// Refuses a square lattice of `columns x rows` that cannot be made (what
/// [`square`] checks first).
pub fn check_square(columns: usize, rows: usize, periodic: bool) -> Result<(), NetworkError> {
    super::spec::check_generated_nodes(columns.checked_mul(rows))?;
    let minimum = if periodic { 3 } else { 1 };
    for (parameter, value) in [("columns", columns), ("rows", rows)] {
        if value < minimum {
            return Err(NetworkError::InvalidParameter {
                parameter,
                reason: format!(
                    "{value} is fewer than the {minimum} nodes per side a {} square lattice needs",
                    if periodic { "periodic" } else { "open" }
                ),
            });
        }
    }
    Ok(())
}

/// ```
/// let lattice = imprint::network::lattice::square(4, 3, false).unwrap();
/// assert_eq!(lattice.node_count(), 12);
/// assert_eq!(lattice.edge_count(), 2 * 12 - 4 - 3);
/// ```
pub fn square(columns: usize, rows: usize, periodic: bool) -> Result<Network, NetworkError> {
    square_lattice(columns, rows, periodic, false)
}

/// A square lattice braced by one diagonal per square (from its lower left
/// to its upper right corner): rigid as a spring network, where the plain
/// square lattice has a floppy mode per row and column.
///
/// ```
/// let braced = imprint::network::lattice::braced_square(4, 3, false).unwrap();
/// assert_eq!(braced.edge_count(), (2 * 12 - 4 - 3) + 3 * 2);
/// ```
pub fn braced_square(columns: usize, rows: usize, periodic: bool) -> Result<Network, NetworkError> {
    square_lattice(columns, rows, periodic, true)
}

fn square_lattice(
    columns: usize,
    rows: usize,
    periodic: bool,
    diagonals: bool,
) -> Result<Network, NetworkError> {
    check_square(columns, rows, periodic)?;
    let index = |c: usize, r: usize| r * columns + c;
    let positions = (0..rows)
        .flat_map(|r| (0..columns).map(move |c| [c as f64, r as f64]))
        .collect();
    let mut edges = Vec::with_capacity(2 * columns * rows);
    for r in 0..rows {
        for c in 0..columns {
            if c + 1 < columns || periodic {
                edges.push([index(c, r), index((c + 1) % columns, r)]);
            }
            if r + 1 < rows || periodic {
                edges.push([index(c, r), index(c, (r + 1) % rows)]);
            }
            if diagonals && (c + 1 < columns || periodic) && (r + 1 < rows || periodic) {
                edges.push([index(c, r), index((c + 1) % columns, (r + 1) % rows)]);
            }
        }
    }
    let periodic_box = periodic.then_some([columns as f64, rows as f64]);
    Network::with_uniform_conductance(positions, edges, 1.0, periodic_box)
}

/// Refuses a triangular lattice of `columns x rows` that cannot be made
/// (what [`triangular`] checks first).
pub fn check_triangular(columns: usize, rows: usize, periodic: bool) -> Result<(), NetworkError> {
    super::spec::check_generated_nodes(columns.checked_mul(rows))?;
    if periodic && (rows < 4 || rows % 2 == 1 || columns < 3) {
        return Err(NetworkError::InvalidParameter {
            parameter: "rows",
            reason: format!("a periodic triangular lattice needs an even number of rows >= 4 and >= 3 columns, not {columns} x {rows}"),
        });
    }
    if columns < 1 || rows < 1 || columns * rows < 2 {
        return Err(NetworkError::InvalidParameter {
            parameter: "columns",
            reason: format!("a {columns} x {rows} lattice has no edges"),
        });
    }
    Ok(())
}

/// A triangular lattice of `columns x rows` nodes, unit spacing, unit
/// conductances, every node with up to 6 neighbours (odd rows shifted right
/// by half a spacing).
///
/// Edge counts: open `3 c r - 2 c - 2 r + 1`; periodic `3 c r` (needs an even
/// number of rows, at least 4, and at least 3 columns, so that the shifted
/// rows close up on the torus).
pub fn triangular(columns: usize, rows: usize, periodic: bool) -> Result<Network, NetworkError> {
    check_triangular(columns, rows, periodic)?;
    let index = |c: usize, r: usize| r * columns + c;
    let height = 3f64.sqrt() / 2.0;
    let positions = (0..rows)
        .flat_map(|r| {
            (0..columns).map(move |c| [c as f64 + 0.5 * (r % 2) as f64, r as f64 * height])
        })
        .collect();
    let mut edges = Vec::with_capacity(3 * columns * rows);
    for r in 0..rows {
        for c in 0..columns {
            if c + 1 < columns || periodic {
                edges.push([index(c, r), index((c + 1) % columns, r)]);
            }
            if r + 1 < rows || periodic {
                let up = (r + 1) % rows;
                // Neighbours above: the node straight up the shifted row, and
                // the one half a spacing to the other side.
                let (left, right) = if r % 2 == 0 {
                    (c as isize - 1, c as isize)
                } else {
                    (c as isize, c as isize + 1)
                };
                for col in [left, right] {
                    if (0..columns as isize).contains(&col) || periodic {
                        edges.push([
                            index(c, r),
                            index(col.rem_euclid(columns as isize) as usize, up),
                        ]);
                    }
                }
            }
        }
    }
    let periodic_box = periodic.then_some([columns as f64, rows as f64 * height]);
    Network::with_uniform_conductance(positions, edges, 1.0, periodic_box)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triangular_lattices_have_their_known_edge_counts() {
        for (c, r) in [(2, 2), (5, 3), (7, 8)] {
            assert_eq!(
                triangular(c, r, false).unwrap().edge_count(),
                3 * c * r - 2 * c - 2 * r + 1
            );
        }
        for (c, r) in [(3, 4), (6, 10)] {
            let net = triangular(c, r, true).unwrap();
            assert_eq!(net.edge_count(), 3 * c * r);
            assert!(net.degrees().iter().all(|&d| d == 6));
            // Every edge is one spacing long under the minimum image.
            for e in 0..net.edge_count() {
                let [dx, dy] = net.edge_vector(e);
                assert!((dx.hypot(dy) - 1.0).abs() < 1e-12, "edge {e}");
            }
        }
        let open = triangular(6, 5, false).unwrap();
        for e in 0..open.edge_count() {
            let [dx, dy] = open.edge_vector(e);
            assert!((dx.hypot(dy) - 1.0).abs() < 1e-12, "edge {e}");
        }
        assert!(triangular(4, 5, true).is_err());
    }

    #[test]
    fn square_lattices_have_their_known_edge_counts() {
        for (c, r) in [(2, 2), (5, 3), (10, 10)] {
            assert_eq!(square(c, r, false).unwrap().edge_count(), 2 * c * r - c - r);
        }
        for (c, r) in [(3, 3), (4, 7)] {
            let net = square(c, r, true).unwrap();
            assert_eq!(net.edge_count(), 2 * c * r);
            assert!(net.degrees().iter().all(|&d| d == 4));
        }
        assert!(square(2, 5, true).is_err());
        assert!(square(0, 5, false).is_err());
    }
}
