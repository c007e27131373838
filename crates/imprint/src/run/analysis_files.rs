//! `analysis/`: `analysis.npz` (every array of an [`AnalysisReport`], named
//! by [`AnalysisReport::arrays`]) and `summary.json` (its
//! [`AnalysisSummary`]), written by `imprint analyze` and read back by
//! `imprint plot`, so figures show exactly what was analysed.

use std::collections::BTreeMap;
use std::path::Path;

use faer::Mat;

use super::RunError;
use crate::analysis::report::{AnalysisReport, AnalysisSummary, SectorCut, StructureReport};
use crate::analysis::Analysis;
use crate::io::NpyArray;

/// The name of the array file.
pub const ARRAYS: &str = "analysis.npz";

/// The arrays of an archive by name.
struct Arrays<'a> {
    by_name: BTreeMap<String, NpyArray>,
    path: &'a Path,
}

impl Arrays<'_> {
    fn need(&mut self, name: &str) -> Result<NpyArray, RunError> {
        self.by_name
            .remove(name)
            .ok_or_else(|| RunError::invalid(self.path, format!("no array `{name}`")))
    }
}

/// Checks that an analysis may be written to `dir`: a new folder, or one
/// holding only an earlier analysis. A run directory, or a folder of other
/// files, is refused (its `summary.json` would be replaced).
pub fn check_analysis_dir(dir: &Path) -> Result<(), RunError> {
    if dir.exists() && !dir.is_dir() {
        return Err(RunError::invalid(
            dir,
            "is a file, not a folder: write the analysis to a new folder",
        ));
    }
    if dir.join(super::files::CONFIG).exists() {
        return Err(RunError::invalid(
            dir,
            "is a run directory (its analysis goes to RUN_DIR/analysis): write the analysis to a new folder",
        ));
    }
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name != ARRAYS && name != super::files::SUMMARY {
                return Err(RunError::invalid(
                    dir,
                    format!("holds `{name}`, so it is not an analysis folder: write the analysis to a new folder"),
                ));
            }
        }
    }
    Ok(())
}

/// Writes `dir/analysis.npz` and `dir/summary.json` as one: both go into a
/// temporary folder beside `dir`, which then replaces `dir`. A kill leaves
/// the old pair, or no analysis, never a new array file beside an old
/// summary. `dir` must be new or an analysis folder: a folder holding
/// anything else (a run directory's `summary.json` above all) is refused.
pub fn write_analysis(dir: &Path, report: &AnalysisReport) -> Result<(), RunError> {
    let write_error = |path: &Path, source| crate::io::IoError::Write {
        path: path.to_path_buf(),
        source,
    };
    check_analysis_dir(dir)?;
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "analysis".into());
    let sibling =
        |suffix: &str| dir.with_file_name(format!(".{name}.{}.{suffix}", std::process::id()));
    let (fresh, old) = (sibling("tmp"), sibling("old"));
    let _ = std::fs::remove_dir_all(&fresh);
    std::fs::create_dir_all(&fresh).map_err(|e| write_error(&fresh, e))?;
    crate::io::write_npz(&fresh.join(ARRAYS), &report.arrays())?;
    super::write_json(&fresh.join(super::files::SUMMARY), &report.summary)?;
    if dir.exists() {
        std::fs::rename(dir, &old).map_err(|e| write_error(dir, e))?;
    }
    std::fs::rename(&fresh, dir).map_err(|e| write_error(dir, e))?;
    let _ = std::fs::remove_dir_all(&old);
    Ok(())
}

