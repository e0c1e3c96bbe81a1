//! Plan tests: configs in, a summary of the program out. A fixture holds several configs, each
//! after a `#- <folder>` line; every config is the top level of `/repo/<folder>/wrangler.toml`.

use super::*;
use crate::config::EnvSelection;
use std::fmt::Write;

const ROOT: &str = "/repo";

/// The configs of a fixture: `(folder, text)`.
fn configs(fixture: &str) -> Vec<(&str, String)> {
    let mut out: Vec<(&str, String)> = Vec::new();
    for line in fixture.lines() {
        match line.trim().strip_prefix("#- ") {
            Some(folder) => out.push((folder, String::new())),
            None => {
                if let Some((_, text)) = out.last_mut() {
                    text.push_str(line.trim_start());
                    text.push('\n');
                }
            }
        }
    }
    out
}

/// Plans the fixture's workers; returns the program and the plan's own diagnostics.
fn plan(fixture: &str, opts: impl FnOnce(&mut Options<'_>)) -> (Program, Vec<Diagnostic>) {
    let (mut workers, mut origins, mut before) = (Vec::new(), Vec::new(), Vec::new());
    for (k, (folder, text)) in configs(fixture).into_iter().enumerate() {
        let dir = PathBuf::from(ROOT).join(folder);
        let path = format!("{folder}/wrangler.toml");
        let c = crate::config::load(k as u32, &path, dir.clone(), &text, Default::default());
        let (ws, _) = c.workers(&EnvSelection::TopLevel);
        for w in ws {
            origins.push(Origin {
                dir: dir.clone(),
                path: path.clone(),
                main: w.main.as_ref().map(|m| dir.join(&m.v)),
                main_written: w.main.as_ref().map(|m| m.v.clone()),
                pages: None,
            });
            workers.push(w);
        }
    }
    let graph = crate::graph::build(
        &workers,
        &BTreeSet::new(),
        &crate::graph::EnvNames::default(),
        &mut before,
    );
    let labels: Vec<String> = graph.names.clone();
    let none = HashSet::default();
    let mut options = Options {
        app: "app".into(),
        out_dir: Path::new(ROOT),
        adopt: true,
        skip_external: false,
        migration_names: &none,
        labels: &labels,
        reserved: &["Worker", "Queue"],
    };
    opts(&mut options);
    let exports = vec![None; workers.len()];
    let mut diags = Vec::new();
    let program = build(
        workers,
        &origins,
        &exports,
        &graph,
        &options,
        &mut Shared::default(),
        &mut diags,
    );
    (program, diags)
}

fn value_text(p: &Program, v: &Value) -> String {
    match v {
        Value::Resource(r) => format!("resource {}", p.resources[*r].ident),
        Value::Worker(w) => format!("worker {}", p.workers[*w].ident),
        Value::Placeholder(ph) => format!("placeholder {}", p.placeholders[*ph].ident),
        Value::External(n) => format!("external {n}"),
        other => format!("{other:?}"),
    }
}

/// The program in a few lines: resources, workers with their bindings, the plan's diagnostics.
fn summary(p: &Program, diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for r in &p.resources {
        let _ = writeln!(out, "{} {:?} {:?} {:?}", r.ident, r.id, r.kind, r.slots);
        for n in &r.notes {
            let _ = writeln!(out, "  // {n}");
        }
    }
    for ph in &p.placeholders {
        let _ = writeln!(
            out,
            "{} {:?} stands for {}",
            ph.ident, ph.id, p.workers[ph.worker].ident
        );
    }
    for w in &p.workers {
        let _ = writeln!(out, "{} {:?}", w.ident, w.id);
        for b in &w.bindings {
            let value = b.value.as_ref().map(|v| value_text(p, v));
            let todo = b.todo.as_deref();
            let text = [value.as_deref(), todo]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>();
            let _ = writeln!(out, "  {}: {}", b.name, text.join(" // "));
        }
        for t in &w.todos {
            let _ = writeln!(out, "  // {t}");
        }
    }
    for d in diags {
        let _ = writeln!(out, "{} {}", d.code, d.message);
    }
    out
}

fn check(fixture: &str, expect: &str) {
    check_with(fixture, |_| {}, expect);
}

fn check_with(fixture: &str, opts: impl FnOnce(&mut Options<'_>), expect: &str) {
    let (p, diags) = plan(fixture, opts);
    let got = summary(&p, &diags);
    let want: String = expect
        .trim()
        .lines()
        .map(|l| format!("{}\n", l.trim()))
        .collect();
    let got_trimmed: String = got.lines().map(|l| format!("{}\n", l.trim())).collect();
    assert_eq!(got_trimmed, want, "got:\n{got}");
}

#[test]
fn a_resource_bound_by_several_workers_is_declared_once() {
    check(
        r#"
        #- a
        name = "a"
        main = "index.ts"
        kv_namespaces = [{ binding = "CACHE", id = "k1" }]
        r2_buckets = [{ binding = "FILES", bucket_name = "files" }]
        #- b
        name = "b"
        main = "index.ts"
        kv_namespaces = [{ binding = "STORE", id = "k1" }, { binding = "OTHER", id = "k2" }]
        r2_buckets = [{ binding = "BUCKET", bucket_name = "files" }]
        "#,
        r#"
            cacheKv "cache" KvById { id: "k1" } ["a/CACHE", "b/STORE"]
            files "files" R2 { name: "files", jurisdiction: None } ["a/FILES", "b/BUCKET"]
            otherKv "other" KvById { id: "k2" } ["b/OTHER"]
            aWorker "a"
            CACHE: resource cacheKv
            FILES: resource files
            bWorker "b"
            STORE: resource cacheKv
            OTHER: resource otherKv
            BUCKET: resource files
        "#,
    );
}

#[test]
fn a_d1_database_is_one_whether_named_or_given_by_id() {
    check(
        r#"
        #- a
        name = "a"
        main = "index.ts"
        d1_databases = [{ binding = "DB", database_id = "id-1" }]
        #- b
        name = "b"
        main = "index.ts"
        d1_databases = [{ binding = "DB", database_name = "main", database_id = "id-1", migrations_dir = "migrations" }]
        #- c
        name = "c"
        main = "index.ts"
        d1_databases = [{ binding = "DB", database_id = "id-2" }]
        "#,
        r#"
            id1 "id-1" D1 { name: "main", migrations_dir: Some("./b/migrations"), migrations_table: None } ["a/DB", "b/DB"]
            id2 "id-2" D1 { name: "id-2", migrations_dir: None, migrations_table: None } ["c/DB"]
            aWorker "a"
            DB: resource id1
            bWorker "b"
            DB: resource id1
            cWorker "c"
            DB: resource id2
            AM0504 `d1_databases[].database_name`: is missing; the database id is used as its name
        "#,
    );
}

#[test]
fn resources_without_a_name_are_named_as_wrangler_provisions_them() {
    check(
        r#"
        #- api
        name = "api"
        main = "index.ts"
        r2_buckets = [{ binding = "USER_FILES" }]
        d1_databases = [{ binding = "DB" }]
        kv_namespaces = [{ binding = "SESSIONS" }]
        "#,
        r#"
            apiUserFiles "api-user-files" R2 { name: "api-user-files", jurisdiction: None } ["api/USER_FILES"]
            apiDb "api-db" D1 { name: "api-db", migrations_dir: None, migrations_table: None } ["api/DB"]
            sessionsKv "api-sessions" KvNew { title: "api-sessions" } ["api/SESSIONS"]
            // wrangler gave no id: a new namespace is created
            apiWorker "api"
            USER_FILES: resource apiUserFiles
            DB: resource apiDb
            SESSIONS: resource sessionsKv
            AM0514 this `r2_buckets` binding names no bucket: like wrangler's provisioning, the program creates the bucket `api-user-files`
            AM0514 this `d1_databases` binding names no database: like wrangler's provisioning, the program creates the database `api-db`
        "#,
    );
}

#[test]
fn differing_settings_of_one_resource_are_reported() {
    check(
        r#"
        #- a
        name = "a"
        main = "index.ts"
        r2_buckets = [{ binding = "FILES", bucket_name = "files", jurisdiction = "eu" }]
        queues.producers = [{ binding = "JOBS", queue = "jobs", delivery_delay = 5 }]
        #- b
        name = "b"
        main = "index.ts"
        r2_buckets = [{ binding = "FILES", bucket_name = "files" }]
        queues.producers = [{ binding = "JOBS", queue = "jobs", delivery_delay = 10 }]
        "#,
        r#"
            files "files" R2 { name: "files", jurisdiction: Some("eu") } ["a/FILES", "b/FILES"]
            // TODO(AM0501): declared elsewhere with jurisdiction None instead of Some("eu"); check which settings are right
            jobs "jobs" Queue { name: "jobs", delivery_delay: Some(5.0) } ["a/JOBS", "b/JOBS"]
            // TODO(AM0501): declared elsewhere with delivery_delay 10 instead of 5; check which settings are right
            aWorker "a"
            FILES: resource files
            JOBS: resource jobs
            bWorker "b"
            FILES: resource files
            JOBS: resource jobs
            AM0501 R2 bucket `files` is declared again with different settings (jurisdiction None instead of Some("eu")); the first declaration is used
            AM0501 queue `jobs` is declared again with different settings (delivery_delay 10 instead of 5); the first declaration is used
        "#,
    );
}

#[test]
fn queues_meet_producers_and_consumers() {
    check(
        r#"
        #- a
        name = "a"
        main = "index.ts"
        queues.consumers = [{ queue = "jobs", max_batch_size = 10, max_batch_timeout = 2.5, dead_letter_queue = "dead" }]
        #- b
        name = "b"
        main = "index.ts"
        queues.producers = [{ binding = "JOBS", queue = "jobs", delivery_delay = 5 }]
        "#,
        r#"
            jobs "jobs" Queue { name: "jobs", delivery_delay: Some(5.0) } ["a/consumer:jobs", "b/JOBS"]
            aWorker "a"
            bWorker "b"
            JOBS: resource jobs
        "#,
    );
    let (p, _) = plan(
        "#- a\nname = \"a\"\nmain = \"i.ts\"\nqueues.consumers = [{ queue = \"q\", max_batch_timeout = 2, retry_delay = 3 }]\n",
        |_| {},
    );
    assert_eq!(
        p.workers[0].event_sources[0].settings,
        vec![
            ConsumerSetting::MaxBatchTimeout(2.0),
            ConsumerSetting::RetryDelay(3.0)
        ]
    );
}

#[test]
fn identifiers_are_unique_across_workers_resources_and_reserved_names() {
    check(
        r#"
        #- api
        name = "api"
        main = "index.ts"
        kv_namespaces = [{ binding = "API_WORKER", id = "k1" }]
        queues.producers = [{ binding = "Q", queue = "Queue" }]
        #- api-worker
        name = "api-worker"
        main = "index.ts"
        d1_databases = [{ binding = "DB", database_name = "api" }]
        "#,
        r#"
            apiWorkerKv "api-worker-2" KvById { id: "k1" } ["api/API_WORKER"]
            queue "Queue" Queue { name: "Queue", delivery_delay: None } ["api/Q"]
            api "api-2" D1 { name: "api", migrations_dir: None, migrations_table: None } ["api-worker/DB"]
            apiWorker "api"
            API_WORKER: resource apiWorkerKv
            Q: resource queue
            apiWorker2 "api-worker"
            DB: resource api
        "#,
    );
}

#[test]
fn a_binding_name_used_twice_keeps_the_first() {
    check(
        r#"
        #- a
        name = "a"
        main = "index.ts"
        vars = { CACHE = "x", LEVEL = 3 }
        kv_namespaces = [{ binding = "CACHE", id = "k1" }]
        "#,
        r#"
            aWorker "a"
            CACHE: Str("x")
            LEVEL: Json(Number(3))
            CACHE: TODO(AM0209): a second `CACHE` binding (kv_namespaces) is left out: binding names must be unique
        "#,
    );
}

#[test]
fn services_bind_workers_placeholders_and_external_scripts() {
    check(
        r#"
        #- a
        name = "a"
        main = "index.ts"
        services = [{ binding = "B", service = "b" }, { binding = "EXT", service = "elsewhere" }, { binding = "ME", service = "a" }]
        #- b
        name = "b"
        main = "index.ts"
        services = [{ binding = "A", service = "a" }]
        "#,
        r#"
            bWorkerRef "b-stub" stands for bWorker
            aWorker "a"
            B: placeholder bWorkerRef
            EXT: external elsewhere
            ME: SelfRef
            bWorker "b"
            A: worker aWorker
            AM0408 service binding `B` to `b` is untyped: its main module `index.ts` could not be read
            AM0402 service binding `EXT` targets `elsewhere`, a worker outside the migration; it is bound by name with `WorkerRef`
            AM0408 service binding `A` to `a` is untyped: its main module `index.ts` could not be read
        "#,
    );
}

#[test]
fn external_services_can_be_left_out() {
    check_with(
        r#"
        #- a
        name = "a"
        main = "index.ts"
        services = [{ binding = "EXT", service = "elsewhere" }]
        "#,
        |o| o.skip_external = true,
        r#"
            aWorker "a"
            EXT: left out (--skip-external-services): service binding to the external worker "elsewhere"
            AM0406 service binding `EXT` to the external worker `elsewhere` is left out (--skip-external-services)
        "#,
    );
}

#[test]
fn a_config_without_main_declares_its_resources_only() {
    check(
        r#"
        #- shared
        name = "shared"
        kv_namespaces = [{ binding = "CACHE", id = "k1" }]
        #- a
        name = "a"
        main = "index.ts"
        kv_namespaces = [{ binding = "CACHE", id = "k1" }]
        "#,
        r#"
            cacheKv "cache" KvById { id: "k1" } ["shared/CACHE", "a/CACHE"]
            aWorker "a"
            CACHE: resource cacheKv
            AM0502 `shared` has no `main`: it deploys no worker; its one resource is declared in the program and shared with the workers that bind it
        "#,
    );
}

#[test]
fn a_worker_whose_config_names_no_entry_is_reported_not_taken_for_resources() {
    // Bindings only a worker has (a var, a service) or none at all: the entry module is given
    // on wrangler's command line.
    check(
        r#"
        #- gateway
        name = "gateway"
        kv_namespaces = [{ binding = "CACHE", id = "k1" }]
        vars = { X = "1" }
        services = [{ binding = "API", service = "api" }]
        #- api
        name = "api"
        "#,
        r#"
            AM0515 `api` is a worker without `main` in its config (its entry module is given on wrangler's command line): it is not migrated
            AM0515 `gateway` is a worker without `main` in its config (its entry module is given on wrangler's command line): it is not migrated
        "#,
    );
}

#[test]
fn assets_take_a_free_binding_name() {
    check(
        r#"
        #- site
        name = "site"
        main = "index.ts"
        vars = { ASSETS = "taken" }
        assets = { directory = "public", not_found_handling = "404-page" }
        "#,
        r#"
            siteWorker "site"
            ASSETS: Str("taken")
            ASSETS_2: Assets { path: "./site/public" }
        "#,
    );
}

#[test]
fn every_resource_kind_has_its_key_and_names() {
    check(
        r#"
        #- a
        name = "a"
        main = "index.ts"
        vectorize = [{ binding = "SEARCH", index_name = "docs-index" }]
        hyperdrive = [{ binding = "PG", id = "hd1", localConnectionString = "postgres://x" }]
        dispatch_namespaces = [{ binding = "TENANTS", namespace = "tenants" }]
        durable_objects.bindings = [{ name = "ROOM", class_name = "Room" }]
        workflows = [{ binding = "FLOW", name = "flow", class_name = "Flow" }]
        analytics_engine_datasets = [{ binding = "EVENTS" }]
        #- b
        name = "b"
        main = "index.ts"
        vectorize = [{ binding = "INDEX", index_name = "docs-index" }]
        hyperdrive = [{ binding = "DB", id = "hd1" }]
        durable_objects.bindings = [{ name = "ROOM", class_name = "Room", script_name = "a" }]
        "#,
        r#"
            docsIndex "docs-index" Vectorize { index_name: "docs-index" } ["a/SEARCH", "b/INDEX"]
            pgHyperdrive "pg" Hyperdrive { id: "hd1", binding: "PG", local_secret: Some("PG_LOCAL_CONNECTION_STRING") } ["a/PG", "b/DB"]
            tenants "tenants" DispatchNamespace { namespace: "tenants" } ["a/TENANTS"]
            aWorker "a"
            SEARCH: resource docsIndex
            PG: resource pgHyperdrive
            TENANTS: resource tenants
            ROOM: DurableObject { id: "a-room", class_name: "Room", sqlite: false, script: None, ty: None }
            FLOW: Workflow { id: "a-flow", workflow_name: "flow", class_name: "Flow", script: None, steps: None }
            EVENTS: AnalyticsEngine { id: "a-events", dataset: "EVENTS" }
            bWorker "b"
            INDEX: resource docsIndex
            DB: resource pgHyperdrive
            ROOM: DurableObject { id: "b-room", class_name: "Room", sqlite: false, script: Some(Worker(0)), ty: None }
            AM0509 binding `SEARCH`: Vectorize always runs remotely, so `alchemy dev` needs real Cloudflare credentials and network
            AM0504 `hyperdrive[].localConnectionString`: is a credential; it is read from the environment variable `PG_LOCAL_CONNECTION_STRING` instead of being copied
            AM0509 binding `TENANTS`: DispatchNamespace calls the Cloudflare API even in local dev
            AM0509 binding `INDEX`: Vectorize always runs remotely, so `alchemy dev` needs real Cloudflare credentials and network
        "#,
    );
}

#[test]
fn durable_objects_and_workflows_hosted_elsewhere() {
    check(
        r#"
        #- a
        name = "a"
        main = "index.ts"
        durable_objects.bindings = [
          { name = "ROOM", class_name = "Room", script_name = "chat", environment = "production" },
          { name = "OWN", class_name = "Own", script_name = "a" },
        ]
        workflows = [{ binding = "FLOW", name = "flow", class_name = "Flow", script_name = "b", limits = { steps = 5 } }]
        migrations = [{ tag = "v1", new_sqlite_classes = ["Own"] }]
        #- b
        name = "b"
        main = "index.ts"
        "#,
        r#"
            bWorker "b"
            aWorker "a"
            ROOM: DurableObject { id: "a-room", class_name: "Room", sqlite: false, script: Some(Name("chat")), ty: None }
            OWN: DurableObject { id: "a-own", class_name: "Own", sqlite: true, script: None, ty: None }
            FLOW: Workflow { id: "a-flow", workflow_name: "flow", class_name: "Flow", script: Some(Worker(0)), steps: Some(5.0) }
            AM0504 `script_name`: `chat` is not part of the migration
            AM0503 `durable_objects.bindings[].environment` is not translated: service environments no longer exist; the Durable Object is bound by script name
            AM0503 `workflows[].limits.steps` is not translated: Alchemy 0.94 accepts the limit but never sends it; set it in the dashboard if you rely on it
            AM0503 `migrations` is not translated: Alchemy computes Durable Object migrations itself (SQLite storage follows `new_sqlite_classes`)
        "#,
    );
}

#[test]
fn bindings_name_the_placeholder_of_their_target() {
    // Two cycles (a ↔ e, b ↔ c) whose placeholders are declared in another order than the
    // broken edges are found in.
    let fixture = r#"
        #- a
        name = "a"
        main = "index.ts"
        services = [{ binding = "B", service = "b" }, { binding = "E", service = "e" }]
        #- b
        name = "b"
        main = "index.ts"
        services = [{ binding = "C", service = "c" }]
        #- c
        name = "c"
        main = "index.ts"
        services = [{ binding = "B", service = "b" }]
        #- d
        name = "d"
        main = "index.ts"
        #- e
        name = "e"
        main = "index.ts"
        services = [{ binding = "A", service = "a" }]
        "#;
    let (p, _) = plan(fixture, |_| {});
    let mut seen = 0;
    for w in &p.workers {
        for b in &w.bindings {
            if let Some(Value::Placeholder(ph)) = &b.value {
                let target = &p.workers[p.placeholders[*ph].worker];
                assert_eq!(
                    target.script_name.as_deref(),
                    Some(&b.name.to_ascii_lowercase()[..])
                );
                seen += 1;
            }
        }
    }
    assert_eq!(seen, 2);
    let before: Vec<usize> = p.placeholders.iter().map(|ph| ph.before).collect();
    assert!(before.is_sorted(), "{before:?}");
}

/// Workers across several drafting chunks, planned on one thread and on four: the same
/// program (names given out in creation order, shared resources declared by their first user),
/// whatever drafts run beside the completion of which.
#[test]
fn planning_in_chunks_does_not_depend_on_the_threads() {
    let mut fixture = String::new();
    for k in 0..700 {
        let _ = writeln!(fixture, "#- w{k}");
        let _ = writeln!(fixture, "name = \"w{k}\"\nmain = \"src/index.ts\"");
        let _ = writeln!(
            fixture,
            "kv_namespaces = [{{ binding = \"CACHE\", id = \"kv{}\" }}]",
            k % 7
        );
        let _ = writeln!(
            fixture,
            "durable_objects.bindings = [{{ name = \"COUNTER\", class_name = \"Counter\" }}]"
        );
        let _ = writeln!(
            fixture,
            "queues.producers = [{{ binding = \"JOBS\", queue = \"q{}\" }}]",
            k % 3
        );
        if k > 0 {
            let _ = writeln!(
                fixture,
                "services = [{{ binding = \"PREV\", service = \"w{}\" }}]",
                k - 1
            );
        }
    }
    let on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a pool");
        pool.install(|| {
            let (p, diags) = plan(&fixture, |_| {});
            summary(&p, &diags)
        })
    };
    let one = on(1);
    assert_eq!(one, on(4), "the program depends on the threads");
    let first_lines: Vec<&str> = one.lines().take(3).collect();
    assert!(
        first_lines[0].starts_with("cacheKv \"cache\" KvById { id: \"kv0\" }"),
        "{first_lines:?}"
    );
    assert!(
        one.contains("w699Worker \"w699\"\n  CACHE: resource cacheKv7"),
        "{one}"
    );
    assert!(one.contains("  PREV: worker w698Worker\n"), "{one}");
}
