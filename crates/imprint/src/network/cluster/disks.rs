//! The disks of a cluster (docs/theory.md section 7): positions, radii,
//! the central and contact forces, and a Verlet list of the pairs that can
//! touch, for FIRE ([`Relaxable`]).

use super::super::jammed::fire::Relaxable;
use super::super::jammed::packing::ForceField;

/// Extra range of the neighbour list, in large radii (a fifth of the small
/// disks' diameter at the default size ratio, as the periodic packings
/// keep a fifth of theirs).
const SKIN: f64 = 0.3;

/// Disks in the plane with a central force, and a Verlet list of the
/// pairs that can touch.
pub(super) struct Cluster {
    pub(super) positions: Vec<[f64; 2]>,
    pub(super) radii: Vec<f64>,
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
    pub(super) fn new(
        positions: Vec<[f64; 2]>,
        radii: Vec<f64>,
        central: f64,
        contact: f64,
    ) -> Self {
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
    pub(super) fn overlapping(&self) -> Vec<(usize, usize, f64, [f64; 2])> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::Rng;

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
        let positions: Vec<[f64; 2]> = super::super::poisson_disc(40.0, 1.4, &mut rng);
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
}
