use imprint::learning::{builtin, Rule, Training, TrainingParameters};
use imprint::network::conductance::InitialConductance;
use imprint::network::jammed::{generate, JammingParameters};
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let task_name = &a[1];
    let alpha: f64 = a[2].parse().unwrap();
    let eta: f64 = a[3].parse().unwrap();
    let iters: usize = a[4].parse().unwrap();
    let init: InitialConductance = a
        .get(5)
        .map(|s| s.parse().unwrap())
        .unwrap_or(InitialConductance::Constant { value: 1.0 });
    let gd = a.get(6).is_some_and(|s| s == "gd");
    let (mut net, _) = generate(&JammingParameters {
        nodes: 512,
        ..Default::default()
    })
    .unwrap();
    net.set_conductance(init.sample(net.edge_count(), 1).unwrap())
        .unwrap();
    let task = builtin::build(task_name, &net, &Default::default()).unwrap();
    let rule = if gd {
        Rule::GradientDescent {
            learning_rate: alpha,
        }
    } else {
        Rule::CoupledLearning {
            learning_rate: alpha,
            nudge: eta,
        }
    };
    let mut t = Training::new(
        &net,
        &task,
        TrainingParameters {
            rule,
            iterations: iters,
            k_min: std::env::var("KMIN")
                .map(|v| v.parse().unwrap())
                .unwrap_or(1e-3),
            k_max: std::env::var("KMAX")
                .map(|v| v.parse().unwrap())
                .unwrap_or(1e2),
            batch_size: std::env::var("BATCH")
                .map(|v| v.parse().unwrap())
                .unwrap_or(30),
            ..Default::default()
        },
    )
    .unwrap();
    let e0 = t.evaluate().unwrap();
    println!("initial {:?}", e0);
    let start = std::time::Instant::now();
    while !t.is_done() {
        t.step().unwrap();
        if t.step_count() % (iters / 10).max(1) == 0 {
            let e = t.evaluate().unwrap();
            println!(
                "{} {:.3e} ratio {:.2e} acc {:?} test {:?}",
                t.step_count(),
                e.cost,
                e0.cost / e.cost,
                e.accuracy,
                e.test_accuracy
            );
        }
    }
    println!(
        "{:.2} ms/iter",
        start.elapsed().as_secs_f64() * 1e3 / iters as f64
    );
    let k = t.conductance();
    println!(
        "k range {:.3e} {:.3e}",
        k.iter().cloned().fold(f64::INFINITY, f64::min),
        k.iter().cloned().fold(0.0, f64::max)
    );
}
