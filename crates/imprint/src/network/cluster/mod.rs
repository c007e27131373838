//! The paper's networks (docs/theory.md section 7; its authors' `jammed_network`):
//! an open, disc-shaped cluster of bidisperse disks (small radius 0.8 of the
//! large) pulled toward the origin by a weak central force, pushed apart by
//! harmonic contact repulsion, and relaxed to rest; the network is its
//! contact graph. Disks start from a Poisson-disc sample (the `n` points
//! nearest the centre), sizes drawn at random.
//!
//! Their code integrates damped dynamics to `t = 1000`; here FIRE relaxes the
//! same energy, `sum_i (c/2) |x_i|^2 + sum_contacts (k/2) (r_i + r_j - d_ij)^2`,
//! to force balance, which is the state that dynamics comes to rest in.
//! Lengths are in units of the large radius. Disks outside the largest
//! connected part of the contact graph are removed and counted.

use serde::{Deserialize, Serialize};

mod disks;

use super::connectivity::Components;
use super::jammed::fire::{minimise, FireState, Relaxable};
use super::jammed::packing::ForceField;
use super::{Network, NetworkError};
use crate::random::Rng;
use disks::Cluster;

/// Parameters of the cluster generator; `Default` gives the authors' values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct ClusterParameters {
    /// Disks.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = ClusterParameters::default().nodes))]
    pub nodes: usize,
    /// Seed of the positions and sizes.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = ClusterParameters::default().seed))]
    pub seed: u64,
    /// Radius of the small disks over that of the large ones (their `rfac`).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = ClusterParameters::default().size_ratio))]
    pub size_ratio: f64,
    /// Stiffness of the central force (their `central`). The pressure it
    /// squeezes the cluster with grows with the number of disks: `0.0005 *
    /// 300 / nodes` keeps the authors' compression (`Z` 5.4 at 10^4 and
    /// 10^5 disks, against 5.2 at their 300), while the default gives
    /// `Z` 8.6 at 2 000 disks and 18 at 10^4.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = ClusterParameters::default().central))]
    pub central: f64,
    /// Stiffness of the contact repulsion (their `contact`).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = ClusterParameters::default().contact))]
    pub contact: f64,
    /// Relaxation stops when the largest net force is below this fraction of
    /// the mean contact force.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = ClusterParameters::default().force_tolerance))]
    pub force_tolerance: f64,
}

impl Default for ClusterParameters {
    fn default() -> Self {
        Self {
            nodes: 300,
            seed: 1,
            size_ratio: 0.8,
            central: 0.0005,
            contact: 0.1,
            force_tolerance: 1e-10,
        }
    }
}

impl ClusterParameters {
    /// Refuses parameters the generator cannot use, naming the field.
    pub fn validate(&self) -> Result<(), NetworkError> {
        let p = self;
        let invalid = |parameter: &'static str, reason: String| {
            Err(NetworkError::InvalidParameter { parameter, reason })
        };
        if p.nodes < 8 {
            return invalid(
                "nodes",
                format!("{} disks are too few for a cluster (at least 8)", p.nodes),
            );
        }
        if !(p.size_ratio > 0.0 && p.size_ratio <= 1.0) {
            return invalid("size_ratio", format!("{} is not in (0, 1]", p.size_ratio));
        }
        for (name, value) in [
            ("central", p.central),
            ("contact", p.contact),
            ("force_tolerance", p.force_tolerance),
        ] {
            if !(value.is_finite() && value > 0.0) {
                return invalid(name, format!("{value} must be finite and positive"));
            }
        }
        Ok(())
    }
}

/// What the generator measured; also written into the network's metadata.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterReport {
    /// Disks placed.
    pub requested_nodes: usize,
    /// Nodes of the network.
    pub nodes: usize,
    /// Disks outside the largest connected part, removed.
    pub removed: usize,
    /// Contacts (edges).
    pub contacts: usize,
    /// Mean coordination `2 E / N`.
    pub mean_coordination: f64,
    /// Smallest degree.
    pub min_degree: usize,
    /// FIRE steps.
    pub fire_steps: usize,
    /// Largest net force over the mean contact force at the end.
    pub force_balance_residual: f64,
}

