//! `imprint reproduce`: the paper end to end on built-in defaults and fixed
//! seeds (docs/theory.md section 6). The reproduction is the library's
//! ([`imprint::paper::reproduce`]: plan, runs, metrics, claims,
//! `claims.json`); the figures and the report page are `imprint-plot`'s;
//! this file reads the flags and shows progress.

use std::time::Instant;

use anyhow::Result;
use imprint::paper::{ReproductionOptions, SeedPlan, Stages};
use imprint::run::Observer;
use imprint_plot::{reproduction_page, Drawing, Format};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::plot::FormatArg;

/// Flags of `imprint reproduce`.
#[derive(clap::Args)]
pub struct Args {
    /// The reproduction: the library's options.
    #[command(flatten)]
    pub options: ReproductionOptions,
    /// Figure format (the report shows PNG; `both` adds SVG beside it).
    #[arg(long, value_enum, default_value_t = FormatArg::Png)]
    format: FormatArg,
}

/// Progress on the terminal: one line "[k/n] elapsed (about T left) what" per
/// stage, and within a run a bar (on a terminal only) through training,
/// analysis and figures. The estimate of what is left uses the time per
/// training iteration and the time of the rest of a run measured so far.
struct Progress {
    step: usize,
    total: usize,
    start: Instant,
    /// Iterations of the runs not yet started.
    iterations_left: usize,
    /// Runs not yet started.
    runs_left: usize,
    /// Training seconds and iterations so far.
    training: (f64, usize),
    /// Seconds of everything but training in the runs so far, and their count.
    other: (f64, usize),
    /// The bar of the run under way.
    bar: Option<RunBar>,
}

impl Progress {
    fn new(start: Instant) -> Self {
        Self {
            step: 0,
            total: 0,
            start,
            iterations_left: 0,
            runs_left: 0,
            training: (0.0, 0),
            other: (0.0, 0),
            bar: None,
        }
    }

    /// Seconds the runs not yet started should take, once one run is done.
    fn left(&self) -> Option<f64> {
        let ((train, iterations), (other, runs)) = (self.training, self.other);
        (runs > 0 && iterations > 0).then(|| {
            train / iterations as f64 * self.iterations_left as f64
                + other / runs as f64 * self.runs_left as f64
        })
    }
}

impl Observer for Progress {
    fn stepped(&mut self, step: usize, _total: usize) {
        if let Some(bar) = &self.bar {
            bar.0.set_position(step as u64);
        }
    }
}

impl Stages for Progress {
    fn planned(&mut self, plans: &[SeedPlan]) {
        let runs = || plans.iter().flat_map(|p| &p.runs);
        // Each seed's network and runs, then the summary figures with the report.
        self.total = plans.len() + runs().count() + 1;
        self.iterations_left = runs().map(|r| r.config.training.iterations).sum();
        self.runs_left = runs().count();
    }

    fn say(&mut self, what: &str) {
        self.bar = None;
        self.step += 1;
        let left = match self.left() {
            Some(seconds) => format!("  (about {seconds:.0} s left)"),
            None => String::new(),
        };
        eprintln!(
            "[{:>2}/{}] {:>6.1} s{left}  {what}",
            self.step,
            self.total,
            self.start.elapsed().as_secs_f64()
        );
    }

    fn run_started(&mut self, iterations: usize) {
        self.iterations_left = self.iterations_left.saturating_sub(iterations);
        self.runs_left = self.runs_left.saturating_sub(1);
        self.bar = Some(RunBar::new(iterations));
    }

    fn phase(&mut self, what: &'static str) {
        if let Some(bar) = &self.bar {
            bar.phase(what);
        }
    }

    /// A run ended after `iterations` (fewer when it converged) that took
    /// `training` seconds of `total`.
    fn timed(&mut self, iterations: usize, training: f64, total: f64) {
        self.bar = None;
        self.training.0 += training;
        self.training.1 += iterations;
        self.other.0 += total - training;
        self.other.1 += 1;
    }
}

/// The bar of one run: iterations while it trains, then what it does.
struct RunBar(ProgressBar);

impl RunBar {
    fn new(iterations: usize) -> Self {
        // Hidden until styled (a new bar draws at once), and off a terminal.
        let bar =
            ProgressBar::with_draw_target(Some(iterations as u64), ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template("        training [{bar:30}] {pos}/{len} ({elapsed})")
                .expect("valid template")
                .progress_chars("=> "),
        );
        bar.set_draw_target(ProgressDrawTarget::stderr());
        Self(bar)
    }

    /// Training is over: a spinner saying what the run does now.
    fn phase(&self, what: &'static str) {
        self.0.set_style(
            ProgressStyle::with_template("        {spinner} {msg} ({elapsed})")
                .expect("valid template"),
        );
        self.0.set_message(what);
        self.0
            .enable_steady_tick(std::time::Duration::from_millis(250));
    }
}

impl Drop for RunBar {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}

/// Runs `imprint reproduce`.
pub fn run(args: Args) -> Result<()> {
    let options = &args.options;
    let mut formats = args.format.formats();
    if !formats.contains(&Format::Png) {
        // The report embeds PNG.
        formats.insert(0, Format::Png);
    }
    let mut progress = Progress::new(Instant::now());
    let mut drawing = Drawing {
        figures: options.out.join("figures"),
        formats,
        progress: &mut progress,
    };
    let reproduced = imprint::paper::reproduce(options, &mut drawing)?;
    let html = reproduction_page(&reproduced, options)?;
    imprint::io::write_atomic(&options.out.join("index.html"), html.as_bytes())?;
    let record = &reproduced.record;
    let (learned, judged) = reproduced.learned();
    println!(
        "{learned} of {judged} runs of seed {} learned their task; claims are judged on those alone",
        options.seed
    );
    let held = record.claims.iter().filter(|c| c.holds).count();
    let everywhere = record
        .spread
        .iter()
        .filter(|c| c.holds_everywhere())
        .count();
    println!(
        "reproduced in {:.0} s: {held} of {} claims hold on seed {}, {everywhere} on {}; open {} ({:.0} MB written)",
        record.wall_time_seconds,
        record.claims.len(),
        options.seed,
        match options.seeds {
            1 => "that one seed".to_string(),
            2 => "both seeds".to_string(),
            k => format!("all {k} seeds"),
        },
        options.out.join("index.html").display(),
        imprint::io::folder_bytes(&options.out) as f64 / 1e6
    );
    for (c, over) in record.claims.iter().zip(&record.spread) {
        println!(
            "  {} {:<4} {}\n              criterion: {}\n              over seeds: {}",
            match c.verdict() {
                "holds" => "holds ",
                "not judged" => "NOT JUDGED (no run learned)",
                _ => "FAILS ",
            },
            c.id,
            c.measured,
            c.criterion,
            over.summary()
        );
    }
    Ok(())
}
