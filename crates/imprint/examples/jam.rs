use imprint::network::jammed::{generate_with_progress, JammingParameters};
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let p = JammingParameters {
        nodes: args[1].parse().unwrap(),
        target_pressure: args[2].parse().unwrap(),
        seed: args.get(3).map_or(1, |s| s.parse().unwrap()),
        ..Default::default()
    };
    let t = std::time::Instant::now();
    let (_net, report) = generate_with_progress(&p, &mut |g| {
        if !g.minimised {
            return;
        }
        eprintln!(
            "{:3} phi {:.6} p {:.4e} steps {}",
            g.compression, g.packing_fraction, g.pressure, g.fire_steps
        )
    })
    .unwrap();
    println!("{report:?}\n{:.2}s", t.elapsed().as_secs_f64());
}
