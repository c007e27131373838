//! Resolving a run configuration: the chosen task's documented defaults,
//! a TOML file over them, and explicit overrides over both. The result is
//! what `config.toml` of a run directory records. The `[network]` table is
//! read as a whole into its typed [`NetworkConfig`] (a generator's
//! parameters default to the generator's own `Default`, never merged with
//! another generator's); the other tables lie over the task's defaults.
//! Errors stay typed ([`ConfigError`]).

use std::path::{Path, PathBuf};

use super::{ConfigError, NetworkConfig, NetworkSource, RunConfig, TaskConfig};
use crate::learning::{Keep, LearningRate, RuleKind, TrainingParameters};

/// Values given outside the configuration file (command-line flags,
/// Python keyword arguments); each wins over the file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overrides {
    /// Built-in task name.
    pub task: Option<String>,
    /// Master seed.
    pub seed: Option<u64>,
    /// Iterations.
    pub iterations: Option<usize>,
    /// A network file to train instead of a generated network.
    pub network_file: Option<PathBuf>,
    /// The learning rule, with its default hyperparameters unless the
    /// file names the same rule (its learning rate is kept where both
    /// rules have one).
    pub rule: Option<RuleKind>,
    /// The rule's learning rate (`auto` or a constant).
    pub learning_rate: Option<LearningRate>,
    /// Which state the run keeps.
    pub keep: Option<Keep>,
}

