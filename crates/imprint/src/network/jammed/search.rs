//! The search for the target pressure: minimise, read the pressure, move
//! the packing fraction (secant steps, bisection when they fail), until the
//! relaxed packing holds the target; interruptible between any two
//! [`CONTROL_INTERVAL`](super::fire::CONTROL_INTERVAL) FIRE steps.

use std::sync::atomic::{AtomicBool, Ordering};

use super::checkpoint::JammingCheckpoint;
use super::fire::{self, FireState};
use super::packing::{self, ForceField, Packing};
use super::{contact_network, JammingOutcome, JammingParameters, JammingProgress};
use crate::network::NetworkError;
use crate::random::Rng;

/// Force tolerance of the minimisations that steer the pressure.
const COARSE_FORCE_TOLERANCE: f64 = 1e-5;

/// FIRE steps between two progress reports within a minimisation.
const HEARTBEAT: usize = 10 * fire::CONTROL_INTERVAL;

/// The random initial packing of `parameters`.
fn initial_packing(parameters: &JammingParameters) -> Packing {
    let (positions, radii, side) = initial_disks(parameters);
    Packing::new(positions, radii, side, parameters.protocol)
}

/// The disks `parameters` draw: positions, radii (in the protocol's
/// numbering) and the side of the box.
pub(super) fn initial_disks(parameters: &JammingParameters) -> (Vec<[f64; 2]>, Vec<f64>, f64) {
    let n = parameters.nodes;
    let mut rng = Rng::new(parameters.seed);
    let mut radii: Vec<f64> = (0..n)
        .map(|i| {
            if i < n / 2 {
                0.5
            } else {
                0.5 * parameters.size_ratio
            }
        })
        .collect();
    let area: f64 = radii.iter().map(|r| std::f64::consts::PI * r * r).sum();
    let side = (area / parameters.initial_packing_fraction).sqrt();
    let mut positions: Vec<[f64; 2]> = (0..n)
        .map(|_| [side * rng.uniform(), side * rng.uniform()])
        .collect();
    if parameters.protocol >= 2 {
        let order = packing::strip_order(&positions, side);
        positions = order.iter().map(|&i| positions[i]).collect();
        radii = order.iter().map(|&i| radii[i]).collect();
    }
    (positions, radii, side)
}

/// Generates the packing of `parameters`, from `resume` if given (checked
/// against `parameters` first); stops with a checkpoint when `cancel` is
/// raised.
pub(super) fn run(
    parameters: &JammingParameters,
    resume: Option<JammingCheckpoint>,
    observer: &mut dyn FnMut(&JammingProgress),
    cancel: Option<&AtomicBool>,
) -> Result<JammingOutcome, NetworkError> {
    parameters.validate()?;
    let n = parameters.nodes;
    // Steering the pressure needs it to about 0.1 %, which a loose
    // minimisation gives; only the final state is relaxed to the requested
    // force tolerance (then its pressure is checked again).
    let loose = parameters.force_tolerance.max(COARSE_FORCE_TOLERANCE);
    // (packing fraction, pressure) after each minimisation, FIRE steps of
    // those, the search's step in packing fraction, the tolerance of the
    // minimisation under way and FIRE's state within it.
    let (mut packing, mut history, mut fire_steps, mut step, mut tolerance, mut state) =
        match resume {
            Some(checkpoint) => {
                checkpoint.check(parameters)?;
                (
                    checkpoint.packing(),
                    checkpoint.history,
                    checkpoint.fire_steps,
                    checkpoint.search_step,
                    checkpoint.tolerance,
                    checkpoint.fire,
                )
            }
            None => (
                initial_packing(parameters),
                Vec::new(),
                0,
                0.01,
                loose,
                FireState::start(n),
            ),
        };
    let mut field = ForceField::default();
    let target = parameters.target_pressure;
    let mut residual;
    // Protocol 2 calls a packing unjammed once its energy per disk is that of
    // a pressure a million times below the target (energy ~ p^2): relaxing
    // the last overlaps of an unjammed packing can take FIRE millions of
    // steps (160 disks, seed 1, stalled at pressure 3e-14), and the search
    // only needs to know that the pressure is below the target. Protocol 1
    // keeps its 1e-30, on which its packings' bits depend.
    let unjammed_energy = if parameters.protocol >= 2 {
        (1e-6 * target).powi(2)
    } else {
        fire::UNJAMMED_ENERGY
    };
    loop {
        let phi = packing.packing_fraction();
        let area = packing.side * packing.side;
        let compression = history.len();
        let outcome = fire::minimise(
            &mut packing,
            &mut field,
            &mut state,
            tolerance,
            parameters.max_fire_steps,
            unjammed_energy,
            &mut |steps, field| {
                if steps % HEARTBEAT == 0 {
                    observer(&JammingProgress {
                        compression,
                        packing_fraction: phi,
                        pressure: field.virial / (2.0 * area),
                        fire_steps: steps,
                        residual: fire::residual(field),
                        minimised: false,
                    });
                }
                !cancel.is_some_and(|flag| flag.load(Ordering::Relaxed))
            },
        );
        if outcome.interrupted {
            let checkpoint = JammingCheckpoint::capture(
                parameters, &packing, &history, fire_steps, step, tolerance, state,
            );
            return Ok(JammingOutcome::Interrupted(checkpoint));
        }
        state = FireState::start(n);
        fire_steps += outcome.steps;
        residual = outcome.residual;
        let pressure = packing.pressure(&field);
        history.push((phi, pressure));
        observer(&JammingProgress {
            compression,
            packing_fraction: phi,
            pressure,
            fire_steps: outcome.steps,
            residual,
            minimised: true,
        });
        if !outcome.converged {
            return Err(NetworkError::GenerationFailed {
                reason: format!(
                    "FIRE did not balance forces within {} steps at packing fraction {phi:.6} (residual {:.2e}); raise max_fire_steps or force_tolerance",
                    parameters.max_fire_steps, outcome.residual
                ),
            });
        }
        if (pressure - target).abs() <= parameters.pressure_tolerance * target {
            if tolerance <= parameters.force_tolerance {
                break;
            }
            tolerance = parameters.force_tolerance;
            continue;
        }
        tolerance = loose;
        if history.len() > parameters.max_compressions {
            return Err(NetworkError::GenerationFailed {
                reason: format!(
                    "pressure {pressure:.3e} still not within {} of the target {target:.3e} after {} compression steps",
                    parameters.pressure_tolerance,
                    parameters.max_compressions
                ),
            });
        }
        let next = next_packing_fraction(&history, target, &mut step);
        packing.set_packing_fraction(next);
    }
    let (network, report) = contact_network(&packing, parameters, &history, fire_steps, residual)?;
    Ok(JammingOutcome::Jammed(network, report))
}

