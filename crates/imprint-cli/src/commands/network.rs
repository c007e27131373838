//! `imprint network ...`: make, convert, inspect, re-conduct and draw networks.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use imprint::network::cluster::ClusterParameters;
use imprint::network::conductance::InitialConductance;
use imprint::network::delaunay::DelaunayParameters;
use imprint::network::jammed::JammingParameters;
use imprint::network::spec::{LatticeParameters, NetworkSpec};
use imprint::network::Network;
use imprint::topology::Description;
use imprint_plot::{NetworkFigure, NodeRole, Scale, ValueLayer};

use imprint::io::{read_any_network as load_network, NetworkFormat};

/// Network subcommands.
#[derive(clap::Subcommand)]
pub enum Command {
    /// Make a network: a jammed packing's contact network, a lattice, or a Delaunay triangulation.
    Generate {
        #[command(subcommand)]
        kind: Generator,
    },
    /// Print N, E, degree statistics, connected components, conductance range, the periodic box and provenance.
    Info {
        /// Network file (.json network, .csv edge list, or .txt literature format).
        file: PathBuf,
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

/// Generators.
#[derive(clap::Subcommand)]
pub enum Generator {
    /// Contact network of a 2D jammed packing of bidisperse soft disks (periodic box), rattlers removed.
    Jammed {
        /// Disks to place (the network has fewer nodes once rattlers are removed).
        #[arg(long, default_value_t = JammingParameters::default().nodes)]
        nodes: usize,
        /// Target pressure in units of the disk stiffness; smaller is closer to jamming (fewer excess contacts).
        #[arg(long, default_value_t = JammingParameters::default().target_pressure)]
        pressure: f64,
        /// Diameter ratio of large to small disks.
        #[arg(long, default_value_t = JammingParameters::default().size_ratio)]
        size_ratio: f64,
        /// Stop each energy minimisation when the largest net force is below this fraction of the mean contact force.
        #[arg(long, default_value_t = JammingParameters::default().force_tolerance)]
        force_tolerance: f64,
        #[command(flatten)]
        common: GeneratorArgs,
    },
    /// The paper's networks: the contact network of a disk cluster pulled to its centre by a weak central force (open, disc-shaped; sizes 1 and 0.8).
    Cluster {
        /// Disks.
        #[arg(long, default_value_t = ClusterParameters::default().nodes)]
        nodes: usize,
        /// Radius of the small disks over the large.
        #[arg(long, default_value_t = ClusterParameters::default().size_ratio)]
        size_ratio: f64,
        #[command(flatten)]
        common: GeneratorArgs,
    },
    /// Square lattice with unit spacing.
    Square {
        /// Nodes per row.
        #[arg(long)]
        columns: usize,
        /// Rows.
        #[arg(long)]
        rows: usize,
        /// Wrap around a periodic box.
        #[arg(long)]
        periodic: bool,
        #[command(flatten)]
        common: GeneratorArgs,
    },
    /// Triangular lattice with unit spacing.
    Triangular {
        /// Nodes per row.
        #[arg(long)]
        columns: usize,
        /// Rows (even and >= 4 when periodic).
        #[arg(long)]
        rows: usize,
        /// Wrap around a periodic box.
        #[arg(long)]
        periodic: bool,
        #[command(flatten)]
        common: GeneratorArgs,
    },
    /// Delaunay triangulation of uniform random points, optionally diluted at random (staying connected).
    Delaunay {
        /// Number of points.
        #[arg(long, default_value_t = DelaunayParameters::default().nodes)]
        nodes: usize,
        /// Dilute to this mean coordination Z = 2E/N.
        #[arg(long, value_name = "Z")]
        coordination: Option<f64>,
        #[command(flatten)]
        common: GeneratorArgs,
    },
}

/// Flags every generator takes.
#[derive(clap::Args)]
pub struct GeneratorArgs {
    /// Seed of every random choice (recorded in the file).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Initial conductances: constant:K, uniform:MIN,MAX or log-uniform:MIN,MAX (drawn from the seed).
    #[arg(long, value_name = "SPEC", default_value = "constant:1")]
    conductance: InitialConductance,
    /// Output network JSON file (written atomically).
    #[arg(short, long, value_name = "OUT.json")]
    output: PathBuf,
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
    #[arg(long, default_value = "1200x1000", value_parser = parse_size)]
    size: (u32, u32),
    /// Output figure: .svg or .png (written atomically).
    #[arg(short, long, value_name = "OUT.svg|OUT.png")]
    output: PathBuf,
}

fn parse_size(text: &str) -> Result<(u32, u32), String> {
    let (w, h) = text
        .split_once('x')
        .ok_or_else(|| format!("`{text}` is not WIDTHxHEIGHT"))?;
    let parse = |v: &str| {
        v.parse::<u32>()
            .ok()
            .filter(|&v| (100..=10_000).contains(&v))
    };
    match (parse(w), parse(h)) {
        (Some(w), Some(h)) => Ok((w, h)),
        _ => Err(format!(
            "`{text}`: width and height must be 100 to 10000 pixels"
        )),
    }
}

/// Runs a network subcommand.
pub fn run(command: Command) -> Result<()> {
    match command {
        Command::Generate { kind } => generate(kind),
        Command::Info { file } => info(&file),
        Command::Import {
            file,
            format,
            conductance,
            seed,
            output,
        } => {
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
        } => {
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

fn generate(kind: Generator) -> Result<()> {
    let start = Instant::now();
    let (spec, common) = match kind {
        Generator::Jammed {
            nodes,
            pressure,
            size_ratio,
            force_tolerance,
            common,
        } => (
            NetworkSpec::Jammed(JammingParameters {
                nodes,
                seed: common.seed,
                target_pressure: pressure,
                size_ratio,
                force_tolerance,
                ..Default::default()
            }),
            common,
        ),
        Generator::Cluster {
            nodes,
            size_ratio,
            common,
        } => (
            NetworkSpec::Cluster(ClusterParameters {
                nodes,
                seed: common.seed,
                size_ratio,
                ..Default::default()
            }),
            common,
        ),
        Generator::Square {
            columns,
            rows,
            periodic,
            common,
        } => (
            NetworkSpec::Square(LatticeParameters {
                columns,
                rows,
                periodic,
            }),
            common,
        ),
        Generator::Triangular {
            columns,
            rows,
            periodic,
            common,
        } => (
            NetworkSpec::Triangular(LatticeParameters {
                columns,
                rows,
                periodic,
            }),
            common,
        ),
        Generator::Delaunay {
            nodes,
            coordination,
            common,
        } => (
            NetworkSpec::Delaunay(DelaunayParameters {
                nodes,
                seed: common.seed,
                target_coordination: coordination,
            }),
            common,
        ),
    };
    if let NetworkSpec::Jammed(p) = &spec {
        eprintln!(
            "jamming {} disks to pressure {:e} (seed {})",
            p.nodes, p.target_pressure, p.seed
        );
    }
    let (mut network, report) = spec.generate_with_progress(&mut |p| {
        eprintln!(
            "  step {:>2}: packing fraction {:.6}, pressure {:.4e} ({} FIRE steps, {:.1} s)",
            p.compression,
            p.packing_fraction,
            p.pressure,
            p.fire_steps,
            start.elapsed().as_secs_f64()
        )
    })?;
    if let Some(report) = report {
        println!("{report}");
    }
    common.conductance.apply_to(&mut network, common.seed)?;
    network
        .metadata_mut()
        .insert("seed".into(), common.seed.into());
    println!("generated in       {:.2} s", start.elapsed().as_secs_f64());
    write(&common.output, &network)
}

fn info(file: &Path) -> Result<()> {
    let network = load_network(file)?;
    println!("file         {}", file.display());
    println!("{}", Description::of(&network));
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
        figure.edges = Some(ValueLayer::new(edge_values, edge_label).with_scale(scale));
        figure.width_by_value = args.width_by_value;
    }
    if let Some(path) = &args.node_values {
        figure.nodes = Some(ValueLayer::new(
            imprint::io::read_values(path)?,
            args.node_label.clone(),
        ));
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