/// Merges `overlay` into `base` (tables recursively, other values replaced).
fn merge(base: &mut toml::Value, overlay: toml::Value) {
    match (base, overlay) {
        (toml::Value::Table(base), toml::Value::Table(overlay)) => {
            for (key, value) in overlay {
                // A table with a `kind` tag is a whole enum variant: it
                // replaces the default rather than merging field by field
                // (a "uniform" conductance has no "value" of a "constant").
                let tagged = value.get("kind").is_some();
                match base.get_mut(&key) {
                    Some(existing) if existing.is_table() && value.is_table() && !tagged => {
                        merge(existing, value)
                    }
                    _ => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (base, overlay) => *base = overlay,
    }
}

/// A `[training.rule]` table that names its `kind` gets that rule's
/// defaults for the fields it leaves out: the task's documented rule turned
/// into `kind` ([`Rule::with_kind`](super::Rule::with_kind): its nudge and
/// `auto` rate), so `kind = "coupled-learning"` alone is a whole rule.
fn complete_rule(file: &mut toml::Value, defaults: &RunConfig) -> Result<(), String> {
    let Some(rule) = file
        .get_mut("training")
        .and_then(|t| t.get_mut("rule"))
        .and_then(|r| r.as_table_mut())
    else {
        return Ok(());
    };
    let Some(kind) = rule.get("kind").and_then(|k| k.as_str()) else {
        return Ok(());
    };
    let kind: RuleKind = kind
        .parse()
        .map_err(|e: String| format!("training.rule.kind: {e}"))?;
    let mut complete =
        toml::Value::try_from(defaults.training.rule.with_kind(kind)).map_err(|e| e.to_string())?;
    if let Some(complete) = complete.as_table_mut() {
        for (key, value) in std::mem::take(rule) {
            complete.insert(key, value);
        }
        *rule = std::mem::take(complete);
    }
    Ok(())
}

/// The training parameters of task `name` (a built-in name, or `custom`)
/// with master seed `seed`: its documented defaults with `given` (the
/// fields of a run file's `[training]` table) over them, resolved as a run
/// file is (a rule named by its kind alone takes the task's defaults for
/// it; an unknown field, or one the named rule lacks, is refused). What
/// Python's `train` keywords become.
pub fn training_parameters(
    name: &str,
    seed: u64,
    given: toml::Table,
) -> Result<TrainingParameters, ConfigError> {
    let configuration = |message: String| ConfigError::syntax("training", message);
    let defaults = RunConfig::for_task(name, seed).map_err(|e| ConfigError::new("training", e))?;
    let mut file = toml::Value::Table(toml::Table::from_iter([(
        "training".to_string(),
        toml::Value::Table(given),
    )]));
    complete_rule(&mut file, &defaults).map_err(configuration)?;
    let mut merged =
        toml::Value::try_from(&defaults.training).map_err(|e| configuration(e.to_string()))?;
    if let Some(training) = file.get("training").cloned() {
        merge(&mut merged, training);
    }
    let parameters: TrainingParameters = deserialize(&merged).map_err(configuration)?;
    parameters
        .validate()
        .map_err(|e| ConfigError::new("training", e))?;
    Ok(parameters)
}

/// `value` as a `T`, an error naming the field it is about (`keep: unknown
/// variant ...`, `rule: unknown field nudge ...`): the value is written
/// out as TOML and read back, so that the error has a place to point at.
fn deserialize<T: serde::de::DeserializeOwned>(value: &toml::Value) -> Result<T, String> {
    let text = toml::to_string(value).map_err(|e| e.to_string())?;
    toml::from_str(&text).map_err(|e| {
        let Some(span) = e.span() else {
            return e.message().to_string();
        };
        // The first line the error points at: a `key = value` line inside
        // the table whose header precedes it, or a table's header (an error
        // in a tagged table, such as the rule, points at the whole table).
        let header = |line: &str| {
            let line = line.trim();
            // `[table]`, or `[[table]]` for an array of tables.
            line.strip_prefix('[')
                .and_then(|l| l.strip_suffix(']'))
                .map(|l| l.trim_start_matches('[').trim_end_matches(']').to_string())
        };
        let start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
        let pointed = text[start..]
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or_default();
        let field = header(pointed).unwrap_or_else(|| {
            let key = pointed.split('=').next().unwrap_or_default().trim();
            match text[..start].lines().rev().find_map(header) {
                Some(table) => format!("{table}.{key}"),
                None => key.to_string(),
            }
        });
        format!("{field}: {}", plain(e.message()))
    })
}

/// A reader's message in the user's words: "expected usize" says what a
/// file may hold, not which Rust type holds it.
fn plain(message: &str) -> String {
    [
        ("expected usize", "expected a whole number from 0"),
        ("expected u64", "expected a whole number from 0"),
        ("expected u32", "expected a whole number from 0"),
        ("expected f64", "expected a number"),
        ("invalid type: sequence", "invalid type: a list"),
        ("invalid type: map", "invalid type: a table"),
    ]
    .iter()
    .fold(message.to_string(), |text, (rust, words)| {
        text.replace(rust, words)
    })
}

/// The `[network]` table of a file (`table`), with `file` (a network file
/// given outside it) over it, read typed; `seed` is the master seed, the
/// network's unless the table gives one. `None`: neither says anything, and
/// the task's default network stands.
fn network_of(
    table: Option<toml::Value>,
    seed: u64,
    file: Option<&Path>,
) -> Result<Option<NetworkConfig>, String> {
    let mut table = match (table, file) {
        (None, None) => return Ok(None),
        (None, Some(_)) => serde_json::Map::new(),
        (Some(table @ toml::Value::Table(_)), _) => match serde_json::to_value(table) {
            Ok(serde_json::Value::Object(table)) => table,
            _ => return Err("network: not a table".into()),
        },
        (Some(_), _) => return Err("network: not a table".into()),
    };
    if let Some(path) = file {
        let path = serde_json::to_value(path).map_err(|e| format!("network.file: {e}"))?;
        table.insert("file".into(), path);
    }
    let mut network =
        NetworkConfig::from_table(table, Some(seed)).map_err(|e| format!("network: {e}"))?;
    if network.spec().is_some() {
        // A generated network always gets a distribution: recorded.
        network.conductance.get_or_insert_with(Default::default);
    }
    Ok(Some(network))
}

impl RunConfig {
    /// The fully resolved configuration: the task's defaults, the TOML
    /// `file` text over them, `overrides` over both. `origin` names the file
    /// (or "configuration") in errors.
    pub fn resolve(
        file: Option<&str>,
        origin: &str,
        overrides: &Overrides,
    ) -> Result<Self, ConfigError> {
        let syntax = |message: String| ConfigError::syntax(origin, message);
        let invalid = |e: crate::learning::LearningError| ConfigError::new(origin, e);
        let mut file: toml::Table = match file {
            Some(text) => toml::from_str(text)
                .map_err(|e| syntax(e.to_string().lines().collect::<Vec<_>>().join(" ")))?,
            None => toml::Table::new(),
        };
        let named = file
            .get("task")
            .and_then(|t| t.get("name"))
            .and_then(|n| n.as_str())
            .map(str::to_string);
        let name = overrides
            .task
            .clone()
            .or(named)
            .unwrap_or_else(|| "regression-2x2".to_string());
        if let Some(seed) = overrides.seed.filter(|&s| s > i64::MAX as u64) {
            // The resolved config.toml records the seed, and TOML integers are i64.
            return Err(syntax(format!(
                "seed {seed} is above {}, the largest integer a TOML file holds",
                i64::MAX
            )));
        }
        let seed = overrides
            .seed
            .or_else(|| {
                file.get("seed")
                    .and_then(|s| s.as_integer())
                    .map(|s| s as u64)
            })
            .unwrap_or(1);
        if let Some(task) = file.get("task").and_then(|t| t.as_table()) {
            TaskConfig::check_fields(&name, task.keys().map(String::as_str)).map_err(invalid)?;
        }
        let defaults = Self::for_task(&name, seed).map_err(invalid)?;
        let network = network_of(
            file.remove("network"),
            seed,
            overrides.network_file.as_deref(),
        )
        .map_err(syntax)?;
        let mut file = toml::Value::Table(file);
        complete_rule(&mut file, &defaults).map_err(syntax)?;
        let mut merged = toml::Value::try_from(&defaults).map_err(|e| syntax(e.to_string()))?;
        merge(&mut merged, file);
        let mut config: Self = deserialize(&merged).map_err(syntax)?;
        if let Some(network) = network {
            config.network = network;
        }
        config.task.name = name;
        config.task.record_defaults();
        if let Some(iterations) = overrides.iterations {
            config.training.iterations = iterations;
        }
        if let Some(kind) = overrides.rule {
            let given = config.training.rule;
            if given.kind() != kind {
                // The task's documented rule turned into `kind` (its nudge,
                // as Python's `rule=` takes it), with the file's learning
                // rate where both rules have one.
                let mut rule = defaults.training.rule.with_kind(kind);
                if let (Some(rate), Some(_)) = (given.learning_rate(), rule.learning_rate()) {
                    rule = rule.with_learning_rate(rate).map_err(invalid)?;
                }
                config.training.rule = rule;
            }
        }
        if let Some(rate) = overrides.learning_rate {
            config.training.rule = config
                .training
                .rule
                .with_learning_rate(rate)
                .map_err(invalid)?;
        }
        if let Some(keep) = overrides.keep {
            config.training.keep = keep;
        }
        config.validate().map_err(invalid)?;
        Ok(config)
    }
}

impl RunConfig {
    /// Makes the configuration's file paths (`network.file`,
    /// `task.samples_file`) absolute: a relative one is taken relative to
    /// `folder` (the configuration file's own folder, so a config works from
    /// any working directory), and the absolute path is what the run records.
    pub fn resolve_paths(&mut self, folder: &Path) -> Result<(), ConfigError> {
        let network_file = match &mut self.network.source {
            NetworkSource::File { path, .. } => Some(path),
            NetworkSource::Generated(_) => None,
        };
        let paths = [
            ("network.file", network_file),
            ("task.samples_file", self.task.samples_file.as_mut()),
        ];
        for (field, path) in paths {
            if let Some(path) = path {
                *path = std::path::absolute(folder.join(&*path)).map_err(|e| {
                    ConfigError::syntax(
                        field,
                        format!("cannot make {} absolute: {e}", path.display()),
                    )
                })?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::learning::Rule;
    use crate::network::conductance::InitialConductance;

    #[test]
    fn file_over_defaults_and_overrides_over_both() {
        let text = "seed = 7\n[task]\nname = \"allostery\"\n[training]\niterations = 5\n[network.conductance]\nkind = \"uniform\"\nmin = 0.5\nmax = 2.0\n";
        let config = RunConfig::resolve(Some(text), "c.toml", &Overrides::default()).unwrap();
        assert_eq!((config.seed, config.task.name.as_str()), (7, "allostery"));
        assert_eq!(config.training.iterations, 5);
        assert_eq!(config.training.batch_size, 1);
        assert_eq!(
            config.network.conductance,
            Some(InitialConductance::Uniform { min: 0.5, max: 2.0 })
        );
        let overrides = Overrides {
            task: Some("regression-2x5".into()),
            iterations: Some(9),
            ..Overrides::default()
        };
        let config = RunConfig::resolve(Some(text), "c.toml", &overrides).unwrap();
        assert_eq!(
            (config.task.name.as_str(), config.training.iterations),
            ("regression-2x5", 9)
        );
        // The defaults: an `auto` rate, the best state kept.
        assert_eq!(
            config.training.rule.learning_rate(),
            Some(LearningRate::Auto)
        );
        assert_eq!(config.training.keep, Keep::Best);
        let overrides = Overrides {
            learning_rate: Some(LearningRate::Constant(30.0)),
            keep: Some(Keep::Last),
            ..Overrides::default()
        };
        let config = RunConfig::resolve(Some(text), "c.toml", &overrides).unwrap();
        assert_eq!(
            config.training.rule.learning_rate(),
            Some(LearningRate::Constant(30.0))
        );
        assert_eq!(config.training.keep, Keep::Last);
        // In a file, a number or "auto"; anything else is refused.
        let file =
            "[training.rule]\nkind = \"coupled-learning\"\nlearning_rate = 100\nnudge = 0.1\n";
        let config = RunConfig::resolve(Some(file), "c.toml", &Overrides::default()).unwrap();
        assert_eq!(
            config.training.rule.learning_rate(),
            Some(LearningRate::Constant(100.0))
        );
        let error = RunConfig::resolve(
            Some(&file.replace("100", "\"fast\"")),
            "c.toml",
            &Overrides::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.contains("`fast` is neither a number nor \"auto\""),
            "{error}"
        );
        let error = RunConfig::resolve(
            Some("[training]\nspeed = 1\n"),
            "c.toml",
            &Overrides::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.starts_with("c.toml: training.speed: unknown field `speed`"),
            "{error}"
        );
    }

    #[test]
    fn a_rule_named_by_its_kind_alone_takes_the_tasks_defaults() {
        let resolve = |text: &str| RunConfig::resolve(Some(text), "c.toml", &Overrides::default());
        let rule = |text: &str| resolve(text).unwrap().training.rule;
        let classification = "[task]\nname = \"classification-3\"\n";
        assert_eq!(
            rule(&format!(
                "{classification}[training.rule]\nkind = \"coupled-learning\"\n"
            )),
            Rule::CoupledLearning {
                learning_rate: LearningRate::Auto,
                nudge: 0.5
            }
        );
        assert_eq!(
            rule("[training.rule]\nkind = \"coupled-learning\"\nlearning_rate = 5\n"),
            Rule::CoupledLearning {
                learning_rate: LearningRate::Constant(5.0),
                nudge: 0.1
            }
        );
        assert_eq!(
            rule("[training.rule]\nkind = \"gradient-descent\"\n"),
            Rule::GradientDescent {
                learning_rate: LearningRate::Auto
            }
        );
        // A field the named rule does not have is refused, not dropped.
        let error = resolve("[training.rule]\nkind = \"gradient-descent\"\nnudge = 0.1\n")
            .unwrap_err()
            .to_string();
        assert!(error.contains("nudge"), "{error}");
        let error = resolve("[training.rule]\nkind = \"newton\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("training.rule.kind") && error.contains("newton"),
            "{error}"
        );
    }

    #[test]
    fn training_keywords_resolve_as_a_run_files_fields_and_errors_name_them() {
        let table = |text: &str| text.parse::<toml::Table>().unwrap();
        let parameters = training_parameters(
            "classification-3",
            4,
            table("iterations = 7\nkeep = \"last\"\n[rule]\nkind = \"coupled-learning\"\nlearning_rate = 3\n"),
        )
        .unwrap();
        assert_eq!(parameters.iterations, 7);
        assert_eq!(parameters.keep, Keep::Last);
        assert_eq!(parameters.seed, 4);
        // The task's nudge (0.5 for classification), the given rate.
        assert_eq!(
            parameters.rule,
            Rule::CoupledLearning {
                learning_rate: LearningRate::Constant(3.0),
                nudge: 0.5
            }
        );
        let error = |text: &str| {
            training_parameters("regression-2x2", 1, table(text))
                .unwrap_err()
                .to_string()
        };
        assert!(error("keep = \"first\"").starts_with("training: keep: unknown variant `first`"));
        assert!(error("[stop]\npatience = -1").starts_with("training: stop.patience: "));
        let rule = error("[rule]\nkind = \"coupled-learning\"\nlearning_rate = \"fast\"");
        assert!(
            rule.starts_with("training: rule: learning_rate `fast` is neither"),
            "{rule}"
        );
        let rule = error("[rule]\nkind = \"gradient-descent\"\nnudge = 0.1");
        assert!(
            rule.contains("rule") && rule.contains("unknown field `nudge`"),
            "{rule}"
        );
    }

    #[test]
    fn relative_paths_are_taken_from_the_configuration_folder() {
        let text = "[network]\nfile = \"nets/a.json\"\n[task]\nname = \"custom\"\ngrounds = [0]\ninputs = [1]\noutputs = [2]\nsamples_file = \"../s.csv\"\n";
        let mut config = RunConfig::resolve(Some(text), "c.toml", &Overrides::default()).unwrap();
        config.resolve_paths(Path::new("/data/exp")).unwrap();
        assert_eq!(
            config.network.path(),
            Some(Path::new("/data/exp/nets/a.json"))
        );
        assert_eq!(
            config.task.samples_file.as_deref(),
            Some(Path::new("/data/exp/../s.csv"))
        );
        // Absolute paths stay as they are.
        config.resolve_paths(Path::new("/elsewhere")).unwrap();
        assert_eq!(
            config.network.path(),
            Some(Path::new("/data/exp/nets/a.json"))
        );
    }

    #[test]
    fn a_file_network_keeps_its_conductances_unless_a_distribution_is_named() {
        let overrides = Overrides {
            network_file: Some("net.json".into()),
            ..Overrides::default()
        };
        let config = RunConfig::resolve(None, "configuration", &overrides).unwrap();
        let n = &config.network;
        assert_eq!(n.path(), Some(std::path::Path::new("net.json")));
        assert_eq!((n.spec(), n.seed()), (None, 1));
        assert_eq!(n.conductance, None);
        // The resolved config lists only what is used.
        let text = toml::to_string(&config).unwrap();
        assert!(
            !text.contains("generator") && !text.contains("nodes"),
            "{text}"
        );
        let named = "[network.conductance]\nkind = \"constant\"\nvalue = 2.0\n";
        let config = RunConfig::resolve(Some(named), "c.toml", &overrides).unwrap();
        assert_eq!(
            config.network.conductance,
            Some(InitialConductance::Constant { value: 2.0 })
        );
        // Generator fields beside a file are refused.
        let both = "[network]\nfile = \"net.json\"\nnodes = 64\n";
        let error = RunConfig::resolve(Some(both), "c.toml", &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("c.toml: network: a network file has no `nodes`"),
            "{error}"
        );
    }
}
