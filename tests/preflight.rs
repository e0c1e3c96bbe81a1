//! `preflight` against a stand-in Cloudflare API: a small HTTP server on 127.0.0.1 serving JSON
//! states per path, recording every request. One case per row of what preflight reports, plus
//! the API's failure modes (404 10007, 403, 429 and 5xx then 200, a malformed body, a timeout),
//! accounts, and the promises: only `GET` is sent, and the token is never printed.

mod common;

use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const TOKEN: &str = "test-token-5ecret-9f3a";
const ACCOUNT: &str = "acc1";

// ---- the stand-in API ----------------------------------------------------------------------

#[derive(Clone)]
struct Reply {
    status: u16,
    body: String,
    headers: Vec<(String, String)>,
    delay: Duration,
}

impl Reply {
    fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            body: body.to_string(),
            headers: Vec::new(),
            delay: Duration::ZERO,
        }
    }
    fn ok(result: Value) -> Reply {
        Reply::json(
            200,
            json!({ "success": true, "errors": [], "messages": [], "result": result }),
        )
    }
    fn err(status: u16, code: u64, message: &str) -> Reply {
        Reply::json(
            status,
            json!({ "success": false, "errors": [{ "code": code, "message": message }], "messages": [], "result": null }),
        )
    }
}

#[derive(Debug, Clone)]
struct Request {
    method: String,
    path: String,
    authorization: Option<String>,
}

#[derive(Default)]
struct State {
    /// Replies per path (with query), served in order; the last one repeats.
    routes: HashMap<String, Vec<Reply>>,
    served: HashMap<String, usize>,
    log: Vec<Request>,
}

struct Api {
    port: u16,
    state: Arc<Mutex<State>>,
    peak: Arc<AtomicUsize>,
}

impl Api {
    fn start() -> Api {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State::default()));
        let peak = Arc::new(AtomicUsize::new(0));
        let live = Arc::new(AtomicUsize::new(0));
        let (s, p) = (state.clone(), peak.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (s, p, l) = (s.clone(), p.clone(), live.clone());
                std::thread::spawn(move || serve(stream, &s, &p, &l));
            }
        });
        Api { port, state, peak }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn route(&self, path: &str, replies: Vec<Reply>) {
        self.state
            .lock()
            .unwrap()
            .routes
            .insert(path.to_string(), replies);
    }

    fn account(path: &str) -> String {
        format!("/accounts/{ACCOUNT}{path}")
    }

    /// A live worker: settings (bindings, compatibility), secrets, crons, custom domains.
    fn worker(
        &self,
        script: &str,
        bindings: Value,
        secrets: &[&str],
        crons: &[&str],
        domains: &[&str],
    ) {
        let base = format!("/workers/scripts/{script}");
        self.route(
            &Api::account(&format!("{base}/settings")),
            vec![Reply::ok(json!({
                "bindings": bindings,
                "compatibility_date": "2025-01-01",
                "compatibility_flags": [],
                "usage_model": "standard",
                "placement": {},
                "tags": []
            }))],
        );
        self.route(
            &Api::account(&format!("{base}/secrets")),
            vec![Reply::ok(json!(
                secrets
                    .iter()
                    .map(|n| json!({"name": n, "type": "secret_text"}))
                    .collect::<Vec<_>>()
            ))],
        );
        self.route(
            &Api::account(&format!("{base}/schedules")),
            vec![Reply::ok(json!({ "schedules": crons.iter().map(|c| json!({"cron": c, "created_on": "2024-01-01T00:00:00Z"})).collect::<Vec<_>>() }))],
        );
        self.route(
            &Api::account(&format!("/workers/domains?service={script}")),
            vec![Reply::ok(json!(domains.iter().map(|d| json!({"id": "d1", "hostname": d, "service": script, "environment": "production", "zone_id": "z", "zone_name": "example.com"})).collect::<Vec<_>>()))],
        );
    }

    fn missing_worker(&self, script: &str) {
        self.route(
            &Api::account(&format!("/workers/scripts/{script}/settings")),
            vec![Reply::err(
                404,
                10007,
                "This Worker does not exist on your account.",
            )],
        );
    }

    fn requests(&self) -> Vec<Request> {
        self.state.lock().unwrap().log.clone()
    }

    fn count(&self, path: &str) -> usize {
        self.requests().iter().filter(|r| r.path == path).count()
    }
}

