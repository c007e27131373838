//! Central-force spring networks in 2D, linear about an unstressed
//! reference (docs/theory.md section 9): the compatibility matrix `Q`, the
//! stiffness matrix `K = Q diag(k) Q^T`, zero modes, and the response to
//! held displacement components, all dense. This is the exact reference the
//! sparse spring path will be tested against (issue 28), as
//! [`super::physical_hessian_dense`] is for resistors; it forms `2N x 2N`
//! matrices, so it is for small networks only.
//!
//! Degrees of freedom are numbered `2 node + component` (component 0 is `x`,
//! 1 is `y`). Bond `e = (i, j)` has the unit vector `b_e` from `i` to `j`
//! (minimum image in a periodic box) and extension
//! `dl_e = b_e . (u_j - u_i) = q_e . u`.

use faer::linalg::solvers::Solve;
use faer::Mat;

use super::PhysicsError;
use crate::network::Network;

/// Singular values below this fraction of the largest count as zero when
/// zero modes are counted.
pub const ZERO_MODE_TOLERANCE: f64 = 1e-10;

/// The unit vector `b_e` of every bond, from its first node to its second.
pub fn bond_directions(network: &Network) -> Vec<[f64; 2]> {
    (0..network.edge_count())
        .map(|e| network.bond_direction(e))
        .collect()
}

/// The compatibility matrix `Q` (`2N x E`): column `e` holds `-b_e` in node
/// `i`'s two rows and `+b_e` in node `j`'s, so `Q^T u` are the extensions.
pub fn compatibility_dense(network: &Network) -> Mat<f64> {
    let mut q = Mat::zeros(2 * network.node_count(), network.edge_count());
    for (e, (&[i, j], b)) in network
        .edges()
        .iter()
        .zip(bond_directions(network))
        .enumerate()
    {
        for c in 0..2 {
            q[(2 * i + c, e)] -= b[c];
            q[(2 * j + c, e)] += b[c];
        }
    }
    q
}

/// The stiffness matrix `K = Q diag(k) Q^T` (`2N x 2N`) for stiffnesses `k`.
pub fn stiffness_dense(network: &Network, k: &[f64]) -> Mat<f64> {
    stiffness_of(&compatibility_dense(network), k)
}

/// `Q diag(k) Q^T` for a compatibility matrix `q`.
fn stiffness_of(q: &Mat<f64>, k: &[f64]) -> Mat<f64> {
    let weighted = Mat::from_fn(q.nrows(), q.ncols(), |r, e| q[(r, e)] * k[e]);
    &weighted * q.transpose()
}

/// The zero modes left when the degrees of freedom `held` are fixed: the
/// displacements of the others that stretch no bond.
#[derive(Debug, Clone, PartialEq)]
pub struct ZeroModes {
    /// How many independent zero modes there are.
    pub count: usize,
    /// The nodes that move in at least one of them, ascending.
    pub moving_nodes: Vec<usize>,
}

/// The zero modes of `network` with the degrees of freedom `held` fixed
/// (the null space of `Q^T` restricted to the free degrees of freedom, by
/// its singular value decomposition: singular values up to
/// [`ZERO_MODE_TOLERANCE`] of the largest count as zero). Every held
/// degree of freedom must be below `2N` ([`solve_dense`] checks it).
///
/// # Panics
///
/// If a held degree of freedom is `2N` or more.
pub fn zero_modes(network: &Network, held: &[usize]) -> ZeroModes {
    zero_modes_of(&compatibility_dense(network), held)
}

