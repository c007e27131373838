//! The costs behind `Factorization::update`'s choice (issue 29 item 2,
//! docs/benchmarks.md): on Delaunay networks of the given sizes (nodes 0,
//! 5 and 9 held, conductances uniform in `[0.1, 2]`), the factorisation's
//! flops (`sum_j c_j^2`) and stored entries, the median time of a
//! refactorisation and of one sequential solve pair of 1, 2, 4 and 8
//! drives, and their ratio.
//!
//! `cargo run --release --example kept_factor -- NODES[,NODES...]`

use faer::Mat;
use imprint::physics::Solver;
use imprint::random::Rng;
use std::time::Instant;

fn median(mut t: Vec<f64>) -> f64 {
    t.sort_by(f64::total_cmp);
    t[t.len() / 2]
}

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .nth(1)
        .expect("NODES[,NODES...]")
        .split(',')
        .map(|s| s.parse().unwrap())
        .collect();
    for nodes in sizes {
        let net = imprint::bench::delaunay_network(nodes).unwrap();
        let solver = Solver::new(&net, &[0, 5, 9]).unwrap();
        let mut rng = Rng::new(1);
        let k: Vec<f64> = (0..net.edge_count())
            .map(|_| rng.uniform_in(0.1, 2.0))
            .collect();
        let mut f = solver.factorize(&k).unwrap();
        let reps = if nodes >= 500_000 { 3 } else { 9 };
        let factor = median(
            (0..reps)
                .map(|_| {
                    let t = Instant::now();
                    f.refactorize(&k).unwrap();
                    t.elapsed().as_secs_f64()
                })
                .collect(),
        );
        let (lower, stored) = solver.fill();
        let choice = solver.ordering().unwrap();
        let flops = choice
            .nested_dissection
            .filter(|_| choice.ordering == imprint::physics::FillOrdering::NestedDissection)
            .unwrap_or(choice.minimum_degree)
            .flops;
        print!(
            "N {nodes}: flops {flops:.3e} stored {stored} nnz(L_FF) {lower} factor {:.3} ms; solve pair",
            factor * 1e3
        );
        for m in [1, 2, 4, 8] {
            let mut rhs = Mat::from_fn(solver.free_nodes().len(), m, |_, _| rng.normal());
            let solve = median(
                (0..reps)
                    .map(|_| {
                        let t = Instant::now();
                        f.solve_free_in_place(rhs.as_mut());
                        t.elapsed().as_secs_f64()
                    })
                    .collect(),
            );
            print!(
                " m={m}: {:.3} ms ({:.1} per factorisation)",
                solve * 1e3,
                factor / solve
            );
        }
        println!();
    }
}
