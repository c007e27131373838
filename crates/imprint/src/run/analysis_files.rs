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

/// Writes `dir/analysis.npz` and `dir/summary.json`.
pub fn write_analysis(dir: &Path, report: &AnalysisReport) -> Result<(), RunError> {
    std::fs::create_dir_all(dir).map_err(|source| crate::io::IoError::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    crate::io::write_npz(&dir.join(ARRAYS), &report.arrays())?;
    super::write_json(&dir.join(super::files::SUMMARY), &report.summary)
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
