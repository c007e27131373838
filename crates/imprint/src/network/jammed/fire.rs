//! FIRE energy minimisation (Bitzek et al., PRL 97, 170201 (2006)) of a
//! system of disks (a periodic [`Packing`](super::packing::Packing) or an
//! open cluster), with unit masses and a semi-implicit Euler integrator.

use super::packing::ForceField;

/// Disks that FIRE can relax.
pub(crate) trait Relaxable {
    /// Number of disks.
    fn len(&self) -> usize;
    /// Forces and energy of the current configuration into `field`.
    fn force_field(&self, field: &mut ForceField);
    /// Moves disk `i` by `step`.
    fn displace(&mut self, i: usize, step: [f64; 2]);
    /// Updates neighbour lists after moves.
    fn refresh_neighbours(&mut self);
    /// How far from force balance `field` is (FIRE stops below the tolerance):
    /// by default the largest net force over the mean contact force.
    fn imbalance(&self, field: &ForceField) -> f64 {
        residual(field)
    }
}

/// Outcome of one minimisation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Minimisation {
    pub steps: usize,
    /// Largest net force on a disk over the mean contact force (0 without contacts).
    pub residual: f64,
    pub converged: bool,
    /// Stopped by the caller's control ([`minimise`]); `state` holds where.
    pub interrupted: bool,
}

const DT_START: f64 = 0.05;
const DT_MAX: f64 = 0.5;
const N_MIN: usize = 5;
const F_INC: f64 = 1.1;
const F_DEC: f64 = 0.5;
const ALPHA_START: f64 = 0.1;
const F_ALPHA: f64 = 0.99;

/// FIRE steps between two calls of a minimisation's control: often enough
/// that an interrupt is obeyed within a second at 10^5 disks (about 5 ms a
/// step), rarely enough to cost nothing.
pub(crate) const CONTROL_INTERVAL: usize = 100;

/// Energy per disk below which a packing is unjammed, unless the caller
/// knows a larger one ([`minimise`]).
pub(crate) const UNJAMMED_ENERGY: f64 = 1e-30;

/// FIRE's dynamical state within a minimisation (the positions are the
/// packing's): what an interrupted minimisation needs to continue bit for
/// bit.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct FireState {
    /// Steps taken so far in this minimisation.
    pub step: usize,
    pub velocity: Vec<[f64; 2]>,
    pub dt: f64,
    pub alpha: f64,
    /// Consecutive steps with positive power.
    pub positive_steps: usize,
}

impl FireState {
    /// The state a minimisation of `n` disks starts from.
    pub fn start(n: usize) -> Self {
        Self {
            step: 0,
            velocity: vec![[0.0; 2]; n],
            dt: DT_START,
            alpha: ALPHA_START,
            positive_steps: 0,
        }
    }
}

/// Relaxes `packing` from `state` until the largest net force is below
/// `tolerance` times the mean contact force (or the energy per disk is below
/// `unjammed_energy`: unjammed), or `max_steps` pass. Every
/// [`CONTROL_INTERVAL`] steps `control` is shown the step and the forces;
/// when it returns `false` the minimisation stops there, interrupted, and
/// `state` continues it. `field` holds the forces of the final
/// configuration.
pub(crate) fn minimise(
    packing: &mut impl Relaxable,
    field: &mut ForceField,
    state: &mut FireState,
    tolerance: f64,
    max_steps: usize,
    unjammed_energy: f64,
    control: &mut dyn FnMut(usize, &ForceField) -> bool,
) -> Minimisation {
    let n = packing.len();
    let FireState {
        step: first,
        velocity,
        dt,
        alpha,
        positive_steps,
    } = state;
    packing.force_field(field);
    let resumed_at = *first;
    for step in resumed_at..=max_steps {
        *first = step;
        let residual = packing.imbalance(field);
        let unjammed = field.energy < unjammed_energy * n as f64;
        let outcome = |converged, interrupted| Minimisation {
            steps: step,
            residual,
            converged,
            interrupted,
        };
        if residual < tolerance || unjammed {
            return outcome(true, false);
        }
        if step == max_steps {
            return outcome(false, false);
        }
        // Not at the step it resumed from: that one was asked already.
        if step % CONTROL_INTERVAL == 0 && step > resumed_at && !control(step, field) {
            return outcome(false, true);
        }
        let power: f64 = field
            .forces
            .iter()
            .zip(velocity.iter())
            .map(|(f, v)| f[0] * v[0] + f[1] * v[1])
            .sum();
        if power > 0.0 {
            let v_norm = velocity
                .iter()
                .map(|v| v[0] * v[0] + v[1] * v[1])
                .sum::<f64>()
                .sqrt();
            let f_norm = field
                .forces
                .iter()
                .map(|f| f[0] * f[0] + f[1] * f[1])
                .sum::<f64>()
                .sqrt();
            let mix = *alpha * v_norm / f_norm.max(f64::MIN_POSITIVE);
            for (v, f) in velocity.iter_mut().zip(&field.forces) {
                v[0] = (1.0 - *alpha) * v[0] + mix * f[0];
                v[1] = (1.0 - *alpha) * v[1] + mix * f[1];
            }
            if *positive_steps > N_MIN {
                *dt = (*dt * F_INC).min(DT_MAX);
                *alpha *= F_ALPHA;
            }
            *positive_steps += 1;
        } else {
            // FIRE 2.0 (Guenole et al., Comput. Mater. Sci. 175, 109584
            // (2020)): step half back to just before the uphill move.
            for (i, v) in velocity.iter_mut().enumerate() {
                packing.displace(i, [-0.5 * *dt * v[0], -0.5 * *dt * v[1]]);
                *v = [0.0; 2];
            }
            *dt *= F_DEC;
            *alpha = ALPHA_START;
            *positive_steps = 0;
        }
        for (i, (v, f)) in velocity.iter_mut().zip(&field.forces).enumerate() {
            v[0] += *dt * f[0];
            v[1] += *dt * f[1];
            packing.displace(i, [*dt * v[0], *dt * v[1]]);
        }
        packing.refresh_neighbours();
        packing.force_field(field);
    }
    unreachable!("the loop returns at step == max_steps")
}

/// Largest net force on a disk over the mean contact force.
pub(crate) fn residual(field: &ForceField) -> f64 {
    if field.contact_count == 0 {
        return 0.0;
    }
    let mean_force = field.contact_force_sum / field.contact_count as f64;
    let largest_squared = field
        .forces
        .iter()
        .map(|f| f[0] * f[0] + f[1] * f[1])
        .fold(0.0, f64::max);
    largest_squared.sqrt() / mean_force
}
