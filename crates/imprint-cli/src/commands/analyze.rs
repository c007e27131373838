//! `imprint analyze` and `imprint measure`: flags, files and printing around
//! the library's analysis report and simulated measurement.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Result};
use imprint::analysis::measure::{simulate_for_task, ResponseMatrix};
use imprint::analysis::report::{report, StructureOptions};
use imprint::analysis::{AnalysisError, AnalysisOption, AnalysisOptions, Boundary, Method};
use imprint::learning::Task;
use imprint::network::Network;
use imprint::topology::sectors::RoleMode;

use crate::inputs::named;
use imprint::run::{files, write_analysis};

/// Defaults of the analysis flags: the library's.
fn defaults() -> AnalysisOptions {
    AnalysisOptions::default()
}

/// Flags of `imprint analyze`.
#[derive(clap::Args)]
pub struct AnalyzeArgs {
    /// Run directory (reads network.json and task.json; writes RUN_DIR/analysis/).
    run: Option<PathBuf>,
    /// Network file, instead of RUN_DIR/network.json.
    #[arg(long, value_name = "FILE")]
    network: Option<PathBuf>,
    /// Task file, instead of RUN_DIR/task.json.
    #[arg(long, value_name = "FILE")]
    task: Option<PathBuf>,
    /// auto (dense up to --dense-threshold nodes), dense (exact formulas), or scalable (nothing of size N x N or E x E).
    #[arg(long, default_value = "auto", value_parser = named::<Method>)]
    method: Method,
    /// Hessian of chi and the physical spectrum: ground (the paper's H_g: ground and rails bordered) or held (every held node bordered).
    #[arg(long, default_value = "ground", value_parser = named::<Boundary>)]
    boundary: Boundary,
    /// Largest node count analysed densely by `auto`.
    #[arg(long, default_value_t = defaults().dense_threshold)]
    dense_threshold: usize,
    /// Random projections for chi_e on the scalable path (relative error 1/sqrt(2k); 200 gives 5 %).
    #[arg(long, default_value_t = defaults().projections)]
    projections: usize,
    /// Exact chi_e by blocked solves on the scalable path (one solve per edge).
    #[arg(long)]
    exact_susceptibility: bool,
    /// Softest physical modes on the scalable path.
    #[arg(long, default_value_t = defaults().soft_modes)]
    soft_modes: usize,
    /// Check the tensor identity literally (N + |C| <= 64).
    #[arg(long)]
    check_tensors: bool,
    /// Seed of random projections and Lanczos.
    #[arg(long, default_value_t = defaults().seed)]
    seed: u64,
    /// Which sample's response is cut into sectors, and how.
    #[command(flatten)]
    structure: StructureArgs,
    /// Compare with a measured response matrix (CSV from `imprint measure` or a lab).
    #[arg(long, value_name = "FILE.csv")]
    measured: Option<PathBuf>,
    /// Output directory (default RUN_DIR/analysis).
    #[arg(short, long, value_name = "DIR")]
    output: Option<PathBuf>,
}

/// Which response is cut into sectors, and how (flags shared by `imprint
/// analyze` and `imprint plot`; defaults from [`StructureOptions`]).
#[derive(Debug, Clone, clap::Args)]
pub struct StructureArgs {
    /// Training sample whose free response is cut into sectors (and drawn as fields).
    #[arg(long, default_value_t = StructureOptions::default().sample)]
    pub sample: usize,
    /// Role nodes the sectors must separate: per-edge (the ends of each target edge) or all (every role node from every other).
    #[arg(long, default_value = "per-edge", value_parser = named::<RoleMode>)]
    pub roles: RoleMode,
    /// Share of edges counted as the most susceptible (walls and corridors).
    #[arg(long, default_value_t = StructureOptions::default().top_share)]
    pub top_share: f64,
}

impl StructureArgs {
    /// The options these flags give, checked against `task` (errors name the flag).
    pub fn options(&self, task: &Task) -> Result<StructureOptions> {
        let options = StructureOptions {
            sample: self.sample,
            roles: self.roles,
            top_share: self.top_share,
        };
        options.validate(task).map_err(flagged)?;
        Ok(options)
    }
}

/// An analysis error as one line that names the flag it concerns.
fn flagged(error: AnalysisError) -> anyhow::Error {
    match error {
        AnalysisError::InvalidOption { option, reason } => anyhow!("{} {reason}", flag(option)),
        other => other.into(),
    }
}

/// The flag of each analysis option (the match is exhaustive: a new
/// option needs its flag here).
fn flag(option: AnalysisOption) -> &'static str {
    match option {
        AnalysisOption::Sample => "--sample",
        AnalysisOption::TopShare => "--top-share",
        AnalysisOption::Boundary => "--boundary",
        AnalysisOption::Noise => "--noise",
        AnalysisOption::Projections => "--projections",
        AnalysisOption::CheckTensors => "--check-tensors",
    }
}

