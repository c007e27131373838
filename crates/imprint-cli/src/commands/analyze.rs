//! `imprint analyze` and `imprint measure`: the paper's analysis of a trained
//! network, and the simulated measurement of its susceptibilities.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use imprint::analysis::measure::{simulate_measurement, ResponseMatrix};
use imprint::analysis::statistics::{pearson, spearman};
use imprint::analysis::structure::SectorOverlap;
use imprint::analysis::{analyze, Analysis, AnalysisOptions, Method};
use imprint::io::NpyArray;
use imprint::learning::{Task, TrainingProblem};
use imprint::network::Network;
use imprint::topology::sectors::Sectors;

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
    /// auto (dense up to --dense-threshold nodes), dense, or scalable.
    #[arg(long, value_enum, default_value_t = MethodArg::Auto)]
    method: MethodArg,
    /// Largest node count analysed densely by `auto`.
    #[arg(long, default_value_t = 3000)]
    dense_threshold: usize,
    /// Random projections for chi_e on the scalable path (relative error 1/sqrt(2k); 200 gives 5 %).
    #[arg(long, default_value_t = 200)]
    projections: usize,
    /// Exact chi_e by blocked solves on the scalable path (one solve per edge).
    #[arg(long)]
    exact_susceptibility: bool,
    /// Softest physical modes on the scalable path.
    #[arg(long, default_value_t = 50)]
    soft_modes: usize,
    /// Check the tensor identity literally (N + |C| <= 64).
    #[arg(long)]
    check_tensors: bool,
    /// Seed of random projections and Lanczos.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Which sample's response is cut into sectors, and how.
    #[command(flatten)]
    structure: Structure,
    /// Compare with a measured response matrix (CSV from `imprint measure` or a lab).
    #[arg(long, value_name = "FILE.csv")]
    measured: Option<PathBuf>,
    /// Output directory (default RUN_DIR/analysis).
    #[arg(short, long, value_name = "DIR")]
    output: Option<PathBuf>,
}

/// Analysis methods on the command line.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum MethodArg {
    /// Dense below the threshold, scalable above.
    Auto,
    /// Exact dense formulas.
    Dense,
    /// Nothing of size N x N or E x E.
    Scalable,
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
    /// Output CSV (default RUN_DIR/measurement.csv).
    #[arg(short, long, value_name = "FILE.csv")]
    output: Option<PathBuf>,
}

fn inputs(
    run: Option<&Path>,
    network: Option<&PathBuf>,
    task: Option<&PathBuf>,
) -> Result<(Network, Task)> {
    let network_path = match (network, run) {
        (Some(p), _) => p.clone(),
        (None, Some(r)) => r.join("network.json"),
        (None, None) => bail!("give a RUN_DIR or --network FILE --task FILE"),
    };
    let task_path = match (task, run) {
        (Some(p), _) => p.clone(),
        (None, Some(r)) => r.join("task.json"),
        (None, None) => bail!("give a RUN_DIR or --network FILE --task FILE"),
    };
    Ok((
        crate::inputs::load_network(&network_path)?,
        imprint::io::read_task(&task_path)?,
    ))
}

/// Runs `imprint measure`.
pub fn measure(args: MeasureArgs) -> Result<()> {
    if !(args.noise.is_finite() && args.noise >= 0.0) {
        bail!("--noise {} must be finite and non-negative", args.noise);
    }
    let (network, task) = inputs(Some(&args.run), None, None)?;
    if network.node_count() > 20_000 {
        bail!("{} nodes: the simulated measurement stores one drop per node and edge; use at most 20000 nodes", network.node_count());
    }
    let problem = TrainingProblem::new(&network, &task)?;
    let factor = problem.factorize(network.conductance())?;
    let matrix = simulate_measurement(&factor, network.edges(), args.noise, args.seed)?;
    let output = args
        .output
        .unwrap_or_else(|| args.run.join("measurement.csv"));
    let mut text = String::from("stimulus");
    for e in 0..network.edge_count() {
        text.push_str(&format!(",e{e}"));
    }
    text.push('\n');
    for (label, row) in matrix.stimuli.iter().zip(&matrix.drops) {
        text.push_str(label);
        for v in row {
            text.push_str(&format!(",{v:e}"));
        }
        text.push('\n');
    }
    imprint::io::write_atomic(&output, text.as_bytes())?;
    println!(
        "wrote {} ({} stimuli x {} edges, noise {} V)",
        output.display(),
        matrix.stimuli.len(),
        network.edge_count(),
        args.noise
    );
    Ok(())
}

