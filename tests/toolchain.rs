//! Proof with the real tools: every golden `alchemy.run.ts` (and env module) typechecks with
//! `tsc` against the pinned `alchemy@0.94.0` and is formatted as Prettier formats it; every corpus
//! project migrates and typechecks; the three-workers example runs in Alchemy's local dev mode.
//!
//! The npm packages are installed (pinned, from `tests/package-lock.json`) by
//! `tests/ts-harness/install.sh`, which these tests call first. They need npm and the network,
//! so they are `#[ignore]`d in plain `cargo test`; `scripts/test.sh` runs them.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn tests_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests")
}

fn install() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        let out = Command::new("bash")
            .arg(tests_dir().join("ts-harness/install.sh"))
            .arg("--quiet")
            .output()
            .expect("running install.sh");
        assert!(
            out.status.success(),
            "npm install failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    });
}

fn typecheck(dirs: &[PathBuf]) {
    typecheck_with(dirs, false);
}

/// `own_files_only`: errors inside worker sources outside the output folder do not count (the
/// corpus keeps only some files of each project, so their imports cannot all resolve).
fn typecheck_with(dirs: &[PathBuf], own_files_only: bool) {
    install();
    let out = Command::new("bash")
        .arg(tests_dir().join("ts-harness/typecheck.sh"))
        .args(dirs)
        .env("TS_HARNESS_NO_INSTALL", "1")
        .env(
            "TS_HARNESS_OWN_FILES_ONLY",
            if own_files_only { "1" } else { "0" },
        )
        .output()
        .expect("running typecheck.sh");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "typecheck failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(&format!("typecheck: {} passed, 0 failed", dirs.len())),
        "{stdout}"
    );
}

fn golden_outputs() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(tests_dir().join("fixtures/migrate"))
        .unwrap()
        .map(|e| e.unwrap().path().join("expected"))
        .filter(|p| p.join("alchemy.run.ts").is_file())
        .collect();
    v.sort();
    assert!(
        v.len() >= 10,
        "expected the golden fixtures, found {}",
        v.len()
    );
    v
}

fn migrate(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_alchemy-migrator"))
        .arg("migrate")
        .args(args)
        .output()
        .expect("running alchemy-migrator")
}

use common::scratch;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

#[test]
#[ignore = "needs the npm toolchain: scripts/test.sh runs it"]
fn golden_programs_typecheck() {
    typecheck(&golden_outputs());
}

