//! Why Coupled Learning stalls (issue 26 item 2): the Gauss-Newton matrix
//! of the task's cost in `ln k`, `W^(1/2) J~ J~^T W^(1/2)` (`p x p`,
//! docs/theory.md section 8), at the state a Coupled Learning run of the
//! reproduction stopped at, its eigenvalues, and how the remaining cost
//! splits over its eigendirections. A first-order rule's rate is bounded by
//! the largest eigenvalue, so a direction of eigenvalue `lambda` loses a
//! share of about `rate * lambda` of its error per iteration.
//!
//! `cargo run --release --example stall -- TASK SEEDS`

use faer::{Mat, Side};
use imprint::learning::{TaskCircuit, TransferCost};
use imprint::paper::{Conditions, Scale};
use imprint::run::{Executor, RunStart};

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let task = a[1].clone();
    let seeds: u64 = a[2].parse().unwrap();
    let scale = Scale::new(false, Conditions::Cluster);
    let folder = std::env::temp_dir().join(format!("imprint-stall-{}", std::process::id()));
    std::fs::create_dir_all(&folder).unwrap();
    for seed in 1..=seeds {
        let path = folder.join(format!("cluster-{seed}.json"));
        let network = RunStart::from_config(scale.network_config(seed).unwrap()).unwrap();
        imprint::io::write_network(&path, &network.initial).unwrap();
        let config = scale.run_config(&task, seed, &path, None).unwrap();
        let start = RunStart::from_config(config.clone()).unwrap();
        let mut executor = Executor::new(
            &start.initial,
            &start.task,
            config.training.clone(),
            config.output.record_every,
        )
        .unwrap();
        executor.run(&mut ()).unwrap();
        let history = executor.history();
        let ratio = history.last().unwrap().cost / history[0].cost;
        let problem = TaskCircuit::new(&start.initial, &start.task).unwrap();
        let k = executor.training().conductance().to_vec();
        let transfer = problem.transfer(&problem.factorize(&k).unwrap()).unwrap();
        let objective = TransferCost::new(
            problem.cost(),
            &transfer.matrix,
            &problem.held_values(),
            &start.task.targets,
        );
        let jacobian = transfer.dense_jacobian(problem.edges());
        // The edges the bounds let move: at a bound and pushed outward by
        // the gradient in ln k, an edge is held (the clip undoes its step).
        let (k_min, k_max) = (config.training.k_min, config.training.k_max);
        let grad_k: Vec<f64> = (0..k.len())
            .map(|e| {
                (0..jacobian.nrows())
                    .map(|r| jacobian[(r, e)] * objective.gradient[r])
                    .sum::<f64>()
            })
            .collect();
        let free: Vec<bool> = (0..k.len())
            .map(|e| !((k[e] <= k_min && grad_k[e] > 0.0) || (k[e] >= k_max && grad_k[e] < 0.0)))
            .collect();
        let only_free = std::env::var("FREE").is_ok();
        // In k itself (what an additive rule steps in), or in ln k.
        let additive = std::env::var("ADDITIVE").is_ok();
        let scaled = Mat::from_fn(jacobian.nrows(), jacobian.ncols(), |r, e| {
            if only_free && !free[e] {
                0.0
            } else if additive {
                jacobian[(r, e)]
            } else {
                jacobian[(r, e)] * k[e]
            }
        });
        // W^(1/2) from W's eigendecomposition (W is positive semidefinite).
        let w = objective.curvature.self_adjoint_eigen(Side::Lower).unwrap();
        let p = jacobian.nrows();
        let root = Mat::from_fn(p, p, |i, j| {
            (0..p)
                .map(|m| w.U()[(i, m)] * w.S().column_vector()[m].max(0.0).sqrt() * w.U()[(j, m)])
                .sum::<f64>()
        });
        let a = &root * &scaled;
        let gram = &a * a.transpose();
        let evd = gram.self_adjoint_eigen(Side::Lower).unwrap();
        let values: Vec<f64> = evd.S().column_vector().iter().copied().collect();
        let largest = values.iter().copied().fold(0.0, f64::max);
        // The gradient in T, in the eigendirections: where the remaining
        // cost's pull lies.
        let pull: Vec<f64> = (0..p)
            .map(|m| {
                (0..p)
                    .map(|i| evd.U()[(i, m)] * objective.gradient[i])
                    .sum::<f64>()
                    .abs()
            })
            .collect();
        // The second-order trainer from the stalled state.
        let mut trained = start.initial.clone();
        trained.set_conductance(k.clone()).unwrap();
        let mut second = config.training.clone();
        second.rule = second
            .rule
            .with_kind(imprint::learning::RuleKind::LevenbergMarquardt);
        second.iterations = 5000;
        let mut from_stall = Executor::new(&trained, &start.task, second, 1).unwrap();
        from_stall.run(&mut ()).unwrap();
        let lm_ratio = from_stall.history().last().unwrap().cost / history[0].cost;
        let at_bounds = k
            .iter()
            .filter(|&&x| x <= config.training.k_min || x >= config.training.k_max)
            .count();
        println!(
            "seed {seed:2} {task}: cost {ratio:.1e} of the initial after {} iterations ({lm_ratio:.1e} after {} second-order iterations from there); {at_bounds} edges at a bound; eigenvalues / largest: {}; |gradient| along each: {}",
            executor.training().step_count(),
            from_stall.training().step_count(),
            values
                .iter()
                .map(|v| format!("{:.0e}", v / largest))
                .collect::<Vec<_>>()
                .join(" "),
            pull.iter().map(|v| format!("{v:.0e}")).collect::<Vec<_>>().join(" "),
        );
    }
    std::fs::remove_dir_all(&folder).ok();
}
