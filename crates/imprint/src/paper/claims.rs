//! The claims of docs/theory.md section 6, each judged from [`RunMetrics`] by the
//! criterion it states.

use serde::{Deserialize, Serialize};

use super::{RunMetrics, TOP_SHARE};

/// One of the paper's claims, measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// Whether the criterion holds.
    pub holds: bool,
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
    }
}

/// Every claim from the four task runs, the Fig. 8 runs and the weak-training runs.
pub fn claims(tasks: &[RunMetrics], conditions: &[RunMetrics], weak: &[RunMetrics]) -> Vec<Claim> {
    let runs: Vec<RunMetrics> = tasks.iter().chain(conditions).cloned().collect();
    let mut claims = vec![
        spectrum_claim(tasks),
        stiffness_claim(&runs),
        partial_susceptibility_claim(tasks),
        conductance_claim(conditions, &runs),
        walls_claim(&runs),
    ];
    if let Some(allostery) = tasks.iter().find(|t| t.task == "allostery") {
        claims.push(sectors_claim(allostery));
    }
    claims.push(weak_training_claim(weak));
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
mod tests {
    use super::*;
    use crate::analysis::structure::{EdgeSetOverlap, SectorOverlap};
    use crate::topology::sectors::RoleMode;

    fn overlap(enrichment: f64, auc: f64) -> SectorOverlap {
        let set = EdgeSetOverlap {
            edges: 10,
            top_in_set: 4,
            overlap: 0.4,
            chance: 0.4 / enrichment,
            enrichment,
            auc,
        };
        SectorOverlap {
            roles: RoleMode::PerEdge,
            role_pairs: 3,
            inseparable: 0,
            sectors: 5,
            cancelled: 20,
            pairs: 24,
            tau_star: Some(0.01),
            cut: set.clone(),
            boundary: set,
        }
    }

    fn run(id: &str) -> RunMetrics {
        RunMetrics {
            id: id.into(),
            label: id.into(),
            task: id.into(),
            initial_cost: 1.0,
            final_cost: 1e-20,
            status: crate::run::TrainingStatus::Converged,
            accuracy: None,
            test_accuracy: None,
            stiff_modes: 4,
            expected_stiff_modes: 4,
            large_before: 0.9,
            large_after: 0.04,
            cost_hessian_size: 100,
            spearman_stiff: 0.5,
            spearman_conductance: -0.2,
            spearman_relative: -0.4,
            modes_for_90_percent: Some(5),
            modes: 100,
            partial_norm_at_2: Some(0.82),
            partial_norm_at_10: Some(0.97),
            top_low_relative: 0.8,
            all_low_relative: 0.5,
            top_chi_in_top_stiff: 0.3,
            top_chi_in_lowest_k: 0.2,
            sectors: overlap(3.0, 0.8),
            train_seconds: 1.0,
        }
    }

    #[test]
    fn spectrum_counts_large_eigenvalues() {
        // 4 % of 100 eigenvalues = 4 large ones, 2 n_in n_out = 8: holds.
        assert!(spectrum_claim(&[run("a")]).holds);
        // 9 large eigenvalues after training: more than 8.
        let mut broad = run("a");
        broad.large_after = 0.09;
        assert!(!spectrum_claim(&[run("b"), broad.clone()]).holds);
        // Few large eigenvalues before training too: not ten times as many.
        broad.large_after = 0.04;
        broad.large_before = 0.39;
        assert!(!spectrum_claim(&[broad]).holds);
    }

    #[test]
    fn stiffness_needs_every_run_positive() {
        let mut runs = vec![run("a"), run("b")];
        assert!(stiffness_claim(&runs).holds);
        runs[1].spearman_stiff = -0.01;
        let claim = stiffness_claim(&runs);
        assert!(!claim.holds);
        assert_eq!(claim.measured, "a +0.50, b -0.01");
    }

    #[test]
    fn partial_susceptibility_needs_ninety_percent_of_the_norm_at_ten_modes() {
        let mut t = run("a");
        assert!(partial_susceptibility_claim(std::slice::from_ref(&t)).holds);
        t.partial_norm_at_10 = Some(0.899);
        let claim = partial_susceptibility_claim(std::slice::from_ref(&t));
        assert!(!claim.holds);
        assert_eq!(
            claim.measured,
            "a: 0.82 at 2 modes, 0.90 at 10 (Σχ² by |λ|: 90 % after 5 of 100)"
        );
        t.partial_norm_at_10 = None;
        let claim = partial_susceptibility_claim(&[t]);
        assert!(!claim.holds);
        assert_eq!(claim.measured, "a: norm curve not computed (scalable path)");
        assert!(!partial_susceptibility_claim(&[]).holds);
    }

    #[test]
    fn conductance_is_judged_on_the_fig_8_runs_but_the_first() {
        let mut conditions = vec![run("c1"), run("c2"), run("c3")];
        conditions[0].spearman_conductance = -0.9; // the paper's exception
        conditions[1].spearman_conductance = 0.29;
        let claim = conductance_claim(&conditions, &conditions);
        assert!(claim.holds);
        assert!(claim.measured.starts_with("judged: c2 +0.29, c3 -0.20;"));
        conditions[2].spearman_conductance = -0.3;
        assert!(!conductance_claim(&conditions, &conditions).holds);
        assert!(!conductance_claim(&conditions[..1], &conditions).holds);
    }

    #[test]
    fn walls_need_a_majority_above_the_base_rate() {
        let mut t = run("a");
        assert!(walls_claim(std::slice::from_ref(&t)).holds);
        t.top_low_relative = 0.5;
        assert!(!walls_claim(std::slice::from_ref(&t)).holds);
        t.top_low_relative = 0.6;
        t.all_low_relative = 0.7;
        assert!(!walls_claim(&[t]).holds);
    }

    #[test]
    fn sectors_need_twice_chance_and_a_high_auc() {
        let mut t = run("allostery");
        assert!(sectors_claim(&t).holds);
        t.sectors = overlap(1.9, 0.9);
        assert!(!sectors_claim(&t).holds);
        t.sectors = overlap(2.5, 0.69);
        assert!(!sectors_claim(&t).holds);
        t.sectors = overlap(f64::NAN, f64::NAN);
        assert!(!sectors_claim(&t).holds);
        t.sectors.inseparable = 1;
        assert!(sectors_claim(&t)
            .measured
            .ends_with("1 target edges could not be separated"));
    }

    #[test]
    fn weak_training_needs_both_criteria() {
        let mut weak = vec![run("w1"), run("w2")];
        assert!(weak_training_claim(&weak).holds);
        weak[1].top_chi_in_top_stiff = 0.09;
        assert!(!weak_training_claim(&weak).holds);
        weak[1].top_chi_in_top_stiff = 0.1;
        weak[0].spearman_stiff = 0.0;
        assert!(!weak_training_claim(&weak).holds);
    }

    #[test]
    fn all_claims_in_order() {
        let mut tasks = vec![run("regression-2x2"), run("allostery")];
        tasks[1].task = "allostery".into();
        let ids: Vec<String> = claims(&tasks, &[run("c")], &[run("w")])
            .into_iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(ids, ["6.1", "6.2", "6.3", "6.4a", "6.4b", "6.5", "E"]);
        assert_eq!(claims(&tasks[..1], &[], &[]).len(), 6);
    }

    #[test]
    fn one_run_is_judged_as_the_claims_judge_it_alone() {
        let mut t = run("allostery");
        let ids = |t: &RunMetrics| -> Vec<String> {
            run_verdicts(t).into_iter().map(|v| v.claim.id).collect()
        };
        assert_eq!(ids(&t), RUN_CLAIMS);
        for v in run_verdicts(&t) {
            assert!(v.claim.holds, "{}", v.claim.id);
        }
        // Each verdict moves with its metric, as the aggregate claim does.
        t.spearman_stiff = -0.1;
        t.spearman_conductance = 0.31;
        t.partial_norm_at_10 = None;
        t.task = "regression-2x2".into();
        let verdicts = run_verdicts(&t);
        let find = |id: &str| verdicts.iter().find(|v| v.claim.id == id).unwrap();
        assert_eq!(ids(&t), ["6.1", "6.2", "6.4a", "6.4b", "E"]);
        assert!(!find("6.2").claim.holds && find("6.2").value == -0.1);
        assert_eq!(find("6.2").claim.holds, stiffness_claim(&[t.clone()]).holds);
        assert!(!find("6.4a").claim.holds && find("6.4a").metric == "spearman_conductance");
        assert!(!find("E").claim.holds);
        assert!(find("6.4b").claim.holds && find("6.1").claim.holds);
        t.spearman_conductance = -0.29;
        assert!(run_verdicts(&t)[2].claim.holds);
    }
}
