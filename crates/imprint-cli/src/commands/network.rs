//! `imprint network ...`: make, convert, inspect, re-conduct and draw networks.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use imprint::network::conductance::InitialConductance;
use imprint::network::spec::NetworkSpec;
use imprint::network::{Network, Physics};
use imprint::topology::Description;
use imprint_plot::{NetworkFigure, NodeRole, Scale, ValueLayer};

use crate::inputs::Force;
use imprint::io::{read_any_network as load_network, NetworkFormat};

/// Network subcommands.
#[derive(clap::Subcommand)]
pub enum Command {
    /// Make a network: a jammed packing's contact network, a cluster, a lattice, or a Delaunay triangulation.
    Generate(GenerateArgs),
    /// Print N, E, degree statistics, connected components, conductance range, the periodic box and provenance.
    Info {
        /// Network file (.json network, .csv edge list, or .txt literature format).
        file: PathBuf,
        /// A task file: also say whether its held set pins every zero mode (a spring network's rigid-body and floppy motions, a resistor network's parts without a held node).
        #[arg(long, value_name = "TASK.json")]
        task: Option<PathBuf>,
    },
    /// Convert a network file into network JSON: an edge-list CSV (i,j[,conductance]) or the literature's plain-text format (N E L / x y / i j).
    Import {
        /// Input file.
        file: PathBuf,
        /// Input format; `auto` picks by extension (.csv edge list, .txt literature format, .json network).
        #[arg(long, value_enum, default_value_t = ImportFormat::Auto)]
        format: ImportFormat,
        /// Replace the conductances: constant:K, uniform:MIN,MAX or log-uniform:MIN,MAX.
        #[arg(long, value_name = "SPEC")]
        conductance: Option<InitialConductance>,
        /// Seed for random conductances.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Output network JSON file (written atomically).
        #[arg(short, long, value_name = "OUT.json")]
        output: PathBuf,
        #[command(flatten)]
        force: Force,
    },
    /// Set every conductance of a network: drawn from a distribution (seeded) or read from a file.
    Conductance {
        /// Network file.
        file: PathBuf,
        /// constant:K, uniform:MIN,MAX or log-uniform:MIN,MAX.
        #[arg(
            long,
            value_name = "SPEC",
            conflicts_with = "from",
            required_unless_present = "from"
        )]
        set: Option<InitialConductance>,
        /// Seed for random conductances (recorded in the file's metadata).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Read one conductance per edge from a .npy or one-column text/CSV file.
        #[arg(long, value_name = "FILE")]
        from: Option<PathBuf>,
        /// Output network JSON file (written atomically).
        #[arg(short, long, value_name = "OUT.json")]
        output: PathBuf,
        #[command(flatten)]
        force: Force,
    },
    /// Draw a network to SVG or PNG, edges and nodes coloured by per-edge and per-node values.
    Draw(DrawArgs),
}

/// Input formats of `network import`.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum ImportFormat {
    /// By extension.
    Auto,
    /// i,j[,conductance] lines.
    EdgeList,
    /// N E L header, x y lines, i j lines (periodic box of side L).
    Literature,
    /// imprint network JSON.
    Json,
}

/// Flags of `network generate`: the generator and its parameters are the
/// library's [`NetworkSpec`] (the fields of a run file's `[network]`).
#[derive(clap::Args)]
pub struct GenerateArgs {
    #[command(subcommand)]
    spec: NetworkSpec,
    /// Initial conductances: constant:K, uniform:MIN,MAX or log-uniform:MIN,MAX (drawn from the seed).
    #[arg(long, value_name = "SPEC", default_value = "constant:1", global = true)]
    conductance: InitialConductance,
    /// Output network JSON file (written atomically; required).
    #[arg(short, long, value_name = "OUT.json", global = true)]
    output: Option<PathBuf>,
    /// Replace the output if it exists (refused otherwise).
    #[arg(long, global = true)]
    force: bool,
    /// What the edges are: resistive, or spring (2D central-force springs, conductances = stiffnesses; floppy networks refused).
    #[arg(long, default_value = "resistive", global = true)]
    physics: Physics,
    /// Testing: act as if interrupted at the first progress report after
    /// this many FIRE steps in all (jammed packings).
    #[arg(long, hide = true, global = true)]
    interrupt_after: Option<usize>,
}

