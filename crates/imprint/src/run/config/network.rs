//! The `[network]` of a run (docs/theory.md section 1): a network file, or
//! a generator named by `generator` with its own parameters, the very
//! [`NetworkSpec`] the command line and Python generate from. Every
//! generator parameter is a field of the table; nothing is restated here.
//!
//! Old run files still read: `pressure` is the jammed packing's
//! `target_pressure`, a table without `generator` is a jammed packing, and
//! a square or triangular lattice of `nodes` is the periodic lattice of the
//! nearest square side (how such files were resolved before lattices had
//! their own fields).

use std::path::PathBuf;

use serde::de::Error as _;
use serde::ser::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::learning::LearningError;
use crate::network::conductance::InitialConductance;
use crate::network::spec::NetworkSpec;
use crate::network::{Network, Physics};

/// Where a run's network comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum NetworkSource {
    /// A network file (JSON, edge-list CSV or literature text), read by the
    /// caller; `seed` draws its initial conductances when a distribution is
    /// named.
    File {
        /// The file.
        path: PathBuf,
        /// Seed of the initial conductances.
        seed: u64,
    },
    /// A generated network; its seed also draws the initial conductances.
    Generated(NetworkSpec),
}

/// The network of a run: its source and its initial conductances. A
/// generated network always gets a distribution (1 S unless named); a
/// file's network is trained with the file's conductances unless
/// `conductance` names one.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkConfig {
    /// A file or a generator.
    pub source: NetworkSource,
    /// Initial conductances, drawn with the network's seed.
    pub conductance: Option<InitialConductance>,
    /// The physics the network is taken in (`physics = "spring"`): `None`
    /// keeps the generator's (resistive) or the file's. Springs are refused
    /// when the network is floppy ([`crate::physics::rigidity::as_spring`]).
    pub physics: Option<Physics>,
}

impl Default for NetworkConfig {
    fn default() -> Self {
        Self::generated(NetworkSpec::default())
    }
}

impl NetworkConfig {
    /// A generated network with the default initial conductances (recorded).
    pub fn generated(spec: NetworkSpec) -> Self {
        Self {
            source: NetworkSource::Generated(spec),
            conductance: Some(InitialConductance::default()),
            physics: None,
        }
    }

    /// A network file trained with its own conductances.
    pub fn file(path: impl Into<PathBuf>, seed: u64) -> Self {
        Self {
            source: NetworkSource::File {
                path: path.into(),
                seed,
            },
            conductance: None,
            physics: None,
        }
    }

    /// The network file, if the network is read from one.
    pub fn path(&self) -> Option<&std::path::Path> {
        match &self.source {
            NetworkSource::File { path, .. } => Some(path),
            NetworkSource::Generated(_) => None,
        }
    }

    /// The generator, if the network is generated.
    pub fn spec(&self) -> Option<&NetworkSpec> {
        match &self.source {
            NetworkSource::Generated(spec) => Some(spec),
            NetworkSource::File { .. } => None,
        }
    }

    /// The seed of the generator and of the initial conductances.
    pub fn seed(&self) -> u64 {
        match &self.source {
            NetworkSource::File { seed, .. } => *seed,
            NetworkSource::Generated(spec) => spec.seed(),
        }
    }

    /// Sets [`seed`](Self::seed).
    pub fn set_seed(&mut self, seed: u64) {
        match &mut self.source {
            NetworkSource::File { seed: own, .. } => *own = seed,
            NetworkSource::Generated(spec) => spec.set_seed(seed),
        }
    }

    /// Generates the network and draws its initial conductances (a file
    /// is refused: the library reads no files unless asked).
    pub fn generate(&self) -> Result<Network, LearningError> {
        let Some(spec) = self.spec() else {
            return Err(LearningError::InvalidParameter {
                field: "network.file",
                reason: "files are read by the caller (the library reads no files unless asked)"
                    .into(),
            });
        };
        let mut network = self.take_physics(spec.generate()?)?;
        self.conductance
            .clone()
            .unwrap_or_default()
            .apply_to(&mut network, spec.seed())?;
        Ok(network)
    }

    /// `network` in the physics the table names (unchanged when it names
    /// none): a spring network must be rigid.
    pub fn take_physics(&self, network: Network) -> Result<Network, LearningError> {
        Ok(match self.physics {
            None => network,
            Some(Physics::Spring2d) => crate::physics::rigidity::as_spring(network)?.0,
            Some(physics) => network.with_physics(physics)?,
        })
    }

