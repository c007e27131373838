//! "Our theoretical results are independent of the training process" (the
//! paper's Discussion), judged: each task trained by Coupled Learning and by
//! the second-order trainer (docs/training.md) from the same initial network,
//! both analysed, their susceptibilities compared and the claims judged on
//! each (issue 26 item 5). The criterion was fixed before the first run.

use serde::{Deserialize, Serialize};

use super::claims::Claim;
use super::{claims, RunMetrics, TOP_SHARE};
use crate::analysis::structure::top_edges;
use crate::statistics::spearman;

/// The Spearman correlation of the two runs' susceptibilities the
/// "independent of training" claim asks for, on every task both learned.
pub const INDEPENDENT_SPEARMAN: f64 = 0.5;

/// How many times chance the two runs' top 5 % susceptible edges must
/// overlap.
pub const INDEPENDENT_ENRICHMENT: f64 = 2.0;

/// One task trained by both rules from the same initial network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainerComparison {
    /// The task.
    pub task: String,
    /// Whether the Coupled Learning run learned its task.
    pub coupled_learning_learned: bool,
    /// Whether the second-order run learned it.
    pub second_order_learned: bool,
    /// Spearman rho between the two runs' `chi` (per edge).
    pub spearman_chi: f64,
    /// Share of the Coupled Learning run's top 5 % `chi` edges that are
    /// among the second-order run's top 5 %.
    pub top_overlap: f64,
    /// That share by chance (the top share itself).
    pub chance: f64,
    /// Each task-run claim's verdict on the Coupled Learning run alone
    /// (`(id, verdict)`).
    pub coupled_learning_verdicts: Vec<(String, String)>,
    /// The same on the second-order run.
    pub second_order_verdicts: Vec<(String, String)>,
}

impl TrainerComparison {
    /// Compares the runs of one task: `chi` per edge of the Coupled Learning
    /// run and of the second-order run, and their measurements.
    pub fn new(
        coupled_learning: (&RunMetrics, &[f64]),
        second_order: (&RunMetrics, &[f64]),
    ) -> Self {
        let ((cl, cl_chi), (so, so_chi)) = (coupled_learning, second_order);
        let top_cl = top_edges(cl_chi, TOP_SHARE);
        let top_so = top_edges(so_chi, TOP_SHARE);
        let shared = top_cl.iter().filter(|e| top_so.contains(e)).count();
        let verdicts = |run: &RunMetrics| -> Vec<(String, String)> {
            claims(std::slice::from_ref(run), &[], &[])
                .into_iter()
                // Claims that rest on the task run itself.
                .filter(|c| ["6.1", "6.2", "6.3", "6.4b", "6.5"].contains(&c.id.as_str()))
                .map(|c| (c.id.clone(), c.verdict().to_string()))
                .collect()
        };
        Self {
            task: cl.task.clone(),
            coupled_learning_learned: cl.learned(),
            second_order_learned: so.learned(),
            spearman_chi: spearman(cl_chi, so_chi),
            top_overlap: shared as f64 / top_cl.len().max(1) as f64,
            chance: top_so.len() as f64 / cl_chi.len().max(1) as f64,
            coupled_learning_verdicts: verdicts(cl),
            second_order_verdicts: verdicts(so),
        }
    }

    /// Whether both runs learned: only then is the pair judged.
    pub fn both_learned(&self) -> bool {
        self.coupled_learning_learned && self.second_order_learned
    }

    /// Whether the pair meets the criterion.
    pub fn agrees(&self) -> bool {
        self.spearman_chi >= INDEPENDENT_SPEARMAN
            && self.top_overlap >= INDEPENDENT_ENRICHMENT * self.chance
    }
}

/// The claim "independent of training" (id `I`): on every task both
/// trainers' runs learned, the two runs' `chi` rank-correlate at
/// [`INDEPENDENT_SPEARMAN`] or more and their top 5 % `chi` edges overlap at
/// least [`INDEPENDENT_ENRICHMENT`] times chance. Not judged when no task
/// was learned by both.
pub fn independence_claim(pairs: &[TrainerComparison]) -> Claim {
    let judged: Vec<&TrainerComparison> = pairs.iter().filter(|p| p.both_learned()).collect();
    let describe = |p: &TrainerComparison| {
        format!(
            "{}: ρ(χ_CL, χ_LM) {:+.2}, top-5 % overlap {:.0} % (chance {:.0} %){}",
            p.task,
            p.spearman_chi,
            100.0 * p.top_overlap,
            100.0 * p.chance,
            match (p.coupled_learning_learned, p.second_order_learned) {
                (true, true) => String::new(),
                (false, true) => " - not judged: the Coupled Learning run did not learn".into(),
                (true, false) => " - not judged: the second-order run did not learn".into(),
                (false, false) => " - not judged: neither run learned".into(),
            }
        )
    };
    Claim {
        id: "I".into(),
        figure: "Discussion".into(),
        authors: "Not computed: the paper states it (\"our theoretical results are independent of the training process\") and shows Coupled Learning only.".into(),
        statement: "The imprints are those of the learned solution, not of the training process.".into(),
        criterion: format!(
            "Each task trained from the same initial network by Coupled Learning and by the second-order trainer (Levenberg-Marquardt on the transfer matrix): on every task both learned, Spearman ρ(χ_CL, χ_LM) ≥ {INDEPENDENT_SPEARMAN} and the two runs' top 5 % χ edges overlap at least {INDEPENDENT_ENRICHMENT} times chance."
        ),
        measured: pairs.iter().map(describe).collect::<Vec<_>>().join("; "),
        holds: !judged.is_empty() && judged.iter().all(|p| p.agrees()),
        judged: !judged.is_empty(),
        excluded_runs: pairs
            .iter()
            .filter(|p| !p.both_learned())
            .map(|p| format!("{} (second-order pair)", p.task))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pair_is_judged_only_when_both_learned_and_by_both_numbers() {
        let chi: Vec<f64> = (0..100).map(|e| e as f64).collect();
        let reversed: Vec<f64> = chi.iter().rev().copied().collect();
        let base = crate::paper::claims::tests::run("regression-2x2");
        let same = TrainerComparison::new((&base, &chi), (&base, &chi));
        assert!((same.spearman_chi - 1.0).abs() < 1e-12 && same.top_overlap == 1.0);
        assert!((same.chance - 0.05).abs() < 1e-12);
        assert!(same.agrees() && same.both_learned());
        let opposite = TrainerComparison::new((&base, &chi), (&base, &reversed));
        assert!(!opposite.agrees());
        let claim = independence_claim(&[same.clone(), opposite.clone()]);
        assert!(claim.judged && !claim.holds);
        assert!(independence_claim(std::slice::from_ref(&same)).holds);
        // A pair whose second-order run did not learn is listed, not judged.
        let mut stalled = base.clone();
        stalled.final_cost = 0.5;
        let unlearned = TrainerComparison::new((&base, &chi), (&stalled, &reversed));
        let claim = independence_claim(&[same, unlearned.clone()]);
        assert!(claim.holds && claim.excluded_runs.len() == 1);
        let claim = independence_claim(&[unlearned]);
        assert!(!claim.judged && !claim.holds);
        assert_eq!(claim.verdict(), "not judged");
    }
}
