//! The state of an interrupted jammed-packing generation, from which it
//! continues bit for bit: the packing (positions, and the positions its
//! neighbour list was built at, which fix the order of the force sums),
//! the pressure search and FIRE's dynamical state.

use serde::{Deserialize, Serialize};

use super::fire::FireState;
use super::packing::Packing;
use super::JammingParameters;
use crate::network::NetworkError;

/// An interrupted generation ([`generate_controlled`](super::generate_controlled)
/// returns it; passed back, the generation continues where it stopped and
/// makes the network the uninterrupted one would have, bit for bit).
/// Serialise it with `serde_json` (its `float_roundtrip` keeps every bit).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JammingCheckpoint {
    /// The parameters of the generation it continues.
    pub parameters: JammingParameters,
    /// Minimisations finished so far, as (packing fraction, pressure).
    pub history: Vec<(f64, f64)>,
    /// FIRE steps of the finished minimisations.
    pub fire_steps: usize,
    pub(super) side: f64,
    pub(super) radii: Vec<f64>,
    pub(super) positions: Vec<[f64; 2]>,
    /// Positions when the neighbour list was built.
    pub(super) anchor: Vec<[f64; 2]>,
    /// The pressure search's step in packing fraction.
    pub(super) search_step: f64,
    /// Force tolerance of the interrupted minimisation.
    pub(super) tolerance: f64,
    pub(super) fire: FireState,
}

impl JammingCheckpoint {
    /// FIRE steps taken so far, the interrupted minimisation's included.
    pub fn steps_taken(&self) -> usize {
        self.fire_steps + self.fire.step
    }

    /// Refuses a checkpoint for other parameters than `parameters` (naming
    /// the first field that differs) or whose arrays do not fit them.
    pub fn check(&self, parameters: &JammingParameters) -> Result<(), NetworkError> {
        if self.parameters != *parameters {
            let ours = serde_json::to_value(&self.parameters).expect("parameters serialise");
            let theirs = serde_json::to_value(parameters).expect("parameters serialise");
            let field = ours
                .as_object()
                .and_then(|ours| {
                    ours.iter()
                        .find(|(key, value)| theirs.get(key.as_str()) != Some(value))
                        .map(|(key, value)| {
                            format!("`{key}` is {value} there and {} here", theirs[key.as_str()])
                        })
                })
                .unwrap_or_else(|| "the parameters differ".into());
            return Err(NetworkError::InvalidParameter {
                parameter: "checkpoint",
                reason: format!("written for other parameters: {field}"),
            });
        }
        let n = parameters.nodes;
        let invalid = |reason: String| {
            Err(NetworkError::InvalidParameter {
                parameter: "checkpoint",
                reason,
            })
        };
        let positive = |x: f64| x.is_finite() && x > 0.0;
        if [
            self.radii.len(),
            self.positions.len(),
            self.anchor.len(),
            self.fire.velocity.len(),
        ] != [n; 4]
        {
            return invalid(format!(
                "`radii`, `positions`, `anchor` and `fire.velocity` must hold {n} disks each"
            ));
        }
        let inside = |p: &[f64; 2]| {
            p.iter()
                .all(|&c| c.is_finite() && (0.0..self.side).contains(&c))
        };
        if !positive(self.side)
            || !self.radii.iter().all(|&r| positive(r))
            || !self.positions.iter().chain(&self.anchor).all(inside)
            || !self.fire.velocity.iter().flatten().all(|v| v.is_finite())
        {
            return invalid(
                "`side` and `radii` must be positive, positions inside the box and velocities finite"
                    .into(),
            );
        }
        // The radii are those the generator drew, disk for disk.
        if self.radii != super::search::initial_disks(parameters).1 {
            return invalid(format!(
                "`radii` must be {} of 0.5 and the rest {}, in the order the generator draws them",
                n / 2,
                0.5 * parameters.size_ratio
            ));
        }
        if !positive(self.tolerance)
            || !positive(self.search_step)
            || !positive(self.fire.dt)
            || !self.fire.alpha.is_finite()
            || self.fire.step > parameters.max_fire_steps
            || self.history.len() > parameters.max_compressions + 1
        {
            return invalid(
                "`tolerance`, `search_step` and `fire.dt` must be positive, `fire.step` at most `max_fire_steps` and `history` at most `max_compressions` + 1 long"
                    .into(),
            );
        }
        Ok(())
    }

    /// The state at an interruption.
    pub(super) fn capture(
        parameters: &JammingParameters,
        packing: &Packing,
        history: &[(f64, f64)],
        fire_steps: usize,
        search_step: f64,
        tolerance: f64,
        fire: FireState,
    ) -> Self {
        Self {
            parameters: parameters.clone(),
            history: history.to_vec(),
            fire_steps,
            side: packing.side,
            radii: packing.radii.clone(),
            positions: packing.positions.clone(),
            anchor: packing.anchor().to_vec(),
            search_step,
            tolerance,
            fire,
        }
    }

    /// The packing it holds, with the neighbour list it had.
    pub(super) fn packing(&self) -> Packing {
        Packing::restore(
            self.positions.clone(),
            self.anchor.clone(),
            self.radii.clone(),
            self.side,
            self.parameters.protocol,
        )
    }
}
