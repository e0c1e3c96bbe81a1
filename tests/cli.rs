//! CLI cases: exit codes, output formats, bad input, and the safety of the user's files.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_alchemy-migrator"))
}

fn run(args: &[&str]) -> Output {
    bin()
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("running alchemy-migrator")
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn scratch(name: &str) -> PathBuf {
    common::scratch(&format!("cli/{name}"))
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

const WORKER: &str = "name = \"w\"\nmain = \"src/index.ts\"\ncompatibility_date = \"2025-09-01\"\n";

#[test]
fn valid_config_exits_0() {
    let dir = scratch("valid");
    write(&dir.join("wrangler.toml"), WORKER);
    let o = run(&["check", dir.join("wrangler.toml").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("checked 1 config file(s), 1 worker(s): 0 error(s)"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn missing_file_exits_2() {
    let o = run(&["check", "does/not/exist.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("AM0100"), "{}", stderr(&o));
}

#[test]
fn folder_without_configs_exits_2() {
    let dir = scratch("empty-folder");
    let o = run(&["check", "--discover", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("AM0108"), "{}", stderr(&o));
}

#[test]
fn usage_error_exits_2() {
    let o = run(&["check", "--format", "yaml"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn input_errors_exit_1_and_render_like_rustc() {
    let dir = scratch("errors");
    write(
        &dir.join("wrangler.toml"),
        "name = \"w\"\nnode_compat = true\n",
    );
    let o = run(&["check", "--discover", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains("error[AM0204]: `node_compat` is no longer supported by wrangler v4"),
        "{e}"
    );
    assert!(e.contains("wrangler.toml:2:1"), "{e}");
    assert!(e.contains("2 | node_compat = true\n  | ^^^^^^^^^^^"), "{e}");
    assert!(e.contains("= help: use `compatibility_flags"), "{e}");
}

#[test]
fn json_and_github_formats() {
    let dir = scratch("formats");
    write(
        &dir.join("wrangler.jsonc"),
        "{ \"name\": \"w\", \"workers_dev\": \"yes\", \"colour\": 1 }",
    );
    let o = run(&[
        "check",
        "--discover",
        dir.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let d = v["diagnostics"].as_array().unwrap();
    let wrong = d.iter().find(|x| x["code"] == "AM0201").unwrap();
    assert_eq!(wrong["severity"], "error");
    assert_eq!(wrong["line"], 1);
    assert_eq!(wrong["column"], 31);
    assert!(wrong["file"].as_str().unwrap().ends_with("wrangler.jsonc"));
    assert!(wrong["help"].is_string());
    let o = run(&[
        "check",
        "--discover",
        dir.to_str().unwrap(),
        "--format",
        "github",
    ]);
    let out = stdout(&o);
    assert!(
        out.lines()
            .any(|l| l.starts_with("::error file=") && l.contains(",line=1,col=31,title=AM0201::")),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("::warning file=") && l.contains("AM0200")),
        "{out}"
    );
}

#[test]
fn bad_input_never_panics() {
    let dir = scratch("bad-input");
    write(&dir.join("empty/wrangler.toml"), "");
    std::fs::create_dir_all(dir.join("binary")).unwrap();
    std::fs::write(
        dir.join("binary/wrangler.json"),
        [0u8, 159, 146, 150, 255, 0, 1, 2],
    )
    .unwrap();
    let deep = format!(
        "{{\"a\": {}1{}}}",
        "[".repeat(2_500_000),
        "]".repeat(2_500_000)
    );
    write(&dir.join("deep/wrangler.json"), &deep);
    let deep_toml = format!("a = {}1{}\n", "[".repeat(100_000), "]".repeat(100_000));
    write(&dir.join("deeptoml/wrangler.toml"), &deep_toml);
    write(&dir.join("good/wrangler.toml"), WORKER);
    for cmd in ["check", "migrate"] {
        let mut args = vec![cmd, "--discover", dir.to_str().unwrap()];
        let out = dir.join("out");
        let out_s = out.to_str().unwrap().to_string();
        if cmd == "migrate" {
            args.extend(["--out", &out_s, "--dry-run"]);
        }
        let o = run(&args);
        assert_eq!(o.status.code(), Some(1), "{cmd}: {}", stderr(&o));
        let e = stderr(&o);
        for code in ["AM0103", "AM0104", "AM0105"] {
            assert!(e.contains(code), "{cmd}: {code} missing in\n{e}");
        }
        assert!(!e.contains("panicked"), "{e}");
        if cmd == "migrate" {
            // The good worker is still migrated.
            assert!(stdout(&o).contains("await Worker(\"w\""), "{}", stdout(&o));
        }
    }
}

#[test]
fn corpus_check_matches_wrangler() {
    let corpus = root().join("tests/corpus");
    let o = run(&[
        "check",
        "--discover",
        corpus.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON output parses");
    let errors: Vec<&serde_json::Value> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error")
        .collect();
    // wrangler 4 refuses exactly the two wildebeest configs that still set node_compat.
    let mut where_: Vec<String> = errors
        .iter()
        .map(|d| {
            format!(
                "{} {}",
                d["code"].as_str().unwrap(),
                d["file"]
                    .as_str()
                    .unwrap()
                    .rsplit("corpus/")
                    .next()
                    .unwrap()
            )
        })
        .collect();
    where_.sort();
    assert_eq!(
        where_,
        vec![
            "AM0204 cloudflare__wildebeest/consumer/wrangler.toml",
            "AM0204 cloudflare__wildebeest/wrangler.toml"
        ]
    );
}

#[test]
fn every_corpus_file_checks_without_crash() {
    let corpus = root().join("tests/corpus");
    let mut files = Vec::new();
    let mut stack = vec![corpus];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            let name = e.file_name().to_string_lossy().to_string();
            if p.is_dir() {
                stack.push(p);
            } else if name.starts_with("wrangler") && !name.ends_with(".md") {
                files.push(p.display().to_string());
            }
        }
    }
    assert!(files.len() > 90, "{}", files.len());
    let mut args = vec!["check".to_string(), "--format".into(), "json".into()];
    args.extend(files);
    let o = bin().args(&args).output().unwrap();
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    serde_json::from_slice::<serde_json::Value>(&o.stdout).expect("JSON output parses");
}

#[test]
fn migrate_never_overwrites_without_force() {
    let dir = scratch("overwrite");
    write(&dir.join("app/wrangler.toml"), WORKER);
    let out = dir.join("out");
    write(&out.join("alchemy.run.ts"), "// my own file\n");
    let o = run(&[
        "migrate",
        "--discover",
        dir.join("app").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("AM0505"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(out.join("alchemy.run.ts")).unwrap(),
        "// my own file\n"
    );
    let o = run(&[
        "migrate",
        "--discover",
        dir.join("app").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--force",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        std::fs::read_to_string(out.join("alchemy.run.ts"))
            .unwrap()
            .contains("await Worker(\"w\"")
    );
    // A second run finds identical files and leaves them alone.
    let o = run(&[
        "migrate",
        "--discover",
        dir.join("app").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("unchanged"), "{}", stdout(&o));
    // No temporary files are left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn dry_run_writes_nothing() {
    let dir = scratch("dry-run");
    write(&dir.join("app/wrangler.toml"), WORKER);
    let out = dir.join("out");
    let o = run(&[
        "migrate",
        "--discover",
        dir.join("app").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--dry-run",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("alchemy.run.ts"), "{}", stdout(&o));
    assert!(!out.exists());
}

#[test]
fn writes_only_inside_out() {
    let dir = scratch("inside-out");
    // A hostile script name must not escape env/.
    write(
        &dir.join("app/wrangler.jsonc"),
        "{ \"name\": \"../../escape\", \"main\": \"i.ts\" }",
    );
    let out = dir.join("out");
    let o = run(&[
        "migrate",
        "--discover",
        dir.join("app").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    for f in common::files_under(&dir) {
        assert!(
            f.starts_with(&out) || f.starts_with(dir.join("app")),
            "{} written outside --out",
            f.display()
        );
    }
    assert!(out.join("env/escape.ts").is_file());
}

#[test]
fn output_is_deterministic_whatever_the_creation_order() {
    let configs = [
        (
            "c/wrangler.toml",
            "name = \"c\"\nmain = \"i.ts\"\nservices = [{ binding = \"A\", service = \"a\" }]\n",
        ),
        (
            "a/wrangler.json",
            "{ \"name\": \"a\", \"main\": \"i.ts\", \"services\": [{ \"binding\": \"B\", \"service\": \"b\" }] }",
        ),
        (
            "b/wrangler.jsonc",
            "{ \"name\": \"b\", \"main\": \"i.ts\", \"kv_namespaces\": [{ \"binding\": \"K\", \"id\": \"1\" }] }",
        ),
    ];
    let mut outputs = Vec::new();
    for (n, order) in [[0usize, 1, 2], [2, 1, 0]].iter().enumerate() {
        let dir = scratch(&format!("determinism-{n}"));
        for &i in order {
            write(&dir.join("in").join(configs[i].0), configs[i].1);
        }
        let o = run(&[
            "migrate",
            "--discover",
            dir.join("in").to_str().unwrap(),
            "--out",
            dir.join("out").to_str().unwrap(),
            "--app",
            "same",
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let files: Vec<(String, Vec<u8>)> = [
            "alchemy.run.ts",
            "MIGRATION.md",
            "env/a.ts",
            "env/b.ts",
            "env/c.ts",
        ]
        .iter()
        .map(|f| {
            (
                f.to_string(),
                std::fs::read(dir.join("out").join(f)).unwrap(),
            )
        })
        .collect();
        outputs.push(files);
    }
    assert_eq!(outputs[0], outputs[1]);
    let program = String::from_utf8(outputs[0][0].1.clone()).unwrap();
    let (b, a, c) = (
        program.find("Worker(\"b\"").unwrap(),
        program.find("Worker(\"a\"").unwrap(),
        program.find("Worker(\"c\"").unwrap(),
    );
    assert!(b < a && a < c, "dependency order b, a, c:\n{program}");
}

#[test]
fn docs_list_every_code() {
    let docs = std::fs::read_to_string(root().join("docs/diagnostics.md")).unwrap();
    for code in alchemy_migrator::diagnostics::codes::CATALOGUE
        .iter()
        .map(|e| e.id)
    {
        assert!(
            docs.contains(&format!("`{code}`")),
            "{code} is not documented in docs/diagnostics.md"
        );
    }
}

/// Every diagnostic code is exercised by a golden fixture or a CLI case.
#[test]
fn every_code_is_tested() {
    let mut seen = std::fs::read_to_string(root().join("tests/cli.rs")).unwrap();
    seen.push_str(&std::fs::read_to_string(root().join("tests/preflight.rs")).unwrap());
    let mut stack = vec![root().join("tests/fixtures")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.to_string_lossy().contains("expected") {
                seen.push_str(&std::fs::read_to_string(&p).unwrap_or_default());
            }
        }
    }
    let mut missing = Vec::new();
    for code in alchemy_migrator::diagnostics::codes::CATALOGUE
        .iter()
        .map(|e| e.id)
    {
        if !seen.contains(&format!("[{code}]")) && !seen.contains(&format!("\"{code}\"")) {
            missing.push(code.to_string());
        }
    }
    assert!(missing.is_empty(), "codes without a test: {missing:?}");
}

#[test]
fn discovery_honours_gitignore_and_skips_build_folders() {
    let dir = scratch("discovery");
    write(&dir.join(".gitignore"), "ignored/\n");
    for skipped in [
        "ignored",
        "node_modules/pkg",
        ".wrangler/tmp",
        ".alchemy/x",
        "dist",
        ".hidden",
    ] {
        write(
            &dir.join(skipped).join("wrangler.toml"),
            "name = \"should-not-appear\"\nmain = \"i.ts\"\n",
        );
    }
    write(
        &dir.join("apps/b/wrangler.toml"),
        "name = \"b\"\nmain = \"i.ts\"\n",
    );
    write(
        &dir.join("apps/a/wrangler.jsonc"),
        "{ \"name\": \"a\", \"main\": \"i.ts\" }",
    );
    write(&dir.join("apps/a/wrangler.toml"), "name = \"a-old\"\n");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&dir, dir.join("apps/loop")).unwrap();
    let o = run(&[
        "graph",
        "--discover",
        dir.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["workers"], serde_json::json!(["a", "b"]));
    let o = run(&["check", "--discover", dir.to_str().unwrap()]);
    assert!(stderr(&o).contains("AM0107"), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("wrangler reads `wrangler.jsonc` in the same folder first"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn explicit_paths_accept_any_file_name() {
    let dir = scratch("explicit");
    write(
        &dir.join("wrangler.staging.jsonc"),
        "{ \"name\": \"s\", \"main\": \"i.ts\", \"compatibility_date\": \"2025-09-01\" }",
    );
    let o = run(&[
        "check",
        dir.join("wrangler.staging.jsonc").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn graph_formats() {
    let dir = root().join("tests/fixtures/migrate/four-workers/input");
    let o = run(&["graph", "--discover", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    assert!(text.starts_with("Service binding graph:\n  api-worker\n    └─ calls → auth-worker (production)\n    └─ calls → billing-worker (production)\n  auth-worker\n    └─ calls → user-db-worker (production)\n"), "{text}");
    assert!(
        text.contains("All referenced workers found in migration scope."),
        "{text}"
    );
    let o = run(&[
        "graph",
        "--discover",
        dir.to_str().unwrap(),
        "--format",
        "mermaid",
    ]);
    assert!(stdout(&o).starts_with("flowchart LR\n"));
    let o = run(&[
        "graph",
        "--discover",
        dir.to_str().unwrap(),
        "--format",
        "dot",
    ]);
    assert!(stdout(&o).contains("\"api-worker\" -> \"auth-worker\""));
    let o = run(&[
        "graph",
        "--discover",
        dir.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        v["order"],
        serde_json::json!([
            "billing-worker",
            "user-db-worker",
            "auth-worker",
            "api-worker"
        ])
    );
}

#[test]
fn an_interrupted_write_leaves_the_old_file_intact() {
    let dir = scratch("interrupted");
    let target = dir.join("alchemy.run.ts");
    write(&target, "// the user's file\n");
    // The temporary file cannot be created (a folder is in its way): the write fails midway.
    let tmp = dir.join(format!(
        ".alchemy.run.ts.alchemy-migrator-{}.tmp",
        std::process::id()
    ));
    std::fs::create_dir_all(&tmp).unwrap();
    assert!(alchemy_migrator::cli::write_file(&target, "new contents\n", true).is_err());
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        "// the user's file\n"
    );
    std::fs::remove_dir(&tmp).unwrap();
    // Without the obstacle it is replaced atomically and nothing is left behind.
    assert!(alchemy_migrator::cli::write_file(&target, "new contents\n", true).is_ok());
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "new contents\n");
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
}

#[test]
fn migrate_check_for_ci() {
    let dir = scratch("check-mode");
    write(&dir.join("app/wrangler.toml"), WORKER);
    let (app, out) = (dir.join("app"), dir.join("out"));
    let args = |extra: &[&str]| {
        let mut v = vec![
            "migrate",
            "--discover",
            app.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ];
        v.extend_from_slice(extra);
        run(&v)
    };
    // Nothing written yet: out of date, and --check writes nothing.
    let o = args(&["--check"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stdout(&o).contains("missing: "), "{}", stdout(&o));
    assert!(!out.exists());
    assert_eq!(args(&[]).status.code(), Some(0));
    let o = args(&["--check"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    // The config changes: --check shows a readable diff.
    write(
        &dir.join("app/wrangler.toml"),
        &WORKER.replace("2025-09-01", "2025-10-01"),
    );
    let o = args(&["--check"]);
    assert_eq!(o.status.code(), Some(1));
    let d = stdout(&o);
    assert!(
        d.contains("-  compatibilityDate: \"2025-09-01\",")
            && d.contains("+  compatibilityDate: \"2025-10-01\","),
        "{d}"
    );
    assert!(
        std::fs::read_to_string(out.join("alchemy.run.ts"))
            .unwrap()
            .contains("2025-09-01")
    );
}

#[test]
fn migrate_reports_as_github_annotations() {
    let dir = scratch("github");
    write(
        &dir.join("app/wrangler.toml"),
        "name = \"w\"\nmain = \"i.ts\"\n[[mtls_certificates]]\nbinding = \"C\"\ncertificate_id = \"x\"\n",
    );
    let o = run(&[
        "migrate",
        "--discover",
        dir.join("app").to_str().unwrap(),
        "--out",
        dir.join("out").to_str().unwrap(),
        "--dry-run",
        "--format",
        "github",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).lines().any(|l| l.starts_with("::warning file=") && l.contains(",line=3,col=1,title=AM0500::")), "{}", stdout(&o));
}

#[test]
fn parallel_and_single_threaded_runs_write_the_same_bytes() {
    let input = root().join("tests/fixtures/migrate/stages-two/input");
    let mut outputs = Vec::new();
    for threads in ["1", "2", "4"] {
        let out = scratch(&format!("threads-{threads}"));
        let o = bin()
            .args([
                "migrate",
                "--discover",
                input.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
                "--app",
                "same",
            ])
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let files: Vec<Vec<u8>> = [
            "alchemy.run.ts",
            "MIGRATION.md",
            "env/api.ts",
            "env/auth.ts",
            "env/cron.ts",
        ]
        .iter()
        .map(|f| std::fs::read(out.join(f)).unwrap())
        .collect();
        let diagnostics =
            String::from_utf8_lossy(&o.stderr).replace(&format!("threads-{threads}"), "threads-N");
        outputs.push((files, diagnostics));
    }
    assert!(
        outputs.windows(2).all(|w| w[0] == w[1]),
        "output depends on the number of threads"
    );
}

/// `migrate` exits 0 on every corpus project whose configs wrangler reads without complaint.
/// The exceptions are named: wildebeest (two configs wrangler 4 refuses for `node_compat`), the
/// workers-sdk collections, whose independent fixtures reuse script names (AM0407: migrated
/// together, one of each pair would be lost), and the configs of workers that name no `main`
/// (AM0515: wrangler deploys them only with the entry on its command line, which the migration
/// cannot know; migrating without it would lose the worker).
#[test]
fn corpus_migrations_exit_zero_unless_wrangler_rejects() {
    let corpus = root().join("tests/corpus");
    let mut projects: Vec<std::path::PathBuf> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    projects.sort();
    let mut failing = Vec::new();
    for p in &projects {
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        let mut args = vec!["migrate", "--dry-run", "--format", "json"];
        let inputs = common::corpus_inputs(p);
        args.extend(inputs.iter().map(String::as_str));
        let o = run(&args);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("{name}: JSON output does not parse: {e}"));
        let mut codes: Vec<&str> = v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["severity"] == "error")
            .map(|d| d["code"].as_str().unwrap())
            .collect();
        codes.sort();
        codes.dedup();
        assert_eq!(
            o.status.code(),
            Some(if codes.is_empty() { 0 } else { 1 }),
            "{name}: {codes:?}"
        );
        if !codes.is_empty() {
            failing.push(format!("{name}: {}", codes.join(" ")));
        }
    }
    assert_eq!(
        failing,
        vec![
            "cloudflare__wildebeest: AM0204",
            "cloudflare__workers-sdk: AM0407",
            "cloudflare__workers-sdk__history: AM0407 AM0515",
            "sor4chi__workers-service-bindings-monorepo-sample: AM0515",
        ]
    );
}

/// A fact true in many places is one diagnostic: one AM0300 per environment, its keys listed as
/// occurrences (all of them in JSON), and the human output ends with a count per code.
#[test]
fn one_diagnostic_per_environment_with_every_place_listed() {
    let dir = scratch("grouped");
    write(
        &dir.join("app/wrangler.toml"),
        &format!(
            "{WORKER}[vars]\nA = \"1\"\n[[services]]\nbinding = \"S\"\nservice = \"s\"\n[[kv_namespaces]]\nbinding = \"K\"\nid = \"k\"\n[[d1_databases]]\nbinding = \"D\"\ndatabase_name = \"d\"\n[env.production]\nname = \"w-prod\"\n[env.staging]\nname = \"w-stg\"\n"
        ),
    );
    let app = dir.join("app");
    let o = run(&["check", "--discover", app.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let e = stderr(&o);
    assert_eq!(e.matches("warning[AM0300]").count(), 2, "{e}");
    assert!(
        e.contains("`env.production` redeclares none of `vars`, `services`, `kv_namespaces` and `d1_databases`"),
        "{e}"
    );
    assert!(
        e.contains("= and 1 more place(s): ") && e.contains("wrangler.toml:12:3\n"),
        "{e}"
    );
    assert!(
        e.ends_with("0 error(s), 2 warning(s), 0 info\nAM0300 ×2\n"),
        "{e}"
    );
    let o = run(&[
        "check",
        "--discover",
        app.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let grouped: Vec<&serde_json::Value> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "AM0300")
        .collect();
    assert_eq!(grouped.len(), 2);
    let places: Vec<(u64, u64)> = grouped[0]["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            assert!(p["file"].as_str().unwrap().ends_with("app/wrangler.toml"));
            (p["line"].as_u64().unwrap(), p["column"].as_u64().unwrap())
        })
        .collect();
    assert_eq!(places, vec![(4, 2), (6, 3), (9, 3), (12, 3)]);
    assert_eq!(
        grouped[0]["occurrences"][1]["note"],
        "`services` is set at the top level here"
    );
    let o = run(&[
        "check",
        "--discover",
        app.to_str().unwrap(),
        "--format",
        "github",
    ]);
    let annotations: Vec<&str> = std::str::from_utf8(&o.stdout)
        .unwrap()
        .lines()
        .filter(|l| l.contains("title=AM0300"))
        .collect();
    assert_eq!(annotations.len(), 2, "{annotations:?}");
    assert!(
        annotations[0].contains("%0Aalso at: "),
        "{}",
        annotations[0]
    );
    // migrate's human output ends with the counts too.
    let o = run(&[
        "migrate",
        "--discover",
        app.to_str().unwrap(),
        "--out",
        dir.join("out").to_str().unwrap(),
        "--dry-run",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let last = stderr(&o).lines().last().unwrap_or_default().to_string();
    assert!(last.starts_with("AM0300 ×2"), "{}", stderr(&o));
}

/// An empty `wrangler.toml` is a config without a worker (a warning, exit 0); an empty
/// `wrangler.json`/`.jsonc` is refused, as wrangler refuses it (exit 1).
#[test]
fn empty_configs_warn_in_toml_and_fail_in_json() {
    let dir = scratch("empty-configs");
    write(&dir.join("good/wrangler.toml"), WORKER);
    write(&dir.join("toml/wrangler.toml"), "# nothing here yet\n");
    let o = run(&["check", "--discover", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("warning[AM0105]"), "{}", stderr(&o));
    let out = dir.join("out");
    let o = run(&[
        "migrate",
        "--discover",
        dir.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--dry-run",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    write(&dir.join("json/wrangler.jsonc"), "// nothing here yet\n");
    let o = run(&["check", "--discover", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("error[AM0105]") && e.contains("ValueExpected"),
        "{e}"
    );
    assert!(e.contains("json/wrangler.jsonc:2:1"), "{e}");
}

#[test]
fn migrate_prints_the_analysis_first() {
    let input = root().join("tests/fixtures/migrate/four-workers/input");
    let out = scratch("analysis-first");
    let o = run(&[
        "migrate",
        "--discover",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--dry-run",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.starts_with(
            "Analyzing service dependencies...\nService binding graph:\n  api-worker\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("All referenced workers found in migration scope.\nGenerating alchemy.run.ts with proper ordering...\n"),
        "{text}"
    );
}

/// A file that cannot be written is reported as such (not as a read failure), with exit 2.
#[test]
fn a_failed_write_says_cannot_write() {
    let dir = scratch("unwritable");
    write(&dir.join("app/wrangler.toml"), WORKER);
    // `--out` inside a regular file: no folder can be made there.
    write(&dir.join("blocker"), "a file, not a folder\n");
    let out = dir.join("blocker/out");
    let (app, out_arg) = (dir.join("app"), out.to_str().unwrap().to_string());
    let migrate = |format: &str| {
        let app = app.to_str().unwrap();
        run(&[
            "migrate",
            "--discover",
            app,
            "--out",
            &out_arg,
            "--format",
            format,
        ])
    };
    let o = migrate("human");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("error[AM0110]: cannot write `"), "{e}");
    assert!(e.contains("blocker/out/alchemy.run.ts`: "), "{e}");
    assert!(!e.contains("cannot read"), "{e}");
    assert!(
        e.contains("= help: check that --out names a folder you can write to"),
        "{e}"
    );
    let err = alchemy_migrator::cli::write_file(&out.join("x.ts"), "x", false).err();
    assert_eq!(err.map(|d| d.code.as_str()), Some("AM0110"));
    // In JSON, after the diagnostics turned into JSON while the files were being written.
    let o = migrate("json");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let codes: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert!(codes.len() > 1, "{codes:?}");
    assert_eq!(codes.last(), Some(&"AM0110"), "{codes:?}");
}

/// Without `--app`, the app is named after the migrated folder's package.json (scope dropped),
/// else after that folder; never after the output folder.
#[test]
fn the_default_app_name_is_the_migrated_folder_s() {
    let dir = scratch("app-name");
    write(&dir.join("Shop/apps/w/wrangler.toml"), WORKER);
    let program = |args: &[&str]| {
        let mut v = vec!["migrate", "--dry-run"];
        v.extend_from_slice(args);
        let o = run(&v);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        stdout(&o)
    };
    let shop = dir.join("Shop");
    let out = dir.join("out");
    let (shop_s, out_s) = (shop.to_str().unwrap(), out.to_str().unwrap());
    assert!(program(&["--discover", shop_s, "--out", out_s]).contains("await alchemy(\"shop\")"));
    write(
        &shop.join("package.json"),
        "{ \"name\": \"@acme/storefront\", \"private\": true }",
    );
    assert!(
        program(&["--discover", shop_s, "--out", out_s]).contains("await alchemy(\"storefront\")")
    );
    let config = shop.join("apps/w/wrangler.toml");
    assert!(program(&[config.to_str().unwrap(), "--out", out_s]).contains("await alchemy(\"w\")"));
    assert!(
        program(&["--discover", shop_s, "--out", out_s, "--app", "Mine"])
            .contains("await alchemy(\"mine\")")
    );
}

/// Relative alias targets are resolved from the config's folder by wrangler and from the
/// program's folder by Alchemy: they are rebased; package names are kept.
#[test]
fn relative_alias_targets_are_rebased_to_the_output_folder() {
    let dir = scratch("alias");
    write(
        &dir.join("repo/workers/api/wrangler.toml"),
        &format!(
            "{WORKER}alias = {{ ws = \"./src/ws-shim.ts\", utils = \"../../shared/utils.ts\", lodash = \"lodash-es\" }}\n"
        ),
    );
    let o = run(&[
        "migrate",
        "--discover",
        dir.join("repo").to_str().unwrap(),
        "--out",
        dir.join("infra").to_str().unwrap(),
        "--dry-run",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let program = stdout(&o);
    for target in [
        "ws: \"../repo/workers/api/src/ws-shim.ts\"",
        "utils: \"../repo/shared/utils.ts\"",
        "lodash: \"lodash-es\"",
    ] {
        assert!(program.contains(target), "{target} in\n{program}");
    }
}