/// Flags of `network draw`.
#[derive(clap::Args)]
pub struct DrawArgs {
    /// Network file.
    file: PathBuf,
    /// Colour edges by one value per edge (.npy, or one number per line); default: by conductance.
    #[arg(long, value_name = "FILE")]
    edge_values: Option<PathBuf>,
    /// Colour-bar label of the edge values.
    #[arg(long, default_value = "conductance (S)")]
    edge_label: String,
    /// Draw edge values on a log scale.
    #[arg(long)]
    log_edges: bool,
    /// Scale edge widths with the edge values too.
    #[arg(long)]
    width_by_value: bool,
    /// Colour nodes by one value per node (.npy, or one number per line).
    #[arg(long, value_name = "FILE")]
    node_values: Option<PathBuf>,
    /// Colour-bar label of the node values.
    #[arg(long, default_value = "voltage (V)")]
    node_label: String,
    /// Mark grounds (comma-separated node indices).
    #[arg(long, value_delimiter = ',', value_name = "NODES")]
    ground: Vec<usize>,
    /// Mark inputs.
    #[arg(long, value_delimiter = ',', value_name = "NODES")]
    inputs: Vec<usize>,
    /// Mark outputs.
    #[arg(long, value_delimiter = ',', value_name = "NODES")]
    outputs: Vec<usize>,
    /// Figure title (default: the file name and size).
    #[arg(long)]
    title: Option<String>,
    /// Figure size in pixels, WIDTHxHEIGHT.
    #[arg(long, default_value = "1200x1000", value_parser = imprint_plot::parse_size)]
    size: (u32, u32),
    /// Output figure: .svg or .png (written atomically).
    #[arg(short, long, value_name = "OUT.svg|OUT.png")]
    output: PathBuf,
}

/// Runs a network subcommand.
pub fn run(command: Command) -> Result<()> {
    match command {
        Command::Generate(args) => generate(args),
        Command::Info { file, task } => info(&file, task.as_deref()),
        Command::Import {
            file,
            format,
            conductance,
            seed,
            output,
            force,
        } => {
            force.check(&output)?;
            let mut network = import(&file, format)?;
            if let Some(spec) = conductance {
                spec.apply_to(&mut network, seed)?;
            }
            write(&output, &network)
        }
        Command::Conductance {
            file,
            set,
            seed,
            from,
            output,
            force,
        } => {
            force.check(&output)?;
            let mut network = load_network(&file)?;
            match (set, from) {
                (Some(spec), _) => spec.apply_to(&mut network, seed)?,
                (None, Some(path)) => {
                    let values = imprint::io::read_values(&path)?;
                    network
                        .set_conductance(values)
                        .with_context(|| path.display().to_string())?;
                    network.metadata_mut().insert(
                        "conductance".into(),
                        serde_json::json!({"from": path.display().to_string()}),
                    );
                }
                (None, None) => bail!("give --set SPEC or --from FILE"),
            }
            write(&output, &network)
        }
        Command::Draw(args) => draw(args),
    }
}

fn import(file: &Path, format: ImportFormat) -> Result<Network> {
    let format = match format {
        ImportFormat::EdgeList => NetworkFormat::EdgeList,
        ImportFormat::Literature => NetworkFormat::Literature,
        ImportFormat::Json => NetworkFormat::Json,
        ImportFormat::Auto => NetworkFormat::of(file).with_context(|| format!("{}: cannot tell the format from the extension; pass --format edge-list, literature or json", file.display()))?,
    };
    Ok(imprint::io::read_network_as(file, format)?)
}

fn write(output: &Path, network: &Network) -> Result<()> {
    imprint::io::write_network(output, network)?;
    println!(
        "wrote {} ({} nodes, {} edges)",
        output.display(),
        network.node_count(),
        network.edge_count()
    );
    Ok(())
}

/// A jammed generation stopped by a signal, its checkpoint written.
#[derive(Debug, thiserror::Error)]
#[error("interrupted after {steps} FIRE steps; state saved to {}. Run the same command again to continue", checkpoint.display())]
pub struct Interrupted {
    steps: usize,
    checkpoint: PathBuf,
}

/// Generates a jammed packing for `output`: continues the checkpoint
/// `OUTPUT.checkpoint` if there is one, and on SIGINT or SIGTERM (or after
/// `interrupt_after` FIRE steps) writes it and stops ([`Interrupted`]).
fn jam(
    parameters: &imprint::network::jammed::JammingParameters,
    output: &Path,
    start: Instant,
    interrupt_after: Option<usize>,
) -> Result<(Network, imprint::network::jammed::JammingReport)> {
    use imprint::io::{jamming_checkpoint_path, read_jamming_checkpoint, write_jamming_checkpoint};
    use imprint::network::jammed::{self, JammingOutcome};
    let path = jamming_checkpoint_path(output);
    let resume = if path.exists() {
        let checkpoint = read_jamming_checkpoint(&path, parameters)
            .map_err(|e| anyhow::anyhow!("{e}; delete {} to start afresh", path.display()))?;
        eprintln!(
            "continuing from {} (step {}, {} FIRE steps done)",
            path.display(),
            checkpoint.history.len(),
            checkpoint.steps_taken()
        );
        Some(checkpoint)
    } else {
        None
    };
    let cancel = super::interrupt_flag();
    let mut last = Instant::now();
    // FIRE steps of the minimisations finished, for `interrupt_after`.
    let mut finished = resume.as_ref().map_or(0, |c| c.fire_steps);
    let outcome = jammed::generate_controlled(
        parameters,
        resume,
        &mut |p| {
            if p.minimised {
                finished += p.fire_steps;
            } else if interrupt_after.is_some_and(|n| finished + p.fire_steps >= n) {
                cancel.store(true, std::sync::atomic::Ordering::SeqCst);
            }
            if p.minimised || last.elapsed().as_secs_f64() >= jammed::PROGRESS_INTERVAL_SECONDS {
                eprintln!("  {p}, {:.1} s", start.elapsed().as_secs_f64());
                last = Instant::now();
            }
        },
        Some(&cancel),
    )?;
    match outcome {
        JammingOutcome::Jammed(network, report) => {
            if path.exists() {
                std::fs::remove_file(&path)
                    .with_context(|| format!("cannot remove {}", path.display()))?;
            }
            Ok((network, report))
        }
        JammingOutcome::Interrupted(checkpoint) => {
            write_jamming_checkpoint(&path, &checkpoint)?;
            Err(Interrupted {
                steps: checkpoint.steps_taken(),
                checkpoint: path,
            }
            .into())
        }
    }
}

