//! `imprint analyze` and `imprint measure`: flags, files and printing around
//! the library's analysis report and simulated measurement.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use imprint::analysis::measure::{simulate_for_task, ResponseMatrix};
use imprint::analysis::report::{report, StructureOptions};
use imprint::analysis::{AnalysisError, AnalysisOption, AnalysisOptions, Boundary};
use imprint::learning::Task;
use imprint::network::Network;

use imprint::run::{files, write_analysis};

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
    /// The analysis: the library's options.
    #[command(flatten)]
    options: AnalysisOptions,
    /// Which sample's response is cut into sectors, and how.
    #[command(flatten)]
    structure: StructureOptions,
    /// Compare with a measured response matrix (CSV from `imprint measure` or a lab).
    #[arg(long, value_name = "FILE.csv")]
    measured: Option<PathBuf>,
    /// Output directory (default RUN_DIR/analysis).
    #[arg(short, long, value_name = "DIR")]
    output: Option<PathBuf>,
}

/// An analysis error as one line that names the flag it concerns.
pub(crate) fn flagged(error: AnalysisError) -> anyhow::Error {
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
    #[arg(long, value_enum, default_value_t = Boundary::default())]
    boundary: Boundary,
    /// Output CSV (default RUN_DIR/measurement.csv).
    #[arg(short, long, value_name = "FILE.csv")]
    output: Option<PathBuf>,
    #[command(flatten)]
    force: crate::inputs::Force,
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
    let (network_path, task_path) = (pick(network, files::NETWORK)?, pick(task, files::TASK)?);
    let network = imprint::io::read_any_network(&network_path)?;
    let task = imprint::io::read_task(&task_path)?;
    // A task that does not fit names both files.
    let fits = || format!("{} on {}", task_path.display(), network_path.display());
    task.validate(&network).with_context(fits)?;
    // And a part of the network no held node reaches (a disconnected
    // network); a spring network's held set is checked for zero modes by
    // its solver, which names them.
    if network.physics() == imprint::network::Physics::Resistive {
        imprint::physics::check_reachable(&network, &task.fixed_nodes).with_context(fits)?;
    }
    Ok((network, task))
}

/// Runs `imprint measure`.
pub fn measure(args: MeasureArgs) -> Result<()> {
    if let Some(output) = &args.output {
        args.force.check(output)?;
    }
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
    let AnalyzeArgs {
        options, structure, ..
    } = &args;
    structure.validate(&task).map_err(flagged)?;
    let measured = match &args.measured {
        Some(_) if network.physics() != imprint::network::Physics::Resistive => bail!(
            "--measured reads a resistor network's measurement (unit currents node by node, voltage drops); this is a {} network, which has no such protocol yet",
            network.physics()
        ),
        Some(path) => Some(
            ResponseMatrix::read_csv(
                path,
                network.node_count(),
                network.edge_count(),
                // The held nodes of the boundary chi is analysed under.
                &options.boundary.nodes(&task).map_err(flagged)?,
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
    // Refuse options that do not fit, or an output folder that is not an
    // analysis folder, before announcing any work.
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
        options,
        structure,
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
