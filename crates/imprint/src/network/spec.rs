//! One description of every generated network (docs/theory.md section 1): a
//! [`NetworkSpec`] tagged by its generator, with each generator's parameters
//! and their defaults in one `Default`. The command line, Python and run
//! configurations all generate networks through [`NetworkSpec::generate`],
//! and the command line's `network generate` flags derive from these types
//! (feature `clap`), so a parameter exists everywhere or nowhere.

use serde::{Deserialize, Serialize};

use super::cluster::{self, ClusterParameters};
use super::delaunay::{self, DelaunayParameters};
use super::jammed::{self, JammingParameters, JammingProgress};
use super::{lattice, Network, NetworkError};

/// Parameters of the square and triangular lattices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "clap", derive(clap::Args))]
pub struct LatticeParameters {
    /// Nodes per row.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = LatticeParameters::default().columns))]
    pub columns: usize,
    /// Rows (even and at least 4 for a periodic triangular lattice).
    #[cfg_attr(feature = "clap", arg(long, default_value_t = LatticeParameters::default().rows))]
    pub rows: usize,
    /// Wrap around a periodic box.
    #[cfg_attr(feature = "clap", arg(long))]
    pub periodic: bool,
    /// Brace every square with a diagonal (square lattice only): rigid as a
    /// spring network, which the plain square lattice is not.
    #[cfg_attr(feature = "clap", arg(long))]
    pub diagonals: bool,
    /// Seed of the conductances drawn on the lattice (the lattice itself
    /// has nothing random), so that every generator has a seed.
    #[cfg_attr(feature = "clap", arg(long, default_value_t = LatticeParameters::default().seed))]
    pub seed: u64,
}

impl Default for LatticeParameters {
    fn default() -> Self {
        Self {
            columns: 20,
            rows: 20,
            periodic: false,
            diagonals: false,
            seed: 1,
        }
    }
}

/// A network generator and its parameters (`generator = "jammed"`, ...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "generator", rename_all = "lowercase")]
#[cfg_attr(feature = "clap", derive(clap::Subcommand))]
pub enum NetworkSpec {
    /// Contact network of a 2D jammed packing of bidisperse soft disks (periodic box), rattlers removed. Ctrl-C or SIGTERM saves OUT.json.checkpoint; the same command continues it.
    Jammed(JammingParameters),
    /// The paper's networks: the contact network of a disk cluster pulled to its centre by a weak central force (open, disc-shaped).
    Cluster(ClusterParameters),
    /// Square lattice with unit spacing.
    Square(LatticeParameters),
    /// Triangular lattice with unit spacing.
    Triangular(LatticeParameters),
    /// Delaunay triangulation of uniform random points, optionally diluted at random (staying connected).
    Delaunay(DelaunayParameters),
}

impl Default for NetworkSpec {
    fn default() -> Self {
        Self::Jammed(JammingParameters::default())
    }
}

/// The most nodes a generator makes: ten million (a network of 1e7 nodes
/// takes a few GB with its factorisation). More is refused before anything is
/// allocated.
pub const MAX_GENERATED_NODES: usize = 10_000_000;

/// Refuses a generated node count above [`MAX_GENERATED_NODES`] (`None`:
/// one that overflowed).
pub fn check_generated_nodes(count: Option<usize>) -> Result<(), NetworkError> {
    match count {
        Some(n) if n <= MAX_GENERATED_NODES => Ok(()),
        _ => Err(NetworkError::InvalidParameter {
            parameter: "nodes",
            reason: format!(
                "{} nodes: generators make at most {MAX_GENERATED_NODES}",
                count.map_or("more than 2^64".to_string(), |n| n.to_string())
            ),
        }),
    }
}

impl NetworkSpec {
    /// The number of nodes the generator will make (`None` when it overflows).
    pub fn node_count(&self) -> Option<usize> {
        match self {
            Self::Jammed(p) => Some(p.nodes),
            Self::Cluster(p) => Some(p.nodes),
            Self::Square(p) | Self::Triangular(p) => p.columns.checked_mul(p.rows),
            Self::Delaunay(p) => Some(p.nodes),
        }
    }