fn serve(mut stream: TcpStream, state: &Mutex<State>, peak: &AtomicUsize, live: &AtomicUsize) {
    let now = live.fetch_add(1, Ordering::SeqCst) + 1;
    peak.fetch_max(now, Ordering::SeqCst);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let head = String::from_utf8_lossy(&buf).to_string();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or_default().split(' ');
    let method = first.next().unwrap_or_default().to_string();
    let path = first.next().unwrap_or_default().to_string();
    let authorization = lines
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))
        .map(|(_, v)| v.trim().to_string());
    let reply = {
        let mut s = state.lock().unwrap();
        s.log.push(Request {
            method: method.clone(),
            path: path.clone(),
            authorization: authorization.clone(),
        });
        let n = *s.served.entry(path.clone()).or_insert(0);
        s.served.insert(path.clone(), n + 1);
        match s.routes.get(&path) {
            Some(replies) => replies[n.min(replies.len() - 1)].clone(),
            None => Reply::err(404, 7003, "No route for that URI"),
        }
    };
    std::thread::sleep(reply.delay);
    // A refusal that echoes the credentials it was given: preflight must never print them.
    let body = reply
        .body
        .replace("$AUTH", authorization.as_deref().unwrap_or_default());
    let mut out = format!(
        "HTTP/1.1 {} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        reply.status,
        body.len()
    );
    for (k, v) in &reply.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(&body);
    // In flight until the answer starts: the client sends its next request only after reading it.
    live.fetch_sub(1, Ordering::SeqCst);
    let _ = stream.write_all(out.as_bytes());
    let _ = stream.flush();
}

// ---- running the binary ---------------------------------------------------------------------

fn project(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = common::scratch(&format!("preflight/{name}"));
    for (path, text) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// `(code, severity)` of every diagnostic (from `--format json`).
    fn codes(&self) -> Vec<(String, String)> {
        let v: Value = serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", self.stdout, self.stderr));
        v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["code"].as_str().unwrap().to_string(),
                    d["severity"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }
    fn messages(&self) -> String {
        let v: Value = serde_json::from_str(&self.stdout).unwrap();
        v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| format!("{}: {} (help: {})\n", d["code"], d["message"], d["help"]))
            .collect()
    }
}

fn command(api: Option<&Api>, dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_alchemy-migrator"));
    c.arg("preflight")
        .arg("--discover")
        .arg(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .env("CLOUDFLARE_API_TOKEN", TOKEN)
        .env("CLOUDFLARE_ACCOUNT_ID", ACCOUNT)
        .env("ALCHEMY_MIGRATOR_HTTP_TIMEOUT_MS", "300")
        .env("ALCHEMY_MIGRATOR_HTTP_BACKOFF_MS", "1");
    for v in [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        c.env_remove(v);
    }
    match api {
        Some(a) => c.env("CLOUDFLARE_API_BASE_URL", a.url()),
        None => c.env("CLOUDFLARE_API_BASE_URL", "http://127.0.0.1:9"),
    };
    c
}

/// Runs the command and checks what must hold for every run: the token is never printed, and
/// only `GET` requests carrying it were sent.
fn finish(api: Option<&Api>, o: Output) -> Run {
    let run = Run {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).to_string(),
        stderr: String::from_utf8_lossy(&o.stderr).to_string(),
    };
    assert!(
        !run.stdout.contains(TOKEN) && !run.stderr.contains(TOKEN),
        "the token was printed:\n{}\n{}",
        run.stdout,
        run.stderr
    );
    if let Some(api) = api {
        for r in api.requests() {
            assert_eq!(r.method, "GET", "{r:?}");
            assert_eq!(
                r.authorization.as_deref(),
                Some(&*format!("Bearer {TOKEN}")),
                "{r:?}"
            );
        }
    }
    run
}

fn preflight(api: &Api, dir: &Path, args: &[&str]) -> Run {
    let mut a = vec!["--format", "json"];
    a.extend_from_slice(args);
    finish(Some(api), command(Some(api), dir, &a).output().unwrap())
}

