//! Golden fixtures, one test each (`cargo test --test golden three_workers` runs one):
//!
//! - `tests/fixtures/check/<case>/input/` → `expected.txt` (diagnostics and exit code);
//! - `tests/fixtures/migrate/<case>/input/` → `expected/` (every generated file plus
//!   `diagnostics.txt`);
//! - `tests/corpus/<project>/` → `tests/fixtures/graph/<project>.txt` (the top level's graph as
//!   text and Mermaid, through the same `pipeline::graph` as the `graph` command).
//!
//! An optional `args` file in a case holds flags (`--env NAME`, `--default-stage NAME`,
//! `--skip-external-services`, `--no-adopt`). A failure names its fixture and shows a unified
//! diff of every file that differs. `UPDATE_EXPECT=1 cargo test --test golden` rewrites the
//! expectations. The tests are listed by hand (no build script); `every_fixture_has_a_test` in
//! each group fails when a fixture folder has no test.

mod common;

use alchemy_migrator::diagnostics::{Diagnostic, SourceMap, render_short};
use alchemy_migrator::pipeline::{self, CheckOptions, GraphOptions, MigrateOptions};
use alchemy_migrator::read::{InputPaths, read_inputs};
use std::path::{Path, PathBuf};

/// One `#[test]` per fixture, in a module named after the group, plus a test that every fixture
/// of the group has one.
macro_rules! fixtures {
    ($group:ident, $run:ident, $listed:ident: $($test:ident => $name:literal),+ $(,)?) => {
        mod $group {
            $(
                #[test]
                fn $test() {
                    super::$run($name);
                }
            )+

            #[test]
            fn every_fixture_has_a_test() {
                super::$listed(&[$($name),+]);
            }
        }
    };
}

fixtures!(check, check_fixture, all_listed_check:
    bindings => "bindings",
    envs => "envs",
    envs_selected => "envs-selected",
    schema => "schema",
    syntax => "syntax",
);

fixtures!(migrate, migrate_fixture, all_listed_migrate:
    cross_durable_objects => "cross-durable-objects",
    cycle => "cycle",
    duplicates => "duplicates",
    entrypoints => "entrypoints",
    entrypoints_cycle => "entrypoints-cycle",
    every_binding => "every-binding",
    external => "external",
    external_skipped => "external-skipped",
    four_workers => "four-workers",
    hostile_strings => "hostile-strings",
    legacy_environment => "legacy-environment",
    no_entry => "no-entry",
    pages => "pages",
    resource_only => "resource-only",
    service_worker => "service-worker",
    shared_resources => "shared-resources",
    stages_bad_flag => "stages-bad-flag",
    stages_default_flag => "stages-default-flag",
    stages_membership => "stages-membership",
    stages_one_env => "stages-one-env",
    stages_three => "stages-three",
    stages_two => "stages-two",
    three_workers => "three-workers",
    typed_references => "typed-references",
);

fixtures!(graph, graph_fixture, all_listed_graph:
    hono_turborepo_sample => "0maru__workers-service-bindings-hono-turborepo-sample",
    daphne_history => "cloudflare__daphne__history",
    mcp_server_cloudflare => "cloudflare__mcp-server-cloudflare",
    templates => "cloudflare__templates",
    vibesdk => "cloudflare__vibesdk",
    wildebeest => "cloudflare__wildebeest",
    workers_sdk => "cloudflare__workers-sdk",
    workers_sdk_history => "cloudflare__workers-sdk__history",
    service_bindings_monorepo_sample => "sor4chi__workers-service-bindings-monorepo-sample",
    syumai_workers => "syumai__workers",
);

fn fixtures() -> PathBuf {
    common::root().join("tests/fixtures")
}

fn updating() -> bool {
    std::env::var_os("UPDATE_EXPECT").is_some()
}

/// The folders of `dir`, by name.
fn folders(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .map(|p| p.file_name().unwrap().to_string_lossy().to_string())
        .collect();
    v.sort();
    v
}

/// Fails when a folder of `dir` is not `listed`, or a listed one is missing.
fn all_listed(dir: &Path, listed: &[&str]) {
    let found = folders(dir);
    let unlisted: Vec<&String> = found
        .iter()
        .filter(|f| !listed.contains(&f.as_str()))
        .collect();
    let gone: Vec<&&str> = listed
        .iter()
        .filter(|l| !found.iter().any(|f| f == *l))
        .collect();
    assert!(
        unlisted.is_empty() && gone.is_empty(),
        "{}: add a line to the `fixtures!` list of tests/golden.rs for {unlisted:?}; remove {gone:?}",
        shown(dir)
    );
}

fn all_listed_check(listed: &[&str]) {
    all_listed(&fixtures().join("check"), listed);
}

fn all_listed_migrate(listed: &[&str]) {
    all_listed(&fixtures().join("migrate"), listed);
}

/// Every corpus project whose top level has workers has a graph test; the others have no
/// golden file. Six projects at least have edges (bindings between their workers).
fn all_listed_graph(listed: &[&str]) {
    let corpus = common::root().join("tests/corpus");
    let mut with_edges = 0;
    for project in folders(&corpus) {
        let graph = top_level_graph(&corpus.join(&project));
        let golden = fixtures().join("graph").join(format!("{project}.txt"));
        with_edges += usize::from(!graph.edges.is_empty());
        if graph.names.is_empty() {
            assert!(
                !listed.contains(&project.as_str()),
                "{project} has no workers"
            );
            assert!(!golden.exists(), "{} is stale", golden.display());
        } else {
            assert!(
                listed.contains(&project.as_str()),
                "{project}: add a line to the `fixtures!(graph, ...)` list of tests/golden.rs"
            );
        }
    }
    assert!(
        with_edges >= 6,
        "only {with_edges} corpus projects have edges"
    );
}