/// [`zero_modes`] for a compatibility matrix `q` (`2N x E`).
fn zero_modes_of(q: &Mat<f64>, held: &[usize]) -> ZeroModes {
    let mut is_held = vec![false; q.nrows()];
    for &d in held {
        is_held[d] = true;
    }
    let free: Vec<usize> = (0..q.nrows()).filter(|&d| !is_held[d]).collect();
    if free.is_empty() {
        return ZeroModes {
            count: 0,
            moving_nodes: Vec::new(),
        };
    }
    // Q_F^T (E x F): its null space is the zero modes.
    let compat = Mat::from_fn(q.ncols(), free.len(), |e, a| q[(free[a], e)]);
    let svd = compat
        .svd()
        .expect("singular value decomposition converges");
    let values: Vec<f64> = svd.S().column_vector().iter().copied().collect();
    let largest = values.iter().copied().fold(0.0, f64::max);
    // Right singular vectors with a zero singular value, and those beyond
    // the E singular values there are when E < F, span the zero modes.
    let zero: Vec<usize> = (0..free.len())
        .filter(|&m| {
            values
                .get(m)
                .is_none_or(|&v| v <= ZERO_MODE_TOLERANCE * largest)
        })
        .collect();
    let mut moving = vec![false; q.nrows() / 2];
    for &m in &zero {
        for (a, &d) in free.iter().enumerate() {
            if svd.V()[(a, m)].abs() > 1e-8 {
                moving[d / 2] = true;
            }
        }
    }
    let count = zero.len();
    ZeroModes {
        count,
        moving_nodes: (0..moving.len()).filter(|&i| moving[i]).collect(),
    }
}

/// The linear response of a spring network to held displacement components.
#[derive(Debug, Clone, PartialEq)]
pub struct SpringResponse {
    /// Displacement of every degree of freedom (`2N`).
    pub displacements: Vec<f64>,
    /// Extension `dl_e = q_e . u` of every bond.
    pub extensions: Vec<f64>,
    /// Tension `t_e = k_e dl_e` of every bond.
    pub tensions: Vec<f64>,
}

/// Solves `K_FF u_F = f_F - K_FC u_C` for stiffnesses `k` with the
/// degrees of freedom `held` at `values` and the forces `forces` (one per
/// degree of freedom, `2N`; those on held ones are taken up by the holds)
/// applied (dense). Refused when a zero mode is left: the held set must
/// pin every rigid and floppy motion.
pub fn solve_dense(
    network: &Network,
    k: &[f64],
    held: &[usize],
    values: &[f64],
    forces: &[f64],
) -> Result<SpringResponse, PhysicsError> {
    let dofs = 2 * network.node_count();
    if forces.len() != dofs {
        return Err(PhysicsError::LengthMismatch {
            what: "forces",
            expected: dofs,
            found: forces.len(),
        });
    }
    if values.len() != held.len() {
        return Err(PhysicsError::LengthMismatch {
            what: "held values",
            expected: held.len(),
            found: values.len(),
        });
    }
    if let Some(&d) = held.iter().find(|&&d| d >= dofs) {
        return Err(PhysicsError::UnknownNode {
            role: "held",
            node: d / 2,
            node_count: network.node_count(),
        });
    }
    // One compatibility matrix serves the rigidity check, K and the extensions.
    let q = compatibility_dense(network);
    let modes = zero_modes_of(&q, held);
    if modes.count > 0 {
        return Err(PhysicsError::Floppy {
            zero_modes: modes.count,
            nodes: modes.moving_nodes,
        });
    }
    let stiffness = stiffness_of(&q, k);
    let n = stiffness.nrows();
    let mut u = vec![0.0; n];
    let mut is_held = vec![false; n];
    for (&d, &v) in held.iter().zip(values) {
        u[d] = v;
        is_held[d] = true;
    }
    let free: Vec<usize> = (0..n).filter(|&d| !is_held[d]).collect();
    let k_ff = Mat::from_fn(free.len(), free.len(), |a, b| stiffness[(free[a], free[b])]);
    let rhs = Mat::from_fn(free.len(), 1, |a, _| {
        forces[free[a]]
            - held
                .iter()
                .zip(values)
                .map(|(&d, &v)| stiffness[(free[a], d)] * v)
                .sum::<f64>()
    });
    let solved = k_ff.full_piv_lu().solve(rhs.as_ref());
    for (a, &d) in free.iter().enumerate() {
        u[d] = solved[(a, 0)];
    }
    let extensions: Vec<f64> = (0..network.edge_count())
        .map(|e| (0..n).map(|d| q[(d, e)] * u[d]).sum())
        .collect();
    let tensions = extensions.iter().zip(k).map(|(l, k)| k * l).collect();
    Ok(SpringResponse {
        displacements: u,
        extensions,
        tensions,
    })
}