/// Flags of `imprint measure`.
#[derive(clap::Args)]
pub struct MeasureArgs {
    /// Run directory (reads network.json and task.json).
    run: PathBuf,
    /// Standard deviation of Gaussian noise added to every measured drop (V).
    #[arg(long, default_value_t = 0.0)]
    noise: f64,
    /// Seed of the noise.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Nodes held during the protocol: ground (the paper's H_g) or held (every held node of the task).
    #[arg(long, default_value = "ground", value_parser = named::<Boundary>)]
    boundary: Boundary,
    /// Output CSV (default RUN_DIR/measurement.csv).
    #[arg(short, long, value_name = "FILE.csv")]
    output: Option<PathBuf>,
}

fn inputs(
    run: Option<&Path>,
    network: Option<&PathBuf>,
    task: Option<&PathBuf>,
) -> Result<(Network, Task)> {
    if let (Some(run), None) = (run, network) {
        imprint::run::check_finished_run(run)?;
    }
    let pick = |given: Option<&PathBuf>, name: &str| match (given, run) {
        (Some(p), _) => Ok(p.clone()),
        (None, Some(r)) => Ok(r.join(name)),
        (None, None) => bail!("give a RUN_DIR or --network FILE --task FILE"),
    };
    Ok((
        imprint::io::read_any_network(&pick(network, files::NETWORK)?)?,
        imprint::io::read_task(&pick(task, files::TASK)?)?,
    ))
}

/// Runs `imprint measure`.
pub fn measure(args: MeasureArgs) -> Result<()> {
    let (network, task) = inputs(Some(&args.run), None, None)?;
    if network.node_count() > 20_000 {
        bail!("{} nodes: the simulated measurement stores one drop per node and edge; use at most 20000 nodes", network.node_count());
    }
    let matrix = simulate_for_task(&network, &task, args.boundary, args.noise, args.seed)
        .map_err(flagged)?;
    let output = args
        .output
        .unwrap_or_else(|| args.run.join("measurement.csv"));
    imprint::io::write_atomic(&output, matrix.to_csv().as_bytes())?;
    println!(
        "wrote {} ({} stimuli x {} edges, noise {} V)",
        output.display(),
        matrix.stimuli.len(),
        network.edge_count(),
        args.noise
    );
    Ok(())
}

/// Runs `imprint analyze`.
pub fn run(args: AnalyzeArgs) -> Result<()> {
    let (network, task) = inputs(
        args.run.as_deref(),
        args.network.as_ref(),
        args.task.as_ref(),
    )?;
    let output = match (&args.output, &args.run) {
        (Some(o), _) => o.clone(),
        (None, Some(r)) => r.join(files::ANALYSIS),
        (None, None) => bail!("give -o DIR when analysing --network/--task files"),
    };
    let options = AnalysisOptions {
        method: args.method,
        boundary: args.boundary,
        dense_threshold: args.dense_threshold,
        projections: args.projections,
        exact_susceptibility: args.exact_susceptibility,
        soft_modes: args.soft_modes,
        seed: args.seed,
        check_tensors: args.check_tensors,
    };
    let structure = args.structure.options(&task)?;
    let measured = match &args.measured {
        Some(path) => Some(
            ResponseMatrix::read_csv(
                path,
                network.node_count(),
                network.edge_count(),
                // The held nodes of the boundary chi is analysed under.
                &args.boundary.nodes(&task).map_err(flagged)?,
            )?
            .susceptibility(),
        ),
        None => None,
    };
    // The spectrum before training, when this is a run directory with its initial network.
    let initial = match (&args.run, &args.network) {
        (Some(run), None) if run.join(files::INITIAL_NETWORK).exists() => Some(
            imprint::io::read_network(&run.join(files::INITIAL_NETWORK))?,
        ),
        _ => None,
    };
    // Refuse a task that does not fit, or an output folder that is not an
    // analysis folder, before announcing any work.
    task.validate(&network)?;
    options.validate(&network, &task).map_err(flagged)?;
    imprint::run::check_analysis_dir(&output)?;
    eprintln!(
        "analysing {} ({} nodes, {} edges) ...",
        task.name,
        network.node_count(),
        network.edge_count(),
    );
    let report = report(
        &network,
        initial.as_ref(),
        &task,
        &options,
        &structure,
        measured,
    )
    .map_err(flagged)?;
    write_analysis(&output, &report)?;
    print!("{report}");
    println!(
        "wrote {}/analysis.npz and summary.json ({:.2} s)",
        output.display(),
        report.summary.wall_time_seconds
    );
    Ok(())
}