/// The options of a case: `--discover <case>/input`, the case's name as the app, and the
/// flags of its `args` file.
fn options(case: &Path, out: &Path) -> MigrateOptions {
    let mut options = MigrateOptions {
        input: discover(&case.join("input")),
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

fn discover(dir: &Path) -> InputPaths {
    InputPaths {
        discover: Some(dir.to_path_buf()),
        ..InputPaths::default()
    }
}

/// One line per diagnostic (paths relative to `dir`, the case's folder shown as `shown`), then
/// the exit code.
fn diagnostics_text(
    diags: &[Diagnostic],
    sources: &SourceMap,
    dir: &Path,
    case: &Path,
    shown: &str,
    code: i32,
) -> String {
    let sources = pipeline::rebase_sources(sources, dir);
    let mut out: String = diags
        .iter()
        .map(|d| render_short(d, &sources) + "\n")
        .collect();
    out = out.replace(&format!("{}/", case.display()), shown);
    out.push_str(&format!("exit: {code}\n"));
    out
}

/// What one fixture expects and what it got: every file that differs, as a unified diff.
struct Outcome {
    fixture: String,
    failures: Vec<String>,
}

impl Outcome {
    fn new(group: &str, name: &str) -> Outcome {
        Outcome {
            fixture: format!("{group}/{name}"),
            failures: Vec::new(),
        }
    }

    /// Compares (or, when updating, writes) one expected file.
    fn compare(&mut self, path: &Path, actual: &str) {
        if updating() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, actual).unwrap();
            return;
        }
        let shown = shown(path);
        match std::fs::read_to_string(path) {
            Ok(expected) if expected == actual => {}
            Ok(expected) => {
                let diff = similar::TextDiff::from_lines(expected.as_str(), actual);
                self.failures.push(format!(
                    "{}",
                    diff.unified_diff()
                        .context_radius(3)
                        .header(&format!("{shown} (expected)"), &format!("{shown} (actual)"))
                ));
            }
            Err(_) => self.failures.push(format!(
                "{shown} is missing (UPDATE_EXPECT=1 writes it); it would hold:\n{actual}"
            )),
        }
    }

    fn fail(&mut self, message: String) {
        self.failures.push(message);
    }

    fn finish(self) {
        assert!(
            self.failures.is_empty(),
            "golden fixture {} differs in {} place(s) (UPDATE_EXPECT=1 rewrites it):\n\n{}",
            self.fixture,
            self.failures.len(),
            self.failures.join("\n")
        );
    }
}

/// A path relative to the repository, for messages.
fn shown(path: &Path) -> String {
    path.strip_prefix(common::root())
        .unwrap_or(path)
        .display()
        .to_string()
}

fn check_fixture(name: &str) {
    let case = fixtures().join("check").join(name);
    let mut outcome = Outcome::new("check", name);
    let env = options(&case, &case).env;
    let c = pipeline::check(
        read_inputs(&discover(&case.join("input"))),
        &CheckOptions { env },
    );
    let text = diagnostics_text(
        &c.diagnostics,
        &c.sources,
        &case,
        &case,
        "./",
        c.exit_code(),
    );
    outcome.compare(&case.join("expected.txt"), &text);
    outcome.finish();
}

fn migrate_fixture(name: &str) {
    let case = fixtures().join("migrate").join(name);
    let expected = case.join("expected");
    let mut outcome = Outcome::new("migrate", name);
    let m = pipeline::migrate(
        read_inputs(&discover(&case.join("input"))),
        &options(&case, &expected),
    );
    if updating() {
        // Regenerate from scratch so files that are no longer generated disappear.
        let _ = std::fs::remove_dir_all(&expected);
    }
    let mut generated: Vec<String> = Vec::new();
    for f in &m.files {
        generated.push(f.path.clone());
        outcome.compare(&expected.join(&f.path), &f.contents.text());
    }
    let text = diagnostics_text(
        &m.diagnostics,
        &m.sources,
        &expected,
        &case,
        "../",
        m.exit_code(),
    );
    outcome.compare(&expected.join("diagnostics.txt"), &text);
    generated.push("diagnostics.txt".into());
    // No stale expected files (`tsconfig.check.json` is the typecheck's, while it runs).
    if !updating() {
        for entry in common::files_under(&expected) {
            let rel = entry
                .strip_prefix(&expected)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if !generated.contains(&rel) && !rel.ends_with("tsconfig.check.json") {
                outcome.fail(format!(
                    "{} is expected but no longer generated",
                    shown(&entry)
                ));
            }
        }
    }
    outcome.finish();
}

/// The graph of a project's top level, as `graph --discover <project>` computes it.
fn top_level_graph(project: &Path) -> alchemy_migrator::graph::Graph {
    let g = pipeline::graph(read_inputs(&discover(project)), &GraphOptions::default());
    g.top_level().cloned().expect("the top level's graph")
}

fn graph_fixture(project: &str) {
    let graph = top_level_graph(&common::root().join("tests/corpus").join(project));
    let mut outcome = Outcome::new("graph", project);
    let text = format!(
        "{}\n{}",
        alchemy_migrator::emit::report::graph_text(&graph),
        alchemy_migrator::emit::report::graph_mermaid(&graph)
    );
    outcome.compare(
        &fixtures().join("graph").join(format!("{project}.txt")),
        &text,
    );
    outcome.finish();
}