/// Packing fractions this close (relative) are the same state revisited.
const STALLED: f64 = 1e-9;

/// Chooses the next packing fraction from the history of minimisations.
fn next_packing_fraction(history: &[(f64, f64)], target: f64, step: &mut f64) -> f64 {
    let &(phi, pressure) = history.last().expect("at least one minimisation");
    // A packing is history-dependent: after a decompression, the same packing
    // fraction can hold a different pressure than before. A state revisited
    // (within STALLED) by a later one is superseded by it; kept, it would
    // pull the secant and the bracket onto a stale pressure, where the
    // guesses stall (a 256-disk packing, seed 14, did).
    let current: Vec<(f64, f64)> = history
        .iter()
        .enumerate()
        .filter(|(k, h)| {
            !history[k + 1..]
                .iter()
                .any(|later| (later.0 - h.0).abs() <= STALLED * h.0)
        })
        .map(|(_, h)| *h)
        .collect();
    let history = current.as_slice();
    let below = history
        .iter()
        .filter(|h| h.1 < target)
        .map(|h| h.0)
        .fold(f64::NEG_INFINITY, f64::max);
    let above = history
        .iter()
        .filter(|h| h.1 > target)
        .map(|h| h.0)
        .fold(f64::INFINITY, f64::min);
    let bracketed = below.is_finite() && above.is_finite() && below < above;
    // Above jamming p rises linearly with phi: a secant through the two
    // jammed states nearest the target lands close to it.
    let mut jammed: Vec<(f64, f64)> = history
        .iter()
        .copied()
        .filter(|h| h.1 > 1e-3 * target)
        .collect();
    jammed.sort_by(|a, b| {
        (a.1 / target)
            .ln()
            .abs()
            .total_cmp(&(b.1 / target).ln().abs())
    });
    if jammed.len() >= 2 && (jammed[0].0 - jammed[1].0).abs() > 1e-12 {
        let (a, b) = (jammed[0], jammed[1]);
        let slope = (b.1 - a.1) / (b.0 - a.0);
        if slope > 0.0 {
            let guess = a.0 + (target - a.1) / slope;
            if !bracketed || (guess > below && guess < above) {
                return guess;
            }
        }
    }
    if bracketed {
        return 0.5 * (below + above);
    }
    let next = if pressure > target {
        phi - *step
    } else {
        phi + *step
    };
    *step *= 2.0;
    next
}
