//! Stack and size safety: huge and deeply nested inputs give a diagnostic or a correct result,
//! never a stack overflow, and graph algorithms are iterative (a 10 000-worker cycle).

use alchemy_migrator::pipeline::{self, MigrateOptions, Migration};
use alchemy_migrator::read::inputs_from_memory;

fn migrate(files: &[(String, Vec<u8>)]) -> Migration {
    let options = MigrateOptions {
        out: "/big".into(),
        app: Some("big".into()),
        ..MigrateOptions::default()
    };
    pipeline::migrate(inputs_from_memory(files), &options)
}

/// The migration's `alchemy.run.ts`.
fn run_file(m: &Migration) -> String {
    m.files
        .iter()
        .find(|f| f.path == "alchemy.run.ts")
        .expect("alchemy.run.ts is emitted")
        .contents
        .to_string()
}

/// Runs on a thread with the default 2 MiB stack, like a test thread, to prove no deep recursion.
fn small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(f)
        .unwrap()
        .join()
        .expect("no stack overflow")
}

#[test]
fn ten_thousand_worker_cycle() {
    let n = 10_000;
    let files: Vec<(String, Vec<u8>)> = (0..n)
        .map(|i| {
            let text = format!("{{\"name\":\"w{i}\",\"main\":\"i.ts\",\"services\":[{{\"binding\":\"NEXT\",\"service\":\"w{}\"}}]}}", (i + 1) % n);
            (format!("/big/w{i:05}/wrangler.json"), text.into_bytes())
        })
        .collect();
    let m = small_stack(move || migrate(&files));
    let program = run_file(&m);
    // One ring, broken once.
    assert_eq!(
        program.matches("await WorkerStub(").count(),
        1,
        "exactly one placeholder"
    );
    assert_eq!(program.matches("await Worker(").count(), n);
    assert_eq!(
        m.diagnostics
            .iter()
            .filter(|d| d.code.as_str() == "AM0403")
            .count(),
        1
    );
}

#[test]
fn a_hundred_thousand_vars() {
    let vars: Vec<String> = (0..100_000)
        .map(|i| format!("\"V{i}\": \"value {i}\""))
        .collect();
    let text = format!(
        "{{\"name\":\"w\",\"main\":\"i.ts\",\"vars\":{{{}}}}}",
        vars.join(",")
    );
    let m = small_stack(move || migrate(&[("/big/w/wrangler.json".into(), text.into_bytes())]));
    let program = run_file(&m);
    assert!(program.contains("V99999: \"value 99999\""));
    assert!(!m.diagnostics.iter().any(|d| d.is_error()));
}

#[test]
fn deep_nesting_is_a_diagnostic() {
    for (name, text) in [
        (
            "wrangler.json",
            format!(
                "{{\"vars\":{{\"X\":{}1{}}}}}",
                "[".repeat(100_000),
                "]".repeat(100_000)
            ),
        ),
        (
            "wrangler.jsonc",
            format!("{}{}", "{\"a\":".repeat(100_000), "}".repeat(100_000)),
        ),
        (
            "wrangler.toml",
            format!("x = {}1{}\n", "[".repeat(100_000), "]".repeat(100_000)),
        ),
        (
            "wrangler.toml",
            format!("x = {}1{}\n", "{a=".repeat(100_000), "}".repeat(100_000)),
        ),
    ] {
        let m = small_stack(move || migrate(&[(format!("/big/deep/{name}"), text.into_bytes())]));
        assert!(
            m.diagnostics
                .iter()
                .any(|d| matches!(d.code.as_str(), "AM0104" | "AM0101")),
            "{name}: {:?}",
            m.diagnostics
        );
    }
}

#[test]
fn fifty_megabyte_config() {
    // 50 MB of vars: a correct result, in bounded memory (the test runs in the 2-core CI).
    let value = "x".repeat(1000);
    let vars: Vec<String> = (0..50_000)
        .map(|i| format!("\"V{i}\": \"{value}\""))
        .collect();
    let text = format!(
        "{{\"name\":\"w\",\"main\":\"i.ts\",\"vars\":{{{}}}}}",
        vars.join(",")
    );
    assert!(text.len() > 50_000_000);
    let m = small_stack(move || migrate(&[("/big/w/wrangler.json".into(), text.into_bytes())]));
    let program = run_file(&m);
    assert!(program.len() > 50_000_000);
    assert!(!m.diagnostics.iter().any(|d| d.is_error()));
}

#[test]
fn large_tables_in_two_environments() {
    // 100 000 vars that differ between the top level and [env.staging]: merged entry by entry.
    let top: Vec<String> = (0..100_000)
        .map(|i| format!("\"V{i}\": \"top {i}\""))
        .collect();
    let env: Vec<String> = (0..100_000)
        .map(|i| format!("\"V{i}\": \"staging {i}\""))
        .collect();
    let text = format!(
        "{{\"name\":\"w\",\"main\":\"i.ts\",\"vars\":{{{}}},\"env\":{{\"staging\":{{\"vars\":{{{}}}}}}}}}",
        top.join(","),
        env.join(",")
    );
    let m = small_stack(move || migrate(&[("/big/w/wrangler.json".into(), text.into_bytes())]));
    let program = run_file(&m);
    assert!(
        program.contains("\"staging 99999\""),
        "the staging values are written side by side"
    );
}

#[test]
fn thousands_of_own_resources_in_two_environments() {
    // Every worker has its own KV namespace and D1 database, different per environment.
    let n = 3000;
    let files: Vec<(String, Vec<u8>)> = (0..n)
        .map(|i| {
            let text = format!(
                "{{\"name\":\"w{i}\",\"main\":\"i.ts\",\"kv_namespaces\":[{{\"binding\":\"KV\",\"id\":\"kv{i}\"}}],\"d1_databases\":[{{\"binding\":\"DB\",\"database_name\":\"db{i}\"}}],\"env\":{{\"staging\":{{\"kv_namespaces\":[{{\"binding\":\"KV\",\"id\":\"kv{i}s\"}}],\"d1_databases\":[{{\"binding\":\"DB\",\"database_name\":\"db{i}s\"}}]}}}}}}"
            );
            (format!("/big/w{i:05}/wrangler.json"), text.into_bytes())
        })
        .collect();
    let m = small_stack(move || migrate(&files));
    let program = run_file(&m);
    // One const per worker's namespace, with both environments' ids side by side.
    assert_eq!(
        program.matches("type: \"kv_namespace\" as const").count(),
        n
    );
    assert!(program.contains("kv2999s"));
}