fn codes(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(c, s)| (c.to_string(), s.to_string()))
        .collect()
}

const API: &str = r#"name = "api"
main = "src/index.ts"
compatibility_date = "2025-01-01"
"#;

fn one_worker(name: &str, extra: &str) -> PathBuf {
    project(name, &[("api/wrangler.toml", &format!("{API}{extra}"))])
}

// ---- what preflight reports ----------------------------------------------------------------

#[test]
fn unchanged_worker_exits_0_and_says_nothing() {
    let api = Api::start();
    let dir = one_worker(
        "unchanged",
        r#"
[vars]
MODE = "prod"

[[kv_namespaces]]
binding = "CACHE"
id = "kv1"

[[d1_databases]]
binding = "DB"
database_name = "main"
database_id = "u1"

[[services]]
binding = "AUTH"
service = "auth"
"#,
    );
    api.worker(
        "api",
        json!([
            {"name": "MODE", "type": "plain_text", "text": "prod"},
            {"name": "CACHE", "type": "kv_namespace", "namespace_id": "kv1"},
            {"name": "DB", "type": "d1", "id": "u1"},
            {"name": "AUTH", "type": "service", "service": "auth", "environment": "production"}
        ]),
        &[],
        &[],
        &[],
    );
    api.route(
        &Api::account("/d1/database?name=main"),
        vec![Reply::ok(
            json!([{"uuid": "u1", "name": "main", "created_at": "2024-01-01"}]),
        )],
    );
    let r = preflight(&api, &dir, &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.codes(), codes(&[]), "{}", r.messages());
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["workers"], json!([{"script": "api", "live": "present"}]));
    assert_eq!(v["stage"], "production");
}

#[test]
fn kv_namespace_bound_to_another_id() {
    let api = Api::start();
    let dir = one_worker(
        "kv",
        "[[kv_namespaces]]\nbinding = \"CACHE\"\nid = \"kv2\"\n",
    );
    api.worker(
        "api",
        json!([{"name": "CACHE", "type": "kv_namespace", "namespace_id": "kv1"}]),
        &[],
        &[],
        &[],
    );
    let r = preflight(&api, &dir, &[]);
    assert_eq!(r.code, 1);
    assert_eq!(r.codes(), codes(&[("AM0701", "error")]), "{}", r.messages());
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let d = &v["diagnostics"][0];
    assert!(
        d["file"].as_str().unwrap().ends_with("api/wrangler.toml"),
        "{d}"
    );
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(6), Some(6))
    );
}

#[test]
fn d1_name_that_does_not_exist_would_bind_a_new_empty_database() {
    let api = Api::start();
    let dir = one_worker(
        "d1-missing",
        "[[d1_databases]]\nbinding = \"DB\"\ndatabase_name = \"main-db\"\ndatabase_id = \"u1\"\n",
    );
    api.worker(
        "api",
        json!([{"name": "DB", "type": "d1", "database_id": "u1"}]),
        &[],
        &[],
        &[],
    );
    api.route(
        &Api::account("/d1/database?name=main-db"),
        vec![Reply::ok(json!([]))],
    );
    api.route(
        &Api::account("/d1/database/u1"),
        vec![Reply::ok(json!({"uuid": "u1", "name": "production-db"}))],
    );
    let r = preflight(&api, &dir, &[]);
    assert_eq!(r.code, 1);
    assert_eq!(r.codes(), codes(&[("AM0702", "error")]), "{}", r.messages());
    let m = r.messages();
    assert!(
        m.contains("`main-db`") && m.contains("`production-db` (`u1`)"),
        "{m}"
    );
}

#[test]
fn d1_name_of_another_database_moves_the_binding() {
    let api = Api::start();
    let dir = one_worker(
        "d1-other",
        "[[d1_databases]]\nbinding = \"DB\"\ndatabase_name = \"staging-db\"\ndatabase_id = \"u1\"\n",
    );
    api.worker(
        "api",
        json!([{"name": "DB", "type": "d1", "database_id": "u1"}]),
        &[],
        &[],
        &[],
    );
    api.route(
        &Api::account("/d1/database?name=staging-db"),
        vec![Reply::ok(
            json!([{"uuid": "u2", "name": "staging-db"}, {"uuid": "u3", "name": "staging-db-old"}]),
        )],
    );
    api.route(
        &Api::account("/d1/database/u1"),
        vec![Reply::ok(json!({"uuid": "u1", "name": "production-db"}))],
    );
    let r = preflight(&api, &dir, &[]);
    assert_eq!(r.code, 1);
    assert_eq!(r.codes(), codes(&[("AM0701", "error")]), "{}", r.messages());
    assert!(
        r.messages().contains("`staging-db` (`u2`)"),
        "{}",
        r.messages()
    );
}

