//! Everything a user reads off a solved network: node voltages, the currents
//! that hold the fixed nodes, edge drops and currents, dissipated power, and
//! the Kirchhoff residual that certifies the solve.

/// The response of a network to one set of boundary conditions.
///
/// Sign conventions: `drops[e] = V_i - V_j` and `currents[e] = k_e drops[e]`
/// flow from `i` to `j` for edge `e = (i, j)`. `multipliers` are the `mu` of
/// the state `x = (V, mu)` solving `H x = f` (docs/theory.md section 1): for a fixed
/// node `c`, `mu_c = -(L V)_c`, minus the current the source at `c` pushes
/// into the network; [`source_currents`](Self::source_currents) gives that
/// current with its physical sign.
#[derive(Debug, Clone, PartialEq)]
pub struct Solution {
    /// Voltage of every node.
    pub voltages: Vec<f64>,
    /// The fixed nodes `C`, in multiplier order.
    pub fixed_nodes: Vec<usize>,
    /// Lagrange multipliers `mu`, one per fixed node.
    pub multipliers: Vec<f64>,
    /// Injected current at every node (zero where none is injected).
    pub injected: Vec<f64>,
    /// Drop `V_i - V_j` across every edge.
    pub drops: Vec<f64>,
    /// Current `k_e (V_i - V_j)` through every edge, from `i` to `j`.
    pub currents: Vec<f64>,
    /// Dissipated power `sum_e k_e dV_e^2` (what a power meter reads; the
    /// functional minimised by the response is half of it minus `I_ext . V`).
    pub dissipated_power: f64,
    /// Largest net current at a free node (summed in double-double),
    /// relative to the largest edge or injected current (absolute, in A,
    /// when nothing flows): a backward error, zero for an exact solve.
    pub kirchhoff_residual: f64,
    /// Current conservation at the sources: the largest difference between
    /// the current a fixed node's source delivers (`-mu_c`) and the net
    /// current leaving that node through its edges (summed in
    /// double-double), relative to the largest edge or injected current.
    /// Zero for an exact solve; together with `kirchhoff_residual` it checks
    /// Kirchhoff's current law at every node.
    pub current_imbalance: f64,
    /// Estimated relative error of the voltages: the last correction of the
    /// iterative refinement over the largest voltage. Certified when at most
    /// [`super::refine::CERTIFIED`] (`1e-12`); larger when the conductances
    /// span so many decades that `f64` cannot resolve the response. An
    /// estimate: it trusts the factorisation it refines with.
    pub voltage_error: f64,
    /// A rigorous upper bound on the relative error of the voltages (the
    /// largest error over the largest voltage, [`super::certificate`]):
    /// what the solve certifies. It does not trust the factorisation: at
    /// spans `f64` cannot resolve it is large, and the solve is not
    /// [`certified`](Self::certified).
    pub voltage_error_bound: f64,
}

impl Solution {
    /// Derives the solution from a state `x = (V, mu)` solving `H x = f`.
    pub(crate) fn from_state(
        edges: &[[usize; 2]],
        conductance: &[f64],
        fixed_nodes: &[usize],
        drive: &[f64],
        state: &[f64],
        voltage_error: f64,
        error_bound: f64,
    ) -> Self {
        let node_count = drive.len() - fixed_nodes.len();
        let voltages = state[..node_count].to_vec();
        let multipliers = state[node_count..].to_vec();
        let injected = drive[..node_count].to_vec();
        let drops: Vec<f64> = edges
            .iter()
            .map(|&[i, j]| voltages[i] - voltages[j])
            .collect();
        let currents: Vec<f64> = drops.iter().zip(conductance).map(|(d, k)| k * d).collect();
        let dissipated_power = drops.iter().zip(&currents).map(|(d, c)| d * c).sum();

        // Net current leaving every node through the edges, minus what is
        // injected, summed in double-double: with currents spanning many
        // decades a plain sum hides the imbalance in its rounding.
        let mut net = vec![super::refine::DoubleDouble::default(); node_count];
        for (&[i, j], &k) in edges.iter().zip(conductance) {
            let current = super::refine::DoubleDouble::current(k, voltages[i], voltages[j]);
            net[i] = net[i].add(current.hi, current.lo);
            net[j] = net[j].add(-current.hi, -current.lo);
        }
        let mut is_fixed = vec![false; node_count];
        for &c in fixed_nodes {
            is_fixed[c] = true;
        }
        let imbalance = net
            .iter()
            .zip(&injected)
            .zip(&is_fixed)
            .filter(|(_, &fixed)| !fixed)
            .map(|((n, &i), _)| {
                let r = n.add(-i, 0.0);
                (r.hi + r.lo).abs()
            })
            .fold(0.0, f64::max);
        let scale = currents
            .iter()
            .chain(&injected)
            .fold(0.0f64, |m, c| m.max(c.abs()));
        let relative = |x: f64| if scale > 0.0 { x / scale } else { x };
        // The bound comes in volts: relative to the largest voltage.
        let largest = voltages.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let error_bound = if largest > 0.0 {
            error_bound / largest
        } else {
            error_bound
        };
        let kirchhoff_residual = relative(imbalance);
        // At a fixed node c the source delivers net_c (nothing is injected
        // there): mu_c = -(L V)_c, so net_c + mu_c vanishes.
        let source_mismatch = fixed_nodes
            .iter()
            .zip(&multipliers)
            .map(|(&c, &mu)| {
                let r = net[c].add(mu, 0.0);
                (r.hi + r.lo).abs()
            })
            .fold(0.0, f64::max);
        let current_imbalance = relative(source_mismatch);
        Self {
            voltages,
            fixed_nodes: fixed_nodes.to_vec(),
            multipliers,
            injected,
            drops,
            currents,
            dissipated_power,
            kirchhoff_residual,
            current_imbalance,
            voltage_error,
            voltage_error_bound: error_bound,
        }
    }

