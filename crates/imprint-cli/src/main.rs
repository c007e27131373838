//! The `imprint` command: networks, solves, exports and benchmarks from the
//! terminal. Argument parsing, files and printing live here; every computation
//! is a call into the `imprint` library.

mod commands;
mod inputs;

use clap::{Parser, Subcommand};

/// imprint: physical learning in adaptive resistor networks.
///
/// Conventions: nodes and edges are numbered from 0; voltages in volts,
/// currents in amperes, conductances in siemens. Run any subcommand with
/// --help for its flags.
#[derive(Parser)]
#[command(name = "imprint", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Reproduce the paper end to end: network, four tasks, Fig. 8 conditions, weak training, analyses, figures and an HTML report of every claim.
    Reproduce(commands::reproduce::Args),
    /// Generate a small lattice, solve it and print what it does: the quickest check that everything works.
    Demo(commands::demo::Args),
    /// Inspect and convert network files.
    #[command(subcommand)]
    Network(commands::network::Command),
    /// Solve a network's response to imposed voltages and injected currents.
    Solve(commands::solve::Args),
    /// Train a network on a task with Coupled Learning (or gradient descent), recording everything in a run directory.
    Train(commands::train::Args),
    /// Analyse a trained network: susceptibility, physical and cost Hessians, stiff and soft modes.
    Analyze(commands::analyze::AnalyzeArgs),
    /// Draw every figure of a trained run: networks by susceptibility, stiff weight and conductance, spectra, scatter plots, fields, sectors, training curves.
    Plot(commands::plot::Args),
    /// Simulate the measurement of every susceptibility: unit currents node by node, every edge drop recorded.
    Measure(commands::analyze::MeasureArgs),
    /// Ensembles: plan runs over seeds, networks and any configuration field; run them here or as a Slurm job array; collect the claims with confidence intervals.
    #[command(subcommand)]
    Sweep(commands::sweep::Command),
    /// Export a network with its sources to other tools.
    #[command(subcommand)]
    Export(commands::export::Command),
    /// Measure how fast the solver is (timings go to the terminal, not to tests).
    #[command(subcommand)]
    Bench(commands::bench::Command),
}

fn main() {
    // Rust ignores SIGPIPE, so printing into a closed pipe (`imprint ... |
    // head -1`) panics. Restore the default: the process ends quietly, as
    // every Unix filter does.
    #[cfg(unix)]
    // SAFETY: called first, before any thread exists; SIG_DFL is a valid action.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    // A full terminal or file (`> /dev/full`) makes `println!` panic; say so
    // in one line instead, after whatever files the command wrote.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        match message.strip_prefix("failed printing to stdout: ") {
            Some(cause) => {
                eprintln!("error: cannot write to standard output: {cause}");
                std::process::exit(1);
            }
            None => default_hook(info),
        }
    }));
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) if error.use_stderr() => {
            // clap's first line says what is wrong; the usage block after it
            // is one `--help` away. Keep failures to one line.
            let rendered = error.to_string();
            let message: Vec<&str> = rendered
                .lines()
                .map(str::trim)
                .take_while(|line| !line.is_empty() && !line.starts_with("Usage:"))
                .collect();
            eprintln!("{} (see --help)", message.join(" "));
            std::process::exit(2);
        }
        Err(help_or_version) => help_or_version.exit(),
    };
    let result = match cli.command {
        Command::Reproduce(args) => commands::reproduce::run(args),
        Command::Demo(args) => commands::demo::run(args),
        Command::Network(command) => commands::network::run(command),
        Command::Solve(args) => commands::solve::run(args),
        Command::Train(args) => commands::train::run(args),
        Command::Analyze(args) => commands::analyze::run(args),
        Command::Plot(args) => commands::plot::run(args),
        Command::Measure(args) => commands::analyze::measure(args),
        Command::Sweep(command) => commands::sweep::run(command),
        Command::Export(command) => commands::export::run(command),
        Command::Bench(command) => commands::bench::run(command),
    };
    if let Err(error) = result {
        if let Some(stopped) = error.downcast_ref::<commands::network::Interrupted>() {
            // Interrupted with a checkpoint written, as a stopped run.
            eprintln!("{stopped}");
            std::process::exit(130);
        }
        if let Some(stopped) = error.downcast_ref::<commands::train::Stopped>() {
            // Interrupted with a checkpoint written: the conventional 128 + SIGINT.
            eprintln!("{stopped}");
            std::process::exit(130);
        }
        if error
            .downcast_ref::<commands::solve::Uncertified>()
            .is_some()
        {
            eprintln!("error: {}", one_line(&error));
            std::process::exit(3);
        }
        eprintln!("error: {}", one_line(&error));
        std::process::exit(1);
    }
}

/// An error and its causes in one line, joined by ": ", naming the file,
/// field or node at fault. A cause whose text the line already holds (a
/// library error that prints its source, an I/O error's "(os error 2)") is
/// not repeated.
fn one_line(error: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in error.chain() {
        let mut text = cause.to_string();
        // No cause echoes a whole line of a file (a 2 MB line stays 2 MB
        // in some third-party messages): cut each to 300 characters.
        if let Some((cut, _)) = text.char_indices().nth(300) {
            text = format!("{}… ({} bytes)", &text[..cut], text.len());
        }
        if line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line
}
