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

use super::connectivity::Components;
use super::jammed::fire::{minimise, Relaxable};
use super::jammed::packing::ForceField;
use super::{Network, NetworkError};
use crate::random::Rng;

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

/// Extra range of the neighbour list, in large radii (a fifth of the small
/// disks' diameter at the default size ratio, as the periodic packings
/// keep a fifth of theirs).
const SKIN: f64 = 0.3;

/// Disks in the plane with a central force, and a Verlet list of the
/// pairs that can touch.
struct Cluster {
    positions: Vec<[f64; 2]>,
    radii: Vec<f64>,
    central: f64,
    contact: f64,
    /// Pairs `(i, j)`, `i < j`, closer than the sum of their radii plus
    /// [`SKIN`] when the list was built, in increasing order: the forces
    /// are summed in the order a full search sorts its pairs in, so the
    /// list changes the cost of a step, not its bits.
    neighbours: Vec<(u32, u32)>,
    /// Positions when the list was built.
    anchor: Vec<[f64; 2]>,
}

impl Cluster {
    fn new(positions: Vec<[f64; 2]>, radii: Vec<f64>, central: f64, contact: f64) -> Self {
        let mut cluster = Self {
            anchor: positions.clone(),
            positions,
            radii,
            central,
            contact,
            neighbours: Vec::new(),
        };
        cluster.rebuild_neighbours();
        cluster
    }

    /// Every pair closer than the sum of its radii plus `skin`, as
    /// `(i, j, r, d)` with `i < j` and `d` from `i` to `j`, sorted; from a
    /// grid of cells as wide as the longest such distance.
    fn within(&self, skin: f64) -> Vec<(usize, usize, f64, [f64; 2])> {
        let n = self.positions.len();
        let width = 2.0 * self.radii.iter().copied().fold(0.0, f64::max) + skin;
        let cell = |p: [f64; 2]| ((p[0] / width).floor() as i64, (p[1] / width).floor() as i64);
        // The cells of the disks' bounding box, disks counted into them.
        let cells: Vec<(i64, i64)> = self.positions.iter().map(|&p| cell(p)).collect();
        let (x0, y0) = cells
            .iter()
            .fold((i64::MAX, i64::MAX), |(x, y), &(cx, cy)| {
                (x.min(cx), y.min(cy))
            });
        let (x1, y1) = cells
            .iter()
            .fold((i64::MIN, i64::MIN), |(x, y), &(cx, cy)| {
                (x.max(cx), y.max(cy))
            });
        let (columns, rows) = ((x1 - x0 + 1) as usize, (y1 - y0 + 1) as usize);
        let flat = |cx: i64, cy: i64| (cy - y0) as usize * columns + (cx - x0) as usize;
        let mut start = vec![0usize; columns * rows + 1];
        for &(cx, cy) in &cells {
            start[flat(cx, cy) + 1] += 1;
        }
        for c in 0..columns * rows {
            start[c + 1] += start[c];
        }
        let mut next = start.clone();
        let mut members = vec![0usize; n];
        for (i, &(cx, cy)) in cells.iter().enumerate() {
            members[next[flat(cx, cy)]] = i;
            next[flat(cx, cy)] += 1;
        }
        let mut pairs = Vec::new();
        for (i, &p) in self.positions.iter().enumerate() {
            let (cx, cy) = cells[i];
            for gx in (cx - 1).max(x0)..=(cx + 1).min(x1) {
                for gy in (cy - 1).max(y0)..=(cy + 1).min(y1) {
                    let c = flat(gx, gy);
                    for &j in members[start[c]..start[c + 1]].iter().filter(|&&j| j > i) {
                        let d = [self.positions[j][0] - p[0], self.positions[j][1] - p[1]];
                        let reach = self.radii[i] + self.radii[j] + skin;
                        let r2 = d[0] * d[0] + d[1] * d[1];
                        if r2 < reach * reach {
                            pairs.push((i, j, r2.sqrt(), d));
                        }
                    }
                }
            }
        }
        pairs.sort_unstable_by_key(|&(i, j, _, _)| (i, j));
        pairs
    }

    /// Every overlapping pair (closer than the sum of its radii).
    fn overlapping(&self) -> Vec<(usize, usize, f64, [f64; 2])> {
        self.within(0.0)
    }

    fn rebuild_neighbours(&mut self) {
        self.anchor.clone_from(&self.positions);
        self.neighbours = self
            .within(SKIN)
            .into_iter()
            .map(|(i, j, _, _)| (i as u32, j as u32))
            .collect();
    }
}

impl Relaxable for Cluster {
    fn len(&self) -> usize {
        self.positions.len()
    }