    /// Reads a `[network]` table. `default_seed` is the seed of a table
    /// that gives none (the run's master seed); without it `seed` is
    /// required. Errors name the field.
    pub fn from_table(
        mut table: Map<String, Value>,
        default_seed: Option<u64>,
    ) -> Result<Self, String> {
        let conductance = table
            .remove("conductance")
            .map(|value| {
                serde_json::from_value::<InitialConductance>(value)
                    .map_err(|e| format!("conductance: {e}"))
            })
            .transpose()?;
        let physics = table
            .remove("physics")
            .map(|value| match value {
                Value::String(name) => name.parse::<Physics>().map_err(|e| format!("physics: {e}")),
                other => Err(format!("physics: {other} is not a physics' name")),
            })
            .transpose()?;
        let seed = match table.remove("seed") {
            Some(value) => {
                serde_json::from_value::<u64>(value).map_err(|e| format!("seed: {e}"))?
            }
            None => default_seed.ok_or("missing field `seed`")?,
        };
        if let Some(file) = table.remove("file") {
            if let Some(field) = table.keys().next() {
                return Err(format!(
                    "a network file has no `{field}` (no generator, nodes or pressure): give either `file` or a generator's fields"
                ));
            }
            let path = serde_json::from_value(file).map_err(|e| format!("file: {e}"))?;
            return Ok(Self {
                source: NetworkSource::File { path, seed },
                conductance,
                physics,
            });
        }
        let generator = match table.get("generator") {
            Some(Value::String(name)) => name.clone(),
            Some(other) => return Err(format!("generator: {other} is not a generator's name")),
            None => "jammed".to_string(),
        };
        if matches!(generator.as_str(), "square" | "triangular") {
            lattice_of_nodes(&generator, &mut table)?;
        }
        table.insert("generator".into(), generator.clone().into());
        table.insert("seed".into(), seed.into());
        let spec: NetworkSpec = serde_json::from_value(Value::Object(table)).map_err(|e| {
            let message = e.to_string();
            if message.starts_with("unknown variant") {
                format!("generator: {message}")
            } else {
                format!("the {generator} generator: {message}")
            }
        })?;
        Ok(Self {
            source: NetworkSource::Generated(spec),
            conductance,
            physics,
        })
    }

    /// The `[network]` table: the file or the generator's fields, `seed`
    /// and `conductance`.
    pub fn to_table(&self) -> Result<Map<String, Value>, String> {
        let to_value = |value: Result<Value, serde_json::Error>| value.map_err(|e| e.to_string());
        let mut table = match &self.source {
            NetworkSource::File { path, seed } => Map::from_iter([
                ("file".to_string(), to_value(serde_json::to_value(path))?),
                ("seed".to_string(), (*seed).into()),
            ]),
            NetworkSource::Generated(spec) => match to_value(serde_json::to_value(spec))? {
                Value::Object(table) => table,
                _ => return Err("a generator is a table".into()),
            },
        };
        // TOML has no null: an unset optional parameter is left out.
        table.retain(|_, value| !value.is_null());
        if let Some(physics) = self.physics {
            table.insert("physics".into(), physics.name().into());
        }
        if let Some(conductance) = &self.conductance {
            table.insert(
                "conductance".into(),
                to_value(serde_json::to_value(conductance))?,
            );
        }
        Ok(table)
    }
}

/// The old form of a lattice, `nodes = N`: the periodic lattice of side
/// `round(sqrt(N))` (rows made even for a triangular one), as run files
/// were resolved before lattices had `columns` and `rows`.
fn lattice_of_nodes(generator: &str, table: &mut Map<String, Value>) -> Result<(), String> {
    let Some(nodes) = table.remove("nodes") else {
        return Ok(());
    };
    if table.contains_key("columns") || table.contains_key("rows") {
        return Err(format!(
            "the {generator} generator: give `columns` and `rows`, or `nodes` alone (the old form), not both"
        ));
    }
    let nodes: usize = serde_json::from_value(nodes).map_err(|e| format!("nodes: {e}"))?;
    let side = ((nodes as f64).sqrt().round() as usize).max(2);
    let rows = if generator == "triangular" {
        side + side % 2
    } else {
        side
    };
    table.insert("columns".into(), side.into());
    table.insert("rows".into(), rows.into());
    table.entry("periodic").or_insert(true.into());
    Ok(())
}

