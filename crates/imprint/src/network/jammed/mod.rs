//! Contact networks of 2D jammed packings, the networks of the paper (its
//! Appendix D, and Liu and Nagel's jamming literature).
//!
//! Recipe: `N` bidisperse soft disks (half of diameter 1, half of diameter
//! [`size_ratio`](JammingParameters::size_ratio)) are placed at random in a
//! periodic square box; the energy is minimised with FIRE; the packing fraction
//! is then moved (secant steps on the pressure, bisection when that fails) and
//! the packing re-minimised until the virial pressure is within a relative
//! tolerance of the target. Overlapping pairs are contacts; disks with fewer
//! than 3 contacts (rattlers, which carry no load in 2D) are removed
//! repeatedly; what remains is the network, nodes at the disk centres.
//!
//! Near jamming the excess coordination scales as `Z - 4 ~ p^(1/2)` (O'Hern et
//! al., PRE 68, 011306 (2003)); the tests check that lowering the pressure
//! lowers `Z - 4` and that every network is at least isostatic.
//!
//! The bits of the packing a seed gives are fixed by a protocol version
//! ([`JammingParameters::protocol`]): 1 numbers the disks as drawn; 2 numbers
//! them along strips of the box (neighbours near in memory) and stops
//! relaxing a packing once it is clearly unjammed. Parameters read without
//! a version mean 1, so that recorded seeds regenerate their networks.
//!
//! A generation can be stopped within 100 FIRE steps of a request
//! ([`generate_controlled`]) and continued from its [`JammingCheckpoint`]
//! to the same bits.

mod checkpoint;
pub(crate) mod fire;
pub(crate) mod packing;
mod search;

use std::sync::atomic::AtomicBool;

use serde::{Deserialize, Serialize};

use super::{Network, NetworkError};
pub use checkpoint::JammingCheckpoint;
use packing::Packing;

/// Parameters of the jammed-packing generator; `Default` gives the documented
/// defaults.
///
/// ```
/// let p = imprint::network::jammed::JammingParameters::default();
/// assert_eq!((p.nodes, p.target_pressure, p.size_ratio), (512, 1e-4, 1.4));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct JammingParameters {
    /// Number of disks before rattlers are removed.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = JammingParameters::default().nodes))]
    pub nodes: usize,
    /// Seed of every random choice (initial positions).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = JammingParameters::default().seed))]
    pub seed: u64,
    /// Target virial pressure, in units of the disk stiffness over the small
    /// diameter squared. Smaller is closer to jamming. (Also read as `pressure`.)
    #[serde(alias = "pressure")]
    #[cfg_attr(feature = "clap", arg(long = "pressure", visible_alias = "target-pressure", default_value_t = JammingParameters::default().target_pressure))]
    pub target_pressure: f64,
    /// Accepted relative deviation of the final pressure from the target.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = JammingParameters::default().pressure_tolerance))]
    pub pressure_tolerance: f64,
    /// Diameter of the large disks over that of the small ones.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = JammingParameters::default().size_ratio))]
    pub size_ratio: f64,
    /// Packing fraction of the random initial configuration (above jamming,
    /// about 0.84, so that the first minimisation gives a jammed state).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = JammingParameters::default().initial_packing_fraction))]
    pub initial_packing_fraction: f64,
    /// Minimisations stop when the largest net force on a disk is below this
    /// fraction of the mean contact force.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = JammingParameters::default().force_tolerance))]
    pub force_tolerance: f64,
    /// Cap on FIRE steps per minimisation.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = JammingParameters::default().max_fire_steps))]
    pub max_fire_steps: usize,
    /// Cap on compression and decompression steps.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = JammingParameters::default().max_compressions))]
    pub max_compressions: usize,
    /// Version of the generation protocol, which fixes the bits of the
    /// packing a seed gives. 2 (the default since 2026-12-07) numbers the
    /// disks along strips of the box, so that neighbours are near in memory
    /// (a FIRE step 1.6-1.85x cheaper at 10^5 disks), and stops relaxing a
    /// packing once it is clearly unjammed; 1 numbers them as drawn, as
    /// every network made before. A file or configuration without the
    /// field means 1, so that it regenerates the network it recorded.
    #[serde(default = "first_protocol")]
    #[cfg_attr(feature = "clap", arg(long, default_value_t = JammingParameters::default().protocol))]
    pub protocol: u32,
}

/// Seconds between two progress lines within a minimisation, in the front
/// ends (a report arrives every thousand FIRE steps: milliseconds apart on
/// small packings).
pub const PROGRESS_INTERVAL_SECONDS: f64 = 10.0;

/// The latest jamming protocol, the default of new networks.
pub const PROTOCOL: u32 = 2;

/// The protocol of parameters that do not name one.
fn first_protocol() -> u32 {
    1
}

