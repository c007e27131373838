//! The claims of docs/theory.md section 6, each judged from [`RunMetrics`] by the
//! criterion it states.

use serde::{Deserialize, Serialize};

use super::{RunMetrics, TOP_SHARE};

/// One of the paper's claims, measured.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Claim {
    /// Section number in docs/theory.md section 6 (`6.1` ... `6.5`, `E`).
    pub id: String,
    /// The paper's figures it rests on.
    pub figure: String,
    /// What the authors computed for it (their text and code).
    pub authors: String,
    /// What the paper says.
    pub statement: String,
    /// How we judge it.
    pub criterion: String,
    /// What we measured.
    pub measured: String,
    /// Whether the criterion holds (false when it was not judged).
    pub holds: bool,
    /// Whether any run it rests on learned its task: a claim is judged only
    /// on runs that did ([`RunMetrics::learned`]). Files written before
    /// this field read as judged.
    #[serde(default = "judged_by_default")]
    pub judged: bool,
    /// The runs it would rest on that did not learn their task, with their
    /// status and cost: shown, counted, never judged.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excluded_runs: Vec<String>,
}

fn judged_by_default() -> bool {
    true
}

fn listing<T>(items: &[T], separator: &str, item: impl Fn(&T) -> String) -> String {
    items.iter().map(item).collect::<Vec<_>>().join(separator)
}

/// Claim 6.1: after training at most `2 n_in n_out` cost-Hessian eigenvalues
/// lie within 10^6 of the largest, and before training at least ten times
/// as many (as fractions) do.
pub fn spectrum_claim(tasks: &[RunMetrics]) -> Claim {
    let holds = |t: &RunMetrics| {
        // Counts, not fractions: at most 2 n_in n_out large eigenvalues after training.
        (t.large_after * t.cost_hessian_size as f64).round() <= 2.0 * t.expected_stiff_modes as f64
            && t.large_before >= 10.0 * t.large_after
    };
    Claim {
        id: "6.1".into(),
        figure: "Fig. 4a".into(),
        authors: "The eigenvalues of the cost Hessian (eq. 9, Gauss-Newton at the minimum) of the network before and after training, on a log axis.".into(),
        statement: "Cost-Hessian spectrum: broad before training; after training most eigenvalues near 0 and a few (= learned coefficients) very large.".into(),
        criterion: "For each task: after training at most 2 n_in n_out eigenvalues lie within 10^6 of the largest, and before training at least 10 times as many do.".into(),
        measured: listing(tasks, "; ", |t| {
            format!(
                "{}: {:.1} % -> {:.2} % within 10^6 of the largest; {} stiff modes (n_in n_out = {})",
                t.task,
                100.0 * t.large_before,
                100.0 * t.large_after,
                t.stiff_modes,
                t.expected_stiff_modes
            )
        }),
        holds: tasks.iter().all(holds),
        ..Claim::judged_on_all()
    }
}

/// Claim 6.2: Spearman rho(chi, stiff weight) > 0 in every run.
pub fn stiffness_claim(runs: &[RunMetrics]) -> Claim {
    Claim {
        id: "6.2".into(),
        figure: "Figs. 4b-d, 5, 6c".into(),
        authors: "χ_e = |s_e|² with s_e = H_g⁻¹ b_e (H_g bordered at the ground and rails only), drawn beside the stiff modes ψ; compared by eye, no statistic.".into(),
        statement: "Edges with large χ_e carry the large entries of the stiff modes: positive rank correlation between χ_e and the stiff-mode weight.".into(),
        criterion: "Spearman ρ(χ, stiff weight) > 0 in every run (four tasks, four initial conditions).".into(),
        measured: listing(runs, ", ", |t| format!("{} {:+.2}", t.id, t.spearman_stiff)),
        holds: runs.iter().all(|t| t.spearman_stiff > 0.0),
        ..Claim::judged_on_all()
    }
}

/// The norm share claim 6.3 asks of the first 10 modes (the paper's Fig. 7
/// shows 10).
pub const PARTIAL_NORM: f64 = 0.9;

