//! The typed model of one worker (a config file's top level or one of its environments) after
//! environment resolution. Every value keeps its span. Keys the model has no typed field for are
//! kept in [`Worker::extra`], so later stages can translate or report them: nothing is dropped.

use super::resolve::Effective;
use crate::diagnostics::{Diagnostic, Span, codes};
use crate::syntax::{Entry, Node};
use std::collections::BTreeSet;

/// A value and where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct S<T> {
    pub v: T,
    pub span: Span,
}

/// What a binding gives the worker.
#[derive(Debug, Clone, PartialEq)]
pub enum BindingKind {
    /// A `vars` entry (string or any JSON value).
    Var(Node),
    /// A secret: named in `secrets.required` or `.dev.vars`; the value is never read.
    Secret,
    Kv {
        id: Option<S<String>>,
    },
    R2 {
        bucket_name: Option<S<String>>,
        jurisdiction: Option<S<String>>,
    },
    D1 {
        database_name: Option<S<String>>,
        database_id: Option<S<String>>,
        migrations_dir: Option<S<String>>,
        migrations_table: Option<S<String>>,
    },
    DurableObject {
        class_name: S<String>,
        script_name: Option<S<String>>,
        environment: Option<S<String>>,
    },
    Workflow {
        name: S<String>,
        class_name: S<String>,
        script_name: Option<S<String>>,
        steps: Option<f64>,
    },
    QueueProducer {
        queue: S<String>,
        delivery_delay: Option<S<f64>>,
    },
    Service {
        service: S<String>,
        entrypoint: Option<S<String>>,
        environment: Option<S<String>>,
        props: Option<Node>,
    },
    AnalyticsEngine {
        dataset: Option<S<String>>,
    },
    Ai,
    Browser,
    Images,
    VersionMetadata,
    WorkerLoader,
    Vectorize {
        index_name: S<String>,
    },
    Hyperdrive {
        id: S<String>,
        local_connection_string: Option<S<String>>,
    },
    MtlsCertificate {
        certificate_id: S<String>,
    },
    SendEmail {
        destination_address: Option<S<String>>,
        allowed_destination_addresses: Vec<String>,
        allowed_sender_addresses: Vec<String>,
    },
    DispatchNamespace {
        namespace: S<String>,
        outbound: Option<S<Node>>,
    },
    Pipeline {
        stream: S<String>,
    },
    SecretsStoreSecret {
        store_id: S<String>,
        secret_name: S<String>,
    },
    RateLimit {
        namespace_id: S<String>,
        limit: f64,
        period: f64,
    },
    /// An `unsafe.bindings` entry of another type than `ratelimit`.
    Unsafe {
        ty: String,
        node: Node,
    },
    /// The `assets.binding`.
    Assets,
    /// A binding kind Alchemy 0.94 has no equivalent for (`media`, `vpc_services`, …), by key.
    Unsupported {
        key: String,
    },
}

impl Worker {
    /// Whether the config only declares resources (a D1 database kept for `wrangler d1
    /// migrations`, say): at least one resource binding, and nothing only a worker has (other
    /// bindings, routes, crons, queue consumers, tail consumers, assets).
    pub fn only_declares_resources(&self) -> bool {
        !self.bindings.is_empty()
            && self.bindings.iter().all(|b| b.kind.is_resource())
            && self.routes.is_empty()
            && self.crons.is_none()
            && self.consumers.is_empty()
            && self.tail_consumers.is_empty()
            && self.assets.is_none()
    }
}

impl BindingKind {
    /// Whether the binding names a resource that exists apart from any worker (KV, R2, D1,
    /// queues, dispatch namespaces, Vectorize, Hyperdrive).
    pub fn is_resource(&self) -> bool {
        matches!(
            self,
            BindingKind::Kv { .. }
                | BindingKind::R2 { .. }
                | BindingKind::D1 { .. }
                | BindingKind::QueueProducer { .. }
                | BindingKind::DispatchNamespace { .. }
                | BindingKind::Vectorize { .. }
                | BindingKind::Hyperdrive { .. }
        )
    }