impl Default for JammingParameters {
    fn default() -> Self {
        Self {
            nodes: 512,
            seed: 1,
            target_pressure: 1e-4,
            pressure_tolerance: 0.02,
            size_ratio: 1.4,
            initial_packing_fraction: 0.86,
            force_tolerance: 1e-9,
            max_fire_steps: 2_000_000,
            max_compressions: 100,
            protocol: PROTOCOL,
        }
    }
}

impl JammingParameters {
    /// Refuses parameters the generator cannot use, naming the field.
    pub fn validate(&self) -> Result<(), NetworkError> {
        let invalid = |parameter: &'static str, reason: String| {
            Err(NetworkError::InvalidParameter { parameter, reason })
        };
        if self.nodes < 8 {
            return invalid(
                "nodes",
                format!(
                    "{} disks are too few for a jammed packing (at least 8)",
                    self.nodes
                ),
            );
        }
        if !(self.target_pressure.is_finite()
            && self.target_pressure > 0.0
            && self.target_pressure < 1.0)
        {
            return invalid(
                "target_pressure",
                format!("{} is not in (0, 1)", self.target_pressure),
            );
        }
        if !(self.pressure_tolerance > 0.0 && self.pressure_tolerance < 1.0) {
            return invalid(
                "pressure_tolerance",
                format!("{} is not in (0, 1)", self.pressure_tolerance),
            );
        }
        if !(self.size_ratio >= 1.0 && self.size_ratio <= 10.0) {
            return invalid(
                "size_ratio",
                format!("{} is not in [1, 10]", self.size_ratio),
            );
        }
        if !(self.initial_packing_fraction > 0.1 && self.initial_packing_fraction < 1.2) {
            return invalid(
                "initial_packing_fraction",
                format!("{} is not in (0.1, 1.2)", self.initial_packing_fraction),
            );
        }
        if !(1..=PROTOCOL).contains(&self.protocol) {
            return invalid(
                "protocol",
                format!(
                    "{} is not a jamming protocol (1 to {PROTOCOL})",
                    self.protocol
                ),
            );
        }
        if !(self.force_tolerance > 0.0 && self.force_tolerance < 1.0) {
            return invalid(
                "force_tolerance",
                format!("{} is not in (0, 1)", self.force_tolerance),
            );
        }
        Ok(())
    }
}

/// What the generator measured; also written into the network's metadata.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JammingReport {
    /// Seed used.
    pub seed: u64,
    /// Disks placed.
    pub requested_nodes: usize,
    /// Nodes of the network (disks that are not rattlers).
    pub nodes: usize,
    /// Rattlers removed.
    pub rattlers: usize,
    /// Contacts between non-rattlers (edges of the network).
    pub contacts: usize,
    /// Disk area over box area, rattlers included.
    pub packing_fraction: f64,
    /// Final virial pressure.
    pub pressure: f64,
    /// Requested pressure.
    pub target_pressure: f64,
    /// Mean coordination `Z = 2 E / N` of the network.
    pub mean_coordination: f64,
    /// `Z - 4`, the distance from isostaticity in 2D.
    pub excess_coordination: f64,
    /// Largest overlap relative to the sum of the two radii.
    pub largest_overlap: f64,
    /// Largest net force on a disk over the mean contact force.
    pub force_balance_residual: f64,
    /// Side of the periodic box, in small diameters.
    pub box_side: f64,
    /// Compression and decompression steps taken.
    pub compressions: usize,
    /// FIRE steps over all minimisations.
    pub fire_steps: usize,
}

impl std::fmt::Display for JammingReport {
    /// The report as aligned `name  value` lines.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "disks              {} requested, {} kept, {} rattlers removed",
            self.requested_nodes, self.nodes, self.rattlers
        )?;
        writeln!(f, "contacts           {}", self.contacts)?;
        writeln!(f, "packing fraction   {:.6}", self.packing_fraction)?;
        writeln!(
            f,
            "pressure           {:.4e} (target {:.1e})",
            self.pressure, self.target_pressure
        )?;
        writeln!(
            f,
            "coordination Z     {:.4} (Z - 4 = {:.4}; isostatic bound 4 - 2/N = {:.4})",
            self.mean_coordination,
            self.excess_coordination,
            4.0 - 2.0 / self.nodes as f64
        )?;
        writeln!(
            f,
            "largest overlap    {:.3e} of the contact distance",
            self.largest_overlap
        )?;
        write!(
            f,
            "force balance      {:.2e} (largest net force / mean contact force)",
            self.force_balance_residual
        )
    }
}

/// Progress of a running generation, passed to the observer after every
/// minimisation and every thousand FIRE steps within one.
#[derive(Debug, Clone, Copy)]
pub struct JammingProgress {
    /// Compression steps before this minimisation.
    pub compression: usize,
    /// Current packing fraction.
    pub packing_fraction: f64,
    /// Pressure of the current configuration (after the minimisation when
    /// `minimised`).
    pub pressure: f64,
    /// FIRE steps of this minimisation (so far, unless `minimised`).
    pub fire_steps: usize,
    /// Largest net force on a disk over the mean contact force.
    pub residual: f64,
    /// The minimisation ended (otherwise it is under way).
    pub minimised: bool,
}