fn generate(args: GenerateArgs) -> Result<()> {
    let GenerateArgs {
        spec,
        conductance,
        output,
        force,
        physics,
        interrupt_after,
    } = args;
    let Some(output) = output else {
        bail!("network generate: give the output file with --output OUT.json");
    };
    Force { force }.check(&output)?;
    let start = Instant::now();
    match &spec {
        NetworkSpec::Jammed(p) => eprintln!(
            "jamming {} disks to pressure {:e} (seed {}, protocol {})",
            p.nodes, p.target_pressure, p.seed, p.protocol
        ),
        // One FIRE relaxation, no progress inside it: say what runs and
        // how long it takes (26-31 ns per disk and step; docs/benchmarks.md).
        NetworkSpec::Cluster(p) if p.nodes >= 10_000 => eprintln!(
            "relaxing a cluster of {} disks (seed {}): about 3 s at 10^4 disks and 80 s at 10^5 with --central 0.0005 * 300 / N, longer when more compressed",
            p.nodes, p.seed
        ),
        _ => {}
    }
    let (mut network, report) = match &spec {
        NetworkSpec::Jammed(parameters) => {
            spec.validate()?;
            let (network, report) = jam(parameters, &output, start, interrupt_after)?;
            (network, Some(report.to_string()))
        }
        _ if interrupt_after.is_some() => {
            bail!("--interrupt-after is for jammed packings only")
        }
        _ => spec.generate_with_progress(&mut |p| {
            eprintln!("  {p}, {:.1} s", start.elapsed().as_secs_f64())
        })?,
    };
    if let Some(report) = report {
        println!("{report}");
    }
    conductance.apply_to(&mut network, spec.seed())?;
    if physics == Physics::Spring2d {
        let rigidity;
        (network, rigidity) = imprint::physics::rigidity::as_spring(network)?;
        println!("{rigidity}");
    }
    network
        .metadata_mut()
        .insert("seed".into(), spec.seed().into());
    println!("generated in       {:.2} s", start.elapsed().as_secs_f64());
    write(&output, &network)
}

fn info(file: &Path, task: Option<&Path>) -> Result<()> {
    let network = load_network(file)?;
    let mut description = Description::of(&network);
    if let Some(path) = task {
        let task = imprint::io::read_task(path)?;
        let fits = || format!("{} on {}", path.display(), file.display());
        task.validate(&network).with_context(fits)?;
        description = description.with_task(&task).with_context(fits)?;
    }
    println!("file         {}", file.display());
    println!("{description}");
    Ok(())
}

fn draw(args: DrawArgs) -> Result<()> {
    let network = load_network(&args.file)?;
    let mut figure = NetworkFigure::new(&network);
    figure.title = args.title.clone().unwrap_or_else(|| {
        let name = args
            .file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        format!(
            "{name}: {} nodes, {} edges",
            network.node_count(),
            network.edge_count()
        )
    });
    let (edge_values, edge_label) = match &args.edge_values {
        Some(path) => (imprint::io::read_values(path)?, args.edge_label.clone()),
        None => (
            network.conductance().to_vec(),
            "conductance (S)".to_string(),
        ),
    };
    let uniform = edge_values.iter().all(|&v| v == edge_values[0]);
    if !uniform || args.edge_values.is_some() {
        let scale = if args.log_edges {
            Scale::Log
        } else {
            Scale::Linear
        };
        figure.edges = Some(ValueLayer::checked(
            edge_values,
            edge_label,
            scale,
            "--edge-values",
        )?);
        figure.width_by_value = args.width_by_value;
    }
    if let Some(path) = &args.node_values {
        figure.nodes = Some(ValueLayer::checked(
            imprint::io::read_values(path)?,
            args.node_label.clone(),
            Scale::Linear,
            "--node-values",
        )?);
    }
    for (nodes, role) in [
        (&args.ground, NodeRole::ground as fn(Vec<usize>) -> NodeRole),
        (&args.inputs, NodeRole::input),
        (&args.outputs, NodeRole::output),
    ] {
        if !nodes.is_empty() {
            figure.roles.push(role(nodes.clone()));
        }
    }
    imprint_plot::save(&figure, &args.output, args.size)
        .with_context(|| args.output.display().to_string())?;
    println!("wrote {}", args.output.display());
    Ok(())
}