impl std::fmt::Display for ClusterReport {
    /// The report as aligned `name  value` lines.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "disks              {} placed, {} kept, {} outside the largest connected part removed",
            self.requested_nodes, self.nodes, self.removed
        )?;
        writeln!(f, "contacts           {}", self.contacts)?;
        writeln!(
            f,
            "coordination Z     {:.4} (smallest degree {})",
            self.mean_coordination, self.min_degree
        )?;
        write!(
            f,
            "force balance      {:.2e} (largest net force / mean contact force, {} FIRE steps)",
            self.force_balance_residual, self.fire_steps
        )
    }
}

/// Poisson-disc sample of the square `[0, side)^2` with minimum distance
/// `spacing` (Bridson's algorithm, 30 candidates per active point).
fn poisson_disc(side: f64, spacing: f64, rng: &mut Rng) -> Vec<[f64; 2]> {
    let cell = spacing / std::f64::consts::SQRT_2;
    let cells = (side / cell).ceil() as usize;
    let mut grid: Vec<Option<usize>> = vec![None; cells * cells];
    let index = |p: [f64; 2]| {
        let (x, y) = ((p[0] / cell) as usize, (p[1] / cell) as usize);
        (x.min(cells - 1), y.min(cells - 1))
    };
    let mut points = vec![[rng.uniform_in(0.0, side), rng.uniform_in(0.0, side)]];
    let (x, y) = index(points[0]);
    grid[y * cells + x] = Some(0);
    let mut active = vec![0];
    while !active.is_empty() {
        let pick = rng.below(active.len());
        let centre = points[active[pick]];
        let mut placed = false;
        for _ in 0..30 {
            let angle = rng.uniform_in(0.0, std::f64::consts::TAU);
            let radius = rng.uniform_in(spacing, 2.0 * spacing);
            let p = [
                centre[0] + radius * angle.cos(),
                centre[1] + radius * angle.sin(),
            ];
            if !(0.0..side).contains(&p[0]) || !(0.0..side).contains(&p[1]) {
                continue;
            }
            let (x, y) = index(p);
            let near = (x.saturating_sub(2)..=(x + 2).min(cells - 1)).any(|gx| {
                (y.saturating_sub(2)..=(y + 2).min(cells - 1)).any(|gy| {
                    grid[gy * cells + gx].is_some_and(|q| {
                        let d = [points[q][0] - p[0], points[q][1] - p[1]];
                        d[0] * d[0] + d[1] * d[1] < spacing * spacing
                    })
                })
            });
            if !near {
                grid[y * cells + x] = Some(points.len());
                active.push(points.len());
                points.push(p);
                placed = true;
                break;
            }
        }
        if !placed {
            active.swap_remove(pick);
        }
    }
    points
}