/// Claim 6.3: for each task, the first 10 modes in ascending algebraic order
/// carry at least 90 % of the Frobenius norm of `S` (the authors' measure;
/// their Fig. 1 network: 0.82 at 2 modes, 0.97 at 10).
pub fn partial_susceptibility_claim(tasks: &[RunMetrics]) -> Claim {
    Claim {
        id: "6.3".into(),
        figure: "Fig. 7".into(),
        authors: "||S^(m)||_F / ||S||_F, S^(m) built from the first m eigenpairs of H_g in ascending algebraic order (their notebook): 0.82 at 2 modes, 0.97 at 10 on their Fig. 1 network.".into(),
        statement: "Partial susceptibility saturates after a few soft modes.".into(),
        criterion: "For each task, ||S^(10)||_F / ||S||_F >= 0.9: the first 10 modes of H_g in ascending eigenvalue order (the authors' order and norm) carry 90 % of the norm of the susceptibility matrix.".into(),
        measured: listing(tasks, "; ", |t| match (t.partial_norm_at_2, t.partial_norm_at_10) {
            (Some(two), Some(ten)) => format!(
                "{}: {two:.2} at 2 modes, {ten:.2} at 10 (Σχ² by |λ|: 90 % after {} of {})",
                t.task,
                t.modes_for_90_percent.map_or("-".into(), |k| k.to_string()),
                t.modes
            ),
            _ => format!("{}: norm curve not computed (scalable path)", t.task),
        }),
        holds: !tasks.is_empty()
            && tasks
                .iter()
                .all(|t| t.partial_norm_at_10.is_some_and(|v| v >= PARTIAL_NORM)),
        ..Claim::judged_on_all()
    }
}

/// The largest `|Spearman rho(chi, k)|` claim 6.4a accepts as "not correlated".
pub const UNCORRELATED: f64 = 0.3;

/// Claim 6.4a as the paper states it (Fig. 8, App. C): "with the exception of
/// the first example" (the uniform initial condition), conductance is not
/// correlated with chi: `|rho(chi, k)| < 0.3` for every Fig. 8 run but the
/// first. `conditions` are the Fig. 8 runs in order; `runs` are every run
/// shown with its numbers (Spearman of `chi` and `k`, which equals that of
/// `log chi` and `log k`, and the share of top-chi edges among the 5 %
/// lowest-conductance edges, against 5 % by chance).
pub fn conductance_claim(conditions: &[RunMetrics], runs: &[RunMetrics]) -> Claim {
    let judged = conditions.get(1..).unwrap_or(&[]);
    Claim {
        id: "6.4a".into(),
        figure: "Fig. 8 (third column), App. C".into(),
        authors: "Scatter plots of χ_e against k_e for four initial conductance distributions; no statistic.".into(),
        statement: "Conductance is not correlated with χ_e, with the exception of the first example of Fig. 8 (uniform initial conductances).".into(),
        criterion: "For every Fig. 8 initial condition but the first, |Spearman ρ(log χ, log k)| < 0.3.".into(),
        measured: format!(
            "judged: {}; all runs (ρ, top-χ share of the lowest-k 5 %, chance 5 %): {}",
            listing(judged, ", ", |t| format!("{} {:+.2}", t.id, t.spearman_conductance)),
            listing(runs, ", ", |t| format!(
                "{} {:+.2} {:.0} %",
                t.id,
                t.spearman_conductance,
                100.0 * t.top_chi_in_lowest_k
            ))
        ),
        holds: !judged.is_empty()
            && judged
                .iter()
                .all(|t| t.spearman_conductance.abs() < UNCORRELATED),
        ..Claim::judged_on_all()
    }
}

/// Claim 6.4b: in every run more than half of the top chi edges have
/// relative conductance below 1, a larger share than among all edges.
pub fn walls_claim(runs: &[RunMetrics]) -> Claim {
    Claim {
        id: "6.4b".into(),
        figure: "Fig. 8 (fourth column), Fig. 9".into(),
        authors: "Scatter plots of χ_e against k_e / ⟨k of the edges adjacent to either end⟩; walls and corridors drawn by hand on Fig. 9.".into(),
        statement: "High-χ edges have low relative conductance k_e / <k of adjacent edges>: they act as walls and corridors.".into(),
        criterion: "In every run, more than half of the top 5 % χ edges have relative conductance below 1, and a larger share than among all edges.".into(),
        measured: listing(runs, ", ", |t| {
            format!(
                "{} {:.0} % (all edges {:.0} %)",
                t.id,
                100.0 * t.top_low_relative,
                100.0 * t.all_low_relative
            )
        }),
        holds: runs
            .iter()
            .all(|t| t.top_low_relative > 0.5 && t.top_low_relative > t.all_low_relative),
        ..Claim::judged_on_all()
    }
}

/// The AUC claim 6.5 asks of the susceptibility on the cut set.
pub const SECTOR_AUC: f64 = 0.7;

