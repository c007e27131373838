//! Tests of the claims' criteria and of the learned-run gate.
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

pub(crate) fn run(id: &str) -> RunMetrics {
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
fn claims_are_judged_on_learned_runs_only() {
    // A run that did not learn, and would fail 6.2, is listed, not judged.
    let mut stalled = run("b");
    stalled.final_cost = 1e-3;
    stalled.status = crate::run::TrainingStatus::Stalled;
    stalled.spearman_stiff = -0.5;
    let tasks = vec![run("a"), stalled.clone()];
    assert!(!stiffness_claim(&tasks).holds, "without the gate it fails");
    let judged = claims(&tasks, &[], &[run("w")]);
    let stiff = judged.iter().find(|c| c.id == "6.2").unwrap();
    assert!(stiff.holds && stiff.judged);
    assert_eq!(stiff.verdict(), "holds");
    assert_eq!(
        stiff.excluded_runs,
        ["b (stalled, cost 1.00e-3 of the initial)"]
    );
    assert!(!stiff.measured.contains("b "), "{}", stiff.measured);
    // No learned run: not judged, and not holding.
    for c in claims(&[stalled.clone()], &[stalled.clone()], &[stalled]) {
        assert!(!c.judged && !c.holds, "{}", c.id);
        assert_eq!(c.verdict(), "not judged");
    }
    // A classification learns at 100 % training accuracy.
    let mut classify = run("c");
    classify.final_cost = 0.05;
    classify.accuracy = Some(119.0 / 120.0);
    assert!(!classify.learned());
    classify.accuracy = Some(1.0);
    assert!(classify.learned());
    let mut barely = run("d");
    barely.final_cost = 1.0001e-8;
    assert!(!barely.learned());
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
