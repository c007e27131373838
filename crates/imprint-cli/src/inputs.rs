//! Reading what the user names on the command line: `NODE=VALUE` boundary
//! conditions and the library's named options.

use imprint::physics::BoundaryConditions;

/// A library enum from its name as written in files (`dense`, `ground`, ...).
pub fn named<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, String> {
    serde_json::from_value(serde_json::Value::String(text.to_string()))
        .map_err(|e| e.to_string().replace("unknown variant", "unknown value"))
}

/// Parses `NODE=VALUE` (for `--fix` and `--inject`).
pub fn node_value(text: &str) -> Result<(usize, f64), String> {
    let (node, value) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}` is not NODE=VALUE (for example 0=1.5)"))?;
    let node = node.trim().parse::<usize>().map_err(|_| {
        format!(
            "`{}` is not a node index (a non-negative integer)",
            node.trim()
        )
    })?;
    let value = value
        .trim()
        .parse::<f64>()
        .map_err(|_| format!("`{}` is not a number", value.trim()))?;
    Ok((node, value))
}

/// Parses `NODE{x|y}=VALUE` (a spring network's `--hold` and `--load`)
/// into the degree of freedom `2 node + component` and the value.
pub fn component_value(text: &str) -> Result<(usize, f64), String> {
    let (target, value) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}` is not NODE{{x|y}}=VALUE (for example 12x=0.5)"))?;
    let target = target.trim();
    let (node, component) = match target.strip_suffix('x') {
        Some(node) => (node, 0),
        None => match target.strip_suffix('y') {
            Some(node) => (node, 1),
            None => {
                return Err(format!(
                    "`{target}` names no component: write NODEx or NODEy (for example 12x)"
                ))
            }
        },
    };
    let (node, value) = node_value(&format!("{node}={value}"))?;
    Ok((2 * node + component, value))
}

/// Boundary conditions from `--fix` and `--inject` pairs, in the order given.
pub fn conditions(fix: &[(usize, f64)], inject: &[(usize, f64)]) -> BoundaryConditions {
    let fixed = fix
        .iter()
        .fold(BoundaryConditions::new(), |bc, &(n, v)| bc.fix(n, v));
    inject.iter().fold(fixed, |bc, &(n, a)| bc.inject(n, a))
}

/// Shared `--fix` / `--inject` flags.
#[derive(clap::Args, Debug)]
pub struct BoundaryArgs {
    /// Hold NODE at VOLTS (repeatable; at least one per connected part of the network), e.g. --fix 0=0 --fix 12=1.
    #[arg(long = "fix", value_name = "NODE=VOLTS", value_parser = node_value, required_unless_present = "hold")]
    pub fix: Vec<(usize, f64)>,
    /// Inject AMPS into NODE (repeatable; negative draws current out), e.g. --inject 5=1e-3.
    #[arg(long = "inject", value_name = "NODE=AMPS", value_parser = node_value)]
    pub inject: Vec<(usize, f64)>,
    /// Spring networks: hold a displacement component (repeatable; enough to pin every rigid motion), e.g. --hold 0x=0 --hold 0y=0 --hold 5y=0 --hold 9x=0.1.
    #[arg(long = "hold", value_name = "NODE{x|y}=U", value_parser = component_value, conflicts_with_all = ["fix", "inject"])]
    pub hold: Vec<(usize, f64)>,
    /// Spring networks: apply a force to a component (repeatable), e.g. --load 7y=-1e-3.
    #[arg(long = "load", value_name = "NODE{x|y}=F", value_parser = component_value, conflicts_with_all = ["fix", "inject"])]
    pub load: Vec<(usize, f64)>,
}

impl BoundaryArgs {
    /// The conditions these flags describe.
    pub fn conditions(&self) -> BoundaryConditions {
        conditions(&self.fix, &self.inject)
    }
}

/// `--force`: whether an existing output may be replaced (issue 30 item 15).
#[derive(clap::Args, Debug, Clone, Copy)]
pub struct Force {
    /// Replace the output if it exists (refused otherwise).
    #[arg(long)]
    pub force: bool,
}

impl Force {
    /// Refuses to replace `path` (a file, or a folder holding anything) unless forced.
    pub fn check(self, path: &std::path::Path) -> anyhow::Result<()> {
        let taken = match std::fs::read_dir(path) {
            Ok(mut entries) => entries.next().is_some(),
            Err(_) => path.exists(),
        };
        if taken && !self.force {
            anyhow::bail!(
                "{} exists{}: choose another output, or pass --force to replace it",
                path.display(),
                if path.is_dir() {
                    " and is not empty"
                } else {
                    ""
                }
            );
        }
        Ok(())
    }
}
