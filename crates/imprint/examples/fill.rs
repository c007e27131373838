//! The fill of the reduced Laplacian's Cholesky factor under faer's
//! ordering, for comparison with CHOLMOD's orderings
//! (`examples/python/fill_cholmod.py`, issue 29 item 1).
//!
//!     cargo run --release --example fill -- NETWORK.json NODE[,NODE...]
//!
//! Prints `N`, the free node count, `nnz(L_FF)` (lower triangle, diagonal
//! included), the stored entries of the factor (`Solver::fill`, supernode
//! padding included), and the factor's structural entries and flops under
//! AMD and under METIS's nested dissection, with the one chosen
//! (`Solver::ordering`), the seconds the analysis took, and the median
//! of 7 numeric refactorisations (assembly included) of the network's
//! conductances: the same matrix `fill_cholmod.py` factorises.

use imprint::physics::Solver;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(path), Some(fixed)) = (args.next(), args.next()) else {
        return Err("usage: fill NETWORK.json NODE[,NODE...]".into());
    };
    let network = imprint::io::read_any_network(std::path::Path::new(&path))?;
    let fixed: Vec<usize> = fixed.split(',').map(str::parse).collect::<Result<_, _>>()?;
    let start = std::time::Instant::now();
    let solver = Solver::new(&network, &fixed)?;
    let seconds = start.elapsed().as_secs_f64();
    let (lower, factor) = solver.fill();
    println!(
        "{path}: N {} free {} nnz(L_FF lower) {lower} stored(factor) {factor} analysis {seconds:.3} s",
        network.node_count(),
        solver.free_nodes().len()
    );
    if let Some(choice) = solver.ordering() {
        let show = |count: Option<imprint::physics::FactorCount>| {
            count.map_or("not tried".to_string(), |c| {
                format!("nnz(L) {} flops {:.4e}", c.entries, c.flops)
            })
        };
        println!(
            "  AMD: {}; nested dissection: {}; chosen {:?}",
            show(Some(choice.minimum_degree)),
            show(choice.nested_dissection),
            choice.ordering
        );
    }
    let mut factorization = solver.factorize(network.conductance())?;
    let mut times = Vec::new();
    for _ in 0..7 {
        let start = std::time::Instant::now();
        factorization.refactorize(network.conductance())?;
        times.push(start.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    println!("  numeric factorisation: median {:.2} ms of 7", times[3]);
    Ok(())
}
