//! Keeping the factor against factorising (docs/benchmarks.md, issue 29
//! item 2): on a Delaunay network of `NODES` nodes (conductances uniform in
//! `[0.1, 2]`, nodes 0, 5 and 9 held), ten iterations that multiply every
//! conductance by `1 + RHO u` (`u` uniform in `[-1, 1]`; with `TAIL`, only
//! that fraction of the edges by `1 + RHO u`, the others by `1 + 1e-3 RHO
//! u`, as training updates go), then either `Factorization::keep_factor`
//! or `refactorize`, then `solve_states` on `COLS` random drives; the mean
//! time of each part, twice alternated, and what `update` would choose
//! with the factor kept since the first iteration.
//!
//! Also prints the factor's fill and the ordering chosen.
//!
//! `cargo run --release --example stale_factor -- NODES RHO COLS [TAIL]`

use faer::Mat;
use imprint::physics::{kept_factor_bound, refine, Solver};
use imprint::random::Rng;
use std::time::Instant;
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let nodes: usize = a[1].parse().unwrap();
    let rho: f64 = a[2].parse().unwrap();
    let cols: usize = a[3].parse().unwrap();
    let tail: f64 = a.get(4).map_or(1.0, |s| s.parse().unwrap());
    let net = imprint::bench::delaunay_network(nodes).unwrap();
    let solver = Solver::new(&net, &[0, 5, 9]).unwrap();
    let mut rng = Rng::new(1);
    let k0: Vec<f64> = (0..net.edge_count())
        .map(|_| rng.uniform_in(0.1, 2.0))
        .collect();
    println!("fill {:?} ordering {:?}", solver.fill(), solver.ordering());
    let drives = Mat::from_fn(solver.dimension(), cols, |_, _| rng.normal());
    for mode in ["refactorise", "keep", "refactorise", "keep"] {
        let mut k = k0.clone();
        let mut f = solver.factorize(&k).unwrap();
        let reps = 10;
        let (mut tf, mut ts, mut keeps) = (0.0, 0.0, 0);
        let mut rng = Rng::new(2);
        for _ in 0..reps {
            for x in k.iter_mut() {
                let size = if rng.uniform() < tail {
                    rho
                } else {
                    1e-3 * rho
                };
                *x *= 1.0 + size * rng.uniform_in(-1.0, 1.0);
            }
            let mut probe = f.clone();
            keeps += usize::from(!probe.update(&k, cols).unwrap());
            let t0 = Instant::now();
            if mode == "keep" {
                f.keep_factor(&k).unwrap();
            } else {
                f.refactorize(&k).unwrap();
            }
            let t1 = Instant::now();
            let (_, error) = f.solve_states_with_error(drives.as_ref()).unwrap();
            assert!(error <= refine::CERTIFIED, "error {error:e}");
            tf += (t1 - t0).as_secs_f64();
            ts += t1.elapsed().as_secs_f64();
        }
        let bound = kept_factor_bound(&k, f.factored_conductance(), refine::CERTIFIED);
        println!(
            "N {nodes} rho {rho:e} tail {tail} cols {cols} {mode}: factor {:.2} ms, solves {:.2} ms per iteration; update keeps {keeps}/{reps}; last bound {:.1} steps ({:?} outliers)",
            tf * 1e3 / reps as f64,
            ts * 1e3 / reps as f64,
            bound.steps,
            bound.outliers
        );
    }
}