impl Serialize for NetworkConfig {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_table()
            .map_err(S::Error::custom)?
            .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for NetworkConfig {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let table = Map::<String, Value>::deserialize(deserializer)?;
        Self::from_table(table, None).map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::jammed::JammingParameters;
    use crate::network::spec::LatticeParameters;

    fn read(text: &str) -> Result<NetworkConfig, String> {
        let table: Map<String, Value> = toml::from_str(text).map_err(|e| e.to_string())?;
        NetworkConfig::from_table(table, Some(9))
    }

    #[test]
    fn every_generator_parameter_is_a_field_and_round_trips() {
        let config = read(
            "generator = \"jammed\"\nnodes = 64\nsize_ratio = 1.2\nforce_tolerance = 1e-8\nmax_compressions = 7\n",
        )
        .unwrap();
        let expected = NetworkSpec::Jammed(JammingParameters {
            nodes: 64,
            seed: 9,
            size_ratio: 1.2,
            force_tolerance: 1e-8,
            max_compressions: 7,
            protocol: 1,
            ..Default::default()
        });
        assert_eq!(config.spec(), Some(&expected));
        let text = toml::to_string(&config).unwrap();
        assert_eq!(toml::from_str::<NetworkConfig>(&text).unwrap(), config);
        // A delaunay table without a coordination writes none (TOML has no null).
        let delaunay = read("generator = \"delaunay\"\nnodes = 40\n").unwrap();
        let text = toml::to_string(&delaunay).unwrap();
        assert!(!text.contains("coordination"), "{text}");
        assert_eq!(toml::from_str::<NetworkConfig>(&text).unwrap(), delaunay);
    }

    #[test]
    fn old_run_files_read_as_they_were_resolved() {
        let old = read("generator = \"jammed\"\nnodes = 64\npressure = 0.001\nseed = 3\n").unwrap();
        match old.spec() {
            Some(NetworkSpec::Jammed(p)) => {
                assert_eq!(
                    (p.nodes, p.target_pressure, p.seed, p.protocol),
                    (64, 1e-3, 3, 1)
                )
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            read("nodes = 80\n").unwrap().spec().unwrap().generator(),
            "jammed"
        );
        let square = read("generator = \"square\"\nnodes = 50\n").unwrap();
        assert_eq!(
            square.spec(),
            Some(&NetworkSpec::Square(LatticeParameters {
                columns: 7,
                rows: 7,
                periodic: true,
                diagonals: false,
                seed: 9
            }))
        );
        let triangular = read("generator = \"triangular\"\nnodes = 50\n").unwrap();
        assert_eq!(
            triangular.spec(),
            Some(&NetworkSpec::Triangular(LatticeParameters {
                columns: 7,
                rows: 8,
                periodic: true,
                diagonals: false,
                seed: 9
            }))
        );
    }

    #[test]
    fn wrong_fields_are_refused_by_name() {
        let error = |text: &str| read(text).unwrap_err();
        assert!(error("generator = \"delaunay\"\npressure = 1e-3\n")
            .starts_with("the delaunay generator: unknown field `pressure`"));
        assert!(error("generator = \"hexagonal\"\n")
            .starts_with("generator: unknown variant `hexagonal`"));
        assert!(error("file = \"a.json\"\nnodes = 64\n").contains("a network file has no `nodes`"));
        assert!(error("generator = \"square\"\nnodes = 9\ncolumns = 3\n").contains("not both"));
        assert!(error("generator = \"jammed\"\nsize_ratio = \"big\"\n")
            .starts_with("the jammed generator: invalid type"));
        let file = read("file = \"a.json\"\n").unwrap();
        assert_eq!(
            (file.path(), file.seed()),
            (Some(std::path::Path::new("a.json")), 9)
        );
        assert_eq!(
            NetworkConfig::from_table(Map::new(), None).unwrap_err(),
            "missing field `seed`"
        );
        assert!(
            error("physics = \"elastic\"\n").starts_with("physics: unknown physics \"elastic\"")
        );
    }

    #[test]
    fn physics_is_read_written_and_taken() {
        let config =
            read("generator = \"triangular\"\ncolumns = 6\nrows = 6\nphysics = \"spring\"\n")
                .unwrap();
        assert_eq!(config.physics, Some(Physics::Spring2d));
        let text = toml::to_string(&config).unwrap();
        assert!(text.contains("physics = \"spring\""), "{text}");
        assert_eq!(toml::from_str::<NetworkConfig>(&text).unwrap(), config);
        assert_eq!(config.generate().unwrap().physics(), Physics::Spring2d);
        // A square lattice without diagonals is floppy: refused as springs.
        let floppy =
            read("generator = \"square\"\ncolumns = 6\nrows = 6\nphysics = \"spring\"\n").unwrap();
        let error = floppy.generate().unwrap_err().to_string();
        assert!(error.contains("floppy"), "{error}");
        assert_eq!(read("nodes = 30\n").unwrap().physics, None);
    }
}