fn read_measurement(path: &Path, edges: usize) -> Result<ResponseMatrix> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut stimuli = Vec::new();
    let mut drops = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if index == 0 || line.trim().is_empty() {
            continue;
        }
        let mut fields = line.split(',');
        stimuli.push(fields.next().unwrap_or("").to_string());
        let row: Result<Vec<f64>, _> = fields.map(|f| f.trim().parse::<f64>()).collect();
        let row = row.map_err(|_| {
            anyhow::anyhow!(
                "{}, line {}: not a row of numbers after the stimulus label",
                path.display(),
                index + 1
            )
        })?;
        if row.len() != edges {
            bail!(
                "{}, line {}: {} drops, but the network has {} edges",
                path.display(),
                index + 1,
                row.len(),
                edges
            );
        }
        drops.push(row);
    }
    if drops.is_empty() {
        bail!("{}: no measurement rows", path.display());
    }
    Ok(ResponseMatrix { stimuli, drops })
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
        (None, Some(r)) => r.join("analysis"),
        (None, None) => bail!("give -o DIR when analysing --network/--task files"),
    };
    let options = AnalysisOptions {
        method: match args.method {
            MethodArg::Auto => Method::Auto,
            MethodArg::Dense => Method::Dense,
            MethodArg::Scalable => Method::Scalable,
        },
        dense_threshold: args.dense_threshold,
        projections: args.projections,
        exact_susceptibility: args.exact_susceptibility,
        soft_modes: args.soft_modes,
        seed: args.seed,
        check_tensors: args.check_tensors,
    };
    let structure = args.structure;
    structure.validate(&task)?;
    let measured = match &args.measured {
        Some(path) => Some(read_measurement(path, network.edge_count())?.susceptibility()),
        None => None,
    };
    eprintln!(
        "analysing {} ({} nodes, {} edges) on task {} ...",
        task.name,
        network.node_count(),
        network.edge_count(),
        task.name
    );
    let (analysis, summary) =
        analyze_and_write(&network, &task, &options, &structure, measured, &output)?;
    print_summary(&analysis, &summary);
    println!(
        "wrote {}/analysis.npz and summary.json ({:.2} s)",
        output.display(),
        summary["wall_time_seconds"].as_f64().unwrap_or(f64::NAN)
    );
    Ok(())
}

/// Which response is cut into sectors, and how (flags shared by
/// `imprint analyze` and `imprint plot`).
#[derive(Debug, Clone, serde::Serialize, clap::Args)]
pub struct Structure {
    /// Training sample whose free response is cut into sectors (and drawn as fields).
    #[arg(long, default_value_t = 0)]
    pub sample: usize,
    /// Persistence threshold of the sectors, as a fraction of that response's voltage range.
    #[arg(long, allow_negative_numbers = true, default_value_t = imprint::analysis::structure::DEFAULT_SECTOR_THRESHOLD)]
    pub sector_threshold: f64,
    /// Share of edges counted as the most susceptible (sector overlap, walls and corridors).
    #[arg(long, default_value_t = 0.05)]
    pub top_share: f64,
}

impl Default for Structure {
    fn default() -> Self {
        Self {
            sample: 0,
            sector_threshold: imprint::analysis::structure::DEFAULT_SECTOR_THRESHOLD,
            top_share: 0.05,
        }
    }
}

