//! What an edge of a network is (docs/theory.md section 9): a resistor, or
//! a central-force spring in 2D, linear about an unstressed reference.
//!
//! The physics fixes the degrees of freedom per node (a voltage, or a
//! displacement in the plane) and each edge's column `q_e` of the
//! generalised incidence matrix, whose product with a state is the edge's
//! drop: `V_i - V_j` for a resistor (section 1's `B`), the extension
//! `b_e . (u_j - u_i)` for a spring (section 9's `Q`). A third physics is a
//! variant here and its [`Physics::dofs_per_node`] and stencil.

use serde::{Deserialize, Serialize};

/// What every edge of a network is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Physics {
    /// Resistors: one voltage per node, currents `k_e dV_e` (the paper's).
    #[default]
    #[serde(rename = "resistive")]
    Resistive,
    /// Central-force springs in 2D, linear about rest lengths equal to the
    /// positions' bond lengths: a displacement `(u_x, u_y)` per node,
    /// tensions `k_e dl_e`.
    #[serde(rename = "spring")]
    Spring2d,
}

impl Physics {
    /// Every physics, in the order names are listed in errors.
    pub const ALL: [Physics; 2] = [Physics::Resistive, Physics::Spring2d];

    /// Its name in files and options: `resistive` or `spring`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Resistive => "resistive",
            Self::Spring2d => "spring",
        }
    }

    /// Degrees of freedom per node: 1 (a voltage) or 2 (a displacement).
    pub fn dofs_per_node(self) -> usize {
        match self {
            Self::Resistive => 1,
            Self::Spring2d => 2,
        }
    }

    /// Rigid-body zero modes of a free network: none for resistors beyond
    /// the common voltage (1); 2 translations and, in an open box, 1
    /// rotation for springs (a periodic box does not allow the rotation).
    pub fn rigid_body_modes(self, periodic: bool) -> usize {
        match self {
            Self::Resistive => 1,
            Self::Spring2d if periodic => 2,
            Self::Spring2d => 3,
        }
    }
}

impl std::fmt::Display for Physics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Physics {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|p| p.name()).collect();
                format!(
                    "unknown physics \"{s}\" (expected one of {})",
                    names.join(", ")
                )
            })
    }
}

/// The non-zeros of one edge's column `q_e` of the generalised incidence
/// matrix: `(degree of freedom, value)`, 2 for a resistor, 4 for a 2D
/// spring. Degrees of freedom are numbered `node * d + component`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EdgeStencil {
    entries: [(usize, f64); 4],
    len: usize,
}

impl EdgeStencil {
    /// A resistor from `i` to `j`: `+1` at `i`, `-1` at `j` (`dV = V_i - V_j`).
    pub fn resistor(i: usize, j: usize) -> Self {
        Self {
            entries: [(i, 1.0), (j, -1.0), (0, 0.0), (0, 0.0)],
            len: 2,
        }
    }

    /// A 2D spring from `i` to `j` along the unit vector `b`: `-b` at `i`,
    /// `+b` at `j` (`dl = b . (u_j - u_i)`).
    pub fn spring_2d(i: usize, j: usize, [bx, by]: [f64; 2]) -> Self {
        Self {
            entries: [(2 * i, -bx), (2 * i + 1, -by), (2 * j, bx), (2 * j + 1, by)],
            len: 4,
        }
    }

    /// One degree of freedom read as it is (`+1` at `dof`): a node
    /// read-out.
    pub fn unit(dof: usize) -> Self {
        Self {
            entries: [(dof, 1.0), (0, 0.0), (0, 0.0), (0, 0.0)],
            len: 1,
        }
    }

    /// A stencil of up to four given non-zeros (for tests of the generic
    /// stencil paths).
    #[doc(hidden)]
    pub fn from_entries(given: &[(usize, f64)]) -> Self {
        assert!(given.len() <= 4, "a stencil holds at most 4 entries");
        let mut entries = [(0, 0.0); 4];
        entries[..given.len()].copy_from_slice(given);
        Self {
            entries,
            len: given.len(),
        }
    }

    /// The non-zeros, `(degree of freedom, value)`.
    pub fn entries(&self) -> &[(usize, f64)] {
        &self.entries[..self.len]
    }

    /// The edge's drop `q_e . x` in a state `x` over the degrees of freedom.
    pub fn drop(&self, x: &[f64]) -> f64 {
        self.drop_in(|dof| x[dof])
    }

    /// [`Self::drop`] with the state read through `value(dof)`.
    pub fn drop_in(&self, value: impl Fn(usize) -> f64) -> f64 {
        self.entries().iter().map(|&(dof, q)| q * value(dof)).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back_and_unknown_ones_list_the_known() {
        for p in Physics::ALL {
            assert_eq!(p.name().parse::<Physics>(), Ok(p));
            assert_eq!(
                serde_json::to_string(&p).unwrap(),
                format!("\"{}\"", p.name())
            );
        }
        let error = "springs".parse::<Physics>().unwrap_err();
        assert!(error.contains("resistive, spring"), "{error}");
        assert_eq!(Physics::default(), Physics::Resistive);
    }

    #[test]
    fn stencils_give_the_drops_of_section_1_and_section_9() {
        let v = [0.5, 2.0, -1.0];
        assert_eq!(EdgeStencil::resistor(0, 2).drop(&v), 1.5);
        // A bond along (0.6, 0.8): u_i = (1, 0), u_j = (0, 1) stretch it by
        // 0.6 * (0 - 1) + 0.8 * (1 - 0) = 0.2.
        let u = [1.0, 0.0, 0.0, 1.0];
        let q = EdgeStencil::spring_2d(0, 1, [0.6, 0.8]);
        assert!((q.drop(&u) - 0.2).abs() < 1e-15);
        assert_eq!(q.entries().len(), 4);
    }
}
