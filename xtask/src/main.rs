//! `cargo xtask <verb>`: one entry point for what a developer does to the platform. Each
//! verb runs the script under `local/` that implements it (or cargo), from the workspace
//! root, with the arguments after the verb passed on.

use std::path::PathBuf;
use std::process::{exit, Command};

const VERBS: &[(&str, &str)] = &[
    ("setup", "install the local tools (local/setup.sh [bench] [sam] [web])"),
    ("up", "run the platform locally with demo data (local/up.sh [--background] [--fresh] [--no-seed])"),
    ("down", "stop the local platform (local/down.sh)"),
    ("test", "every test, as CI runs them (local/test.sh [--coverage])"),
    ("e2e", "the unit, end-to-end and fault tests on a private stack (local/test.sh --e2e)"),
    ("bench", "cold start, memory and size of every function beside its baselines (local/bench-functions.sh)"),
    ("lint", "rustfmt, clippy (every target and feature) and the contract's and pages' linters (local/lint.sh)"),
    ("codegen", "write what is generated from the endpoint declaration (cargo run -p codegen)"),
];

fn main() {
    let mut args = std::env::args().skip(1);
    let verb = args.next().unwrap_or_default();
    let rest: Vec<String> = args.collect();
    let steps: Vec<Vec<String>> = match verb.as_str() {
        "setup" => vec![script("setup.sh", &rest)],
        "up" => vec![script("up.sh", &rest)],
        "down" => vec![script("down.sh", &rest)],
        "test" => vec![script("test.sh", &rest)],
        "e2e" => vec![script("test.sh", &with_first("--e2e", &rest))],
        "bench" => vec![script("bench-functions.sh", &rest)],
        "lint" => vec![
            cargo(&["fmt", "--all", "--check"]),
            cargo(&[
                "clippy",
                "--workspace",
                "--all-targets",
                "--all-features",
                "--",
                "-D",
                "warnings",
            ]),
            script("lint.sh", &rest),
        ],
        "codegen" => vec![cargo(&["run", "--quiet", "--package", "codegen", "--"])
            .into_iter()
            .chain(rest)
            .collect()],
        _ => {
            eprintln!("usage: cargo xtask <verb> [arguments]\n");
            for (name, what) in VERBS {
                eprintln!("  {name:<8} {what}");
            }
            exit(if verb.is_empty() || verb == "help" {
                0
            } else {
                2
            });
        }
    };
    for step in steps {
        run(&step);
    }
}

fn script(name: &str, args: &[String]) -> Vec<String> {
    let mut command = vec!["bash".to_string(), format!("local/{name}")];
    command.extend(args.iter().cloned());
    command
}

fn cargo(args: &[&str]) -> Vec<String> {
    std::iter::once("cargo")
        .chain(args.iter().copied())
        .map(String::from)
        .collect()
}

fn with_first(first: &str, rest: &[String]) -> Vec<String> {
    std::iter::once(first.to_string())
        .chain(rest.iter().cloned())
        .collect()
}

/// Runs one step from the workspace root; a failing step ends the verb with its status.
fn run(command: &[String]) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let status = Command::new(&command[0])
        .args(&command[1..])
        .current_dir(root)
        .status()
        .unwrap_or_else(|err| {
            eprintln!("xtask: cannot run {}: {err}", command[0]);
            exit(127)
        });
    if !status.success() {
        exit(status.code().unwrap_or(1));
    }
}
