//! A configuration is used or refused, never partly ignored (issue 15,
//! items 2 and 4): fields a task or generator would not use are refused, a
//! resolved configuration lists only what the run uses, and counts that
//! cannot be held are refused before anything is allocated.

use imprint::run::config::Overrides;
use imprint::run::config::RunConfig;

fn resolve(text: &str) -> Result<RunConfig, String> {
    RunConfig::resolve(Some(text), "c.toml", &Overrides::default()).map_err(|e| e.to_string())
}

#[test]
fn custom_fields_without_a_custom_task_are_refused() {
    let text =
        "[task]\ngrounds = [0]\ninputs = [1, 2]\noutputs = [3]\ncoefficients = [[0.2, 0.3]]\n";
    let error = resolve(text).unwrap_err();
    assert!(
        error.starts_with("c.toml: invalid `task`: task regression-2x2 does not use `grounds`"),
        "{error}"
    );
    assert!(error.contains("name = \"custom\""), "{error}");
    for (text, expected) in [
        (
            "[task]\nname = \"classification-3\"\nsamples = 50\n",
            "task classification-3 does not use `samples` (it uses only name and seed)",
        ),
        (
            "[task]\nname = \"allostery\"\ncoefficients = [[1.0, 2.0]]\n",
            "task allostery does not use `coefficients` (it uses target_edges, desired_drop)",
        ),
        (
            "[task]\nname = \"regression-2x5\"\ndesired_drop = 0.1\n",
            "task regression-2x5 does not use `desired_drop`",
        ),
        (
            "[task]\nname = \"custom\"\nsamples_file = \"s.csv\"\ncoefficients = [[1.0]]\n",
            "`coefficients` draws samples, but `samples_file` gives them: keep one",
        ),
        (
            "[network]\ngenerator = \"delaunay\"\npressure = 0.01\n",
            "network: the delaunay generator: unknown field `pressure`",
        ),
        (
            "[task]\nsamples = 1000000000000\n",
            "task.samples`: 1000000000000 is not between 1 and 10000000",
        ),
        (
            "[training]\niterations = 1000000000000\n[output]\nrecord_every = 1\n",
            "make 1000000000000 records, more than 10000000: record less often",
        ),
    ] {
        let error = resolve(text).unwrap_err();
        assert!(error.contains(expected), "{error:?} lacks {expected:?}");
    }
}

#[test]
fn a_resolved_configuration_lists_only_what_is_used() {
    let listed = |text: &str| toml::to_string(&resolve(text).unwrap()).unwrap();
    let regression = listed("");
    assert!(regression.contains("samples = 112"), "{regression}");
    for unused in [
        "target_edges",
        "desired_drop",
        "input_range",
        "ground_voltage",
        "cost",
    ] {
        let line = format!("\n{unused} =");
        assert!(!regression.contains(&line), "{unused} in {regression}");
    }
    let allostery = listed("[task]\nname = \"allostery\"\n");
    assert!(allostery.contains("target_edges = 3") && !allostery.contains("samples"));
    let classification = listed("[task]\nname = \"classification-3\"\n");
    assert!(!classification.contains("samples"), "{classification}");
    // A custom task records the defaults it uses.
    let custom = listed(
        "[task]\nname = \"custom\"\ngrounds = [0]\ninputs = [1, 2]\noutputs = [3]\ncoefficients = [[0.2, 0.3]]\n",
    );
    for used in [
        "samples = 112",
        "input_range = [0.0, 1.0]",
        "cost = \"mse\"",
        "ground_voltage = 0.0",
    ] {
        assert!(custom.contains(used), "{used} not in {custom}");
    }
    // A lattice has no pressure.
    let lattice = listed("[network]\ngenerator = \"square\"\nnodes = 16\n");
    assert!(!lattice.contains("pressure"), "{lattice}");
    // And the listed configuration resolves to itself.
    let again = resolve(&custom).unwrap();
    assert_eq!(toml::to_string(&again).unwrap(), custom);
}