#[test]
fn r2_bucket_queue_service_and_durable_object_re_pointed() {
    let api = Api::start();
    let dir = one_worker(
        "targets",
        r#"
[[r2_buckets]]
binding = "FILES"
bucket_name = "files-new"

[[queues.producers]]
binding = "JOBS"
queue = "jobs-new"

[[services]]
binding = "AUTH"
service = "auth-v2"

[[durable_objects.bindings]]
name = "ROOMS"
class_name = "Room"
"#,
    );
    api.worker(
        "api",
        json!([
            {"name": "FILES", "type": "r2_bucket", "bucket_name": "files"},
            {"name": "JOBS", "type": "queue", "queue_name": "jobs"},
            {"name": "AUTH", "type": "service", "service": "auth"},
            {"name": "ROOMS", "type": "durable_object_namespace", "class_name": "Lobby", "namespace_id": "ns"}
        ]),
        &[],
        &[],
        &[],
    );
    api.route(
        &Api::account("/r2/buckets/files-new"),
        vec![Reply::err(
            404,
            10006,
            "The specified bucket does not exist.",
        )],
    );
    api.route(
        &Api::account("/queues?page=1&per_page=100"),
        vec![Reply::ok(json!([{"queue_id": "q1", "queue_name": "jobs"}, {"queue_id": "q2", "queue_name": "jobs-new"}]))],
    );
    let r = preflight(&api, &dir, &[]);
    assert_eq!(r.code, 1);
    let mut got = r.codes();
    got.sort();
    assert_eq!(
        got,
        codes(&[
            ("AM0701", "error"),
            ("AM0701", "error"),
            ("AM0701", "error"),
            ("AM0702", "error")
        ]),
        "{}",
        r.messages()
    );
    let m = r.messages();
    assert!(m.contains("R2 bucket `files-new` does not exist"), "{m}");
    assert!(m.contains("from queue `jobs` to queue `jobs-new`"), "{m}");
}

#[test]
fn live_bindings_the_program_leaves_out_are_removed() {
    let api = Api::start();
    let dir = one_worker(
        "removed",
        "[[mtls_certificates]]\nbinding = \"CERT\"\ncertificate_id = \"c1\"\n",
    );
    api.worker(
        "api",
        json!([
            {"name": "CERT", "type": "mtls_certificate", "certificate_id": "c1"},
            {"name": "OLD_BUCKET", "type": "r2_bucket", "bucket_name": "old"}
        ]),
        &[],
        &[],
        &[],
    );
    let r = preflight(&api, &dir, &[]);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.codes(),
        codes(&[("AM0703", "error"), ("AM0703", "error")]),
        "{}",
        r.messages()
    );
}

#[test]
fn live_var_not_set_is_a_warning_and_an_error_with_keep_vars() {
    let api = Api::start();
    api.worker(
        "api",
        json!([{"name": "FLAG", "type": "json", "json": {"on": true}}]),
        &[],
        &[],
        &[],
    );
    let dir = one_worker("vars", "");
    let r = preflight(&api, &dir, &[]);
    assert_eq!(r.code, 0);
    assert_eq!(r.codes(), codes(&[("AM0704", "warning")]));
    let dir = one_worker("keep-vars", "keep_vars = true\n");
    let r = preflight(&api, &dir, &[]);
    assert_eq!(r.code, 1);
    assert_eq!(r.codes(), codes(&[("AM0704", "error")]));
}

