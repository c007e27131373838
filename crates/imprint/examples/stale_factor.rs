//! Keeping the factor against factorising (docs/benchmarks.md, issue 29
//! item 2): on a Delaunay network of `NODES` nodes (conductances uniform in
//! `[0.1, 2]`, nodes 0, 5 and 9 held), ten iterations that multiply every
//! conductance by `1 + RHO u` (`u` uniform in `[-1, 1]`), then either
//! `Factorization::update` or `refactorize`, then `solve_states` on `COLS`
//! random drives; the mean time of each part, twice alternated. `update`
//! keeps the factor only while `RHO <= STALE_FACTOR_RHO` (the table in
//! docs/benchmarks.md was measured with that constant raised to `1e-3`).
//!
//! `cargo run --release --example stale_factor -- NODES RHO COLS`

use faer::Mat;
use imprint::physics::Solver;
use imprint::random::Rng;
use std::time::Instant;
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let nodes: usize = a[1].parse().unwrap();
    let rho: f64 = a[2].parse().unwrap();
    let cols: usize = a[3].parse().unwrap();
    let net = imprint::bench::delaunay_network(nodes).unwrap();
    let solver = Solver::new(&net, &[0, 5, 9]).unwrap();
    let mut rng = Rng::new(1);
    let mut k: Vec<f64> = (0..net.edge_count())
        .map(|_| rng.uniform_in(0.1, 2.0))
        .collect();
    let drives = Mat::from_fn(solver.dimension(), cols, |_, _| rng.normal());
    for mode in ["refactorise", "keep", "refactorise", "keep"] {
        // `update` keeps the factor only while rho <= STALE_FACTOR_RHO.
        let mut f = solver.factorize(&k).unwrap();
        let reps = 10;
        let (mut tf, mut ts) = (0.0, 0.0);
        for _ in 0..reps {
            for x in k.iter_mut() {
                *x *= 1.0 + rho * rng.uniform_in(-1.0, 1.0);
            }
            let t0 = Instant::now();
            if mode == "keep" {
                f.update(&k).unwrap();
            } else {
                f.refactorize(&k).unwrap();
            }
            let t1 = Instant::now();
            let _ = f.solve_states(drives.as_ref()).unwrap();
            tf += (t1 - t0).as_secs_f64();
            ts += t1.elapsed().as_secs_f64();
        }
        println!("N {nodes} rho {rho:e} cols {cols} {mode}: factor {:.2} ms, solves {:.2} ms per iteration", tf * 1e3 / reps as f64, ts * 1e3 / reps as f64);
    }
}