impl Structure {
    /// Rejects a sample the task lacks and shares outside (0, 1].
    pub fn validate(&self, task: &Task) -> Result<()> {
        if self.sample >= task.sample_count() {
            bail!(
                "--sample {}: the task has {} samples (0 to {})",
                self.sample,
                task.sample_count(),
                task.sample_count().saturating_sub(1)
            );
        }
        if !(self.sector_threshold.is_finite() && self.sector_threshold >= 0.0) {
            bail!(
                "--sector-threshold {} must be a finite fraction >= 0",
                self.sector_threshold
            );
        }
        if !(self.top_share > 0.0 && self.top_share <= 1.0) {
            bail!("--top-share {} must lie in (0, 1]", self.top_share);
        }
        Ok(())
    }
}

/// The response of one sample, its sectors (Morse-Smale and uniform-voltage)
/// and the walls and corridors.
pub struct StructureResult {
    /// The sample's free response.
    pub response: imprint::physics::Solution,
    /// Morse-Smale sectors (THEORY.md section 5) and their overlap with the top-chi edges.
    pub morse_smale: (Sectors, SectorOverlap),
    /// Sectors of nearly uniform voltage and their overlap with the top-chi edges.
    pub uniform: (Sectors, SectorOverlap),
    /// Top-chi edges with relative conductance below 1.
    pub walls: Vec<usize>,
}

/// Sectors and walls of `analysis` for `structure`.
pub fn structure_of(
    network: &Network,
    task: &Task,
    analysis: &Analysis,
    structure: &Structure,
) -> Result<StructureResult> {
    use imprint::analysis::structure::{
        field_range, sample_response, sector_analysis, walls_and_corridors, SectorMethod,
    };
    let response = sample_response(network, task, structure.sample)?;
    let threshold = structure.sector_threshold * field_range(&response.voltages);
    let cut = |method| {
        sector_analysis(
            network,
            &response.voltages,
            &analysis.susceptibility,
            method,
            threshold,
            structure.top_share,
        )
    };
    let morse_smale = cut(SectorMethod::MorseSmale);
    let uniform = cut(SectorMethod::UniformVoltage);
    let walls = walls_and_corridors(
        &analysis.susceptibility,
        &analysis.relative_conductance,
        structure.top_share,
    );
    Ok(StructureResult {
        response,
        morse_smale,
        uniform,
        walls,
    })
}

/// Analyses `network` on `task` and writes `output/analysis.npz` and
/// `output/summary.json`; returns the analysis and the summary.
pub fn analyze_and_write(
    network: &Network,
    task: &Task,
    options: &AnalysisOptions,
    structure: &Structure,
    measured: Option<Vec<f64>>,
    output: &Path,
) -> Result<(Analysis, serde_json::Value)> {
    let start = Instant::now();
    let analysis = analyze(network, task, options)?;
    let found = structure_of(network, task, &analysis, structure)?;
    let elapsed = start.elapsed().as_secs_f64();
    let summary = write_analysis(
        &analysis,
        &found,
        task,
        options,
        structure,
        measured.as_deref(),
        elapsed,
        output,
    )?;
    Ok((analysis, summary))
}

/// Writes `output/analysis.npz` and `output/summary.json` for a finished
/// analysis; returns the summary.
#[allow(clippy::too_many_arguments)]
pub fn write_analysis(
    analysis: &Analysis,
    found: &StructureResult,
    task: &Task,
    options: &AnalysisOptions,
    structure: &Structure,
    measured: Option<&[f64]>,
    elapsed: f64,
    output: &Path,
) -> Result<serde_json::Value> {
    std::fs::create_dir_all(output)
        .with_context(|| format!("cannot create {}", output.display()))?;
    let mut npz = arrays(analysis, measured);
    npz.push(NpyArray::vector(
        "sample_voltages",
        found.response.voltages.clone(),
    ));
    npz.push(NpyArray::vector(
        "sample_currents",
        found.response.currents.clone(),
    ));
    npz.push(NpyArray::vector(
        "sector_morse_smale",
        found
            .morse_smale
            .0
            .sector
            .iter()
            .map(|&s| s as f64)
            .collect(),
    ));
    npz.push(NpyArray::vector(
        "sector_uniform_voltage",
        found.uniform.0.sector.iter().map(|&s| s as f64).collect(),
    ));
    imprint::io::write_npz(&output.join("analysis.npz"), &npz)?;
    let mut summary = summary(analysis, task, measured, elapsed, options);
    summary["sectors"] = serde_json::json!({
        "sample": structure.sample,
        "threshold_fraction_of_range": structure.sector_threshold,
        "top_share": structure.top_share,
        "morse_smale": found.morse_smale.1,
        "uniform_voltage": found.uniform.1,
    });
    summary["walls_and_corridors"] = serde_json::json!({
        "top_share": structure.top_share,
        "edges": found.walls.len(),
    });
    imprint::io::write_atomic(
        &output.join("summary.json"),
        format!("{}\n", serde_json::to_string_pretty(&summary)?).as_bytes(),
    )?;
    Ok(summary)
}

