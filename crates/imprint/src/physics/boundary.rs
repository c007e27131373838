//! Boundary conditions: imposed voltages on a set of constrained nodes `C` and
//! injected currents on others, packed into the drive vector
//! `f = (I_ext, v_C)` of docs/theory.md section 1 (eq. 3-4).

use super::PhysicsError;
use crate::network::Network;

/// The largest imposed voltage (V) or injected current (A) magnitude:
/// 1e50. With conductances at most 1e100 S every current and power of the
/// solution stays finite; beyond it no finite answer is certain.
pub const MAX_SOURCE: f64 = 1e50;

/// Whether `value` may be imposed or injected (finite, at most
/// [`MAX_SOURCE`] in magnitude).
pub fn is_valid_source(value: f64) -> bool {
    (-MAX_SOURCE..=MAX_SOURCE).contains(&value)
}

/// Imposed voltages and injected currents on a network's nodes.
///
/// The order of [`fixed`](Self::fixed) defines the constrained set `C` and the
/// order of the multipliers `mu` (one per fixed node) in every solution.
///
/// ```
/// use imprint::physics::BoundaryConditions;
/// let bc = BoundaryConditions::new().fix(0, 0.0).fix(3, 1.0).inject(2, 1e-3);
/// assert_eq!(bc.fixed_nodes(), vec![0, 3]);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BoundaryConditions {
    fixed: Vec<(usize, f64)>,
    injected: Vec<(usize, f64)>,
}

impl BoundaryConditions {
    /// No conditions.
    pub fn new() -> Self {
        Self::default()
    }

    /// Holds `node` at `volts`.
    pub fn fix(mut self, node: usize, volts: f64) -> Self {
        self.fixed.push((node, volts));
        self
    }

    /// Injects `amps` into `node` (negative values draw current out).
    pub fn inject(mut self, node: usize, amps: f64) -> Self {
        self.injected.push((node, amps));
        self
    }

    /// `(node, volts)` of every fixed node, in the order of `C`.
    pub fn fixed(&self) -> &[(usize, f64)] {
        &self.fixed
    }

    /// `(node, amps)` of every node with an injected current.
    pub fn injected(&self) -> &[(usize, f64)] {
        &self.injected
    }

    /// The constrained nodes `C`, in order.
    pub fn fixed_nodes(&self) -> Vec<usize> {
        self.fixed.iter().map(|&(node, _)| node).collect()
    }

    /// Checks the conditions against `network`: nodes exist, values are
    /// finite, no node is fixed twice, injected twice, or both fixed and
    /// injected, and at least one node is fixed. (Whether every connected
    /// part is reached by a fixed node is checked when a
    /// [`Solver`](super::Solver) is built.)
    pub fn validate(&self, network: &Network) -> Result<(), PhysicsError> {
        let node_count = network.node_count();
        let mut role: Vec<Option<&'static str>> = vec![None; node_count];
        let fixed = self.fixed.iter().map(|&(n, v)| ("fixed", n, v));
        let injected = self.injected.iter().map(|&(n, v)| ("injected", n, v));
        for (what, node, value) in fixed.chain(injected) {
            if node >= node_count {
                return Err(PhysicsError::UnknownNode {
                    role: what,
                    node,
                    node_count,
                });
            }
            if !is_valid_source(value) {
                return Err(PhysicsError::NonFiniteValue {
                    role: what,
                    node,
                    value,
                });
            }
            if let Some(first) = role[node] {
                return Err(PhysicsError::ConflictingBoundary {
                    node,
                    first,
                    second: what,
                });
            }
            role[node] = Some(what);
        }
        if self.fixed.is_empty() {
            return Err(PhysicsError::NoFixedNodes);
        }
        Ok(())
    }

    /// The drive vector `f = (I_ext, v_C)` of length `N + |C|`.
    pub fn drive(&self, node_count: usize) -> Vec<f64> {
        let mut f = vec![0.0; node_count + self.fixed.len()];
        for &(node, amps) in &self.injected {
            f[node] += amps;
        }
        for (c, &(_, volts)) in self.fixed.iter().enumerate() {
            f[node_count + c] = volts;
        }
        f
    }
}