/// The sparse solve of a spring network (its `physics` must be
/// [`crate::network::Physics::Spring2d`]) at its own stiffnesses: what
/// [`solve_dense`] computes, for any size, through the one sparse solver
/// ([`super::Solver::for_dofs`], refined in double-double), with the forces
/// the holds exert and the refinement's error estimate.
#[derive(Debug, Clone, PartialEq)]
pub struct SpringSolution {
    /// The response: displacements, extensions and tensions.
    pub response: SpringResponse,
    /// The force each hold exerts on its degree of freedom (in `held`
    /// order): `(K u)_c - f_c`, the solver's multiplier with its sign
    /// turned (as a voltage source's current is, for resistors).
    pub hold_forces: Vec<f64>,
    /// The estimated relative error of the displacements (at most
    /// [`super::refine::CERTIFIED`] when certified).
    pub displacement_error: f64,
}

impl SpringSolution {
    /// The elastic energy `(1/2) sum_e k_e dl_e^2` of the response.
    pub fn energy(&self) -> f64 {
        let r = &self.response;
        0.5 * r
            .extensions
            .iter()
            .zip(&r.tensions)
            .map(|(l, t)| l * t)
            .sum::<f64>()
    }
}

impl std::fmt::Display for SpringSolution {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let largest = |values: &[f64]| values.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let r = &self.response;
        let moved = r
            .displacements
            .chunks(2)
            .fold(0.0f64, |m, u| m.max(u[0].hypot(u[1])));
        writeln!(f, "largest |u|        {moved:.6e}")?;
        writeln!(f, "largest |dl|       {:.6e}", largest(&r.extensions))?;
        writeln!(f, "largest |tension|  {:.6e}", largest(&r.tensions))?;
        writeln!(
            f,
            "elastic energy     {:.6e} (1/2 sum k dl^2)",
            self.energy()
        )?;
        writeln!(
            f,
            "displacement error {:.1e} (relative, estimated by refinement)",
            self.displacement_error
        )
    }
}

/// Solves a spring network with the degrees of freedom `held` (`2 node +
/// component`) at `values` and `forces` (one per degree of freedom) applied.
/// Refused for a network that is not a spring network, and for a held set
/// that leaves a zero mode ([`super::Solver::for_dofs`]).
pub fn solve(
    network: &Network,
    held: &[usize],
    values: &[f64],
    forces: &[f64],
) -> Result<SpringSolution, PhysicsError> {
    if network.physics() != crate::network::Physics::Spring2d {
        return Err(PhysicsError::UnsupportedPhysics {
            what: "the spring solve",
            physics: network.physics(),
        });
    }
    let dofs = 2 * network.node_count();
    for (what, found, expected) in [
        ("forces", forces.len(), dofs),
        ("held values", values.len(), held.len()),
    ] {
        if found != expected {
            return Err(PhysicsError::LengthMismatch {
                what,
                expected,
                found,
            });
        }
    }
    let sources = forces.iter().enumerate().map(|(d, &v)| ("force", d, v));
    let holds = held.iter().zip(values).map(|(&d, &v)| ("held", d, v));
    if let Some((role, dof, value)) = sources
        .chain(holds)
        .find(|&(_, _, v)| !super::is_valid_source(v))
    {
        // Named by node (degree of freedom `2 node + component`).
        return Err(PhysicsError::NonFiniteValue {
            role,
            node: dof / 2,
            value,
        });
    }
    let solver = super::Solver::for_dofs(network, held)?;
    let factor = solver.factorize(network.conductance())?;
    let drive: Vec<f64> = forces.iter().chain(values).copied().collect();
    let (state, error) = factor.solve_states_with_error(faer::MatRef::from_column_major_slice(
        &drive,
        drive.len(),
        1,
    ))?;
    let displacements: Vec<f64> = (0..dofs).map(|d| state[(d, 0)]).collect();
    let extensions: Vec<f64> = (0..network.edge_count())
        .map(|e| network.edge_stencil(e).drop(&displacements))
        .collect();
    let tensions = extensions
        .iter()
        .zip(network.conductance())
        .map(|(l, k)| k * l)
        .collect();
    Ok(SpringSolution {
        response: SpringResponse {
            displacements,
            extensions,
            tensions,
        },
        hold_forces: (0..held.len()).map(|c| -state[(dofs + c, 0)]).collect(),
        displacement_error: error,
    })
}
