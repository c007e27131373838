//! `imprint plot RUN_DIR`: every figure of a trained run, drawn from its
//! files and its stored analysis (`RUN_DIR/analysis/`), so the figures show
//! what `imprint analyze` computed with the options it was given. A run
//! without an analysis is analysed first with the defaults and the
//! `--sample`/`--sector-threshold`/`--top-share` flags (and written).

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use imprint::analysis::report::StructureOptions;
use imprint::run::{analysis_for_figures, files, read_finished_run};
use imprint_plot::{run_figures, Format};

/// Flags of `imprint plot`.
#[derive(clap::Args)]
pub struct Args {
    /// Run directory written by `imprint train`.
    run: PathBuf,
    /// Figure format.
    #[arg(long, value_enum, default_value_t = FormatArg::Png)]
    format: FormatArg,
    /// Output directory (default RUN_DIR/figures; another must be new or empty).
    #[arg(short, long, value_name = "DIR")]
    output: Option<PathBuf>,
    #[command(flatten)]
    force: crate::inputs::Force,
    /// When the run has no analysis yet: which sample's fields and sectors to analyse, and how.
    #[command(flatten)]
    structure: StructureOptions,
}

/// Figure formats on the command line.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum FormatArg {
    /// PNG only.
    Png,
    /// SVG only.
    Svg,
    /// Both.
    Both,
}

impl FormatArg {
    /// The formats to write.
    pub fn formats(self) -> Vec<Format> {
        let name = match self {
            FormatArg::Png => "png",
            FormatArg::Svg => "svg",
            FormatArg::Both => "both",
        };
        Format::named(name).expect("every flag value names formats")
    }
}

/// Runs `imprint plot`.
pub fn run(args: Args) -> Result<()> {
    if let Some(output) = &args.output {
        args.force.check(output)?;
    }
    let run = read_finished_run(&args.run)?;
    let structure = args.structure.clone();
    structure
        .validate(&run.task)
        .map_err(super::analyze::flagged)?;
    let analysis_dir = args.run.join(files::ANALYSIS);
    let (report, fresh) = analysis_for_figures(&args.run, &run, &structure).with_context(|| {
        format!(
            "cannot draw {} (re-run imprint analyze on it if its analysis is from an older imprint)",
            args.run.display()
        )
    })?;
    let stored = &report.summary.sectors;
    if fresh {
        eprintln!(
            "{} had no analysis: analysed it with the defaults into {}",
            args.run.display(),
            analysis_dir.display()
        );
    } else {
        let drawn = StructureOptions {
            sample: stored.sample,
            roles: stored.overlap.roles,
            top_share: report.summary.walls_and_corridors.top_share,
        };
        eprintln!(
            "drawing the analysis in {} (options {}; structure {})",
            analysis_dir.display(),
            serde_json::to_string(&report.summary.options)?,
            serde_json::to_string(&drawn)?
        );
        if drawn != structure && structure != StructureOptions::default() {
            bail!(
                "{} was analysed with structure {}: run imprint analyze {} with the flags you want, then plot",
                analysis_dir.display(),
                serde_json::to_string(&drawn)?,
                args.run.display()
            );
        }
    }
    let out = args.output.unwrap_or_else(|| args.run.join("figures"));
    let written = run_figures(&run, &report, &out, &args.format.formats())?;
    println!("wrote {} figures to {}", written.len(), out.display());
    Ok(())
}
