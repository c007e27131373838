//! The claims of docs/theory.md section 6 judged on several seeds: one
//! seed's verdict is one draw of the network, the task's nodes and the
//! batches; the spread over seeds says how much a verdict owes to that draw.

use serde::{Deserialize, Serialize};

use super::Claim;

/// Every claim as judged on the runs of one seed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeedClaims {
    /// The master seed of the network, the tasks and the batches.
    pub seed: u64,
    /// The claims, in the order of [`claims`](super::claims).
    pub claims: Vec<Claim>,
}

/// One claim over the seeds it was judged on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimSpread {
    /// The claim's id (`6.1` ... `E`).
    pub id: String,
    /// The seeds, in the order given.
    pub seeds: Vec<u64>,
    /// Whether the criterion holds on each seed.
    pub holds: Vec<bool>,
    /// What was measured on each seed.
    pub measured: Vec<String>,
}

impl ClaimSpread {
    /// On how many seeds the claim holds.
    pub fn held(&self) -> usize {
        self.holds.iter().filter(|&&h| h).count()
    }

    /// Whether the claim holds on every seed it was judged on.
    pub fn holds_everywhere(&self) -> bool {
        self.held() == self.seeds.len()
    }

    /// "3 of 3 seeds", or "2 of 3 seeds (fails on seed 3)".
    pub fn summary(&self) -> String {
        let failed: Vec<String> = self
            .seeds
            .iter()
            .zip(&self.holds)
            .filter(|(_, &h)| !h)
            .map(|(s, _)| s.to_string())
            .collect();
        let noun = if self.seeds.len() == 1 {
            "seed"
        } else {
            "seeds"
        };
        let count = format!("{} of {} {noun}", self.held(), self.seeds.len());
        match failed.len() {
            0 => count,
            1 => format!("{count} (fails on seed {})", failed[0]),
            _ => format!("{count} (fails on seeds {})", failed.join(", ")),
        }
    }
}

/// Each claim of the first seed's list over every seed that judged it (a
/// claim a seed did not judge, such as the sectors claim without an
/// allosteric run, is left out of that seed's entry).
pub fn spread(by_seed: &[SeedClaims]) -> Vec<ClaimSpread> {
    let Some(first) = by_seed.first() else {
        return Vec::new();
    };
    first
        .claims
        .iter()
        .map(|claim| {
            let mut spread = ClaimSpread {
                id: claim.id.clone(),
                seeds: Vec::new(),
                holds: Vec::new(),
                measured: Vec::new(),
            };
            for seed in by_seed {
                if let Some(c) = seed.claims.iter().find(|c| c.id == claim.id) {
                    spread.seeds.push(seed.seed);
                    spread.holds.push(c.holds);
                    spread.measured.push(c.measured.clone());
                }
            }
            spread
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(id: &str, holds: bool, measured: &str) -> Claim {
        Claim {
            id: id.into(),
            figure: String::new(),
            authors: String::new(),
            statement: String::new(),
            criterion: String::new(),
            measured: measured.into(),
            holds,
        }
    }

    #[test]
    fn spread_follows_the_first_seed_and_names_the_failures() {
        let by_seed = vec![
            SeedClaims {
                seed: 1,
                claims: vec![claim("6.1", true, "a"), claim("6.5", true, "b")],
            },
            SeedClaims {
                seed: 2,
                claims: vec![claim("6.1", false, "c")],
            },
            SeedClaims {
                seed: 3,
                claims: vec![claim("6.5", false, "d"), claim("6.1", false, "e")],
            },
        ];
        let s = spread(&by_seed);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].seeds, [1, 2, 3]);
        assert_eq!(s[0].measured, ["a", "c", "e"]);
        assert_eq!(s[0].held(), 1);
        assert!(!s[0].holds_everywhere());
        assert_eq!(s[0].summary(), "1 of 3 seeds (fails on seeds 2, 3)");
        assert_eq!(s[1].seeds, [1, 3]);
        assert_eq!(s[1].summary(), "1 of 2 seeds (fails on seed 3)");
        assert!(spread(&[]).is_empty());
        let all = spread(&by_seed[..1]);
        assert_eq!(all[0].summary(), "1 of 1 seed");
    }
}
