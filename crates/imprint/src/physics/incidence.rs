//! The generalised incidence matrix `Q` (docs/theory.md sections 1 and 9):
//! one column per edge, whose product with a state is the edge's drop.
//!
//! Learning and analysis read states only through these drops (Coupled
//! Learning's squared drops, the adjoint gradient's products of drops, the
//! transfer matrix's Jacobian), so they serve every physics through this
//! one type. Resistors keep their pairs `[i, j]` (drop `V_i - V_j`, the hot
//! loops' fast path, bit for bit as before); other physics carry each
//! edge's stencil.

use faer::{Mat, MatRef};

use crate::network::{EdgeStencil, Network, Physics};

/// The drops of a network's edges: `Q^T x` for a state `x`.
#[derive(Debug, Clone, PartialEq)]
pub enum Incidence {
    /// Resistors: `dV_e = V_i - V_j`.
    Pairs(Vec<[usize; 2]>),
    /// Any physics: `dV_e = q_e . x` over the degrees of freedom.
    Stencils(Vec<EdgeStencil>),
}

impl Incidence {
    /// The incidence of `network`'s edges in its physics.
    pub fn of(network: &Network) -> Self {
        match network.physics() {
            Physics::Resistive => Self::Pairs(network.edges().to_vec()),
            _ => Self::Stencils(
                (0..network.edge_count())
                    .map(|e| network.edge_stencil(e))
                    .collect(),
            ),
        }
    }

    /// Edges `E`.
    pub fn len(&self) -> usize {
        match self {
            Self::Pairs(pairs) => pairs.len(),
            Self::Stencils(stencils) => stencils.len(),
        }
    }

    /// Whether there are no edges.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The resistor pairs, when the edges are resistors.
    pub fn pairs(&self) -> Option<&[[usize; 2]]> {
        match self {
            Self::Pairs(pairs) => Some(pairs),
            Self::Stencils(_) => None,
        }
    }

    /// Edge `e`'s stencil.
    pub fn stencil(&self, e: usize) -> EdgeStencil {
        match self {
            Self::Pairs(pairs) => EdgeStencil::resistor(pairs[e][0], pairs[e][1]),
            Self::Stencils(stencils) => stencils[e],
        }
    }

    /// Edge `e`'s drop in the state read through `value(dof)`.
    #[inline]
    pub fn drop_in(&self, e: usize, value: impl Fn(usize) -> f64) -> f64 {
        match self {
            Self::Pairs(pairs) => value(pairs[e][0]) - value(pairs[e][1]),
            Self::Stencils(stencils) => stencils[e].drop_in(value),
        }
    }

    /// The edges `kept`, in that order.
    pub fn subset(&self, kept: &[usize]) -> Self {
        match self {
            Self::Pairs(pairs) => Self::Pairs(kept.iter().map(|&e| pairs[e]).collect()),
            Self::Stencils(stencils) => Self::Stencils(kept.iter().map(|&e| stencils[e]).collect()),
        }
    }

    /// Drops of every edge for every column of `states` (`E x columns`):
    /// the one place per-edge drops of many states are formed.
    pub fn drops(&self, states: MatRef<'_, f64>) -> Mat<f64> {
        match self {
            Self::Pairs(pairs) => super::edge_drops(states, pairs),
            Self::Stencils(stencils) => {
                let mut drops = Mat::zeros(stencils.len(), states.ncols());
                for c in 0..states.ncols() {
                    let column = states.col(c);
                    let mut out = drops.col_mut(c);
                    for (e, q) in stencils.iter().enumerate() {
                        out[e] = q.drop_in(|dof| column[dof]);
                    }
                }
                drops
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_and_their_stencils_give_the_same_drops() {
        let pairs = Incidence::Pairs(vec![[0, 1], [2, 0]]);
        let stencils = Incidence::Stencils(vec![pairs.stencil(0), pairs.stencil(1)]);
        let states = Mat::from_fn(3, 2, |i, c| (i as f64 + 0.5) * (c as f64 - 0.25));
        let (a, b) = (
            pairs.drops(states.as_ref()),
            stencils.drops(states.as_ref()),
        );
        assert_eq!(a, b);
        assert_eq!(a[(1, 0)], states[(2, 0)] - states[(0, 0)]);
        assert_eq!(pairs.subset(&[1]).pairs(), Some(&[[2, 0]][..]));
        assert_eq!(stencils.subset(&[1]).stencil(0), pairs.stencil(1));
    }
}