    fn force_field(&self, field: &mut ForceField) {
        field.forces.clear();
        field.energy = 0.0;
        field.virial = 0.0;
        field.contact_force_sum = 0.0;
        field.contact_count = 0;
        for p in &self.positions {
            field
                .forces
                .push([-self.central * p[0], -self.central * p[1]]);
            field.energy += 0.5 * self.central * (p[0] * p[0] + p[1] * p[1]);
        }
        for &(i, j) in &self.neighbours {
            let (i, j) = (i as usize, j as usize);
            let p = self.positions[i];
            let d = [self.positions[j][0] - p[0], self.positions[j][1] - p[1]];
            let reach = self.radii[i] + self.radii[j];
            let r2 = d[0] * d[0] + d[1] * d[1];
            if r2 >= reach * reach {
                continue;
            }
            let r = r2.sqrt();
            let overlap = self.radii[i] + self.radii[j] - r;
            let magnitude = self.contact * overlap;
            field.energy += 0.5 * self.contact * overlap * overlap;
            field.add_repulsion(i, j, magnitude, d, r);
        }
    }

    fn displace(&mut self, i: usize, step: [f64; 2]) {
        self.positions[i][0] += step[0];
        self.positions[i][1] += step[1];
    }

    /// Rebuilds the list when some disk has moved more than half the skin
    /// since it was built (two such disks cannot have closed the skin).
    fn refresh_neighbours(&mut self) {
        let limit = 0.25 * SKIN * SKIN;
        let moved = self.positions.iter().zip(&self.anchor).any(|(p, a)| {
            let d = [p[0] - a[0], p[1] - a[1]];
            d[0] * d[0] + d[1] * d[1] > limit
        });
        if moved {
            self.rebuild_neighbours();
        }
    }

    /// The largest net force over the typical force: the mean contact force,
    /// or, while disks are still apart, the central force at the cluster's
    /// mean radius (so that a loose start is not taken for rest).
    ///
    /// The value is that of the plain definition to the bit; two shortcuts
    /// skip most of its square roots (`hypot`, a quarter of a step's time
    /// otherwise): the central term needs the mean radius only when the
    /// largest radius could make it exceed the mean contact force, and
    /// the largest force is among the disks whose squared force is within
    /// rounding of the largest squared force.
    fn imbalance(&self, field: &ForceField) -> f64 {
        // Rounding of a squared norm is far below this margin.
        const MARGIN: f64 = 1e-12;
        let contact_mean = if field.contact_count > 0 {
            field.contact_force_sum / field.contact_count as f64
        } else {
            0.0
        };
        let squared = |v: &[f64; 2]| v[0] * v[0] + v[1] * v[1];
        let farthest = self.positions.iter().map(squared).fold(0.0, f64::max);
        let scale = if contact_mean >= f64::MIN_POSITIVE
            && self.central * farthest.sqrt() * (1.0 + MARGIN) < contact_mean
        {
            contact_mean
        } else {
            let mean_radius = self.positions.iter().map(|p| p[0].hypot(p[1])).sum::<f64>()
                / self.positions.len().max(1) as f64;
            contact_mean
                .max(self.central * mean_radius)
                .max(f64::MIN_POSITIVE)
        };
        let strongest = field.forces.iter().map(squared).fold(0.0, f64::max);
        field
            .forces
            .iter()
            .filter(|f| squared(f) >= strongest * (1.0 - MARGIN))
            .map(|f| f[0].hypot(f[1]))
            .fold(0.0, f64::max)
            / scale
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
    let outcome = minimise(&mut cluster, &mut field, p.force_tolerance, 5_000_000);
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

    /// The forces from every overlapping pair found afresh, in sorted
    /// order: what the generator summed before it kept a Verlet list.
    fn forces_by_full_search(cluster: &Cluster) -> Vec<[f64; 2]> {
        let mut field = ForceField {
            forces: cluster
                .positions
                .iter()
                .map(|p| [-cluster.central * p[0], -cluster.central * p[1]])
                .collect(),
            ..Default::default()
        };
        for (i, j, r, d) in cluster.overlapping() {
            let magnitude = cluster.contact * (cluster.radii[i] + cluster.radii[j] - r);
            field.add_repulsion(i, j, magnitude, d, r);
        }
        field.forces
    }

    #[test]
    fn the_verlet_list_gives_the_full_searchs_forces_bit_for_bit() {
        let mut rng = Rng::new(5);
        // Disks at least 1.4 apart (radii 1 and 0.8), so many touch and more
        // come into contact as they move.
        let positions: Vec<[f64; 2]> = poisson_disc(40.0, 1.4, &mut rng);
        let radii = (0..positions.len())
            .map(|_| if rng.below(2) == 0 { 1.0 } else { 0.8 })
            .collect();
        let mut cluster = Cluster::new(positions, radii, 0.001, 0.1);
        let mut field = ForceField::default();
        for round in 0..6 {
            // Moves up to just under half the skin leave the list valid;
            // from the third round on the list must be rebuilt.
            for i in 0..cluster.len() {
                let step = 0.49 * SKIN / std::f64::consts::SQRT_2;
                cluster.displace(
                    i,
                    [rng.uniform_in(-step, step), rng.uniform_in(-step, step)],
                );
            }
            cluster.refresh_neighbours();
            cluster.force_field(&mut field);
            let reference = forces_by_full_search(&cluster);
            assert!(
                field.forces.iter().zip(&reference).all(|(a, b)| {
                    a[0].to_bits() == b[0].to_bits() && a[1].to_bits() == b[1].to_bits()
                }),
                "round {round}"
            );
            assert!(field.contact_count > cluster.len() / 2, "round {round}");
        }
    }

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
