//! The HTML report of a reproduction (`imprint reproduce`,
//! `imprint.reproduce`): the claims with their criteria and numbers, the
//! runs, and every figure, assembled from the library's measurements.

use std::fmt::Write as _;

use imprint::network::Network;
use imprint::paper::{
    Claim, ClaimSpread, Reproduced, ReproducedRun, ReproductionOptions, TrainerComparison,
    CONDITIONS,
};

use crate::html::{escape, relative};

fn figure(html: &mut String, src: &str, caption: &str) {
    // Wide figures (rows of panels) span the page; single drawings and charts stay readable-sized.
    let wide = [
        "spectra",
        "initial-conditions",
        "weak-training.",
        "scatter",
        "fields",
        "sectors",
        "spectrum",
        "training.png",
        "stiff-modes",
        "matrices",
        "distributions",
        "partial-susceptibility",
        "sector-drops",
    ]
    .iter()
    .any(|w| src.contains(w));
    let _ = writeln!(
        html,
        "<figure class=\"{class}\"><a href=\"{src}\"><img src=\"{src}\" alt=\"{alt}\" loading=\"lazy\"></a><figcaption>{caption}</figcaption></figure>",
        class = if wide { "wide" } else { "single" },
        alt = escape(caption),
        caption = escape(caption)
    );
}

fn number(v: f64) -> String {
    if v.is_nan() {
        "–".into()
    } else {
        format!("{v:.3e}")
    }
}

/// Everything the report shows.
struct Reproduction<'a> {
    /// What the reproduction was asked for.
    pub options: &'a ReproductionOptions,
    /// The network every run starts from.
    pub network: &'a Network,
    /// The four task runs.
    pub tasks: &'a [ReproducedRun],
    /// The Fig. 8 runs.
    pub conditions: &'a [ReproducedRun],
    /// The weak-training runs.
    pub weak: &'a [ReproducedRun],
    /// The Appendix B runs (three target edges at three drops).
    pub sectors: &'a [ReproducedRun],
    /// Each task trained by Coupled Learning and by the second-order trainer.
    pub comparisons: &'a [TrainerComparison],
    /// The claims, judged on the first seed.
    pub claims: &'a [Claim],
    /// The claims over every seed.
    pub spread: &'a [ClaimSpread],
}

/// What a reader needs before the claims: the model, the training rule, the
/// tasks and the paper (docs/theory.md, in short).
const INTRODUCTION: &str = r#"<h2>Introduction</h2>
<p>This report reproduces the claims of M. Guzman, F. Martins, M. Stern and A. J. Liu, <i>Microscopic imprints of learned solutions in adaptive resistor networks</i>, arXiv:2412.19356, Phys. Rev. X 15, 031056 (2025). The equations behind every number here are in <code>docs/theory.md</code> of the imprint repository, with the paper's equation numbers.</p>
<p><b>The model</b> (docs/theory.md section 1). A network of linear resistors: edge <i>e</i> joining nodes <i>i</i> and <i>j</i> has conductance <i>k<sub>e</sub></i>. Some nodes are held at imposed voltages (ground, inputs); the others settle where the dissipated power is least, which is Kirchhoff's law. The physical Hessian is the Laplacian bordered by the held nodes; the paper borders the ground only (H<sub>g</sub>), and so does every number here.</p>
<p><b>What is measured</b> (sections 2-3). The susceptibility χ<sub>e</sub> = |H<sup>-1</sup> b<sub>e</sub>| of edge <i>e</i> says how strongly the response changes with its conductance, and can be measured by injecting unit currents node by node (eq. 17). The cost Hessian of a trained network has a few stiff modes, one per learned coefficient (Fig. 4a); the paper's claim is that χ, a purely physical quantity, picks out the edges those stiff modes load (Figs. 4-6), that a few soft physical modes carry it (partial susceptibility, Fig. 7), that susceptible edges are walls and corridors of low relative conductance (Figs. 8-9), that they trace the boundaries of persistent voltage sectors in allosteric tasks (Figs. 6, 11), and that this survives weak training (Fig. 12).</p>
<p><b>Training</b> (section 4). Coupled Learning: each step solves a free state (inputs held) and a clamped state (outputs nudged a fraction η toward their targets) and changes each conductance by α/η times the difference of the squared drops, clipped to [k<sub>min</sub>, k<sub>max</sub>]. The step size α is set to keep the linearised update map stable (docs/training.md).</p>
<p><b>Tasks</b> (section 7). Regression 2x2 (y = A x with the paper's eq. 1), regression 2x5, classification of three clusters (each input as a pair of opposite voltages, copied; cosine cost; 120 training and 30 test points), and allostery (drops across distant target edges). The claims table states each claim with its figure, what the authors computed, the criterion we judge it by, and the number measured.</p>
"#;

/// `html` with an `id` on every `<h2>` and a table of contents in place of
/// the `<!--contents-->` marker.
fn with_contents(html: &str) -> String {
    let mut body = String::with_capacity(html.len());
    let mut entries = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<h2>") {
        let Some(end) = rest[start..].find("</h2>").map(|e| start + e) else {
            break;
        };
        let title = &rest[start + 4..end];
        let id = format!("s{}", entries.len() + 1);
        body.push_str(&rest[..start]);
        let _ = write!(body, "<h2 id=\"{id}\">{title}</h2>");
        entries.push((id, title.to_string()));
        rest = &rest[end + 5..];
    }
    body.push_str(rest);
    let mut nav = String::from("<nav><b>Contents</b><ol>\n");
    for (id, title) in &entries {
        let _ = writeln!(nav, "<li><a href=\"#{id}\">{title}</a></li>");
    }
    nav.push_str("</ol></nav>");
    body.replacen("<!--contents-->", &nav, 1)
}

