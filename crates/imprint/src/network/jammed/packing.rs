//! Soft disks in a periodic square box: harmonic repulsion, forces, pressure
//! and contacts, with a Verlet neighbour list built from cell lists so that
//! one force evaluation costs O(N).
//!
//! Pair energy `U_ij = (1/2) (1 - r_ij / s_ij)^2` for `r_ij < s_ij`, where
//! `s_ij` is the sum of the radii; the disk stiffness and the small diameter
//! are the units of energy and length (O'Hern et al., PRE 68, 011306 (2003)).
//! Pressure is the virial `p = (1 / (2 L^2)) sum_ij f_ij r_ij`.

/// Extra range kept in the neighbour list, in units of the small diameter.
const SKIN: f64 = 0.2;

/// Width of the strips along which protocol 2 numbers the disks, in small
/// diameters (2, 4 and 1 measured alike at 10^5 disks).
const STRIP: f64 = 4.0;

/// A packing of disks in a periodic square box.
#[derive(Debug, Clone)]
pub(super) struct Packing {
    /// Disk centres, wrapped into `[0, side)`.
    pub positions: Vec<[f64; 2]>,
    /// Disk radii.
    pub radii: Vec<f64>,
    /// Side of the periodic box.
    pub side: f64,
    neighbours: Vec<(u32, u32)>,
    /// Positions when the neighbour list was built.
    anchor: Vec<[f64; 2]>,
    /// Jamming protocol: 1 sorts the neighbour list by disk.
    protocol: u32,
}

/// Forces and the scalars read off them.
#[derive(Debug, Clone, Default)]
pub(crate) struct ForceField {
    pub forces: Vec<[f64; 2]>,
    pub energy: f64,
    /// Sum of `f_ij r_ij` over overlapping pairs.
    pub virial: f64,
    /// Sum of the contact force magnitudes and their count.
    pub contact_force_sum: f64,
    pub contact_count: usize,
}

impl ForceField {
    /// Adds a contact repulsion of `magnitude` between disks `i` and `j`,
    /// `d` (of length `r`) pointing from `i` to `j`: it pushes `j` along `+d`
    /// and `i` along `-d`, and counts towards the mean contact force.
    #[inline]
    pub(crate) fn add_repulsion(
        &mut self,
        i: usize,
        j: usize,
        magnitude: f64,
        d: [f64; 2],
        r: f64,
    ) {
        self.contact_force_sum += magnitude;
        self.contact_count += 1;
        let f = [magnitude * d[0] / r, magnitude * d[1] / r];
        self.forces[i][0] -= f[0];
        self.forces[i][1] -= f[1];
        self.forces[j][0] += f[0];
        self.forces[j][1] += f[1];
    }
}

impl super::fire::Relaxable for Packing {
    fn len(&self) -> usize {
        self.positions.len()
    }
    fn force_field(&self, field: &mut ForceField) {
        Packing::force_field(self, field)
    }
    fn displace(&mut self, i: usize, step: [f64; 2]) {
        Packing::displace(self, i, step)
    }
    fn refresh_neighbours(&mut self) {
        Packing::refresh_neighbours(self)
    }
}

/// Protocol 2's numbering of the disks: along horizontal strips of width
/// [`STRIP`], each walked in the direction opposite to the last, so that
/// disks near in the box are near in memory. At 10^5 disks a force
/// evaluation then reads cached neighbours instead of random ones.
pub(super) fn strip_order(positions: &[[f64; 2]], side: f64) -> Vec<usize> {
    let strips = (side / STRIP).floor().max(1.0) as usize;
    let width = side / strips as f64;
    let key = |p: &[f64; 2]| {
        let strip = ((p[1] / width) as usize).min(strips - 1);
        let along = if strip % 2 == 0 { p[0] } else { side - p[0] };
        (strip, along)
    };
    let mut order: Vec<usize> = (0..positions.len()).collect();
    order.sort_by(|&a, &b| {
        let (ka, kb) = (key(&positions[a]), key(&positions[b]));
        ka.0.cmp(&kb.0).then(ka.1.total_cmp(&kb.1))
    });
    order
}