#[test]
#[ignore = "needs the npm toolchain: scripts/test.sh runs it"]
fn golden_programs_are_prettier_formatted() {
    install();
    let mut files = Vec::new();
    for dir in golden_outputs() {
        files.push(dir.join("alchemy.run.ts"));
        for e in std::fs::read_dir(dir.join("env")).into_iter().flatten() {
            files.push(e.unwrap().path());
        }
    }
    let out = Command::new(tests_dir().join("node_modules/.bin/prettier"))
        .arg("--check")
        .args(&files)
        .output()
        .expect("running prettier");
    assert!(
        out.status.success(),
        "not formatted as Prettier would:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
#[ignore = "needs the npm toolchain: scripts/test.sh runs it"]
fn corpus_projects_migrate_and_typecheck() {
    let corpus = tests_dir().join("corpus");
    let mut projects: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    projects.sort();
    let mut outs = Vec::new();
    for p in &projects {
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        let out = scratch(&format!("corpus/{name}"));
        // Projects whose configs only have custom names (wrangler.aggregator.toml) are passed
        // file by file, as a user would.
        let mut args: Vec<String> = vec![
            "--out".into(),
            out.display().to_string(),
            "--format".into(),
            "json".into(),
        ];
        args.extend(common::corpus_inputs(p));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = migrate(&args);
        let code = r.status.code();
        // (Which projects exit 1, and why, is pinned in the fast tier: tests/cli.rs.)
        assert!(
            code == Some(0) || code == Some(1),
            "{name}: exit {code:?}\n{}",
            String::from_utf8_lossy(&r.stderr)
        );
        let json: serde_json::Value = serde_json::from_slice(&r.stdout)
            .unwrap_or_else(|e| panic!("{name}: JSON output does not parse: {e}"));
        assert!(json["diagnostics"].is_array());
        assert!(
            out.join("alchemy.run.ts").is_file(),
            "{name}: no alchemy.run.ts"
        );
        assert!(
            out.join("MIGRATION.md").is_file(),
            "{name}: no MIGRATION.md"
        );
        outs.push(out);
    }
    assert!(outs.len() >= 10);
    typecheck_with(&outs, true);
}

/// Copies an example (wrangler configs, sources, tests) to a scratch folder and migrates it.
fn migrate_example(name: &str) -> PathBuf {
    install();
    let dir = scratch(&format!("e2e/{name}"));
    let example = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name);
    for sub in ["wrangler", "src", "test"] {
        copy_dir(&example.join(sub), &dir.join(sub));
    }
    let r = migrate(&[
        "--discover",
        dir.join("wrangler").to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(
        r.status.code(),
        Some(0),
        "{name}: {}",
        String::from_utf8_lossy(&r.stderr)
    );
    let stdout = String::from_utf8_lossy(&r.stdout);
    assert!(stdout.contains("Service binding graph:"), "{stdout}");
    dir
}

/// The migrated program and the example's worker sources (which take their env types from the
/// generated `env/` modules or the program) typecheck, with the example's type assertions; a call
/// to a method the target does not have fails.
fn typecheck_example(dir: &Path) {
    if dir.join("test/type-tests.ts").exists() {
        std::fs::copy(
            dir.join("test/type-tests.ts"),
            dir.join("src/migrated-type-tests.ts"),
        )
        .unwrap();
    }
    typecheck(&[dir.to_path_buf()]);
    if dir.join("test/wrong-method.ts").exists() {
        std::fs::copy(
            dir.join("test/wrong-method.ts"),
            dir.join("src/wrong-method.ts"),
        )
        .unwrap();
        let out = Command::new("bash")
            .arg(tests_dir().join("ts-harness/typecheck.sh"))
            .arg(dir)
            .env("TS_HARNESS_NO_INSTALL", "1")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            !out.status.success(),
            "a call to a missing RPC method typechecked:\n{text}"
        );
        assert!(
            text.contains("wrong-method.ts") && text.contains("'nonexistent' does not exist"),
            "{text}"
        );
        std::fs::remove_file(dir.join("src/wrong-method.ts")).unwrap();
    }
}

/// Runs the program in `alchemy dev` as a stage that is not a wrangler environment (fresh
/// resources, Alchemy's names) and as the `production` stage (wrangler's names), and checks the
/// answers of both.
fn smoke(dir: &Path) {
    smoke_stage(dir, "--stage dev-smoke");
    smoke_stage(dir, "--stage production");
}

fn smoke_stage(dir: &Path, args: &str) {
    let out = Command::new("bash")
        .arg(tests_dir().join("ts-harness/smoke.sh"))
        .arg(dir)
        .arg(dir.join("test/smoke.spec"))
        .env("TS_HARNESS_NO_INSTALL", "1")
        .env("SMOKE_ARGS", args)
        .output()
        .expect("running the smoke test");
    let text = String::from_utf8_lossy(&out.stdout);
    println!("{text}");
    assert!(
        out.status.success(),
        "local run ({args}) failed:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains(" 0 failed"), "{text}");
}

#[test]
#[ignore = "needs the npm toolchain: scripts/test.sh runs it"]
fn three_workers_example_typechecks_and_runs_locally() {
    let dir = migrate_example("three-workers");
    typecheck_example(&dir);
    smoke(&dir);
}

#[test]
#[ignore = "needs the npm toolchain: scripts/test.sh runs it"]
fn four_workers_example_typechecks_and_runs_the_chain() {
    let dir = migrate_example("four-workers");
    typecheck_example(&dir);
    smoke(&dir);
}

#[test]
#[ignore = "needs the npm toolchain: scripts/test.sh runs it"]
fn cycle_example_typechecks_and_runs_through_the_cycle() {
    let dir = migrate_example("cycle");
    let program = std::fs::read_to_string(dir.join("alchemy.run.ts")).unwrap();
    assert!(
        program.contains("WorkerStub(") && program.contains("SELF: Self"),
        "{program}"
    );
    typecheck_example(&dir);
    smoke(&dir);
}

/// The typed-references fixture: its worker sources take their `Env` from the generated env
/// modules while the program binds the workers directly (`AUTH: authWorker`) with their RPC types.
/// It typechecks as a golden; here a call to a method the target lacks must fail.
#[test]
#[ignore = "needs the npm toolchain: scripts/test.sh runs it"]
fn direct_references_keep_rpc_types() {
    install();
    let case = tests_dir().join("fixtures/migrate/typed-references");
    let dir = scratch("typed-references");
    copy_dir(&case, &dir);
    std::fs::create_dir_all(dir.join("expected/src")).unwrap();
    std::fs::write(
        dir.join("expected/src/wrong-method.ts"),
        "import type { Env } from \"../env/api.ts\";\n\nexport async function wrong(env: Env) {\n  await env.AUTH.verify(\"t\");\n  return env.AUTH.nonexistent();\n}\n",
    )
    .unwrap();
    let out = Command::new("bash")
        .arg(tests_dir().join("ts-harness/typecheck.sh"))
        .arg(dir.join("expected"))
        .env("TS_HARNESS_NO_INSTALL", "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !out.status.success(),
        "a missing RPC method typechecked:\n{text}"
    );
    assert!(
        text.contains("wrong-method.ts") && text.contains("'nonexistent' does not exist"),
        "{text}"
    );
    assert_eq!(
        text.matches("error TS").count(),
        1,
        "only the missing method fails:\n{text}"
    );
}