    /// Refuses parameters the generator would refuse, without generating
    /// anything (a run configuration is checked so when it is resolved).
    pub fn validate(&self) -> Result<(), NetworkError> {
        check_generated_nodes(self.node_count())?;
        match self {
            Self::Jammed(p) => p.validate(),
            Self::Cluster(p) => p.validate(),
            Self::Square(p) => lattice::check_square(p.columns, p.rows, p.periodic),
            Self::Triangular(p) if p.diagonals => Err(NetworkError::InvalidParameter {
                parameter: "diagonals",
                reason: "a triangular lattice has no squares to brace (square lattices only)"
                    .into(),
            }),
            Self::Triangular(p) => lattice::check_triangular(p.columns, p.rows, p.periodic),
            Self::Delaunay(p) => p.validate(),
        }
    }

    /// Generates the network (unit conductances).
    pub fn generate(&self) -> Result<Network, NetworkError> {
        Ok(self.generate_with_progress(&mut |_| {})?.0)
    }

    /// [`generate`](Self::generate), reporting the progress of a jammed
    /// packing after every minimisation and returning the generator's report
    /// as text (jammed packings and clusters).
    pub fn generate_with_progress(
        &self,
        progress: &mut dyn FnMut(&JammingProgress),
    ) -> Result<(Network, Option<String>), NetworkError> {
        self.validate()?;
        Ok(match self {
            Self::Jammed(p) => {
                let (network, report) = jammed::generate_with_progress(p, progress)?;
                (network, Some(report.to_string()))
            }
            Self::Cluster(p) => {
                let (network, report) = cluster::generate(p)?;
                (network, Some(report.to_string()))
            }
            Self::Square(p) if p.diagonals => {
                (lattice::braced_square(p.columns, p.rows, p.periodic)?, None)
            }
            Self::Square(p) => (lattice::square(p.columns, p.rows, p.periodic)?, None),
            Self::Triangular(p) => (lattice::triangular(p.columns, p.rows, p.periodic)?, None),
            Self::Delaunay(p) => (delaunay::generate(p)?, None),
        })
    }

    /// The seed of every random choice the generator makes, and of the
    /// initial conductances drawn on its network.
    pub fn seed(&self) -> u64 {
        match self {
            Self::Jammed(p) => p.seed,
            Self::Cluster(p) => p.seed,
            Self::Square(p) | Self::Triangular(p) => p.seed,
            Self::Delaunay(p) => p.seed,
        }
    }

    /// Sets the seed ([`seed`](Self::seed)).
    pub fn set_seed(&mut self, seed: u64) {
        match self {
            Self::Jammed(p) => p.seed = seed,
            Self::Cluster(p) => p.seed = seed,
            Self::Square(p) | Self::Triangular(p) => p.seed = seed,
            Self::Delaunay(p) => p.seed = seed,
        }
    }

    /// The generator's name.
    pub fn generator(&self) -> &'static str {
        match self {
            Self::Jammed(_) => "jammed",
            Self::Cluster(_) => "cluster",
            Self::Square(_) => "square",
            Self::Triangular(_) => "triangular",
            Self::Delaunay(_) => "delaunay",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_networks_are_refused_before_allocating() {
        let huge: NetworkSpec =
            serde_json::from_str(r#"{"generator": "jammed", "nodes": 1000000000000}"#).unwrap();
        let error = huge.generate().unwrap_err().to_string();
        assert!(
            error.contains("1000000000000 nodes: generators make at most 10000000"),
            "{error}"
        );
        let overflow = NetworkSpec::Square(LatticeParameters {
            columns: usize::MAX,
            rows: 2,
            ..Default::default()
        });
        assert!(overflow
            .generate()
            .unwrap_err()
            .to_string()
            .contains("more than 2^64"));
    }

    #[test]
    fn specs_read_from_tagged_tables_with_defaults() {
        let spec: NetworkSpec =
            serde_json::from_str(r#"{"generator": "square", "columns": 3, "rows": 4}"#).unwrap();
        assert_eq!(
            spec,
            NetworkSpec::Square(LatticeParameters {
                columns: 3,
                rows: 4,
                ..Default::default()
            })
        );
        let network = spec.generate().unwrap();
        assert_eq!((network.node_count(), network.edge_count()), (12, 17));
        // A table without `protocol` was written before protocol 2: it means 1.
        let jammed: NetworkSpec = serde_json::from_str(r#"{"generator": "jammed"}"#).unwrap();
        assert_eq!(
            jammed,
            NetworkSpec::Jammed(JammingParameters {
                protocol: 1,
                ..Default::default()
            })
        );
        let error = serde_json::from_str::<NetworkSpec>(r#"{"generator": "square", "sides": 3}"#)
            .unwrap_err();
        assert!(error.to_string().contains("unknown field `sides`"));
    }
}