/// What the other seeds add to the headline: how many claims hold on all.
fn seeds_sentence(seed: u64, seeds: u64, claims: &[Claim], spread: &[ClaimSpread]) -> String {
    if seeds < 2 {
        return " Judged on this one seed only (<code>--seeds N</code> judges them on N networks)."
            .into();
    }
    let everywhere = spread.iter().filter(|c| c.holds_everywhere()).count();
    format!(
        " The claims were also judged on seeds {} to {} (<code>--seeds {seeds}</code>: each a new network, tasks and batches, trained and analysed but not drawn): {everywhere} of {} hold on every seed that judged them (a seed judges a claim when one of its runs learned); the table's last column gives each seed's number.",
        seed + 1,
        seed + seeds - 1,
        claims.len()
    )
}

/// The HTML report of a reproduction that took `elapsed` seconds.
fn report(r: &Reproduction, elapsed: f64) -> crate::Result<String> {
    let Reproduction {
        options: args,
        network,
        tasks,
        conditions,
        weak,
        sectors,
        comparisons,
        claims,
        spread,
    } = *r;
    let out = &args.out;
    let mut html = String::new();
    html.push_str(
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>imprint: reproduction of the paper's claims</title>
<style>
"#,
    );
    html.push_str(crate::html::STYLE);
    html.push_str(
        r#"</style></head><body>
"#,
    );
    let held = claims.iter().filter(|c| c.holds).count();
    let spring = args.physics == imprint::network::Physics::Spring2d;
    let (judged_runs, learned) = imprint::paper::claim_runs(tasks, conditions, weak);
    let _ = write!(
        html,
        "<h1>imprint: the paper's claims, reproduced</h1>\n<p><b>{learned} of {} runs learned their task</b> (cost at most {:e} of the initial, or every training sample classified; seed {}): the claims are judged on those alone, as the paper's premise asks (\"the cost is near the global minimum value of zero, so the task has been learned\").{}</p>\n<p>Made by <code>imprint reproduce{}{} --network {}{}</code> (imprint {}) in {:.0} s: one contact network of {} nodes and {} edges (seed {}), {} training runs, their analyses and figures. <b>{} of {} claims hold.</b>{}{}</p>\n<p>Conditions: {}. {}</p>\n",
        judged_runs.len(),
        imprint::paper::LEARNED_RELATIVE_COST,
        args.seed,
        if learned == judged_runs.len() {
            String::new()
        } else {
            format!(
                " Not learned, shown and counted but never judged: {}.",
                escape(
                    &judged_runs
                        .iter()
                        .filter(|m| !m.learned())
                        .map(|m| m.not_learned())
                        .collect::<Vec<_>>()
                        .join("; ")
                )
            )
        },
        if args.quick { " --quick" } else { "" },
        if args.seed != 1 { format!(" --seed {}", args.seed) } else { String::new() },
        // (--seeds is shown below, with what the other seeds did.)
        serde_json::to_value(args.network).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default(),
        if spring { " --physics spring" } else { "" },
        env!("CARGO_PKG_VERSION"),
        elapsed,
        network.node_count(),
        network.edge_count(),
        args.seed,
        tasks.len() + conditions.len() + weak.len() + sectors.len(),
        held,
        claims.len(),
        if args.quick { " <span class=\"note\">Quick mode: a small network and a fifth of the iterations; the numbers are rough.</span>" } else { "" },
        seeds_sentence(args.seed, args.seeds, claims, spread),
        escape(args.network.describe()),
        if spring {
            "The same contact network taken as a 2D central-force spring network (docs/theory.md section 9): conductances are stiffnesses, voltages displacements, drops bond extensions. Allostery holds the source bond's ends apart along it (strain 1) and trains the targets to the strain ratio named as the desired drop (shown in V below: read it as a ratio); the regressions hold displacements and read x displacements; classification-3 has no spring counterpart and is not run. χ and the physical spectrum come from H bordered at every held displacement component (one ground pins no rotation of an open network). The criteria are the resistor ones, fixed before these runs."
        } else {
            "χ and the physical spectrum come from H<sub>g</sub> (the ground and rails bordered, as the paper); regression-2x2 learns y = A x with A = [[0.15, 0.3], [0.2, 0.1]] (the authors' notebook)."
        }
    );
    html.push_str("<!--contents-->\n");
    html.push_str(INTRODUCTION);
    html.push_str("<h2>Conditions and chosen values</h2>\n<p>The paper's text lost these values in extraction (or never gave them); these are ours, every one of them.</p>\n<ul>\n");
    for c in imprint::paper::chosen_values(args.network)? {
        let _ = writeln!(html, "<li>{}: {}</li>", escape(&c.what), escape(&c.value));
    }
    html.push_str("</ul>\n");
    let _ = writeln!(
        html,
        "<h2>Claims (docs/theory.md section 6)</h2>\n<table><tr><th>#</th><th>claim (figure)</th><th>the authors computed</th><th>our criterion</th><th>measured (seed {})</th><th>holds?</th><th>over seeds</th></tr>",
        args.seed
    );
    for (c, over) in claims.iter().zip(spread) {
        // Every seed's number, so that the spread is there to read.
        let mut seeds = String::new();
        for ((seed, holds), measured) in over.seeds.iter().zip(&over.holds).zip(&over.measured) {
            let _ = write!(
                seeds,
                "<li>seed {seed}: {} ({})</li>",
                escape(measured),
                if *holds { "holds" } else { "does not hold" }
            );
        }
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{} ({})</td><td>{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td><td class=\"{}\">{}<details><summary>each seed</summary><ul>{seeds}</ul></details></td></tr>",
            escape(&c.id),
            escape(&c.statement),
            escape(&c.figure),
            escape(&c.authors),
            escape(&c.criterion),
            escape(&c.measured),
            if c.holds { "holds" } else { "fails" },
            match (c.judged, c.holds, c.excluded_runs.is_empty()) {
                (false, _, _) => "not judged (no run learned)".to_string(),
                (true, true, true) => "holds".to_string(),
                (true, false, true) => "does not hold".to_string(),
                (true, h, false) => format!(
                    "{} on the learned runs; not judged on {}",
                    if h { "holds" } else { "does not hold" },
                    c.excluded_runs.join(", ")
                ),
            },
            if over.holds_everywhere() { "holds" } else { "fails" },
            escape(&over.summary()),
        );
    }
    html.push_str("</table>\n<p>Machine-readable: <a href=\"claims.json\">claims.json</a>. Every run directory under <code>runs/</code> holds its configuration, networks, history, analysis (<code>analysis/analysis.npz</code>, <code>summary.json</code>) and figures, and can be re-plotted with <code>imprint plot</code>.</p>\n");

    html.push_str("<h2>The network</h2>\n");
    figure(
        &mut html,
        "figures/network.png",
        "The contact network every run starts from.",
    );

    html.push_str("<h2>All runs</h2>\n<table><tr><th>run</th><th>cost before</th><th>cost after</th><th>training</th><th>accuracy (train / test)</th><th>stiff modes (n<sub>in</sub> n<sub>out</sub>)</th><th>ρ(χ, stiff)</th><th>ρ(χ, k)</th><th>ρ(χ, k<sub>rel</sub>)</th><th>modes for 90 % of Σχ²</th><th>training time</th></tr>\n");
    for d in tasks.iter().chain(conditions).chain(weak) {
        let t = &d.metrics;
        let _ = writeln!(
            html,
            "<tr><td><a href=\"{}/\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} ({})</td><td>{:+.2}</td><td>{:+.2}</td><td>{:+.2}</td><td>{}</td><td>{:.1} s</td></tr>",
            relative(&d.dir, out),
            escape(&t.id),
            number(t.initial_cost),
            number(t.final_cost),
            t.status.name(),
            match (t.accuracy, t.test_accuracy) {
                (Some(a), Some(b)) => format!("{:.1} % / {:.1} %", 100.0 * a, 100.0 * b),
                _ => "–".into(),
            },
            t.stiff_modes,
            t.expected_stiff_modes,
            t.spearman_stiff,
            t.spearman_conductance,
            t.spearman_relative,
            t.modes_for_90_percent
                .map_or("not reached".into(), |k| format!("{k} of {}", t.modes)),
            t.train_seconds
        );
    }
    html.push_str("</table>\n");
    let runs = tasks
        .iter()
        .chain(conditions)
        .chain(weak)
        .map(|d| &d.metrics);
    let untrained: Vec<String> = runs
        .filter(|t| !t.learned())
        .map(|t| t.not_learned())
        .collect();
    if !untrained.is_empty() {
        let _ = writeln!(html, "<p class=\"note\">Not learned: {} (docs/training.md). The paper's analysis assumes a network at its cost minimum: these runs are shown with their numbers, and no claim is judged on them.</p>", escape(&untrained.join(", ")));
    }
    figure(&mut html, "figures/spectra.png", "Fig. 4a: cost-Hessian eigenvalues before training (full Hessian; magnitudes) and after (Gauss-Newton, exact at the minimum).");
    figure(
        &mut html,
        "figures/partial-susceptibility.png",
        "Fig. 7: partial susceptibility against the number of softest physical modes.",
    );
    // Per task: (file, caption, in the two-column grid); missing files are skipped.
    const RUN_FIGURES: [(&str, &str, bool); 14] = [
        ("training", "Training history.", false),
        ("outputs", "Fig. 1c: the trained outputs as input 2 sweeps with input 1 fixed, and the desired lines.", false),
        ("cost-hessian-spectrum", "Fig. 4a: cost-Hessian spectrum before and after training: magnitudes (left; the stiff eigenvalues after training marked along the bottom) and ranked (right).", false),
        ("network-susceptibility", "Edges coloured and widened by χ_e from H_g (log scale).", true),
        ("network-stiff-weight", "Edges by their weight in the stiff modes.", true),
        ("network-conductance", "Trained conductances.", true),
        ("decision-regions", "Decision regions over the input plane.", true),
        ("stiff-modes", "Fig. 4b: the stiffest modes ψ of the cost Hessian on the network.", false),
        ("matrices", "Fig. 2: the cost Hessian and the susceptibility matrix (rows s_e) as pictures.", false),
        ("edge-response", "Fig. 3: s_e of the most susceptible edge as a field on the nodes.", false),
        ("scatter", "χ_e against stiff weight, conductance and relative conductance (Figs. 4d, 8, 10).", false),
        ("distributions", "Figs. 8 and 10: conductances before and after training, and χ.", false),
        ("fields", "Fig. 9: the voltage response of sample 0 with the susceptible edges, and the current field; green: walls (top χ, k below its neighbours', |ΔV| at least the median), pink: corridors (other top χ edges carrying at least the median current).", false),
        ("sectors", "Figs. 6, 11: persistent sectors of sample 0 (docs/theory.md section 5) with the cut set (grey), the kept death edges (black) and as many top-χ edges (red); the persistence diagram.", false),
    ];
    for d in tasks {
        let dir = relative(&d.dir, out);
        let _ = writeln!(html, "<h2>{}</h2>", escape(&d.metrics.label));
        let mut in_grid = false;
        for (file, caption, grid) in RUN_FIGURES {
            if !d.dir.join("figures").join(format!("{file}.png")).exists() {
                continue;
            }
            if grid != in_grid {
                html.push_str(if grid {
                    "<div class=\"grid\">\n"
                } else {
                    "</div>\n"
                });
                in_grid = grid;
            }
            figure(&mut html, &format!("{dir}/figures/{file}.png"), caption);
        }
        if in_grid {
            html.push_str("</div>\n");
        }
    }
    html.push_str("<h2>Independent of the training process</h2>\n<p>\"Our theoretical results are independent of the training process\" (the paper's Discussion). Each task was also trained from the same initial network by the second-order trainer (Levenberg-Marquardt on the task's transfer matrix, docs/training.md; runs <code>runs/second-order-TASK</code>) and analysed the same way: claim I of the table above.</p>\n<table><tr><th>task</th><th>learned (Coupled Learning / second order)</th><th>ρ(χ<sub>CL</sub>, χ<sub>LM</sub>)</th><th>top-5 % χ overlap (chance)</th><th>claims on the Coupled Learning run</th><th>claims on the second-order run</th></tr>\n");
    for p in comparisons {
        let verdicts = |v: &[(String, String)]| {
            v.iter()
                .map(|(id, verdict)| format!("{id} {verdict}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{} / {}</td><td>{:+.2}</td><td>{:.0} % ({:.0} %)</td><td>{}</td><td>{}</td></tr>",
            escape(&p.task),
            if p.coupled_learning_learned { "yes" } else { "no" },
            if p.second_order_learned { "yes" } else { "no" },
            p.spearman_chi,
            100.0 * p.top_overlap,
            100.0 * p.chance,
            escape(&verdicts(&p.coupled_learning_verdicts)),
            escape(&verdicts(&p.second_order_verdicts)),
        );
    }
    html.push_str("</table>\n");
    html.push_str("<h2>Four initial conditions, one task (Fig. 8)</h2>\n<p>regression-2x2 from four initial conductance distributions (");
    let labels: Vec<&str> = CONDITIONS.iter().map(|c| c.label).collect();
    html.push_str(&escape(&labels.join("; ")));
    let _ = writeln!(
        html,
        "), each its own random draw, all at the learning rate <code>{}</code> (<code>--condition-rate</code>).</p>\n<p class=\"note\">{}</p>",
        args.condition_rate,
        escape(imprint::paper::SCALE_INVARIANCE)
    );
    figure(
        &mut html,
        "figures/initial-conditions.png",
        "χ_e against conductance and relative conductance for the four initial conditions.",
    );
    html.push_str("<h2>Weak training (Appendices B and E)</h2>\n<p>Allostery with one target edge and increasing desired drops.</p>\n<table><tr><th>desired drop</th><th>ρ(χ, stiff)</th><th>top-5 % χ among top-5 % stiff</th><th>persistent sectors</th><th>top χ in the cut set (chance), AUC</th></tr>\n");
    for d in weak {
        let t = &d.metrics;
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{:+.2}</td><td>{:.0} %</td><td>{}</td><td>{:.0} % ({:.0} %), {:.2}</td></tr>",
            escape(&t.label),
            t.spearman_stiff,
            100.0 * t.top_chi_in_top_stiff,
            t.sectors.sectors,
            100.0 * t.sectors.cut.overlap,
            100.0 * t.sectors.cut.chance,
            t.sectors.cut.auc
        );
    }
    html.push_str("</table>\n");
    figure(
        &mut html,
        "figures/weak-training.png",
        "Susceptibility (top) and stiff-mode weight (bottom) for increasing desired drops.",
    );
    figure(&mut html, "figures/weak-training-measures.png", "How the agreement between χ and the stiff mode, and the sector overlap, change with the desired drop.");
    html.push_str("<h2>Sectors as the task weakens (Appendix B, Fig. 11)</h2>\n<p>Allostery with three target edges at increasing drops (our values: the paper's were lost). The paper: as the drop falls, the susceptible edges overlap the sector boundaries less.</p>\n<ul>\n");
    for d in sectors {
        let c = &d.metrics.sectors;
        let _ = writeln!(
            html,
            "<li>{}: {}; cut set {}</li>",
            escape(&d.metrics.label),
            c.count(),
            escape(&c.cut.to_string())
        );
    }
    html.push_str("</ul>\n");
    figure(
        &mut html,
        "figures/sector-drops.png",
        "Sectors (top) and χ (bottom) for three target edges at increasing drops.",
    );
    html.push_str(include_str!("report-methods.html"));
    Ok(with_contents(&html))
}

/// The report page of `reproduced`, made as `options` asked.
pub fn reproduction_page(
    reproduced: &Reproduced,
    options: &ReproductionOptions,
) -> crate::Result<String> {
    let runs = &reproduced.runs;
    report(
        &Reproduction {
            options,
            network: &reproduced.network,
            tasks: &runs.tasks,
            conditions: &runs.conditions,
            weak: &runs.weak,
            sectors: &runs.sectors,
            comparisons: &reproduced.record.second_order,
            claims: &reproduced.record.claims,
            spread: &reproduced.record.spread,
        },
        reproduced.record.wall_time_seconds,
    )
}