fn arrays(a: &Analysis, measured: Option<&[f64]>) -> Vec<NpyArray> {
    let mut out = vec![
        NpyArray::vector("physical_eigenvalues", a.physical_eigenvalues.clone()),
        NpyArray::vector("susceptibility", a.susceptibility.clone()),
        NpyArray::vector(
            "susceptibility_error",
            a.susceptibility
                .iter()
                .map(|c| c * a.susceptibility_error)
                .collect(),
        ),
        NpyArray::vector("partial_susceptibility", a.partial_susceptibility.clone()),
        NpyArray::vector(
            "cost_hessian_eigenvalues",
            a.cost_hessian_eigenvalues.clone(),
        ),
        NpyArray::matrix("stiff_modes", &a.stiff_modes),
        NpyArray::vector("stiff_weight", a.stiff_weight.clone()),
        NpyArray::vector("relative_conductance", a.relative_conductance.clone()),
        NpyArray::vector("conductance", a.conductance.clone()),
        NpyArray::vector("gradient", a.gradient.clone()),
    ];
    if a.physical_eigenvectors.ncols() > 0 {
        out.push(NpyArray::matrix(
            "physical_eigenvectors",
            &a.physical_eigenvectors,
        ));
    }
    if let Some(s) = &a.susceptibility_vectors {
        out.push(NpyArray::matrix("susceptibility_vectors", s));
    }
    if let Some(g) = &a.cost_hessian {
        out.push(NpyArray::matrix("cost_hessian", g));
    }
    if let Some(h) = &a.cost_hessian_full {
        out.push(NpyArray::matrix("cost_hessian_full", h));
    }
    if let Some(v) = &a.cost_hessian_full_eigenvalues {
        out.push(NpyArray::vector("cost_hessian_full_eigenvalues", v.clone()));
    }
    if let Some(m) = measured {
        out.push(NpyArray::vector("measured_susceptibility", m.to_vec()));
    }
    out
}

/// Fraction of edges among the top `share` by chi whose relative conductance is below the median.
fn top_edges_low_relative_conductance(a: &Analysis, share: f64) -> f64 {
    let top = imprint::analysis::structure::top_edges(&a.susceptibility, share);
    let mut sorted: Vec<f64> = a
        .relative_conductance
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[sorted.len() / 2];
    top.iter()
        .filter(|&&e| a.relative_conductance[e] < median)
        .count() as f64
        / top.len() as f64
}