/// Issue 27 item 1: `[network]` is the library's `NetworkSpec`, so every
/// parameter of every generator is a field of the run file, reaches the
/// generator, is recorded in the resolved configuration, and reads back.
#[test]
fn every_generator_parameter_is_a_run_file_field() {
    let text = "seed = 4\n[network]\ngenerator = \"cluster\"\nnodes = 40\nsize_ratio = 0.7\ncentral = 0.001\ncontact = 0.2\nforce_tolerance = 1e-9\n";
    let config = resolve(text).unwrap();
    let network = config.build_network().unwrap();
    let used = &network.metadata()["parameters"];
    for (field, value) in [
        ("nodes", 40.0),
        ("seed", 4.0),
        ("size_ratio", 0.7),
        ("central", 0.001),
        ("contact", 0.2),
        ("force_tolerance", 1e-9),
    ] {
        assert_eq!(used[field].as_f64(), Some(value), "{field}: {used}");
    }
    let listed = toml::to_string(&config).unwrap();
    assert!(listed.contains("size_ratio = 0.7"), "{listed}");
    assert_eq!(resolve(&listed).unwrap(), config);
    // The jammed generator's own parameters, also in the old spelling.
    let jammed = resolve(
        "[network]\nnodes = 40\npressure = 0.001\nsize_ratio = 1.3\nmax_compressions = 60\n",
    )
    .unwrap();
    let listed = toml::to_string(&jammed).unwrap();
    for line in [
        "generator = \"jammed\"",
        "target_pressure = 0.001",
        "size_ratio = 1.3",
        "max_compressions = 60",
        "seed = 1",
    ] {
        assert!(listed.contains(line), "{line} not in {listed}");
    }
    // A value the generator would refuse is refused when the configuration
    // is resolved (a sweep's plan, before any run), naming its field.
    for (text, expected) in [
        (
            "[network]\ngenerator = \"jammed\"\nnodes = 40\nsize_ratio = 20.0\n",
            "`size_ratio`: 20 is not in [1, 10]",
        ),
        (
            "[network]\ngenerator = \"cluster\"\ncentral = -1.0\n",
            "`central`: -1 must be finite and positive",
        ),
        (
            "[network]\ngenerator = \"square\"\ncolumns = 2\nrows = 2\nperiodic = true\n",
            "`columns`: 2 is fewer than the 3",
        ),
        (
            "[network]\ngenerator = \"delaunay\"\nnodes = 2\n",
            "`nodes`: 2 points cannot be triangulated",
        ),
    ] {
        let error = resolve(text).unwrap_err();
        assert!(
            error.starts_with("c.toml: ") && error.contains(expected),
            "{error}"
        );
    }
}

#[test]
fn generated_samples_are_bounded_and_ranges_ordered() {
    let network = RunConfig::for_task("regression-2x2", 1)
        .unwrap()
        .build_network()
        .unwrap();
    let mut config = resolve(
        "[task]\nname = \"custom\"\ngrounds = [0]\ninputs = [1, 2]\noutputs = [3]\ncoefficients = [[0.2, 0.3]]\ninput_range = [1.0, 0.0]\n",
    )
    .unwrap();
    let error = config.build_task(&network, None).unwrap_err().to_string();
    assert!(
        error.contains("[1, 0] is not a finite range with low <= high"),
        "{error}"
    );
    config.task.input_range = Some([0.0, 1.0]);
    // Coefficients of 1e308 would train with cost inf: their targets are refused.
    config.task.coefficients = Some(vec![vec![1e308, 1.0]]);
    let error = config.build_task(&network, None).unwrap_err().to_string();
    assert!(
        error.contains("voltages must be finite and at most 1e50 V in magnitude"),
        "{error}"
    );
    config.task.coefficients = Some(vec![vec![0.2, 0.3]]);
    config.task.samples = Some(imprint::learning::MAX_SAMPLES + 1);
    let error = config.build_task(&network, None).unwrap_err().to_string();
    assert!(error.contains("is not between 1 and 10000000"), "{error}");
}