/// Reads an analysis folder written by [`write_analysis`].
pub fn read_analysis(dir: &Path) -> Result<AnalysisReport, RunError> {
    let summary_path = dir.join(super::files::SUMMARY);
    let summary: AnalysisSummary = serde_json::from_str(&super::read_text(&summary_path)?)
        .map_err(|e| RunError::invalid(&summary_path, e.to_string()))?;
    let npz = dir.join(ARRAYS);
    let mut arrays = Arrays {
        by_name: crate::io::read_npz(&npz)?
            .into_iter()
            .map(|a| (a.name.clone(), a))
            .collect(),
        path: &npz,
    };
    let vector = |a: NpyArray| a.values;
    let matrix = |a: NpyArray| a.to_matrix().unwrap_or_else(|| Mat::zeros(0, 0));
    let count = |a: NpyArray| a.values.first().copied().unwrap_or(0.0) as usize;
    let labels = |a: NpyArray| a.values.iter().map(|&v| v as usize).collect::<Vec<_>>();
    let flagged = |a: NpyArray| {
        a.values
            .iter()
            .enumerate()
            .filter(|(_, &v)| v != 0.0)
            .map(|(e, _)| e)
            .collect::<Vec<_>>()
    };
    let mode_count = count(arrays.need("mode_count")?);
    let stiff_modes = matrix(arrays.need("stiff_modes")?);
    let analysis = Analysis {
        methods: summary.methods.clone(),
        physical_eigenvalues: vector(arrays.need("physical_eigenvalues")?),
        physical_eigenvectors: arrays
            .by_name
            .remove("physical_eigenvectors")
            .map(matrix)
            .unwrap_or_else(|| Mat::zeros(mode_count, 0)),
        physical_residual: summary.physical_eigenpair_residual,
        susceptibility: vector(arrays.need("susceptibility")?),
        susceptibility_error: summary.susceptibility_relative_error,
        susceptibility_vectors: arrays.by_name.remove("susceptibility_vectors").map(matrix),
        partial_susceptibility: vector(arrays.need("partial_susceptibility")?),
        partial_susceptibility_norm: arrays
            .by_name
            .remove("partial_susceptibility_norm")
            .map(vector),
        boundary: summary.boundary,
        cost_hessian: arrays.by_name.remove("cost_hessian").map(matrix),
        cost_hessian_full: arrays.by_name.remove("cost_hessian_full").map(matrix),
        cost_hessian_eigenvalues: vector(arrays.need("cost_hessian_eigenvalues")?),
        cost_hessian_full_eigenvalues: arrays
            .by_name
            .remove("cost_hessian_full_eigenvalues")
            .map(vector),
        stiff_mode_count: count(arrays.need("stiff_mode_count")?),
        stiff_modes,
        expected_stiff_modes: count(arrays.need("expected_stiff_modes")?),
        stiff_weight: vector(arrays.need("stiff_weight")?),
        relative_conductance: vector(arrays.need("relative_conductance")?),
        conductance: vector(arrays.need("conductance")?),
        gradient: vector(arrays.need("gradient")?),
        cost: arrays.need("cost")?.values[0],
        tensor_identity_error: arrays
            .by_name
            .remove("tensor_identity_error")
            .map(|a| a.values[0]),
    };
    let diagram = arrays.need("sector_diagram")?;
    let structure = StructureReport {
        voltages: vector(arrays.need("sample_voltages")?),
        currents: vector(arrays.need("sample_currents")?),
        sectors: SectorCut {
            labels: labels(arrays.need("sector_labels")?),
            boundary_edges: flagged(arrays.need("sector_boundary")?),
            cut_edges: flagged(arrays.need("sector_cut")?),
            diagram: diagram.values.chunks(2).map(|p| [p[0], p[1]]).collect(),
            essential: vector(arrays.need("sector_essential")?),
            overlap: summary.sectors.overlap.clone(),
        },
        walls_and_corridors: flagged(arrays.need("walls_and_corridors")?),
        walls: flagged(arrays.need("walls")?),
        corridors: flagged(arrays.need("corridors")?),
    };
    Ok(AnalysisReport {
        analysis,
        initial_spectrum: arrays
            .by_name
            .remove("initial_cost_hessian_eigenvalues")
            .map(vector),
        structure,
        measured: arrays.by_name.remove("measured_susceptibility").map(vector),
        summary,
    })
}