#[test]
fn crons_domains_secrets_and_compatibility() {
    let api = Api::start();
    let dir = one_worker(
        "settings",
        r#"compatibility_flags = ["nodejs_compat"]
secrets = { required = ["API_KEY"] }

[triggers]
crons = ["0 * * * *"]

[[routes]]
pattern = "api.example.com"
custom_domain = true
"#,
    );
    api.worker(
        "api",
        json!([{"name": "API_KEY", "type": "secret_text"}]),
        &["API_KEY", "LEGACY_TOKEN"],
        &["0 * * * *", "*/15 * * * *"],
        &["api.example.com", "old.example.com"],
    );
    let r = preflight(&api, &dir, &[]);
    assert_eq!(r.code, 0, "{}", r.messages());
    let mut got = r.codes();
    got.sort();
    assert_eq!(
        got,
        codes(&[
            ("AM0705", "warning"),
            ("AM0706", "warning"),
            ("AM0707", "warning"),
            ("AM0708", "info"),
            ("AM0709", "info"),
        ]),
        "{}",
        r.messages()
    );
    let m = r.messages();
    assert!(
        m.contains("*/15 * * * *") && m.contains("old.example.com"),
        "{m}"
    );
    assert!(m.contains("secrets.required"), "{m}");
}

#[test]
fn worker_that_does_not_exist_yet_is_created() {
    let api = Api::start();
    let dir = one_worker("new", "");
    api.missing_worker("api");
    let r = preflight(&api, &dir, &[]);
    assert_eq!(r.code, 0);
    assert_eq!(r.codes(), codes(&[("AM0700", "info")]));
    // Nothing else is read for a worker that does not exist.
    assert_eq!(api.requests().len(), 1);
}

#[test]
fn environment_stage_reads_its_script_names_and_only_its_configs() {
    let api = Api::start();
    let dir = project(
        "env-stage",
        &[
            (
                "api/wrangler.toml",
                "name = \"api\"\nmain = \"src/index.ts\"\n\n[env.staging]\nvars = { MODE = \"staging\" }\n",
            ),
            (
                "cron/wrangler.toml",
                "name = \"cron\"\nmain = \"src/index.ts\"\n",
            ),
            ("lib/wrangler.toml", "name = \"lib\"\n\n[env.staging]\n"),
        ],
    );
    api.worker(
        "api-staging",
        json!([{"name": "MODE", "type": "plain_text", "text": "staging"}]),
        &[],
        &[],
        &[],
    );
    let r = preflight(&api, &dir, &["--stage", "staging"]);
    assert_eq!(r.code, 0, "{}", r.messages());
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        v["workers"],
        json!([{"script": "api-staging", "live": "present"}])
    );
    assert!(
        api.requests()
            .iter()
            .all(|q| q.path.contains("api-staging"))
    );
}

#[test]
fn unknown_stage_is_a_usage_error() {
    let api = Api::start();
    let dir = one_worker("unknown-stage", "");
    let r = preflight(&api, &dir, &["--stage", "pr-42"]);
    assert_eq!(r.code, 2);
    assert_eq!(r.codes(), codes(&[("AM0715", "error")]));
    assert!(api.requests().is_empty());
}

// ---- access ---------------------------------------------------------------------------------

#[test]
fn no_token_exits_2_before_reading_anything() {
    let o = command(None, Path::new("does/not/exist"), &["--format", "json"])
        .env_remove("CLOUDFLARE_API_TOKEN")
        .output()
        .unwrap();
    let r = finish(None, o);
    assert_eq!(r.code, 2);
    assert_eq!(r.codes(), codes(&[("AM0710", "error")]));
}

#[test]
fn forbidden_exits_2_with_the_apis_message_and_never_the_token() {
    let api = Api::start();
    let dir = project(
        "forbidden",
        &[
            ("a/wrangler.toml", "name = \"a\"\nmain = \"i.ts\"\n"),
            ("b/wrangler.toml", "name = \"b\"\nmain = \"i.ts\"\n"),
        ],
    );
    for s in ["a", "b"] {
        api.route(
            &Api::account(&format!("/workers/scripts/{s}/settings")),
            vec![Reply::err(
                403,
                10000,
                "Authentication error: $AUTH is not allowed",
            )],
        );
    }
    let r = preflight(&api, &dir, &[]);
    assert_eq!(r.code, 2);
    assert_eq!(r.codes(), codes(&[("AM0713", "error")]), "{}", r.messages());
    assert!(
        r.messages().contains("Authentication error"),
        "{}",
        r.messages()
    );
    // The human rendering too.
    let o = command(Some(&api), &dir, &[]).output().unwrap();
    let h = finish(Some(&api), o);
    assert_eq!(h.code, 2);
    assert!(h.stderr.contains("error[AM0713]"), "{}", h.stderr);
}

