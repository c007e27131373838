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
    /// The seeds on which none of the claim's runs learned their task: not
    /// judged there (and not in `seeds`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_judged: Vec<u64>,
}

impl ClaimSpread {
    /// On how many seeds the claim holds.
    pub fn held(&self) -> usize {
        self.holds.iter().filter(|&&h| h).count()
    }

    /// Whether the claim holds on every seed it was judged on (and was
    /// judged on at least one).
    pub fn holds_everywhere(&self) -> bool {
        !self.seeds.is_empty() && self.held() == self.seeds.len()
    }

    /// "holds on 3 of 3 seeds", "holds on 2 of 3 seeds (fails on seed 3)",
    /// "holds on 1 of 1 seed; not judged on seed 2 (no run learned)", or
    /// "not judged on any seed: ...".
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
        let count = format!("holds on {} of {} {noun}", self.held(), self.seeds.len());
        let count = match failed.len() {
            0 => count,
            1 => format!("{count} (fails on seed {})", failed[0]),
            _ => format!("{count} (fails on seeds {})", failed.join(", ")),
        };
        let skipped: Vec<String> = self.not_judged.iter().map(u64::to_string).collect();
        match (self.seeds.is_empty(), skipped.len()) {
            (true, _) => "not judged on any seed: no run it rests on learned".into(),
            (false, 0) => count,
            (false, _) => format!(
                "{count}; not judged on seed{} {} (no run learned)",
                if skipped.len() == 1 { "" } else { "s" },
                skipped.join(", ")
            ),
        }
    }
}

/// Each claim of the first seed's list over every seed that judged it (a
/// claim a seed did not judge, such as the sectors claim without an
/// allosteric run or a claim none of whose runs learned, is left out of
/// that seed's entry).
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
                not_judged: Vec::new(),
            };
            for seed in by_seed {
                // A seed none of whose runs for this claim learned did not judge it.
                match seed.claims.iter().find(|c| c.id == claim.id) {
                    Some(c) if c.judged => {
                        spread.seeds.push(seed.seed);
                        spread.holds.push(c.holds);
                        spread.measured.push(c.measured.clone());
                    }
                    Some(_) => spread.not_judged.push(seed.seed),
                    None => {}
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
            judged: true,
            ..Claim::default()
        }
    }

    #[test]
    fn a_seed_whose_runs_did_not_learn_does_not_judge_the_claim() {
        let unjudged = Claim {
            judged: false,
            ..claim("6.1", false, "not judged")
        };
        let by_seed = vec![
            SeedClaims {
                seed: 1,
                claims: vec![unjudged.clone()],
            },
            SeedClaims {
                seed: 2,
                claims: vec![claim("6.1", true, "b")],
            },
        ];
        let s = spread(&by_seed);
        assert_eq!(
            (s[0].seeds.clone(), s[0].not_judged.clone()),
            (vec![2], vec![1])
        );
        assert!(s[0].holds_everywhere());
        assert_eq!(
            s[0].summary(),
            "holds on 1 of 1 seed; not judged on seed 1 (no run learned)"
        );
        // Judged nowhere: it holds nowhere.
        let none = spread(&by_seed[..1]);
        assert!(!none[0].holds_everywhere());
        assert!(none[0].summary().starts_with("not judged on any seed"));
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
        assert_eq!(
            s[0].summary(),
            "holds on 1 of 3 seeds (fails on seeds 2, 3)"
        );
        assert_eq!(s[1].seeds, [1, 3]);
        assert_eq!(s[1].summary(), "holds on 1 of 2 seeds (fails on seed 3)");
        assert!(spread(&[]).is_empty());
        let all = spread(&by_seed[..1]);
        assert_eq!(all[0].summary(), "holds on 1 of 1 seed");
    }
}