    /// Whether the voltages are certified: [`voltage_error_bound`](Self::voltage_error_bound)
    /// at most [`TRUSTED`](super::certificate::TRUSTED).
    pub fn certified(&self) -> bool {
        self.voltage_error_bound <= super::certificate::TRUSTED
    }

    /// Current each fixed node's source pushes into the network (`-mu`).
    pub fn source_currents(&self) -> Vec<f64> {
        self.multipliers.iter().map(|mu| -mu).collect()
    }
}

/// What `imprint solve` prints: power, voltage range, the first ten
/// sources' currents, the residuals and the voltage error (estimate and
/// certified bound), a line each.
impl std::fmt::Display for Solution {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (low, high) = self
            .voltages
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            });
        writeln!(f, "dissipated power   {:.12e} W", self.dissipated_power)?;
        writeln!(f, "voltage range      [{low:.6}, {high:.6}] V")?;
        let sources = self.fixed_nodes.iter().zip(self.source_currents());
        for (&node, current) in sources.take(10) {
            writeln!(f, "source at node {node:<4} delivers {current:+.9e} A")?;
        }
        if self.fixed_nodes.len() > 10 {
            writeln!(f, "... ({} more sources)", self.fixed_nodes.len() - 10)?;
        }
        writeln!(
            f,
            "kirchhoff residual {:.2e} (relative)",
            self.kirchhoff_residual
        )?;
        writeln!(
            f,
            "current imbalance  {:.2e} (relative, at the sources)",
            self.current_imbalance
        )?;
        writeln!(
            f,
            "voltage error      {:.1e} (relative, estimated by refinement); at most {:.1e} (certified bound)",
            self.voltage_error, self.voltage_error_bound
        )
    }
}

/// Drops `V_i - V_j` of every edge for every column of `states`
/// (`E x columns`): the one place per-edge drops of many states are formed.
pub fn edge_drops(states: faer::MatRef<'_, f64>, edges: &[[usize; 2]]) -> faer::Mat<f64> {
    let mut drops = faer::Mat::zeros(edges.len(), states.ncols());
    for c in 0..states.ncols() {
        let column = states.col(c);
        let mut out = drops.col_mut(c);
        for (e, &[i, j]) in edges.iter().enumerate() {
            out[e] = column[i] - column[j];
        }
    }
    drops
}

/// `lhs * rhs` on this thread. faer's `*` follows its global parallelism
/// (all cores through rayon), which for the small products of an iteration
/// costs more in waking and parking threads than the product itself.
pub(crate) fn sequential_product(
    lhs: faer::MatRef<'_, f64>,
    rhs: faer::MatRef<'_, f64>,
) -> faer::Mat<f64> {
    let mut out = faer::Mat::zeros(lhs.nrows(), rhs.ncols());
    faer::linalg::matmul::matmul(
        out.as_mut(),
        faer::Accum::Replace,
        lhs,
        rhs,
        1.0,
        faer::Par::Seq,
    );
    out
}