#[test]
fn rate_limited_then_ok() {
    let api = Api::start();
    let dir = one_worker("429", "");
    api.worker("api", json!([]), &[], &[], &[]);
    let path = Api::account("/workers/scripts/api/settings");
    let ok = api.state.lock().unwrap().routes[&path][0].clone();
    let mut limited = Reply::err(
        429,
        971,
        "Please wait and consider throttling your request speed",
    );
    limited.headers.push(("Retry-After".into(), "1".into()));
    api.route(&path, vec![limited, ok]);
    let start = std::time::Instant::now();
    let r = preflight(&api, &dir, &[]);
    assert_eq!(r.code, 0, "{}", r.messages());
    assert_eq!(r.codes(), codes(&[]));
    assert_eq!(api.count(&path), 2);
    // Retry-After (1 s) is honoured, not the 1 ms backoff of the tests.
    assert!(
        start.elapsed() >= Duration::from_secs(1),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn server_error_then_ok() {
    let api = Api::start();
    let dir = one_worker("500", "");
    api.worker("api", json!([]), &[], &[], &[]);
    let path = Api::account("/workers/scripts/api/secrets");
    api.route(
        &path,
        vec![
            Reply::err(500, 10013, "internal error"),
            Reply::ok(json!([])),
        ],
    );
    let r = preflight(&api, &dir, &[]);
    assert_eq!(r.code, 0, "{}", r.messages());
    assert_eq!(api.count(&path), 2);
}

#[test]
fn server_errors_that_last_exit_2_after_bounded_attempts() {
    let api = Api::start();
    let dir = one_worker("500-always", "");
    let path = Api::account("/workers/scripts/api/settings");
    api.route(&path, vec![Reply::err(503, 10013, "unavailable")]);
    let r = preflight(&api, &dir, &[]);
    assert_eq!(r.code, 2);
    assert_eq!(r.codes(), codes(&[("AM0713", "error")]));
    assert_eq!(api.count(&path), 4);
}

#[test]
fn malformed_body_is_a_diagnostic() {
    let api = Api::start();
    let dir = one_worker("malformed", "");
    api.worker("api", json!([]), &[], &[], &[]);
    api.route(
        &Api::account("/workers/scripts/api/settings"),
        vec![Reply {
            status: 200,
            body: "<html>upstream connect error</html>".into(),
            headers: Vec::new(),
            delay: Duration::ZERO,
        }],
    );
    api.route(
        &Api::account("/workers/scripts/api/schedules"),
        vec![Reply::ok(json!({"schedules": "daily"}))],
    );
    let r = preflight(&api, &dir, &[]);
    assert_eq!(r.code, 2);
    assert_eq!(r.codes(), codes(&[("AM0714", "error")]), "{}", r.messages());
}

#[test]
fn timeout_exits_2_quickly() {
    let api = Api::start();
    let dir = one_worker("timeout", "");
    api.worker("api", json!([]), &[], &[], &[]);
    let path = Api::account("/workers/scripts/api/settings");
    let mut slow = api.state.lock().unwrap().routes[&path][0].clone();
    slow.delay = Duration::from_secs(3);
    api.route(&path, vec![slow]);
    let start = std::time::Instant::now();
    let r = preflight(&api, &dir, &[]);
    assert_eq!(r.code, 2);
    assert_eq!(r.codes(), codes(&[("AM0713", "error")]), "{}", r.messages());
    assert!(
        r.messages().contains("no answer within 300 ms"),
        "{}",
        r.messages()
    );
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn configs_naming_different_accounts_exit_2_naming_them() {
    let api = Api::start();
    let dir = project(
        "accounts",
        &[
            (
                "a/wrangler.toml",
                "name = \"a\"\nmain = \"i.ts\"\naccount_id = \"acc-one\"\n",
            ),
            (
                "b/wrangler.toml",
                "name = \"b\"\nmain = \"i.ts\"\naccount_id = \"acc-two\"\n",
            ),
        ],
    );
    let r = preflight(&api, &dir, &[]);
    assert_eq!(r.code, 2);
    assert_eq!(r.codes(), codes(&[("AM0712", "error")]));
    let m = r.messages();
    assert!(m.contains("acc-one") && m.contains("acc-two"), "{m}");
    assert!(api.requests().is_empty());
}

#[test]
fn account_from_the_configs_else_the_flag() {
    let api = Api::start();
    let dir = one_worker("account-config", &format!("account_id = \"{ACCOUNT}\"\n"));
    api.worker("api", json!([]), &[], &[], &[]);
    let o = command(Some(&api), &dir, &["--format", "json"])
        .env_remove("CLOUDFLARE_ACCOUNT_ID")
        .output()
        .unwrap();
    assert_eq!(finish(Some(&api), o).code, 0);
    // An account other than the one the configs deploy to would check nothing.
    for (env, flag) in [(Some("acc-other"), None), (None, Some("acc-other"))] {
        let mut c = command(Some(&api), &dir, &["--format", "json"]);
        c.env_remove("CLOUDFLARE_ACCOUNT_ID");
        if let Some(e) = env {
            c.env("CLOUDFLARE_ACCOUNT_ID", e);
        }
        if let Some(f) = flag {
            c.args(["--account-id", f]);
        }
        let r = finish(Some(&api), c.output().unwrap());
        assert_eq!(r.code, 2);
        assert_eq!(r.codes(), codes(&[("AM0712", "error")]));
        assert!(r.messages().contains("acc-other"), "{}", r.messages());
    }
    let dir = one_worker("account-flag", "");
    let o = command(
        Some(&api),
        &dir,
        &["--format", "json", "--account-id", ACCOUNT],
    )
    .env_remove("CLOUDFLARE_ACCOUNT_ID")
    .output()
    .unwrap();
    assert_eq!(finish(Some(&api), o).code, 0);
    let o = command(Some(&api), &dir, &["--format", "json"])
        .env_remove("CLOUDFLARE_ACCOUNT_ID")
        .output()
        .unwrap();
    let r = finish(Some(&api), o);
    assert_eq!(r.code, 2);
    assert_eq!(r.codes(), codes(&[("AM0711", "error")]));
}

#[test]
fn at_most_eight_requests_in_flight() {
    let api = Api::start();
    let mut files = Vec::new();
    for i in 0..20 {
        files.push((
            format!("w{i}/wrangler.toml"),
            format!("name = \"w{i}\"\nmain = \"i.ts\"\ncompatibility_date = \"2025-01-01\"\n"),
        ));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let dir = project("many", &refs);
    for i in 0..20 {
        api.worker(&format!("w{i}"), json!([]), &[], &[], &[]);
    }
    {
        let mut s = api.state.lock().unwrap();
        for replies in s.routes.values_mut() {
            for r in replies {
                r.delay = Duration::from_millis(20);
            }
        }
    }
    let r = preflight(&api, &dir, &[]);
    assert_eq!(r.code, 0, "{}", r.messages());
    assert_eq!(api.requests().len(), 80);
    let peak = api.peak.load(Ordering::SeqCst);
    assert!(peak <= 8 && peak > 1, "peak {peak}");
}

#[test]
fn human_output_ends_with_a_summary() {
    let api = Api::start();
    let dir = one_worker("human", "");
    api.worker(
        "api",
        json!([{"name": "OLD", "type": "plain_text", "text": "x"}]),
        &[],
        &[],
        &[],
    );
    let o = command(Some(&api), &dir, &[]).output().unwrap();
    let r = finish(Some(&api), o);
    assert_eq!(r.code, 0);
    assert!(r.stderr.contains("warning[AM0704]"), "{}", r.stderr);
    assert!(r.stderr.contains("api/wrangler.toml:1:8"), "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "preflight of stage `production` in account `acc1`: checked 1 worker(s): 0 error(s), 1 warning(s), 0 info\n"
        ),
        "{}",
        r.stderr
    );
    // (Then the count per code.)
    assert!(r.stderr.trim_end().ends_with("AM0704 ×1"), "{}", r.stderr);
}
