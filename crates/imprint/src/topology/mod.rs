//! Persistent sectors of node fields (docs/theory.md section 5), and the
//! description `imprint network info` prints. Connected components and
//! degrees belong to the network ([`crate::network::connectivity`], also
//! re-exported here).

pub mod sectors;

pub use crate::network::connectivity::{Components, DegreeStatistics};
use crate::network::{Network, Physics};
use crate::physics::rigidity::{rigidity, Rigidity};

/// What `imprint network info` prints: size, degrees, components,
/// conductance range, the periodic box and the provenance metadata.
#[derive(Debug, Clone)]
pub struct Description<'a> {
    network: &'a Network,
    degrees: DegreeStatistics,
    components: Components,
    /// A spring network's rigidity (none for resistors).
    rigidity: Option<Rigidity>,
    /// Whether a task's held set pins every zero mode, when asked.
    held: Option<crate::physics::rigidity::HeldPinning>,
}

impl<'a> Description<'a> {
    /// Describes `network`.
    pub fn of(network: &'a Network) -> Self {
        Self {
            network,
            degrees: DegreeStatistics::of(network),
            components: Components::of(network),
            rigidity: (network.physics() == Physics::Spring2d).then(|| rigidity(network)),
            held: None,
        }
    }

    /// With whether `task`'s held set (nodes, or a spring task's
    /// components) pins every zero mode of the network
    /// ([`crate::physics::rigidity::held_pinning`]).
    pub fn with_task(
        mut self,
        task: &crate::learning::Task,
    ) -> Result<Self, crate::physics::PhysicsError> {
        self.held = Some(crate::physics::rigidity::held_pinning(
            self.network,
            &task.fixed_nodes,
        )?);
        Ok(self)
    }
}

impl std::fmt::Display for Description<'_> {
    /// Aligned `name  value` lines.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (network, degrees) = (self.network, &self.degrees);
        let mut sizes = self.components.sizes();
        sizes.sort_unstable_by(|a, b| b.cmp(a));
        let k = network.conductance();
        let (k_min, k_max) = k.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        });
        let k_mean = k.iter().sum::<f64>() / k.len() as f64;
        writeln!(f, "physics      {}", network.physics())?;
        writeln!(f, "nodes        {}", network.node_count())?;
        writeln!(f, "edges        {}", network.edge_count())?;
        writeln!(
            f,
            "degree       mean Z = {:.4}, min {}, max {}, std {:.3}",
            degrees.mean, degrees.min, degrees.max, degrees.std
        )?;
        let shown: Vec<String> = sizes.iter().take(5).map(|s| s.to_string()).collect();
        writeln!(
            f,
            "components   {} (sizes {}{})",
            self.components.count,
            shown.join(", "),
            if sizes.len() > 5 { ", ..." } else { "" }
        )?;
        writeln!(
            f,
            "conductance  min {k_min:.6e}, mean {k_mean:.6e}, max {k_max:.6e}"
        )?;
        match network.periodic_box() {
            Some([lx, ly]) => {
                let crossing = (0..network.edge_count())
                    .filter(|&e| network.crosses_box(e))
                    .count();
                write!(
                    f,
                    "periodic     yes, box {lx} x {ly}, {crossing} edges cross it"
                )?;
            }
            None => write!(f, "periodic     no")?,
        }
        if let Some(rigidity) = &self.rigidity {
            write!(f, "\n{rigidity}")?;
        }
        if let Some(held) = &self.held {
            write!(f, "\n{held}")?;
        }
        for (key, value) in network.metadata() {
            write!(f, "\nmetadata     {key} = {value}")?;
        }
        Ok(())
    }
}