    /// The wrangler section the binding comes from, for messages.
    pub fn section(&self) -> &str {
        match self {
            BindingKind::Var(_) => "vars",
            BindingKind::Secret => "secrets",
            BindingKind::Kv { .. } => "kv_namespaces",
            BindingKind::R2 { .. } => "r2_buckets",
            BindingKind::D1 { .. } => "d1_databases",
            BindingKind::DurableObject { .. } => "durable_objects",
            BindingKind::Workflow { .. } => "workflows",
            BindingKind::QueueProducer { .. } => "queues.producers",
            BindingKind::Service { .. } => "services",
            BindingKind::AnalyticsEngine { .. } => "analytics_engine_datasets",
            BindingKind::Ai => "ai",
            BindingKind::Browser => "browser",
            BindingKind::Images => "images",
            BindingKind::VersionMetadata => "version_metadata",
            BindingKind::WorkerLoader => "worker_loaders",
            BindingKind::Vectorize { .. } => "vectorize",
            BindingKind::Hyperdrive { .. } => "hyperdrive",
            BindingKind::MtlsCertificate { .. } => "mtls_certificates",
            BindingKind::SendEmail { .. } => "send_email",
            BindingKind::DispatchNamespace { .. } => "dispatch_namespaces",
            BindingKind::Pipeline { .. } => "pipelines",
            BindingKind::SecretsStoreSecret { .. } => "secrets_store_secrets",
            BindingKind::RateLimit { .. } => "ratelimits",
            BindingKind::Unsafe { .. } => "unsafe.bindings",
            BindingKind::Assets => "assets",
            BindingKind::Unsupported { key } => key,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    pub name: S<String>,
    /// The whole declaration.
    pub span: Span,
    pub kind: BindingKind,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    pub pattern: S<String>,
    pub zone_id: Option<String>,
    pub zone_name: Option<String>,
    pub custom_domain: bool,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Consumer {
    pub queue: S<String>,
    pub span: Span,
    pub http_pull: bool,
    pub max_batch_size: Option<f64>,
    /// Seconds.
    pub max_batch_timeout: Option<f64>,
    pub max_retries: Option<f64>,
    pub dead_letter_queue: Option<String>,
    pub max_concurrency: Option<f64>,
    /// Seconds.
    pub retry_delay: Option<f64>,
    pub visibility_timeout_ms: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TailConsumer {
    pub service: S<String>,
    pub environment: Option<S<String>>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Assets {
    pub directory: Option<S<String>>,
    pub binding: Option<S<String>>,
    pub html_handling: Option<String>,
    pub not_found_handling: Option<String>,
    pub run_worker_first: Option<Node>,
    pub span: Span,
}

/// One worker: a config file's top level or one environment, fully resolved.
#[derive(Debug, Clone, Default)]
pub struct Worker {
    pub file: u32,
    pub env: Option<String>,
    pub name: Option<S<String>>,
    pub span: Span,
    pub main: Option<S<String>>,
    /// A Pages project's build output folder (`pages_build_output_dir`).
    pub pages_build_output_dir: Option<S<String>>,
    pub account_id: Option<S<String>>,
    pub compatibility_date: Option<S<String>>,
    pub compatibility_flags: Vec<S<String>>,
    pub workers_dev: Option<S<bool>>,
    pub preview_urls: Option<S<bool>>,
    pub routes: Vec<Route>,
    pub crons: Option<S<Vec<String>>>,
    pub bindings: Vec<Binding>,
    pub consumers: Vec<Consumer>,
    pub tail_consumers: Vec<TailConsumer>,
    /// (Boxed, like the other rare settings below: a worker's slot stays small.)
    pub assets: Option<Box<Assets>>,
    /// Durable Object classes created with SQLite storage (`new_sqlite_classes`).
    pub sqlite_classes: BTreeSet<String>,
    pub observability: Option<Box<S<Node>>>,
    pub placement: Option<Box<S<Node>>>,
    pub limits: Option<Box<S<Node>>>,
    pub logpush: Option<S<bool>>,
    pub upload_source_maps: Option<S<bool>>,
    pub minify: Option<S<bool>>,
    pub keep_names: Option<S<bool>>,
    pub no_bundle: Option<S<bool>>,
    pub define: Option<Box<S<Node>>>,
    pub alias: Option<Box<S<Node>>>,
    pub rules: Option<Box<S<Node>>>,
    /// Known keys without a typed field above (`build`, `dev`, `migrations`, `site`, …).
    pub extra: Vec<Entry>,
}

fn s(node: &Node) -> Option<S<String>> {
    node.as_str().map(|v| S {
        v: v.to_string(),
        span: node.span,
    })
}

fn field(node: &Node, key: &str) -> Option<S<String>> {
    node.get(key).and_then(s)
}

fn num(node: &Node, key: &str) -> Option<f64> {
    node.get(key).and_then(Node::as_f64)
}

fn strings(node: Option<&Node>) -> Vec<String> {
    node.and_then(Node::as_array)
        .unwrap_or_default()
        .iter()
        .filter_map(|n| n.as_str().map(str::to_string))
        .collect()
}

/// The strings of an array, with their spans.
fn strings_with_spans(node: Option<&Node>) -> Vec<S<String>> {
    node.and_then(Node::as_array)
        .unwrap_or_default()
        .iter()
        .filter_map(s)
        .collect()
}

fn items(entry: &Entry) -> &[Node] {
    entry.value.as_array().unwrap_or_default()
}

/// Builds the typed worker from its resolved entries. `dev_vars` are the secret names found in
/// `.dev.vars` next to the config (values are never read).
pub fn build(
    file: u32,
    eff: &Effective<'_>,
    dev_vars: &[String],
    diags: &mut Vec<Diagnostic>,
) -> Worker {
    let mut w = Worker {
        file,
        env: eff.env.clone(),
        name: eff.name.as_ref().map(|(n, span)| S {
            v: n.clone(),
            span: *span,
        }),
        span: eff.span,
        ..Worker::default()
    };
    let mut required_secrets: Option<Vec<S<String>>> = None;
    for e in &eff.entries {
        if e.key == "secrets" {
            required_secrets = Some(strings_with_spans(e.value.get("required")));
        } else if !read_setting(&mut w, e) {
            read_section(&mut w, e);
        }
    }
    add_secrets(&mut w, required_secrets, dev_vars);
    check_unique_bindings(&w, diags);
    // (Pushed one by one, the lists have up to twice the room they need; thousands of workers
    // are held until they are planned.)
    w.bindings.shrink_to_fit();
    w.routes.shrink_to_fit();
    w.extra.shrink_to_fit();
    w
}

/// A worker-level setting (one value); `false` when `e` is not one.
fn read_setting(w: &mut Worker, e: &Entry) -> bool {
    let v = &e.value;
    let bool_of = || v.as_bool().map(|b| S { v: b, span: v.span });
    let node_of = || {
        Some(Box::new(S {
            v: v.clone(),
            span: v.span,
        }))
    };
    match e.key.as_str() {
        "main" => w.main = s(v),
        "pages_build_output_dir" => w.pages_build_output_dir = s(v),
        "account_id" => w.account_id = s(v).filter(|a| !a.v.is_empty()),
        "compatibility_date" => w.compatibility_date = s(v),
        "compatibility_flags" => w.compatibility_flags = strings_with_spans(Some(v)),
        "workers_dev" => w.workers_dev = bool_of(),
        "preview_urls" => w.preview_urls = bool_of(),
        "logpush" => w.logpush = bool_of(),
        "upload_source_maps" => w.upload_source_maps = bool_of(),
        "minify" => w.minify = bool_of(),
        "keep_names" => w.keep_names = bool_of(),
        "no_bundle" => w.no_bundle = bool_of(),
        "observability" => w.observability = node_of(),
        "placement" => w.placement = node_of(),
        "limits" => w.limits = node_of(),
        "define" => w.define = node_of(),
        "alias" => w.alias = node_of(),
        "rules" => w.rules = node_of(),
        _ => return false,
    }
    true
}

/// Reads one binding of a list section; `None` when a field it needs is missing.
type ReadBinding = fn(&Node) -> Option<BindingKind>;

/// The sections that are lists of bindings: key, the field that names each binding, and how to
/// read one.
const BINDING_LISTS: &[(&str, &str, ReadBinding)] = &[
    ("kv_namespaces", "binding", kv),
    ("r2_buckets", "binding", r2),
    ("d1_databases", "binding", d1),
    ("workflows", "binding", workflow),
    ("services", "binding", service),
    ("analytics_engine_datasets", "binding", analytics_engine),
    ("worker_loaders", "binding", |_| {
        Some(BindingKind::WorkerLoader)
    }),
    ("vectorize", "binding", vectorize),
    ("hyperdrive", "binding", hyperdrive),
    ("mtls_certificates", "binding", mtls_certificate),
    ("send_email", "name", send_email),
    ("dispatch_namespaces", "binding", dispatch_namespace),
    ("pipelines", "binding", pipeline),
    ("secrets_store_secrets", "binding", secrets_store_secret),
    ("ratelimits", "name", rate_limit),
];

/// List sections of bindings Alchemy 0.94 has no equivalent for.
const UNSUPPORTED_LISTS: &[&str] = &[
    "vpc_services",
    "vpc_networks",
    "ai_search",
    "ai_search_namespaces",
    "agent_memory",
    "artifacts",
    "flagship",
    "k2",
    "unsafe_hello_world",
];

/// Sections that are one binding: key and what it binds (`None`: no equivalent).
const SINGLE_BINDINGS: &[(&str, Option<BindingKind>)] = &[
    ("ai", Some(BindingKind::Ai)),
    ("browser", Some(BindingKind::Browser)),
    ("images", Some(BindingKind::Images)),
    ("version_metadata", Some(BindingKind::VersionMetadata)),
    ("media", None),
    ("stream", None),
    ("analytics", None),
];

/// A section: bindings, routes, triggers, consumers, assets, or a key kept untyped in `extra`.
fn read_section(w: &mut Worker, e: &Entry) {
    let key = e.key.as_str();
    if let Some((_, name_field, read)) = BINDING_LISTS.iter().find(|(k, _, _)| *k == key) {
        for b in items(e) {
            if let Some(kind) = read(b) {
                bind(w, field(b, name_field), b.span, kind);
            }
        }
        return;
    }
    if UNSUPPORTED_LISTS.contains(&key) {
        for b in items(e) {
            let kind = BindingKind::Unsupported {
                key: e.key.as_str().to_owned(),
            };
            bind(w, field(b, "binding"), b.span, kind);
        }
        return;
    }
    if let Some((_, kind)) = SINGLE_BINDINGS.iter().find(|(k, _)| *k == key) {
        let kind = kind.clone().unwrap_or_else(|| BindingKind::Unsupported {
            key: e.key.as_str().to_owned(),
        });
        bind(w, field(&e.value, "binding"), e.value.span, kind);
        return;
    }
    match key {
        "name" | "$schema" => {}
        "route" => w.routes.extend(route(&e.value)),
        "routes" => w.routes.extend(items(e).iter().filter_map(route)),
        "triggers" => triggers(w, &e.value),
        "vars" => {
            for var in e.value.entries() {
                let name = S {
                    v: var.key.as_str().to_owned(),
                    span: var.key_span,
                };
                bind(
                    w,
                    Some(name),
                    var.key_span,
                    BindingKind::Var(var.value.clone()),
                );
            }
        }
        "durable_objects" => durable_objects(w, &e.value),
        "queues" => queues(w, &e.value),
        "unsafe" => unsafe_bindings(w, &e.value),
        "tail_consumers" => {
            for t in items(e) {
                if let Some(service) = field(t, "service") {
                    w.tail_consumers.push(TailConsumer {
                        service,
                        environment: field(t, "environment"),
                        span: t.span,
                    });
                }
            }
        }
        "assets" => assets(w, &e.value),
        "migrations" => {
            for m in items(e) {
                w.sqlite_classes
                    .extend(strings(m.get("new_sqlite_classes")));
            }
            w.extra.push(e.clone());
        }
        _ => w.extra.push(e.clone()),
    }
}

/// Adds a binding, when it has a name.
fn bind(w: &mut Worker, name: Option<S<String>>, span: Span, kind: BindingKind) {
    if let Some(name) = name {
        w.bindings.push(Binding { name, span, kind });
    }
}

/// Keeps `key` of `node` in `extra` as `<prefix>.<key>` (a key no typed field holds).
fn keep(w: &mut Worker, node: &Node, prefix: &str, key: &str) {
    if let Some(x) = node.entry(key) {
        w.extra.push(Entry {
            key: compact_str::format_compact!("{prefix}.{key}"),
            key_span: x.key_span,
            value: x.value.clone(),
        });
    }
}

fn kv(b: &Node) -> Option<BindingKind> {
    Some(BindingKind::Kv { id: field(b, "id") })
}

fn r2(b: &Node) -> Option<BindingKind> {
    Some(BindingKind::R2 {
        bucket_name: field(b, "bucket_name"),
        jurisdiction: field(b, "jurisdiction"),
    })
}

fn d1(b: &Node) -> Option<BindingKind> {
    Some(BindingKind::D1 {
        database_name: field(b, "database_name"),
        database_id: field(b, "database_id"),
        migrations_dir: field(b, "migrations_dir"),
        migrations_table: field(b, "migrations_table"),
    })
}

fn workflow(b: &Node) -> Option<BindingKind> {
    Some(BindingKind::Workflow {
        name: field(b, "name")?,
        class_name: field(b, "class_name")?,
        script_name: field(b, "script_name"),
        steps: b.get("limits").and_then(|l| num(l, "steps")),
    })
}

fn service(b: &Node) -> Option<BindingKind> {
    Some(BindingKind::Service {
        service: field(b, "service")?,
        entrypoint: field(b, "entrypoint"),
        environment: field(b, "environment"),
        props: b.get("props").cloned(),
    })
}

fn analytics_engine(b: &Node) -> Option<BindingKind> {
    Some(BindingKind::AnalyticsEngine {
        dataset: field(b, "dataset"),
    })
}

fn vectorize(b: &Node) -> Option<BindingKind> {
    Some(BindingKind::Vectorize {
        index_name: field(b, "index_name")?,
    })
}

fn hyperdrive(b: &Node) -> Option<BindingKind> {
    Some(BindingKind::Hyperdrive {
        id: field(b, "id")?,
        local_connection_string: field(b, "localConnectionString"),
    })
}

fn mtls_certificate(b: &Node) -> Option<BindingKind> {
    Some(BindingKind::MtlsCertificate {
        certificate_id: field(b, "certificate_id")?,
    })
}

fn send_email(b: &Node) -> Option<BindingKind> {
    Some(BindingKind::SendEmail {
        destination_address: field(b, "destination_address"),
        allowed_destination_addresses: strings(b.get("allowed_destination_addresses")),
        allowed_sender_addresses: strings(b.get("allowed_sender_addresses")),
    })
}

fn dispatch_namespace(b: &Node) -> Option<BindingKind> {
    Some(BindingKind::DispatchNamespace {
        namespace: field(b, "namespace")?,
        outbound: b.get("outbound").map(|o| S {
            v: o.clone(),
            span: o.span,
        }),
    })
}

fn pipeline(b: &Node) -> Option<BindingKind> {
    let stream = field(b, "stream").or_else(|| field(b, "pipeline"))?;
    Some(BindingKind::Pipeline { stream })
}

fn secrets_store_secret(b: &Node) -> Option<BindingKind> {
    Some(BindingKind::SecretsStoreSecret {
        store_id: field(b, "store_id")?,
        secret_name: field(b, "secret_name")?,
    })
}

fn rate_limit(b: &Node) -> Option<BindingKind> {
    let (limit, period) = simple_limit(b)?;
    Some(BindingKind::RateLimit {
        namespace_id: field(b, "namespace_id")?,
        limit,
        period,
    })
}

/// A rate limit's `simple = { limit, period }`.
fn simple_limit(b: &Node) -> Option<(f64, f64)> {
    let simple = b.get("simple")?;
    Some((num(simple, "limit")?, num(simple, "period")?))
}

fn triggers(w: &mut Worker, v: &Node) {
    if let Some(c) = v.get("crons") {
        w.crons = Some(S {
            v: strings(Some(c)),
            span: c.span,
        });
    }
    keep(w, v, "triggers", "events");
}

fn durable_objects(w: &mut Worker, v: &Node) {
    for b in v
        .get("bindings")
        .and_then(Node::as_array)
        .unwrap_or_default()
    {
        if let Some(class_name) = field(b, "class_name") {
            let kind = BindingKind::DurableObject {
                class_name,
                script_name: field(b, "script_name"),
                environment: field(b, "environment"),
            };
            bind(w, field(b, "name"), b.span, kind);
        }
    }
    keep(w, v, "durable_objects", "code_update_strategy");
}

/// Producers are bindings; consumers are the worker's event sources.
fn queues(w: &mut Worker, v: &Node) {
    for b in v
        .get("producers")
        .and_then(Node::as_array)
        .unwrap_or_default()
    {
        if let Some(queue) = field(b, "queue") {
            let delivery_delay = b
                .get("delivery_delay")
                .and_then(|d| d.as_f64().map(|x| S { v: x, span: d.span }));
            let kind = BindingKind::QueueProducer {
                queue,
                delivery_delay,
            };
            bind(w, field(b, "binding"), b.span, kind);
        }
    }
    for c in v
        .get("consumers")
        .and_then(Node::as_array)
        .unwrap_or_default()
    {
        if let Some(queue) = field(c, "queue") {
            w.consumers.push(Consumer {
                queue,
                span: c.span,
                http_pull: c.get("type").and_then(Node::as_str) == Some("http_pull"),
                max_batch_size: num(c, "max_batch_size"),
                max_batch_timeout: num(c, "max_batch_timeout"),
                max_retries: num(c, "max_retries"),
                dead_letter_queue: field(c, "dead_letter_queue").map(|d| d.v),
                max_concurrency: num(c, "max_concurrency"),
                retry_delay: num(c, "retry_delay"),
                visibility_timeout_ms: num(c, "visibility_timeout_ms"),
            });
        }
    }
}

/// `unsafe.bindings`: a `ratelimit` with its settings is a rate limit (the form before
/// `ratelimits`), anything else stays unsafe.
fn unsafe_bindings(w: &mut Worker, v: &Node) {
    for b in v
        .get("bindings")
        .and_then(Node::as_array)
        .unwrap_or_default()
    {
        let ty = b
            .get("type")
            .and_then(Node::as_str)
            .unwrap_or_default()
            .to_string();
        let rate_limit = match (ty.as_str(), b.get("namespace_id"), simple_limit(b)) {
            ("ratelimit", Some(ns), Some((limit, period))) => {
                let ns_text = ns
                    .as_str()
                    .map(str::to_string)
                    .or_else(|| ns.as_f64().map(|f| format!("{f}")))
                    .unwrap_or_default();
                Some(BindingKind::RateLimit {
                    namespace_id: S {
                        v: ns_text,
                        span: ns.span,
                    },
                    limit,
                    period,
                })
            }
            _ => None,
        };
        let kind = rate_limit.unwrap_or_else(|| BindingKind::Unsafe {
            ty,
            node: b.clone(),
        });
        bind(w, field(b, "name"), b.span, kind);
    }
    for k in ["metadata", "capnp"] {
        keep(w, v, "unsafe", k);
    }
}

fn assets(w: &mut Worker, v: &Node) {
    let a = Assets {
        directory: field(v, "directory"),
        binding: field(v, "binding"),
        html_handling: field(v, "html_handling").map(|x| x.v),
        not_found_handling: field(v, "not_found_handling").map(|x| x.v),
        run_worker_first: v.get("run_worker_first").cloned(),
        span: v.span,
    };
    if let Some(b) = &a.binding {
        bind(w, Some(b.clone()), v.span, BindingKind::Assets);
    }
    for k in ["base_path", "experimental_serve_directly"] {
        keep(w, v, "assets", k);
    }
    w.assets = Some(Box::new(a));
}

/// Secrets: `secrets.required` when present (wrangler then loads only those), else the names in
/// `.dev.vars` that are not plain vars.
fn add_secrets(w: &mut Worker, required: Option<Vec<S<String>>>, dev_vars: &[String]) {
    if required.is_none() && dev_vars.is_empty() {
        return;
    }
    let var_names: BTreeSet<&str> = w
        .bindings
        .iter()
        .filter(|b| matches!(b.kind, BindingKind::Var(_)))
        .map(|b| b.name.v.as_str())
        .collect();
    let secret_span = w.name.as_ref().map(|n| n.span).unwrap_or(Span {
        end: w.span.start,
        ..w.span
    });
    let names: Vec<S<String>> = match required {
        Some(names) => names,
        None => dev_vars
            .iter()
            .filter(|n| !var_names.contains(n.as_str()))
            .map(|n| S {
                v: n.clone(),
                // (`.dev.vars` beside the config: pointed at by the worker's name, not its whole
                // config.)
                span: secret_span,
            })
            .collect(),
    };
    w.bindings.extend(names.into_iter().map(|n| Binding {
        span: n.span,
        name: n,
        kind: BindingKind::Secret,
    }));
}

fn route(node: &Node) -> Option<Route> {
    match node.as_str() {
        Some("") => None,
        Some(p) => Some(Route {
            pattern: S {
                v: p.to_string(),
                span: node.span,
            },
            zone_id: None,
            zone_name: None,
            custom_domain: false,
            span: node.span,
        }),
        None => Some(Route {
            pattern: field(node, "pattern")?,
            zone_id: field(node, "zone_id").map(|x| x.v),
            zone_name: field(node, "zone_name").map(|x| x.v),
            custom_domain: node
                .get("custom_domain")
                .and_then(Node::as_bool)
                .unwrap_or(false),
            span: node.span,
        }),
    }
}

/// All binding names within one worker must be unique across kinds (wrangler refuses otherwise).
fn check_unique_bindings(w: &Worker, diags: &mut Vec<Diagnostic>) {
    // (A worker's few bindings are searched directly; a table only for many.)
    const SEARCHED: usize = 16;
    let mut seen: Option<crate::HashMap<&str, &Binding>> = (w.bindings.len() > SEARCHED)
        .then(|| crate::HashMap::with_capacity_and_hasher(w.bindings.len(), Default::default()));
    for (k, b) in w.bindings.iter().enumerate() {
        let first = match &mut seen {
            Some(seen) => {
                let first = seen.get(b.name.v.as_str()).copied();
                seen.entry(&b.name.v).or_insert(b);
                first
            }
            None => w.bindings[..k].iter().find(|e| e.name.v == b.name.v),
        };
        if let Some(first) = first {
            let kinds = format!("{} and {}", first.kind.section(), b.kind.section());
            diags.push(codes::duplicate_binding(
                b.name.span,
                first.name.span,
                &b.name.v,
                &kinds,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::resolve::resolve;
    use crate::syntax::{Format, parse};
    use std::fmt::Write;

    /// The worker of a TOML config's top level, with `.dev.vars` names.
    fn worker(toml: &str, dev_vars: &[&str]) -> (Worker, Vec<Diagnostic>) {
        let (root, parse_diags) = parse(toml, Format::Toml, 0);
        assert!(parse_diags.is_empty(), "{parse_diags:?}");
        let root = root.unwrap();
        let mut diags = Vec::new();
        let eff = resolve(&root, None, &mut diags);
        let dev_vars: Vec<String> = dev_vars.iter().map(|s| s.to_string()).collect();
        let w = build(0, &eff, &dev_vars, &mut diags);
        (w, diags)
    }

    /// A binding name used twice is reported at its second use, pointing at the first, whether
    /// the worker's bindings are few (searched) or many (a table).
    #[test]
    fn a_binding_name_used_twice_points_at_its_first_use() {
        for extra in [0, 20] {
            let mut toml = String::from("name = \"w\"\n[vars]\nA = \"1\"\n");
            for k in 0..extra {
                let _ = writeln!(toml, "V{k} = \"x\"");
            }
            toml.push_str("[[kv_namespaces]]\nbinding = \"A\"\nid = \"abc\"\n");
            toml.push_str("[[d1_databases]]\nbinding = \"A\"\ndatabase_id = \"d\"\n");
            let (w, diags) = worker(&toml, &[]);
            let dups: Vec<&Diagnostic> = diags
                .iter()
                .filter(|d| d.code == crate::diagnostics::Code::DuplicateBinding)
                .collect();
            assert_eq!(dups.len(), 2, "{extra}: {diags:?}");
            let first = w.bindings[0].name.span;
            assert!(dups.iter().all(|d| d.secondary[0].span == first), "{extra}");
            assert_eq!(w.bindings.len(), 3 + extra);
        }
    }

    /// What the model read: bindings (name and section), consumers, tail consumers, routes,
    /// untyped keys and diagnostics, one per line.
    fn summary(w: &Worker, diags: &[Diagnostic]) -> String {
        let mut out = String::new();
        for b in &w.bindings {
            let _ = writeln!(out, "{}: {}", b.name.v, b.kind.section());
        }
        for c in &w.consumers {
            let _ = writeln!(out, "consumes {} (pull: {})", c.queue.v, c.http_pull);
        }
        for t in &w.tail_consumers {
            let _ = writeln!(out, "tail {}", t.service.v);
        }
        for r in &w.routes {
            let _ = writeln!(
                out,
                "route {} (custom domain: {})",
                r.pattern.v, r.custom_domain
            );
        }
        for e in &w.extra {
            let _ = writeln!(out, "extra {}", e.key);
        }
        for d in diags {
            let _ = writeln!(out, "{} {}", d.code, d.message);
        }
        out
    }

    fn check(toml: &str, dev_vars: &[&str], expect: &str) {
        let (w, diags) = worker(toml, dev_vars);
        let got = summary(&w, &diags);
        let want: String = expect
            .trim()
            .lines()
            .map(|l| format!("{}\n", l.trim()))
            .collect();
        assert_eq!(got, want, "got:\n{got}");
    }

    #[test]
    fn every_binding_section_is_read_in_order() {
        check(
            r#"
name = "w"
vars = { A = "1" }
kv_namespaces = [{ binding = "KV", id = "x" }, { id = "no-binding" }]
r2_buckets = [{ binding = "R2", bucket_name = "b" }]
d1_databases = [{ binding = "DB", database_id = "d" }]
durable_objects = { bindings = [{ name = "DO", class_name = "C" }, { name = "NO_CLASS" }], code_update_strategy = "x" }
workflows = [{ binding = "WF", name = "f", class_name = "F" }]
queues = { producers = [{ binding = "Q", queue = "q" }], consumers = [{ queue = "q" }, { queue = "p", type = "http_pull" }] }
services = [{ binding = "S", service = "s" }]
analytics_engine_datasets = [{ binding = "AE" }]
ai = { binding = "AI" }
browser = { binding = "BR" }
images = { binding = "IMG" }
version_metadata = { binding = "VM" }
media = { binding = "MEDIA" }
worker_loaders = [{ binding = "WL" }]
vectorize = [{ binding = "VEC", index_name = "i" }]
hyperdrive = [{ binding = "HD", id = "h" }]
mtls_certificates = [{ binding = "CERT", certificate_id = "c" }]
send_email = [{ name = "MAIL" }]
dispatch_namespaces = [{ binding = "DN", namespace = "n" }]
pipelines = [{ binding = "P1", stream = "s" }, { binding = "P2", pipeline = "old" }]
secrets_store_secrets = [{ binding = "SS", store_id = "s", secret_name = "n" }]
ratelimits = [{ name = "RL", namespace_id = "1", simple = { limit = 1, period = 10 } }]
unsafe = { bindings = [{ name = "URL", type = "ratelimit", namespace_id = 2, simple = { limit = 1, period = 60 } }, { name = "U", type = "magic" }], metadata = {} }
vpc_services = [{ binding = "VPC" }]
tail_consumers = [{ service = "t" }]
assets = { directory = "public", binding = "ASSETS", base_path = "/x" }
"#,
            &[],
            r#"
            A: vars
            KV: kv_namespaces
            R2: r2_buckets
            DB: d1_databases
            DO: durable_objects
            WF: workflows
            Q: queues.producers
            S: services
            AE: analytics_engine_datasets
            AI: ai
            BR: browser
            IMG: images
            VM: version_metadata
            MEDIA: media
            WL: worker_loaders
            VEC: vectorize
            HD: hyperdrive
            CERT: mtls_certificates
            MAIL: send_email
            DN: dispatch_namespaces
            P1: pipelines
            P2: pipelines
            SS: secrets_store_secrets
            RL: ratelimits
            URL: ratelimits
            U: unsafe.bindings
            VPC: vpc_services
            ASSETS: assets
            consumes q (pull: false)
            consumes p (pull: true)
            tail t
            extra durable_objects.code_update_strategy
            extra unsafe.metadata
            extra assets.base_path
        "#,
        );
    }

    #[test]
    fn secrets_come_from_secrets_required_or_dev_vars() {
        let cases: &[(&str, &[&str], &str)] = &[
            ("name = \"w\"", &["TOKEN", "KEY"], "TOKEN KEY"),
            (
                "name = \"w\"\nvars = { KEY = \"plain\" }",
                &["TOKEN", "KEY"],
                "KEY TOKEN",
            ),
            (
                "name = \"w\"\nsecrets = { required = [\"ONLY\"] }",
                &["TOKEN"],
                "ONLY",
            ),
            ("name = \"w\"\nsecrets = { required = [] }", &["TOKEN"], ""),
        ];
        for (toml, dev_vars, want) in cases {
            let (w, _) = worker(toml, dev_vars);
            let names: Vec<&str> = w.bindings.iter().map(|b| b.name.v.as_str()).collect();
            assert_eq!(names.join(" "), *want, "{toml:?} with {dev_vars:?}");
        }
    }

    #[test]
    fn routes_and_custom_domains() {
        check(
            r#"
name = "w"
route = "a.example.com/*"
routes = ["", "b.example.com/*", { pattern = "c.example.com", custom_domain = true }, { zone_id = "no-pattern" }]
triggers = { crons = ["* * * * *"], events = [] }
"#,
            &[],
            r#"
            route a.example.com/* (custom domain: false)
            route b.example.com/* (custom domain: false)
            route c.example.com (custom domain: true)
            extra triggers.events
        "#,
        );
    }

    #[test]
    fn a_binding_name_used_twice_is_reported() {
        check(
            r#"
name = "w"
vars = { CACHE = "1" }
kv_namespaces = [{ binding = "CACHE", id = "x" }]
r2_buckets = [{ binding = "CACHE", bucket_name = "b" }]
"#,
            &["CACHE"],
            r#"
            CACHE: vars
            CACHE: kv_namespaces
            CACHE: r2_buckets
            AM0209 binding name `CACHE` is used by more than one binding (vars and kv_namespaces)
            AM0209 binding name `CACHE` is used by more than one binding (vars and r2_buckets)
        "#,
        );
    }

    #[test]
    fn unsafe_rate_limits_are_rate_limits() {
        let (w, _) = worker(
            "name = \"w\"\nunsafe = { bindings = [{ name = \"A\", type = \"ratelimit\", namespace_id = 7, simple = { limit = 1, period = 60 } }, { name = \"B\", type = \"ratelimit\" }] }",
            &[],
        );
        let kinds: Vec<String> = w
            .bindings
            .iter()
            .map(|b| match &b.kind {
                BindingKind::RateLimit {
                    namespace_id,
                    limit,
                    period,
                } => format!("rate limit {} {limit}/{period}", namespace_id.v),
                BindingKind::Unsafe { ty, .. } => format!("unsafe {ty}"),
                other => other.section().to_string(),
            })
            .collect();
        assert_eq!(kinds, ["rate limit 7 1/60", "unsafe ratelimit"]);
    }
}
