//! The fill of the reduced Laplacian's Cholesky factor under faer's
//! ordering, for comparison with CHOLMOD's orderings
//! (`examples/python/fill_cholmod.py`, issue 29 item 1).
//!
//!     cargo run --release --example fill -- NETWORK.json NODE[,NODE...]
//!
//! Prints `N`, the free node count, `nnz(L_FF)` (lower triangle, diagonal
//! included) and the stored entries of the factor (`Solver::fill`).

use imprint::physics::Solver;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(path), Some(fixed)) = (args.next(), args.next()) else {
        return Err("usage: fill NETWORK.json NODE[,NODE...]".into());
    };
    let network = imprint::io::read_any_network(std::path::Path::new(&path))?;
    let fixed: Vec<usize> = fixed.split(',').map(str::parse).collect::<Result<_, _>>()?;
    let solver = Solver::new(&network, &fixed)?;
    let (lower, factor) = solver.fill();
    println!(
        "{path}: N {} free {} nnz(L_FF lower) {lower} nnz(factor) {factor}",
        network.node_count(),
        solver.free_nodes().len()
    );
    Ok(())
}