/// Claim 6.5: on the allosteric task the `|cut|` most susceptible edges lie
/// in the cut set of the persistent sectors at least twice as often as
/// chance, and `chi_e` separates cut edges from the others with an AUC of at
/// least 0.7.
pub fn sectors_claim(allostery: &RunMetrics) -> Claim {
    let s = &allostery.sectors;
    let c = &s.cut;
    Claim {
        id: "6.5".into(),
        figure: "Fig. 6, App. B (Fig. 11)".into(),
        authors: "Persistent sectors of the trained voltages (Rocks et al.) drawn beside the high-χ edges; no statistic.".into(),
        statement: "For allosteric tasks, high-χ edges trace the boundaries of persistent sectors.".into(),
        criterion: "On allostery, with the sectors of docs/theory.md section 5 (edges filtered by |ΔV|, cancelled until the ends of a target edge would share a sector): the |∂| most susceptible edges overlap the cut set ∂ at least twice as often as chance (|∂|/E), and AUC(χ; ∂ vs other edges) >= 0.7.".into(),
        measured: format!(
            "{} ({} of {} pairs cancelled); cut set {c}; kept death edges {}{}",
            s.count(),
            s.cancelled,
            s.pairs,
            s.boundary,
            if s.inseparable > 0 {
                format!("; {} target edges could not be separated", s.inseparable)
            } else {
                String::new()
            }
        ),
        holds: c.enrichment >= 2.0 && c.auc >= SECTOR_AUC,
        ..Claim::judged_on_all()
    }
}

/// Appendix E: for every desired drop rho(chi, stiff weight) > 0 and the
/// top chi edges fall among the top stiff-weight edges at least twice as
/// often as chance.
pub fn weak_training_claim(weak: &[RunMetrics]) -> Claim {
    Claim {
        id: "E".into(),
        figure: "App. E (Fig. 12)".into(),
        authors: "χ_e and the stiff mode of networks trained to weak drops, drawn side by side; no statistic.".into(),
        statement: "Weakly trained networks: the susceptibility still captures the edges singled out by the stiff mode.".into(),
        criterion: "For every desired drop, ρ(χ, stiff weight) > 0 and the top 5 % χ edges fall among the top 5 % stiff-weight edges at least twice as often as chance (10 %).".into(),
        measured: listing(weak, "; ", |t| {
            format!(
                "{}: ρ {:+.2}, overlap {:.0} %",
                t.label,
                t.spearman_stiff,
                100.0 * t.top_chi_in_top_stiff
            )
        }),
        holds: weak
            .iter()
            .all(|t| t.spearman_stiff > 0.0 && t.top_chi_in_top_stiff >= 2.0 * TOP_SHARE),
        ..Claim::judged_on_all()
    }
}

impl Claim {
    /// `holds`, `does not hold` or `not judged`.
    pub fn verdict(&self) -> &'static str {
        match (self.judged, self.holds) {
            (false, _) => "not judged",
            (true, true) => "holds",
            (true, false) => "does not hold",
        }
    }

    /// The bookkeeping of a claim judged on every run it was given.
    fn judged_on_all() -> Self {
        Self {
            judged: true,
            ..Self::default()
        }
    }

    /// `self`, built from the learned runs among `considered`, with the
    /// others listed as excluded; not judged (and so not holding) when none
    /// of them learned.
    fn gated(mut self, considered: &[&RunMetrics]) -> Self {
        self.excluded_runs = considered
            .iter()
            .filter(|r| !r.learned())
            .map(|r| r.not_learned())
            .collect();
        if self.excluded_runs.len() == considered.len() {
            self.judged = false;
            self.holds = false;
            self.measured = format!(
                "not judged: no run it rests on learned its task ({})",
                self.excluded_runs.join("; ")
            );
        }
        self
    }
}

fn refs(runs: &[RunMetrics]) -> Vec<&RunMetrics> {
    runs.iter().collect()
}

