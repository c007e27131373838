//! An interrupted jammed-packing generation continues bit for bit from its
//! checkpoint, under both protocols; progress arrives within minimisations;
//! a checkpoint for other parameters is refused, naming the field.

use std::sync::atomic::{AtomicBool, Ordering};

use imprint::io::network_to_json;
use imprint::network::jammed::{
    generate, generate_controlled, JammingCheckpoint, JammingOutcome, JammingParameters,
};

/// Runs `parameters`, raising the cancel flag at the `stops`-th progress
/// reports within minimisations (counted over the whole generation), and
/// continuing each time from the checkpoint after a JSON round trip. Returns
/// the network's JSON and, per interruption, the FIRE steps taken in all
/// and within the interrupted minimisation.
fn interrupted_at(
    parameters: &JammingParameters,
    stops: &[usize],
) -> (String, Vec<(usize, usize)>) {
    let mut heartbeats = 0;
    let mut resume: Option<JammingCheckpoint> = None;
    let mut interruptions = Vec::new();
    loop {
        let cancel = AtomicBool::new(false);
        let outcome = generate_controlled(
            parameters,
            resume.take(),
            &mut |p| {
                if !p.minimised {
                    heartbeats += 1;
                    if stops.contains(&heartbeats) {
                        cancel.store(true, Ordering::Relaxed);
                    }
                }
            },
            Some(&cancel),
        )
        .unwrap();
        match outcome {
            JammingOutcome::Jammed(network, _) => {
                return (network_to_json(&network), interruptions)
            }
            JammingOutcome::Interrupted(checkpoint) => {
                interruptions.push((
                    checkpoint.steps_taken(),
                    checkpoint.steps_taken() - checkpoint.fire_steps,
                ));
                let text = serde_json::to_string(&checkpoint).unwrap();
                resume = Some(serde_json::from_str(&text).unwrap());
            }
        }
    }
}

#[test]
fn an_interrupted_generation_continues_bit_for_bit() {
    for protocol in [1, 2] {
        let parameters = JammingParameters {
            nodes: 256,
            seed: 14,
            protocol,
            ..Default::default()
        };
        let (network, report) = generate(&parameters).unwrap();
        let whole = network_to_json(&network);
        // Heartbeats come every 1 000 FIRE steps; stop at the second, the
        // fifth and the sixth (two interruptions in a row of one
        // minimisation or across two, whichever this packing has).
        let (resumed, interruptions) = interrupted_at(&parameters, &[2, 5, 6]);
        assert_eq!(
            interruptions.len(),
            3,
            "protocol {protocol}: {interruptions:?} of {} steps",
            report.fire_steps
        );
        // The flag is obeyed at the step it was raised.
        assert!(
            interruptions.iter().all(|s| s.1 % 1000 == 0),
            "{interruptions:?}"
        );
        assert!(
            interruptions.windows(2).all(|w| w[0].0 < w[1].0),
            "{interruptions:?}"
        );
        assert!(
            whole == resumed,
            "protocol {protocol}: the resumed network differs"
        );
    }
}

#[test]
fn progress_arrives_within_a_minimisation() {
    let parameters = JammingParameters {
        nodes: 256,
        seed: 14,
        ..Default::default()
    };
    let mut within = Vec::new();
    let mut ended = 0;
    let outcome = generate_controlled(
        &parameters,
        None,
        &mut |p| {
            if p.minimised {
                ended += 1;
            } else {
                within.push((p.compression, p.fire_steps, p.residual, p.pressure));
                assert!(p.to_string().contains("relaxing"), "{p}");
            }
        },
        None,
    )
    .unwrap();
    let JammingOutcome::Jammed(_, report) = outcome else {
        panic!("nothing raised the flag")
    };
    assert_eq!(ended, report.compressions + 1);
    assert!(!within.is_empty());
    for &(_, steps, residual, pressure) in &within {
        assert_eq!(steps % 1000, 0);
        assert!(residual.is_finite() && pressure.is_finite() && pressure >= 0.0);
    }
    // One report per thousand steps of each minimisation that took that long.
    assert!(within.len() <= report.fire_steps / 1000);
}

#[test]
fn a_checkpoint_for_other_parameters_is_refused() {
    let parameters = JammingParameters {
        nodes: 128,
        seed: 3,
        ..Default::default()
    };
    let cancel = AtomicBool::new(true);
    let mut first = true;
    let outcome = generate_controlled(
        &parameters,
        None,
        &mut |p| {
            if !p.minimised && first {
                first = false;
            }
        },
        Some(&cancel),
    )
    .unwrap();
    let JammingOutcome::Interrupted(checkpoint) = outcome else {
        panic!("the flag was raised from the start")
    };
    // Raised before the first minimisation: it stops at its first check.
    assert_eq!(checkpoint.steps_taken(), 100);
    let other = JammingParameters {
        seed: 4,
        ..parameters.clone()
    };
    let message = generate_controlled(&other, Some(checkpoint.clone()), &mut |_| {}, None)
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("checkpoint") && message.contains("`seed` is 3 there and 4 here"),
        "{message}"
    );
    // The same parameters continue it to the uninterrupted network.
    let JammingOutcome::Jammed(network, _) =
        generate_controlled(&parameters, Some(checkpoint), &mut |_| {}, None).unwrap()
    else {
        panic!("nothing raised the flag")
    };
    assert_eq!(
        network_to_json(&network),
        network_to_json(&generate(&parameters).unwrap().0)
    );
}

#[test]
fn a_tampered_checkpoint_is_refused_naming_what() {
    let parameters = JammingParameters {
        nodes: 64,
        seed: 5,
        ..Default::default()
    };
    let cancel = AtomicBool::new(true);
    let JammingOutcome::Interrupted(checkpoint) =
        generate_controlled(&parameters, None, &mut |_| {}, Some(&cancel)).unwrap()
    else {
        panic!("the flag was raised from the start")
    };
    let good = serde_json::to_value(&checkpoint).unwrap();
    let cases: [(&str, serde_json::Value, &str); 6] = [
        (
            "radii",
            serde_json::json!(vec![0.6; 64]),
            "`radii` must be 32 of 0.5",
        ),
        (
            "positions",
            serde_json::json!([[0.5, 0.5]]),
            "must hold 64 disks",
        ),
        (
            "side",
            serde_json::json!(-1.0),
            "`side` and `radii` must be positive",
        ),
        (
            "anchor",
            serde_json::json!(vec![[1e9, 0.0]; 64]),
            "inside the box",
        ),
        ("tolerance", serde_json::json!(0.0), "`tolerance`"),
        ("search_step", serde_json::json!(-0.01), "`search_step`"),
    ];
    for (field, value, expected) in cases {
        let mut bad = good.clone();
        bad[field] = value;
        let bad: JammingCheckpoint = serde_json::from_value(bad).unwrap();
        let message = bad.check(&parameters).unwrap_err().to_string();
        assert!(
            message.contains("checkpoint") && message.contains(expected),
            "{field}: {message}"
        );
    }
    let mut unknown = good.clone();
    unknown["extra"] = serde_json::json!(1);
    let error = serde_json::from_value::<JammingCheckpoint>(unknown).unwrap_err();
    assert!(
        error.to_string().contains("unknown field `extra`"),
        "{error}"
    );
    assert!(checkpoint.check(&parameters).is_ok());
}
