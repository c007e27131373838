//! A reproduction's figures drawn as it runs ([`imprint::paper::Stages`]):
//! the first seed's network, each drawn run's figures and the summary
//! figures; everything else (progress) is passed on to the front end's own
//! stages. The command line and Python draw through this one type.

use std::path::PathBuf;

use imprint::network::Network;
use imprint::paper::{ReproducedRun, SeedPlan, SeedRuns, StageResult, Stages};
use imprint::run::{HistoryRecord, Observer};

use crate::{reproduction, run_figures, save_all, Format, NetworkFigure};

/// Draws into `figures` (the summary) and each run's `figures/` folder,
/// in `formats`; tells `progress` the rest.
pub struct Drawing<'a> {
    /// The reproduction's figures folder.
    pub figures: PathBuf,
    /// The formats drawn (PNG among them: the report embeds PNG).
    pub formats: Vec<Format>,
    /// The front end's progress.
    pub progress: &'a mut dyn Stages,
}

impl Observer for Drawing<'_> {
    fn started(&mut self, step: usize, last: &HistoryRecord) {
        self.progress.started(step, last);
    }

    fn stepped(&mut self, step: usize, total: usize) {
        self.progress.stepped(step, total);
    }

    fn recorded(
        &mut self,
        record: &HistoryRecord,
        conductance: &[f64],
    ) -> std::ops::ControlFlow<()> {
        self.progress.recorded(record, conductance)
    }
}

impl Stages for Drawing<'_> {
    fn planned(&mut self, plans: &[SeedPlan]) {
        self.progress.planned(plans);
    }

    fn say(&mut self, what: &str) {
        self.progress.say(what);
    }

    fn run_started(&mut self, iterations: usize) {
        self.progress.run_started(iterations);
    }

    fn phase(&mut self, what: &'static str) {
        self.progress.phase(what);
    }

    fn timed(&mut self, iterations: usize, training: f64, total: f64) {
        self.progress.timed(iterations, training, total);
    }

    fn network(&mut self, network: &Network, drawn: bool) -> StageResult {
        if drawn {
            std::fs::create_dir_all(&self.figures).map_err(|source| {
                imprint::io::IoError::Write {
                    path: self.figures.clone(),
                    source,
                }
            })?;
            let mut drawing = NetworkFigure::new(network);
            drawing.title = format!(
                "contact network: {} nodes, {} edges",
                network.node_count(),
                network.edge_count()
            );
            save_all(
                &drawing,
                &self.figures,
                "network",
                (1000, 1000),
                &self.formats,
            )?;
        }
        Ok(())
    }

    fn run_done(&mut self, run: &ReproducedRun, drawn: bool) -> StageResult {
        if drawn {
            run_figures(
                &run.run,
                &run.report,
                &run.dir.join("figures"),
                &self.formats,
            )?;
        }
        Ok(())
    }

    fn summary(&mut self, runs: &SeedRuns) -> StageResult {
        let (figures, formats) = (&self.figures, &self.formats);
        reproduction::partial_susceptibility_figure(&runs.tasks, figures, formats)?;
        reproduction::spectra_figure(&runs.tasks, figures, formats)?;
        reproduction::initial_conditions_figure(&runs.conditions, figures, formats)?;
        reproduction::weak_training_figures(&runs.weak, figures, formats)?;
        reproduction::sector_drops_figure(&runs.sectors, figures, formats)?;
        Ok(())
    }
}