impl std::fmt::Display for JammingProgress {
    /// One progress line: step, packing fraction, pressure, FIRE steps (and
    /// the force balance of a minimisation under way).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.minimised {
            write!(
                f,
                "step {:>2}: packing fraction {:.6}, pressure {:.4e} ({} FIRE steps)",
                self.compression, self.packing_fraction, self.pressure, self.fire_steps
            )
        } else {
            write!(
                f,
                "step {:>2}: relaxing at packing fraction {:.6}, pressure {:.4e}, force balance {:.2e} ({} FIRE steps so far)",
                self.compression, self.packing_fraction, self.pressure, self.residual, self.fire_steps
            )
        }
    }
}

/// Generates a jammed contact network; see the module documentation.
pub fn generate(parameters: &JammingParameters) -> Result<(Network, JammingReport), NetworkError> {
    generate_with_progress(parameters, &mut |_| {})
}

/// [`generate`], reporting progress after every minimisation and every
/// thousand FIRE steps within one ([`JammingProgress::minimised`]).
pub fn generate_with_progress(
    parameters: &JammingParameters,
    observer: &mut dyn FnMut(&JammingProgress),
) -> Result<(Network, JammingReport), NetworkError> {
    match generate_controlled(parameters, None, observer, None)? {
        JammingOutcome::Jammed(network, report) => Ok((network, report)),
        JammingOutcome::Interrupted(_) => unreachable!("nothing can interrupt it"),
    }
}

/// How a controlled generation ended.
#[derive(Debug, Clone)]
pub enum JammingOutcome {
    /// The network and the generator's report.
    Jammed(Network, JammingReport),
    /// Stopped by the caller's flag; the checkpoint continues it.
    Interrupted(JammingCheckpoint),
}

/// [`generate_with_progress`], continuing `resume` if given (refused if it
/// was written for other parameters), and stopping within 100 FIRE steps
/// of `cancel` being raised, with a checkpoint from which the generation continues bit for
/// bit: a resumed generation makes the same network as an uninterrupted one.
pub fn generate_controlled(
    parameters: &JammingParameters,
    resume: Option<JammingCheckpoint>,
    observer: &mut dyn FnMut(&JammingProgress),
    cancel: Option<&AtomicBool>,
) -> Result<JammingOutcome, NetworkError> {
    search::run(parameters, resume, observer, cancel)
}

/// Contacts, rattler removal and renumbering.
fn contact_network(
    packing: &Packing,
    parameters: &JammingParameters,
    history: &[(f64, f64)],
    fire_steps: usize,
    residual: f64,
) -> Result<(Network, JammingReport), NetworkError> {
    let n = packing.len();
    let contacts = packing.contacts();
    let largest_overlap = contacts.iter().map(|c| c.2).fold(0.0, f64::max);
    // Peel rattlers until every remaining disk has at least 3 contacts.
    let pairs: Vec<[usize; 2]> = contacts.iter().map(|&(i, j, _)| [i, j]).collect();
    let alive = super::connectivity::peel(n, &pairs, 3);
    let mut index = vec![usize::MAX; n];
    let mut positions = Vec::new();
    for i in 0..n {
        if alive[i] {
            index[i] = positions.len();
            positions.push(packing.positions[i]);
        }
    }
    let edges: Vec<[usize; 2]> = contacts
        .iter()
        .filter(|c| alive[c.0] && alive[c.1])
        .map(|c| [index[c.0], index[c.1]])
        .collect();
    let nodes = positions.len();
    if nodes == 0 {
        return Err(NetworkError::GenerationFailed {
            reason: "every disk was a rattler: raise the target pressure".to_string(),
        });
    }
    let &(packing_fraction, pressure) = history.last().expect("at least one minimisation");
    let mean_coordination = 2.0 * edges.len() as f64 / nodes as f64;
    let report = JammingReport {
        seed: parameters.seed,
        requested_nodes: n,
        nodes,
        rattlers: n - nodes,
        contacts: edges.len(),
        packing_fraction,
        pressure,
        target_pressure: parameters.target_pressure,
        mean_coordination,
        excess_coordination: mean_coordination - 4.0,
        largest_overlap,
        force_balance_residual: residual,
        box_side: packing.side,
        compressions: history.len() - 1,
        fire_steps,
    };
    let mut network = Network::with_uniform_conductance(
        positions,
        edges,
        1.0,
        Some([packing.side, packing.side]),
    )?;
    let metadata = network.metadata_mut();
    metadata.insert("generator".into(), "jammed".into());
    metadata.insert(
        "parameters".into(),
        serde_json::to_value(parameters).expect("parameters serialise"),
    );
    metadata.insert(
        "report".into(),
        serde_json::to_value(&report).expect("report serialises"),
    );
    Ok((network, report))
}
