//! The network: node positions, edges, one conductance per edge, an
//! optional periodic box (docs/theory.md section 1) and its [`Physics`]
//! (resistors unless said otherwise; 2D springs, section 9, whose
//! "conductance" is the stiffness).
//!
//! Edge `e` joins nodes `(i, j)`; its row of the incidence matrix `B` is `+1` at
//! `i` and `-1` at `j`, so the voltage drop across it is `dV_e = V_i - V_j`.
//! A [`Network`] is always valid: every constructor and mutator checks the
//! invariants (no self-loops or duplicate edges, indices in range, conductances
//! in [`CONDUCTANCE_RANGE`]) and reports the first offender as a [`NetworkError`].

pub mod cluster;
pub mod conductance;
pub mod connectivity;
pub mod delaunay;
mod error;
pub mod jammed;
pub mod lattice;
mod physics;
pub mod spec;

pub use error::NetworkError;
pub use physics::{EdgeStencil, Physics};

/// The conductances a network may hold, in siemens: `[1e-100, 1e100]`.
/// Outside it no finite answer is certain: a power `k (dV)^2` of 1e308 S
/// overflows, and a subnormal 5e-324 S loses its digits. (Far wider than any
/// circuit; accuracy within it is `docs/accuracy.md`'s business.)
pub const CONDUCTANCE_RANGE: [f64; 2] = [1e-100, 1e100];

/// Whether `k` is a conductance a network may hold ([`CONDUCTANCE_RANGE`]).
pub fn is_valid_conductance(k: f64) -> bool {
    (CONDUCTANCE_RANGE[0]..=CONDUCTANCE_RANGE[1]).contains(&k)
}

use std::collections::{BTreeMap, HashMap};

/// Free-form provenance recorded with a network (generator, seed, packing
/// statistics...). Stored in the network file under `"metadata"`.
pub type Metadata = BTreeMap<String, serde_json::Value>;

/// A resistor network with 2D node positions.
#[derive(Debug, Clone, PartialEq)]
pub struct Network {
    positions: Vec<[f64; 2]>,
    edges: Vec<[usize; 2]>,
    conductance: Vec<f64>,
    periodic_box: Option<[f64; 2]>,
    metadata: Metadata,
    physics: Physics,
}

impl Network {
    /// Builds a network and checks every invariant.
    ///
    /// `periodic_box`, when given, is the side lengths `[Lx, Ly]` of a periodic
    /// box; edges are then read with the minimum-image convention, so an edge
    /// whose ends are more than half a box apart along an axis crosses the box.
    ///
    /// ```
    /// use imprint::network::Network;
    /// // Two unit resistors in series: 0 - 1 - 2.
    /// let net = Network::new(
    ///     vec![[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]],
    ///     vec![[0, 1], [1, 2]],
    ///     vec![1.0, 1.0],
    ///     None,
    /// ).unwrap();
    /// assert_eq!(net.node_count(), 3);
    /// assert_eq!(net.edge_count(), 2);
    /// ```
    pub fn new(
        positions: Vec<[f64; 2]>,
        edges: Vec<[usize; 2]>,
        conductance: Vec<f64>,
        periodic_box: Option<[f64; 2]>,
    ) -> Result<Self, NetworkError> {
        if positions.is_empty() || edges.is_empty() {
            return Err(NetworkError::Empty {
                nodes: positions.len(),
                edges: edges.len(),
            });
        }
        for (node, &[x, y]) in positions.iter().enumerate() {
            if !x.is_finite() || !y.is_finite() {
                return Err(NetworkError::InvalidPosition { node, x, y });
            }
        }
        if let Some([lx, ly]) = periodic_box {
            if !(lx.is_finite() && ly.is_finite() && lx > 0.0 && ly > 0.0) {
                return Err(NetworkError::InvalidBox { lx, ly });
            }
        }
        let node_count = positions.len();
        let mut seen: HashMap<(usize, usize), usize> = HashMap::with_capacity(edges.len());
        for (edge, &[i, j]) in edges.iter().enumerate() {
            for node in [i, j] {
                if node >= node_count {
                    return Err(NetworkError::NodeOutOfRange {
                        edge,
                        node,
                        node_count,
                    });
                }
            }
            if i == j {
                return Err(NetworkError::SelfLoop { edge, node: i });
            }
            if let Some(&first) = seen.get(&(i.min(j), i.max(j))) {
                return Err(NetworkError::DuplicateEdge { edge, first, i, j });
            }
            seen.insert((i.min(j), i.max(j)), edge);
        }
        check_conductance(&conductance, edges.len())?;
        Ok(Self {
            positions,
            edges,
            conductance,
            periodic_box,
            metadata: Metadata::new(),
            physics: Physics::Resistive,
        })
    }