fn summary(
    a: &Analysis,
    task: &Task,
    measured: Option<&[f64]>,
    elapsed: f64,
    options: &AnalysisOptions,
) -> serde_json::Value {
    let g = &a.cost_hessian_eigenvalues;
    let gap = if a.stiff_mode_count < g.len() && g[a.stiff_mode_count] > 0.0 {
        g[a.stiff_mode_count - 1] / g[a.stiff_mode_count]
    } else {
        f64::INFINITY
    };
    let measured_summary = measured.map(|m| {
        let rel: Vec<f64> = m
            .iter()
            .zip(&a.susceptibility)
            .map(|(m, c)| (m - c).abs() / c.abs().max(f64::MIN_POSITIVE))
            .collect();
        let mut sorted = rel.clone();
        sorted.sort_by(f64::total_cmp);
        serde_json::json!({
            "median_relative_difference": sorted[sorted.len() / 2],
            "largest_relative_difference": sorted[sorted.len() - 1],
            "pearson": pearson(m, &a.susceptibility),
            "spearman": spearman(m, &a.susceptibility),
        })
    });
    serde_json::json!({
        "format": "imprint-analysis",
        "version": 1,
        "task": task.name,
        "cost": a.cost,
        "gradient_norm": a.gradient.iter().map(|g| g * g).sum::<f64>().sqrt(),
        "methods": a.methods,
        "options": options,
        "stiff_mode_count": a.stiff_mode_count,
        "expected_stiff_modes": a.expected_stiff_modes,
        "stiff_gap": gap,
        "cost_hessian_largest": g.first(),
        "correlations_with_susceptibility": a.correlations(),
        "partial_susceptibility_modes_for_90_percent": a.modes_to_reach(0.9),
        "partial_susceptibility_modes_computed": a.partial_susceptibility.len(),
        "partial_susceptibility_fraction_of_modes_for_90_percent": a.modes_to_reach(0.9).map(|m| m as f64 / a.physical_eigenvectors.nrows() as f64),
        "top_5_percent_chi_edges_below_median_relative_conductance": top_edges_low_relative_conductance(a, 0.05),
        "physical_eigenpair_residual": a.physical_residual,
        "susceptibility_relative_error": a.susceptibility_error,
        "tensor_identity_error": a.tensor_identity_error,
        "measured": measured_summary,
        "wall_time_seconds": elapsed,
    })
}

fn print_summary(a: &Analysis, s: &serde_json::Value) {
    println!(
        "cost                     {:.4e} (gradient norm {:.3e})",
        a.cost,
        s["gradient_norm"].as_f64().unwrap_or(f64::NAN)
    );
    println!("stiff modes              {} (largest log gap, ratio {:.3e}); learned coefficients n_in x n_out = {}", a.stiff_mode_count, s["stiff_gap"].as_f64().unwrap_or(f64::NAN), a.expected_stiff_modes);
    for (name, c) in a.correlations() {
        println!(
            "chi vs {name:<20} Pearson {:+.3}, Spearman {:+.3}",
            c.pearson, c.spearman
        );
    }
    match a.modes_to_reach(0.9) {
        Some(m) => println!(
            "partial susceptibility   90 % after {m} of {} modes",
            a.physical_eigenvectors.nrows()
        ),
        None => println!(
            "partial susceptibility   {:.1} % after the {} modes computed",
            100.0 * a.partial_susceptibility.last().copied().unwrap_or(0.0),
            a.partial_susceptibility.len()
        ),
    }
    println!(
        "top 5 % chi edges        {:.0} % have below-median relative conductance",
        100.0
            * s["top_5_percent_chi_edges_below_median_relative_conductance"]
                .as_f64()
                .unwrap_or(f64::NAN)
    );
    for (key, name) in [
        ("morse_smale", "Morse-Smale"),
        ("uniform_voltage", "uniform-voltage"),
    ] {
        if let Some(o) = s["sectors"][key].as_object() {
            let number = |k: &str| o[k].as_f64().unwrap_or(f64::NAN);
            println!(
                "{:<24} {} sectors (sample {}), {} boundary edges; {:.0} % of the top chi edges on them ({:.1} x chance)",
                format!("{name} sectors"),
                o["sectors"],
                s["sectors"]["sample"],
                o["boundary_edges"],
                100.0 * number("precision"),
                number("enrichment")
            );
        }
    }
    if let Some(e) = a.tensor_identity_error {
        println!("tensor identity          largest relative difference {e:.2e}");
    }
    if let Some(m) = s["measured"].as_object() {
        println!(
            "measured chi vs model    median relative difference {:.3e}, Spearman {:.4}",
            m["median_relative_difference"].as_f64().unwrap_or(f64::NAN),
            m["spearman"].as_f64().unwrap_or(f64::NAN)
        );
    }
    for (what, how) in &a.methods {
        println!("method: {what:<18} {how}");
    }
}
