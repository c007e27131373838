//! `imprint network generate jammed` interrupted: a checkpoint next to the
//! output, continued by the same command to the same bytes, refused for
//! other parameters; SIGTERM stops a large packing within moments.

mod common;

use std::process::Command;

use common::*;

#[test]
fn an_interrupted_packing_continues_to_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let generate = |output: &str, extra: &[&str]| {
        let mut args = vec![
            "network", "generate", "jammed", "--nodes", "300", "--seed", "2", "-o", output,
        ];
        args.extend_from_slice(extra);
        imprint(&args, dir.path())
    };
    let whole = generate("whole.json", &[]);
    assert!(whole.status.success());

    let out = generate("a.json", &["--interrupt-after", "3000"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("state saved to a.json.checkpoint")
            && stderr.contains("Run the same command again to continue"),
        "{stderr}"
    );
    assert!(!dir.path().join("a.json").exists());
    let checkpoint = json(&dir.path().join("a.json.checkpoint"));
    assert_eq!(checkpoint["parameters"]["seed"], 2);

    // Other parameters are refused, naming the field and the file.
    assert_fails(
        &[
            "network", "generate", "jammed", "--nodes", "300", "--seed", "3", "-o", "a.json",
        ],
        dir.path(),
        "`seed` is 2 there and 3 here",
    );
    let out = imprint(
        &[
            "network", "generate", "jammed", "--nodes", "300", "--seed", "3", "-o", "a.json",
        ],
        dir.path(),
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("a.json.checkpoint"));

    let out = generate("a.json", &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("continuing from a.json.checkpoint"),
        "{stderr}"
    );
    assert!(!dir.path().join("a.json.checkpoint").exists());
    assert_eq!(
        std::fs::read(dir.path().join("a.json")).unwrap(),
        std::fs::read(dir.path().join("whole.json")).unwrap()
    );
}

#[test]
fn sigterm_stops_a_large_packing_with_a_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    // 2 x 10^4 disks take about a minute: well under way after one second.
    let child = Command::new(env!("CARGO_BIN_EXE_imprint"))
        .args([
            "network", "generate", "jammed", "--nodes", "20000", "-o", "big.json",
        ])
        .current_dir(dir.path())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1000));
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let start = std::time::Instant::now();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    // A hundred FIRE steps of 2 x 10^4 disks and the checkpoint's write.
    assert!(start.elapsed().as_secs_f64() < 5.0, "{stderr}");
    let checkpoint = json(&dir.path().join("big.json.checkpoint"));
    assert_eq!(checkpoint["parameters"]["nodes"], 20000);
    assert_eq!(checkpoint["positions"].as_array().unwrap().len(), 20000);
}