    /// Builds a network with every conductance equal to `conductance`.
    pub fn with_uniform_conductance(
        positions: Vec<[f64; 2]>,
        edges: Vec<[usize; 2]>,
        conductance: f64,
        periodic_box: Option<[f64; 2]>,
    ) -> Result<Self, NetworkError> {
        let count = edges.len();
        Self::new(positions, edges, vec![conductance; count], periodic_box)
    }

    /// The same network with every edge of `physics`. A spring needs a
    /// direction: a bond whose ends sit at the same place is refused.
    pub fn with_physics(mut self, physics: Physics) -> Result<Self, NetworkError> {
        if physics == Physics::Spring2d {
            if let Some(edge) = (0..self.edge_count()).find(|&e| {
                let [dx, dy] = self.edge_vector(e);
                dx.hypot(dy) == 0.0
            }) {
                let [i, j] = self.edges[edge];
                return Err(NetworkError::ZeroLengthBond { edge, i, j });
            }
        }
        self.physics = physics;
        Ok(self)
    }

    /// What every edge is: resistors (the default) or 2D springs.
    pub fn physics(&self) -> Physics {
        self.physics
    }

    /// Edge `e`'s column of the generalised incidence matrix (`B` for
    /// resistors, `Q` for springs, with the unit bond vector from the
    /// positions, minimum image in a periodic box): its drop in a state is
    /// [`EdgeStencil::drop`].
    pub fn edge_stencil(&self, edge: usize) -> EdgeStencil {
        let [i, j] = self.edges[edge];
        self.pair_stencil(i, j)
    }

    /// Number of nodes `N`.
    pub fn node_count(&self) -> usize {
        self.positions.len()
    }

    /// Number of edges `E`.
    pub fn edge_count(&self) -> usize {
        self.edges.len()
    }

    /// Node positions `[x, y]`.
    pub fn positions(&self) -> &[[f64; 2]] {
        &self.positions
    }

    /// Edges `[i, j]`; the drop across edge `e` is `V_i - V_j`.
    pub fn edges(&self) -> &[[usize; 2]] {
        &self.edges
    }

    /// Conductance `k_e` of every edge.
    pub fn conductance(&self) -> &[f64] {
        &self.conductance
    }

    /// Replaces every conductance, checking that there is one finite positive
    /// value per edge. On error the network is left unchanged.
    pub fn set_conductance(&mut self, conductance: Vec<f64>) -> Result<(), NetworkError> {
        check_conductance(&conductance, self.edges.len())?;
        self.conductance = conductance;
        Ok(())
    }

    /// Side lengths of the periodic box, if the network lives in one.
    pub fn periodic_box(&self) -> Option<[f64; 2]> {
        self.periodic_box
    }

    /// Provenance recorded with the network.
    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    /// Mutable access to the provenance record.
    pub fn metadata_mut(&mut self) -> &mut Metadata {
        &mut self.metadata
    }

    /// Vector from node `i` to node `j` of edge `e`, using the minimum image
    /// when the network is periodic.
    pub fn edge_vector(&self, edge: usize) -> [f64; 2] {
        let [i, j] = self.edges[edge];
        self.pair_vector(i, j)
    }

    /// Vector from node `i` to node `j` (minimum image in a periodic box),
    /// whether or not an edge joins them.
    pub fn pair_vector(&self, i: usize, j: usize) -> [f64; 2] {
        let [xi, yi] = self.positions[i];
        let [xj, yj] = self.positions[j];
        let mut d = [xj - xi, yj - yi];
        if let Some(sides) = self.periodic_box {
            for (component, side) in d.iter_mut().zip(sides) {
                *component -= side * (*component / side).round();
            }
        }
        d
    }

    /// The unit vector `b_e` of edge `e` from its first node to its second
    /// (minimum image in a periodic box): a spring's direction.
    pub fn bond_direction(&self, edge: usize) -> [f64; 2] {
        let [i, j] = self.edges[edge];
        self.pair_direction(i, j)
    }

    /// The unit vector from node `i` to node `j` (minimum image); not
    /// finite when they sit at the same place.
    pub fn pair_direction(&self, i: usize, j: usize) -> [f64; 2] {
        let [dx, dy] = self.pair_vector(i, j);
        let length = dx.hypot(dy);
        [dx / length, dy / length]
    }

    /// The stencil of the drop between nodes `i` and `j` in this network's
    /// physics, whether or not an edge joins them: `V_i - V_j` for
    /// resistors, the extension `b_ij . (u_j - u_i)` of the pair for springs
    /// (how a task reads a target edge).
    pub fn pair_stencil(&self, i: usize, j: usize) -> EdgeStencil {
        match self.physics {
            Physics::Resistive => EdgeStencil::resistor(i, j),
            Physics::Spring2d => EdgeStencil::spring_2d(i, j, self.pair_direction(i, j)),
        }
    }