impl Packing {
    /// Disks at `positions` with `radii` in a periodic box of side `side`,
    /// under jamming protocol `protocol`.
    pub fn new(positions: Vec<[f64; 2]>, radii: Vec<f64>, side: f64, protocol: u32) -> Self {
        let mut packing = Self {
            anchor: positions.clone(),
            positions,
            radii,
            side,
            neighbours: Vec::new(),
            protocol,
        };
        packing.rebuild_neighbours();
        packing
    }

    /// A packing at `positions` whose neighbour list was built at `anchor`
    /// (the order of its pairs, and so of the force sums, is that list's):
    /// an interrupted generation continued bit for bit.
    pub fn restore(
        positions: Vec<[f64; 2]>,
        anchor: Vec<[f64; 2]>,
        radii: Vec<f64>,
        side: f64,
        protocol: u32,
    ) -> Self {
        let mut packing = Self::new(anchor, radii, side, protocol);
        packing.positions = positions;
        packing
    }

    /// Positions when the neighbour list was built.
    pub fn anchor(&self) -> &[[f64; 2]] {
        &self.anchor
    }

    pub fn len(&self) -> usize {
        self.positions.len()
    }

    /// Total disk area over box area.
    pub fn packing_fraction(&self) -> f64 {
        let area: f64 = self
            .radii
            .iter()
            .map(|r| std::f64::consts::PI * r * r)
            .sum();
        area / (self.side * self.side)
    }

    /// Rescales box and positions affinely to `packing_fraction`.
    pub fn set_packing_fraction(&mut self, packing_fraction: f64) {
        let scale = (self.packing_fraction() / packing_fraction).sqrt();
        self.side *= scale;
        for p in &mut self.positions {
            p[0] *= scale;
            p[1] *= scale;
        }
        self.rebuild_neighbours();
    }

    /// Minimum-image separation from `i` to `j`. Positions stay in
    /// `[0, side)`, so one conditional shift per axis suffices (and is far
    /// cheaper than a division and a rounding in the innermost loop).
    #[inline]
    fn separation(&self, i: usize, j: usize) -> [f64; 2] {
        let (l, half) = (self.side, 0.5 * self.side);
        let mut d = [
            self.positions[j][0] - self.positions[i][0],
            self.positions[j][1] - self.positions[i][1],
        ];
        for c in &mut d {
            if *c > half {
                *c -= l;
            } else if *c < -half {
                *c += l;
            }
        }
        d
    }

    /// Moves disk `i` by `step` (shorter than the box), keeping it in the box.
    #[inline]
    pub fn displace(&mut self, i: usize, step: [f64; 2]) {
        let l = self.side;
        for (c, s) in self.positions[i].iter_mut().zip(step) {
            *c += s;
            if *c >= l {
                *c -= l;
            } else if *c < 0.0 {
                *c += l;
            }
        }
    }

    /// Rebuilds the list when some disk has moved more than half the skin.
    pub fn refresh_neighbours(&mut self) {
        let limit = 0.25 * SKIN * SKIN;
        let l = self.side;
        let half = 0.5 * l;
        let wrap = |c: f64| {
            if c > half {
                c - l
            } else if c < -half {
                c + l
            } else {
                c
            }
        };
        let moved = self.positions.iter().zip(&self.anchor).any(|(p, a)| {
            let d = [wrap(p[0] - a[0]), wrap(p[1] - a[1])];
            d[0] * d[0] + d[1] * d[1] > limit
        });
        if moved {
            self.rebuild_neighbours();
        }
    }

