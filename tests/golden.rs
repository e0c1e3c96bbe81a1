//! Golden fixtures: `tests/fixtures/check/<case>/input/` → `expected.txt` (diagnostics and exit
//! code), `tests/fixtures/migrate/<case>/input/` → `expected/` (every generated file plus
//! `diagnostics.txt`). An optional `args` file holds extra command-line flags.
//!
//! `UPDATE_EXPECT=1 cargo test --test golden` rewrites the expectations.

mod common;

use alchemy_migrator::diagnostics::render_short;
use alchemy_migrator::pipeline::{self, CheckOptions, GraphOptions, MigrateOptions};
use alchemy_migrator::read::{InputPaths, read_inputs};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn cases(kind: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join(kind))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    v
}

/// The options of a case: its `args` file holds command-line flags (`--env NAME`,
/// `--default-stage NAME`, `--skip-external-services`).
fn options(case: &Path, out: &Path) -> MigrateOptions {
    let mut options = MigrateOptions {
        input: discover(case),
        out: out.to_path_buf(),
        app: Some(case.file_name().unwrap().to_string_lossy().to_string()),
        ..MigrateOptions::default()
    };
    let args = std::fs::read_to_string(case.join("args")).unwrap_or_default();
    let mut args = args.split_whitespace();
    while let Some(flag) = args.next() {
        let mut value = || Some(args.next().expect("a value").to_string());
        match flag {
            "--env" => options.env = value(),
            "--default-stage" => options.default_stage = value(),
            "--skip-external-services" => options.skip_external_services = true,
            "--no-adopt" => options.adopt = false,
            other => panic!("{}: unknown flag {other}", case.display()),
        }
    }
    options
}

fn discover(case: &Path) -> InputPaths {
    InputPaths {
        discover: Some(case.join("input")),
        ..InputPaths::default()
    }
}

fn updating() -> bool {
    std::env::var_os("UPDATE_EXPECT").is_some()
}

/// Compares (or, when updating, writes) one expected file; returns a failure message.
fn compare(path: &Path, actual: &str) -> Option<String> {
    if updating() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, actual).unwrap();
        return None;
    }
    match std::fs::read_to_string(path) {
        Ok(expected) if expected == actual => None,
        Ok(expected) => Some(format!(
            "{} differs:\n{}",
            path.display(),
            diff(&expected, actual)
        )),
        Err(_) => Some(format!(
            "{} is missing (run with UPDATE_EXPECT=1)",
            path.display()
        )),
    }
}

fn diff(expected: &str, actual: &str) -> String {
    let e: Vec<&str> = expected.lines().collect();
    let a: Vec<&str> = actual.lines().collect();
    let first = e
        .iter()
        .zip(&a)
        .position(|(x, y)| x != y)
        .unwrap_or(e.len().min(a.len()));
    let show = |lines: &[&str]| {
        lines
            .iter()
            .skip(first)
            .take(8)
            .map(|l| format!("    {l}"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    format!(
        "  first difference at line {}\n  expected:\n{}\n  actual:\n{}",
        first + 1,
        show(&e),
        show(&a)
    )
}

#[test]
fn check_fixtures() {
    let mut failures = Vec::new();
    for case in cases("check") {
        let env = options(&case, &case).env;
        let c = pipeline::check(read_inputs(&discover(&case)), &CheckOptions { env });
        let (diags, code) = (&c.diagnostics, c.exit_code());
        let sources = pipeline::rebase_sources(&c.sources, &case);
        let mut out: String = diags
            .iter()
            .map(|d| render_short(d, &sources) + "\n")
            .collect();
        out = out.replace(&format!("{}/", case.display()), "./");
        out.push_str(&format!("exit: {code}\n"));
        failures.extend(compare(&case.join("expected.txt"), &out));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn migrate_fixtures() {
    let mut failures = Vec::new();
    for case in cases("migrate") {
        let expected = case.join("expected");
        let m = pipeline::migrate(read_inputs(&discover(&case)), &options(&case, &expected));
        let (files, diags) = (&m.files, &m.diagnostics);
        if updating() {
            // Regenerate from scratch so files that are no longer generated disappear.
            let _ = std::fs::remove_dir_all(&expected);
        }
        let sources = pipeline::rebase_sources(&m.sources, &expected);
        let mut generated: Vec<String> = Vec::new();
        for f in files {
            generated.push(f.path.clone());
            failures.extend(compare(&expected.join(&f.path), &f.contents));
        }
        let mut d: String = diags
            .iter()
            .map(|d| render_short(d, &sources) + "\n")
            .collect();
        d = d.replace(&format!("{}/", case.display()), "../");
        let code = m.exit_code();
        d.push_str(&format!("exit: {code}\n"));
        failures.extend(compare(&expected.join("diagnostics.txt"), &d));
        generated.push("diagnostics.txt".into());
        // No stale expected files.
        if !updating() {
            for entry in walk(&expected) {
                let rel = entry
                    .strip_prefix(&expected)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                if !generated.contains(&rel) && !rel.ends_with("tsconfig.check.json") {
                    failures.push(format!(
                        "{} is expected but no longer generated",
                        entry.display()
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    common::files_under(dir)
}

/// `graph` on every corpus project: `tests/fixtures/graph/<project>.txt` holds the text tree and
/// the Mermaid diagram.
#[test]
fn graph_of_corpus_projects() {
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut projects: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    projects.sort();
    let mut failures = Vec::new();
    let mut with_edges = 0;
    for p in projects {
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        let input = InputPaths {
            discover: Some(p.clone()),
            ..InputPaths::default()
        };
        let g = pipeline::graph(read_inputs(&input), &GraphOptions::default());
        let graph = g.top_level().expect("the top level's graph");
        if graph.names.is_empty() {
            continue;
        }
        with_edges += usize::from(!graph.edges.is_empty());
        let text = format!(
            "{}\n{}",
            alchemy_migrator::emit::report::graph_text(graph),
            alchemy_migrator::emit::report::graph_mermaid(graph)
        );
        failures.extend(compare(
            &root().join("graph").join(format!("{name}.txt")),
            &text,
        ));
    }
    assert!(
        with_edges >= 6,
        "only {with_edges} corpus projects have edges"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
