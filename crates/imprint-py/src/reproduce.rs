//! The paper's reproduction from Python: the library's
//! [`imprint::paper::reproduce`] with `imprint-plot`'s figures and report
//! page, as `imprint reproduce` runs it; returns `claims.json` as a dict.

use std::path::PathBuf;

use imprint::learning::LearningRate;
use imprint::paper::{Conditions, ReproductionOptions, Stages};
use imprint::run::Observer;
use imprint_plot::{reproduction_page, Drawing, Format};
use pyo3::prelude::*;

use crate::fail;

/// One line on standard error per stage, when asked for.
struct Lines {
    show: bool,
    step: usize,
}

impl Observer for Lines {}

impl Stages for Lines {
    fn say(&mut self, what: &str) {
        self.step += 1;
        if self.show {
            eprintln!("[{:>2}] {what}", self.step);
        }
    }
}

/// Reproduces the paper's claims as `imprint reproduce` does: writes the
/// runs, figures, `claims.json` and `index.html` into `out`, and returns
/// `claims.json` as a dict. Omitted arguments take the library's defaults
/// (`imprint.defaults()["reproduction"]`): `quick` (a small network and a
/// fifth of the iterations), `seed`, `seeds` (networks judged), `network`
/// ("cluster", the paper's, or "jammed"), `condition_rate` ("auto" or one
/// number for the four Fig. 8 runs), `format` ("png", "svg" or "both"),
/// `force` (replace an earlier reproduction), `progress` (a line per stage),
/// `physics` ("resistive", the paper's, or "spring": the same network as 2D
/// springs, the experiments with a spring counterpart).
#[pyfunction]
#[pyo3(signature = (out = None, quick = None, seed = None, seeds = None, network = None, condition_rate = None, format = "png", force = None, progress = false, physics = None))]
#[allow(clippy::too_many_arguments)]
pub fn reproduce<'py>(
    py: Python<'py>,
    out: Option<PathBuf>,
    quick: Option<bool>,
    seed: Option<u64>,
    seeds: Option<u64>,
    network: Option<&str>,
    condition_rate: Option<Bound<'py, PyAny>>,
    format: &str,
    force: Option<bool>,
    progress: bool,
    physics: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    let defaults = ReproductionOptions::default();
    let condition_rate = match condition_rate {
        None => defaults.condition_rate,
        Some(value) => match value.extract::<f64>() {
            Ok(rate) => LearningRate::Constant(rate),
            Err(_) => value
                .extract::<String>()
                .map_err(|_| fail("condition_rate: a number or \"auto\""))?
                .parse()
                .map_err(|e| fail(format!("condition_rate: {e}")))?,
        },
    };
    let network: Conditions = match network {
        Some(name) => {
            serde_json::from_value(name.into()).map_err(|e| fail(format!("network: {e}")))?
        }
        None => defaults.network,
    };
    let options = ReproductionOptions {
        out: out.unwrap_or(defaults.out),
        quick: quick.unwrap_or(defaults.quick),
        seed: seed.unwrap_or(defaults.seed),
        seeds: seeds.unwrap_or(defaults.seeds),
        network,
        condition_rate,
        force: force.unwrap_or(defaults.force),
        physics: match physics {
            Some(name) => name.parse().map_err(|e| fail(format!("physics: {e}")))?,
            None => defaults.physics,
        },
    };
    let mut formats = Format::named(format).map_err(fail)?;
    if !formats.contains(&Format::Png) {
        // The report embeds PNG.
        formats.insert(0, Format::Png);
    }
    let record = py
        .detach(|| -> Result<_, String> {
            let mut lines = Lines {
                show: progress,
                step: 0,
            };
            let mut drawing = Drawing {
                figures: options.out.join("figures"),
                formats,
                progress: &mut lines,
            };
            let reproduced =
                imprint::paper::reproduce(&options, &mut drawing).map_err(|e| e.to_string())?;
            let html = reproduction_page(&reproduced, &options).map_err(|e| e.to_string())?;
            imprint::io::write_atomic(&options.out.join("index.html"), html.as_bytes())
                .map_err(|e| e.to_string())?;
            serde_json::to_string(&reproduced.record).map_err(|e| e.to_string())
        })
        .map_err(fail)?;
    py.import("json")?.call_method1("loads", (record,))
}