    /// All pairs closer than the sum of their radii plus the skin, found with
    /// cell lists (cells at least as wide as the longest pair range).
    fn rebuild_neighbours(&mut self) {
        self.anchor.clone_from(&self.positions);
        let n = self.len();
        let r_max = self.radii.iter().copied().fold(0.0, f64::max);
        let range = 2.0 * r_max + SKIN;
        let cells = (self.side / range).floor() as usize;
        self.neighbours.clear();
        let consider = |packing: &Self, i: usize, j: usize, out: &mut Vec<(u32, u32)>| {
            let d = packing.separation(i, j);
            let reach = packing.radii[i] + packing.radii[j] + SKIN;
            if d[0] * d[0] + d[1] * d[1] < reach * reach {
                out.push((i.min(j) as u32, i.max(j) as u32));
            }
        };
        let mut pairs = Vec::with_capacity(4 * n);
        if cells < 3 {
            // Too small a box for a 3 x 3 stencil without double counting.
            for i in 0..n {
                for j in i + 1..n {
                    consider(self, i, j, &mut pairs);
                }
            }
        } else {
            let width = self.side / cells as f64;
            let cell_of = |p: [f64; 2]| {
                let cx = ((p[0] / width) as usize).min(cells - 1);
                let cy = ((p[1] / width) as usize).min(cells - 1);
                cy * cells + cx
            };
            // Counting sort of disks by cell keeps the order deterministic.
            let mut start = vec![0usize; cells * cells + 1];
            let cell: Vec<usize> = self.positions.iter().map(|&p| cell_of(p)).collect();
            for &c in &cell {
                start[c + 1] += 1;
            }
            for c in 0..cells * cells {
                start[c + 1] += start[c];
            }
            let mut fill = start.clone();
            let mut order = vec![0usize; n];
            for (i, &c) in cell.iter().enumerate() {
                order[fill[c]] = i;
                fill[c] += 1;
            }
            // Half stencil: each pair of cells is visited once.
            const STENCIL: [(isize, isize); 4] = [(1, 0), (-1, 1), (0, 1), (1, 1)];
            for cy in 0..cells {
                for cx in 0..cells {
                    let here = &order[start[cy * cells + cx]..start[cy * cells + cx + 1]];
                    for (a, &i) in here.iter().enumerate() {
                        for &j in &here[a + 1..] {
                            consider(self, i, j, &mut pairs);
                        }
                    }
                    for (dx, dy) in STENCIL {
                        let nx = (cx as isize + dx).rem_euclid(cells as isize) as usize;
                        let ny = (cy as isize + dy).rem_euclid(cells as isize) as usize;
                        let there = &order[start[ny * cells + nx]..start[ny * cells + nx + 1]];
                        for &i in here {
                            for &j in there {
                                consider(self, i, j, &mut pairs);
                            }
                        }
                    }
                }
            }
            // Protocol 2 keeps the order the cells give: with disks
            // numbered along strips, consecutive pairs read nearby memory.
            if self.protocol < 2 {
                pairs.sort_unstable();
            }
        }
        self.neighbours = pairs;
    }

    /// Forces, energy and virial of the current configuration.
    pub fn force_field(&self, field: &mut ForceField) {
        field.forces.clear();
        field.forces.resize(self.len(), [0.0; 2]);
        field.energy = 0.0;
        field.virial = 0.0;
        field.contact_force_sum = 0.0;
        field.contact_count = 0;
        for &(i, j) in &self.neighbours {
            let (i, j) = (i as usize, j as usize);
            let d = self.separation(i, j);
            let contact = self.radii[i] + self.radii[j];
            let r2 = d[0] * d[0] + d[1] * d[1];
            if r2 >= contact * contact {
                continue;
            }
            let r = r2.sqrt();
            let strain = 1.0 - r / contact;
            let magnitude = strain / contact;
            field.energy += 0.5 * strain * strain;
            field.virial += magnitude * r;
            field.add_repulsion(i, j, magnitude, d, r);
        }
    }

    /// Virial pressure from a force field of this configuration.
    pub fn pressure(&self, field: &ForceField) -> f64 {
        field.virial / (2.0 * self.side * self.side)
    }

    /// Overlapping pairs `(i, j, overlap / (r_i + r_j))`.
    pub fn contacts(&self) -> Vec<(usize, usize, f64)> {
        self.neighbours
            .iter()
            .filter_map(|&(i, j)| {
                let (i, j) = (i as usize, j as usize);
                let d = self.separation(i, j);
                let contact = self.radii[i] + self.radii[j];
                let r = (d[0] * d[0] + d[1] * d[1]).sqrt();
                (r < contact).then(|| (i, j, 1.0 - r / contact))
            })
            .collect()
    }
}
