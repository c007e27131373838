//! Values the paper's text lost in extraction (docs/theory.md section 7) and
//! what a reproduction uses instead, as the report lists them.

use super::{Conditions, CONDITIONS, DROPS, SECTOR_DROPS};
use crate::learning::builtin::{BuiltinOptions, INTERIOR};
use crate::learning::{AutoRate, LearningError, Rule, StopRule};
use crate::run::config::RunConfig;

/// One chosen value: what it is, and what we use.
#[derive(Debug, Clone, PartialEq)]
pub struct Chosen {
    /// The quantity.
    pub what: String,
    /// Our value, and why where it matters.
    pub value: String,
}

/// Every value a reproduction under `conditions` chose because the paper's
/// text lost it (or never gave it).
pub fn chosen_values(conditions: Conditions) -> Result<Vec<Chosen>, LearningError> {
    let mut chosen = Vec::new();
    let mut add = |what: &str, value: String| {
        chosen.push(Chosen {
            what: what.into(),
            value,
        })
    };
    let auto = AutoRate::default();
    add(
        "learning rates",
        format!(
            "\"auto\" for every run: rate * lambda_max of the linearised update map kept at {}, \
             re-estimated every {} iterations, no conductance changing by more than {} of \
             max(k, median k) per iteration (docs/training.md)",
            auto.target, auto.every, auto.trust
        ),
    );
    for name in crate::learning::builtin::BUILTIN_TASKS {
        let config = RunConfig::for_task(name, 1)?;
        let t = &config.training;
        let nudge = match t.rule {
            Rule::CoupledLearning { nudge, .. } => format!("nudge {nudge}, "),
            Rule::GradientDescent { .. } | Rule::LevenbergMarquardt { .. } => String::new(),
        };
        add(
            &format!("{name}: training"),
            format!(
                "{nudge}batch {}, at most {} iterations",
                t.batch_size, t.iterations
            ),
        );
    }
    let stop = StopRule::default();
    add(
        "stop rule",
        format!(
            "a run stops once its cost stays below {:e} of its initial cost for {} iterations; the trained network is its best recorded state",
            stop.relative_cost, stop.patience
        ),
    );
    let options = BuiltinOptions::default();
    add(
        "regression samples",
        format!("{} input pairs uniform in [0, 1] V", options.samples),
    );
    add(
        "classification clusters",
        "centres (-0.4, -0.3), (0.4, -0.3), (0, 0.45), standard deviation 0.15; 40 training and 10 test points per class".into(),
    );
    add(
        "allostery",
        format!(
            "{} target edges, each to a drop of {} V, the input edge held at 0 and 1 V",
            options.target_edges, options.desired_drop
        ),
    );
    add(
        "Fig. 8 initial conductances",
        CONDITIONS
            .iter()
            .map(|c| c.label)
            .collect::<Vec<_>>()
            .join("; "),
    );
    add(
        "Appendix E drops",
        format!("{DROPS:?} V across one target edge"),
    );
    add(
        "Appendix B drops",
        format!("{SECTOR_DROPS:?} V across each of three target edges"),
    );
    add(
        "initial conductances",
        "1 S on every edge (the authors' example starts near 1e-6 S)".into(),
    );
    add(
        "task nodes",
        match conditions {
            Conditions::Cluster => format!(
                "farthest-point sampling among the nodes within {INTERIOR} of the cluster's radius (the authors' notebook fixes node indices; the rim of the cluster does not train)"
            ),
            Conditions::Jammed => "farthest-point sampling over the periodic network".into(),
        },
    );
    Ok(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_task_and_the_node_choice_are_listed() {
        let chosen = chosen_values(Conditions::Cluster).unwrap();
        for name in crate::learning::builtin::BUILTIN_TASKS {
            assert!(chosen.iter().any(|c| c.what.starts_with(name)));
        }
        let nodes = chosen.iter().find(|c| c.what == "task nodes").unwrap();
        assert!(nodes.value.contains("0.75"));
        assert!(chosen.iter().all(|c| !c.value.is_empty()));
    }
}