/// Every claim from the four task runs, the Fig. 8 runs and the
/// weak-training runs, each judged only on the runs that learned their task
/// ([`RunMetrics::learned`]; docs/theory.md section 6): the others are listed
/// in the claim's `excluded_runs`, and a claim none of whose runs learned is
/// not judged.
pub fn claims(tasks: &[RunMetrics], conditions: &[RunMetrics], weak: &[RunMetrics]) -> Vec<Claim> {
    let learned = |runs: &[RunMetrics]| -> Vec<RunMetrics> {
        runs.iter().filter(|r| r.learned()).cloned().collect()
    };
    let all: Vec<RunMetrics> = tasks.iter().chain(conditions).cloned().collect();
    let (learned_tasks, learned_all, learned_weak) = (learned(tasks), learned(&all), learned(weak));
    // Claim 6.4a exempts the first Fig. 8 condition by position: it stays
    // first whatever its training did (it is never judged).
    let conditions_kept: Vec<RunMetrics> = conditions
        .iter()
        .enumerate()
        .filter(|(i, r)| *i == 0 || r.learned())
        .map(|(_, r)| r.clone())
        .collect();
    let judged_conditions: Vec<&RunMetrics> = conditions.iter().skip(1).collect();
    let mut claims = vec![
        spectrum_claim(&learned_tasks).gated(&refs(tasks)),
        stiffness_claim(&learned_all).gated(&refs(&all)),
        partial_susceptibility_claim(&learned_tasks).gated(&refs(tasks)),
        conductance_claim(&conditions_kept, &learned_all).gated(&judged_conditions),
        walls_claim(&learned_all).gated(&refs(&all)),
    ];
    if let Some(allostery) = tasks.iter().find(|t| t.task == "allostery") {
        claims.push(sectors_claim(allostery).gated(&[allostery]));
    }
    claims.push(weak_training_claim(&learned_weak).gated(&refs(weak)));
    claims
}

/// One claim judged on a single run, for ensembles: the claim (its text,
/// criterion and verdict on this run alone), the number it is judged by and
/// that number's name.
#[derive(Debug, Clone, PartialEq)]
pub struct RunVerdict {
    /// The claim judged on this run alone.
    pub claim: Claim,
    /// The name of the number the verdict rests on (a [`RunMetrics`] field).
    pub metric: &'static str,
    /// Its value (NaN when not computed, e.g. the norm curve on the scalable path).
    pub value: f64,
}

/// Every claim that can be judged on one run, by the same criteria as
/// [`claims`] with that run alone: 6.1, 6.2, 6.3 (when the norm curve was
/// computed), 6.4a (`|rho(chi, k)| < 0.3`; the paper exempts uniform initial
/// conductances, an ensemble does not), 6.4b, 6.5 (allostery only) and E
/// (its criterion, applied to every run whatever its drop).
pub fn run_verdicts(run: &RunMetrics) -> Vec<RunVerdict> {
    let one = std::slice::from_ref(run);
    // The aggregate claim's text and verdict on this run alone, with its
    // criterion said of one run.
    let verdict = |mut claim: Claim, criterion: &str, metric, value| {
        claim.criterion = criterion.to_string();
        RunVerdict {
            claim,
            metric,
            value,
        }
    };
    let mut conductance = conductance_claim(&[], one);
    conductance.holds = run.spearman_conductance.abs() < UNCORRELATED;
    let mut verdicts = vec![
        verdict(
            spectrum_claim(one),
            "After training at most 2 n_in n_out cost-Hessian eigenvalues lie within 10^6 of the largest, and before training at least 10 times as many (as a share) do.",
            "large_after",
            run.large_after,
        ),
        verdict(
            stiffness_claim(one),
            "Spearman ρ(χ, stiff weight) > 0.",
            "spearman_stiff",
            run.spearman_stiff,
        ),
    ];
    if let Some(norm) = run.partial_norm_at_10 {
        verdicts.push(verdict(
            partial_susceptibility_claim(one),
            "||S^(10)||_F / ||S||_F >= 0.9 (the first 10 modes of H_g in ascending order; dense path only).",
            "partial_norm_at_10",
            norm,
        ));
    }
    verdicts.push(verdict(
        conductance,
        &format!("|Spearman ρ(log χ, log k)| < {UNCORRELATED} (the paper exempts uniform initial conductances; a sweep judges every run)."),
        "spearman_conductance",
        run.spearman_conductance,
    ));
    verdicts.push(verdict(
        walls_claim(one),
        "More than half of the top 5 % χ edges have relative conductance below 1, and a larger share than among all edges.",
        "top_low_relative",
        run.top_low_relative,
    ));
    if run.task == "allostery" {
        let criterion = sectors_claim(run).criterion;
        verdicts.push(verdict(
            sectors_claim(run),
            &criterion,
            "sector_auc",
            run.sectors.cut.auc,
        ));
    }
    verdicts.push(verdict(
        weak_training_claim(one),
        "ρ(χ, stiff weight) > 0 and the top 5 % χ edges fall among the top 5 % stiff-weight edges at least twice as often as chance (10 %), whatever the training.",
        "top_chi_in_top_stiff",
        run.top_chi_in_top_stiff,
    ));
    verdicts
}

/// The ids of the claims [`run_verdicts`] judges, in its order.
pub const RUN_CLAIMS: [&str; 7] = ["6.1", "6.2", "6.3", "6.4a", "6.4b", "6.5", "E"];

#[cfg(test)]
#[path = "claims_tests.rs"]
pub(crate) mod tests;