/// The contact network of a relaxed disk cluster and what was measured.
pub fn generate(parameters: &ClusterParameters) -> Result<(Network, ClusterReport), NetworkError> {
    let p = parameters;
    p.validate()?;
    let invalid = |parameter: &'static str, reason: String| {
        Err(NetworkError::InvalidParameter { parameter, reason })
    };
    let mut rng = Rng::new(p.seed);
    // The authors' unit square with large radius 0.25 / sqrt(n), in units of that radius.
    let side = 4.0 * (p.nodes as f64).sqrt();
    let mut points = poisson_disc(side, 2.0, &mut rng);
    if points.len() < p.nodes {
        return invalid(
            "nodes",
            format!(
                "the Poisson-disc sample holds {} points, fewer than {}",
                points.len(),
                p.nodes
            ),
        );
    }
    let centre = points
        .iter()
        .fold([0.0, 0.0], |c, q| [c[0] + q[0], c[1] + q[1]]);
    let centre = [
        centre[0] / points.len() as f64,
        centre[1] / points.len() as f64,
    ];
    let distance = |q: &[f64; 2]| (q[0] - centre[0]).hypot(q[1] - centre[1]);
    points.sort_by(|a, b| distance(a).total_cmp(&distance(b)));
    points.truncate(p.nodes);
    let mean = points
        .iter()
        .fold([0.0, 0.0], |c, q| [c[0] + q[0], c[1] + q[1]]);
    let mean = [mean[0] / p.nodes as f64, mean[1] / p.nodes as f64];
    let radii: Vec<f64> = (0..p.nodes)
        .map(|_| if rng.below(2) == 0 { 1.0 } else { p.size_ratio })
        .collect();
    let mut cluster = Cluster::new(
        points
            .iter()
            .map(|q| [q[0] - mean[0], q[1] - mean[1]])
            .collect(),
        radii,
        p.central,
        p.contact,
    );
    let mut field = ForceField::default();
    let mut state = FireState::start(p.nodes);
    let outcome = minimise(
        &mut cluster,
        &mut field,
        &mut state,
        p.force_tolerance,
        5_000_000,
        super::jammed::fire::UNJAMMED_ENERGY,
        &mut |_, _| true,
    );
    if !outcome.converged {
        return Err(NetworkError::InvalidParameter {
            parameter: "force_tolerance",
            reason: format!(
                "the cluster did not come to rest ({:.2e} after {} FIRE steps)",
                outcome.residual, outcome.steps
            ),
        });
    }
    cluster.force_field(&mut field);
    let contacts: Vec<[usize; 2]> = cluster
        .overlapping()
        .iter()
        .map(|&(i, j, _, _)| [i, j])
        .collect();
    let whole = Network::with_uniform_conductance(cluster.positions.clone(), contacts, 1.0, None)?;
    let components = Components::of(&whole);
    let sizes = components.sizes();
    let largest = (0..sizes.len())
        .max_by_key(|&c| (sizes[c], usize::MAX - c))
        .unwrap_or(0);
    let keep: Vec<usize> = (0..whole.node_count())
        .filter(|&v| components.label[v] == largest)
        .collect();
    let mut renumber = vec![usize::MAX; whole.node_count()];
    for (new, &old) in keep.iter().enumerate() {
        renumber[old] = new;
    }
    let edges: Vec<[usize; 2]> = whole
        .edges()
        .iter()
        .filter(|&&[i, j]| renumber[i] != usize::MAX && renumber[j] != usize::MAX)
        .map(|&[i, j]| [renumber[i], renumber[j]])
        .collect();
    let positions = keep.iter().map(|&v| cluster.positions[v]).collect();
    let mut network = Network::with_uniform_conductance(positions, edges, 1.0, None)?;
    let degrees = network.degrees();
    let report = ClusterReport {
        requested_nodes: p.nodes,
        nodes: network.node_count(),
        removed: p.nodes - network.node_count(),
        contacts: network.edge_count(),
        mean_coordination: 2.0 * network.edge_count() as f64 / network.node_count() as f64,
        min_degree: degrees.iter().copied().min().unwrap_or(0),
        fire_steps: outcome.steps,
        force_balance_residual: cluster.imbalance(&field),
    };
    let metadata = network.metadata_mut();
    metadata.insert("generator".into(), "cluster".into());
    metadata.insert(
        "parameters".into(),
        serde_json::to_value(parameters).expect("parameters serialise"),
    );
    metadata.insert(
        "cluster".into(),
        serde_json::to_value(&report).expect("the report serialises"),
    );
    Ok((network, report))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poisson_disc_points_keep_their_distance() {
        let mut rng = Rng::new(3);
        let points = poisson_disc(20.0, 2.0, &mut rng);
        assert!(points.len() > 40, "{}", points.len());
        for (a, p) in points.iter().enumerate() {
            for q in &points[a + 1..] {
                assert!((p[0] - q[0]).hypot(p[1] - q[1]) >= 2.0);
            }
        }
    }
}