    /// Whether edge `e` crosses the periodic box (its minimum image differs
    /// from the straight segment between its ends). Always false without a box.
    pub fn crosses_box(&self, edge: usize) -> bool {
        let Some(sides) = self.periodic_box else {
            return false;
        };
        let [i, j] = self.edges[edge];
        (0..2).any(|axis| {
            (self.positions[j][axis] - self.positions[i][axis]).abs() > 0.5 * sides[axis]
        })
    }

    /// Number of edges at every node.
    pub fn degrees(&self) -> Vec<usize> {
        let mut degree = vec![0; self.node_count()];
        for &[i, j] in &self.edges {
            degree[i] += 1;
            degree[j] += 1;
        }
        degree
    }
}

fn check_conductance(conductance: &[f64], edge_count: usize) -> Result<(), NetworkError> {
    if conductance.len() != edge_count {
        return Err(NetworkError::ConductanceCount {
            expected: edge_count,
            found: conductance.len(),
        });
    }
    match conductance.iter().position(|&k| !is_valid_conductance(k)) {
        Some(edge) => Err(NetworkError::InvalidConductance {
            edge,
            value: conductance[edge],
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn triangle() -> (Vec<[f64; 2]>, Vec<[usize; 2]>) {
        (
            vec![[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]],
            vec![[0, 1], [1, 2], [2, 0]],
        )
    }

    #[test]
    fn rejects_each_invalid_network_with_its_offender() {
        let (p, _) = triangle();
        let cases: Vec<(Vec<[usize; 2]>, Vec<f64>, NetworkError)> = vec![
            (
                vec![[0, 1], [1, 1]],
                vec![1.0; 2],
                NetworkError::SelfLoop { edge: 1, node: 1 },
            ),
            (
                vec![[0, 1], [1, 2], [1, 0]],
                vec![1.0; 3],
                NetworkError::DuplicateEdge {
                    edge: 2,
                    first: 0,
                    i: 1,
                    j: 0,
                },
            ),
            (
                vec![[0, 1], [1, 7]],
                vec![1.0; 2],
                NetworkError::NodeOutOfRange {
                    edge: 1,
                    node: 7,
                    node_count: 3,
                },
            ),
            (
                vec![[0, 1], [1, 2]],
                vec![1.0, -2.0],
                NetworkError::InvalidConductance {
                    edge: 1,
                    value: -2.0,
                },
            ),
            (
                vec![[0, 1], [1, 2]],
                vec![0.0, 1.0],
                NetworkError::InvalidConductance {
                    edge: 0,
                    value: 0.0,
                },
            ),
            (
                vec![[0, 1], [1, 2]],
                vec![1.0],
                NetworkError::ConductanceCount {
                    expected: 2,
                    found: 1,
                },
            ),
            (vec![], vec![], NetworkError::Empty { nodes: 3, edges: 0 }),
        ];
        for (edges, k, expected) in cases {
            assert_eq!(
                Network::new(p.clone(), edges, k, None).unwrap_err(),
                expected
            );
        }
        let err = Network::new(p.clone(), vec![[0, 1]], vec![f64::NAN], None).unwrap_err();
        assert!(
            matches!(err, NetworkError::InvalidConductance { edge: 0, value } if value.is_nan())
        );
        let err = Network::new(
            vec![[0.0, f64::INFINITY], [1.0, 0.0]],
            vec![[0, 1]],
            vec![1.0],
            None,
        )
        .unwrap_err();
        assert!(matches!(err, NetworkError::InvalidPosition { node: 0, .. }));
        let err = Network::new(p, vec![[0, 1]], vec![1.0], Some([1.0, 0.0])).unwrap_err();
        assert!(matches!(err, NetworkError::InvalidBox { .. }));
    }

    #[test]
    fn set_conductance_keeps_the_old_values_on_error() {
        let (p, e) = triangle();
        let mut net = Network::new(p, e, vec![1.0, 2.0, 3.0], None).unwrap();
        assert!(net.set_conductance(vec![1.0, f64::INFINITY, 1.0]).is_err());
        assert_eq!(net.conductance(), &[1.0, 2.0, 3.0]);
        net.set_conductance(vec![4.0, 5.0, 6.0]).unwrap();
        assert_eq!(net.conductance(), &[4.0, 5.0, 6.0]);
    }

    #[test]
    fn periodic_edges_use_the_minimum_image() {
        let net = Network::new(
            vec![[0.1, 0.5], [0.9, 0.5], [0.5, 0.5]],
            vec![[0, 1], [1, 2]],
            vec![1.0; 2],
            Some([1.0, 1.0]),
        )
        .unwrap();
        assert!(net.crosses_box(0));
        assert!(!net.crosses_box(1));
        let d = net.edge_vector(0);
        assert!((d[0] - (-0.2)).abs() < 1e-12 && d[1].abs() < 1e-12);
        assert_eq!(net.degrees(), vec![1, 2, 1]);
    }
}
