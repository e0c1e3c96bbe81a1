//! Plan: what will be emitted, independent of any Alchemy version. Workers in creation order,
//! shared resources declared once, every binding resolved to a resource, another worker, a
//! placeholder (cycles), an external script name or a TODO. Names for the generated program
//! (identifiers, resource ids) are chosen here, uniquely and deterministically.

use crate::config::model::{BindingKind, Worker};
use crate::diagnostics::{Diagnostic, Span, codes};
use crate::graph::{EdgeKind, Graph, Target};
use crate::syntax::Node;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

pub mod names;
mod paths;
mod resources;
mod settings;
mod typing;

pub use names::Shared;
use names::{camel, suffixed, worker_ident};
pub use paths::{normalize, relative};
pub use resources::unify_resources;
use settings::{entry_of, plan_assets, plan_pages, plan_settings};
pub use typing::Typing;
use typing::{is_class, is_entrypoint};

/// An existing (or new) resource that one or more workers bind.
#[derive(Debug, Clone, PartialEq)]
pub enum ResourceKind {
    /// A KV namespace bound by its id (never adopted or created).
    KvById {
        id: String,
    },
    /// A KV namespace without an id: a new one is created.
    KvNew {
        title: String,
    },
    R2 {
        name: String,
        jurisdiction: Option<String>,
    },
    D1 {
        name: String,
        migrations_dir: Option<String>,
        migrations_table: Option<String>,
    },
    Queue {
        name: String,
        delivery_delay: Option<f64>,
    },
    DispatchNamespace {
        namespace: String,
    },
    Vectorize {
        index_name: String,
    },
    Hyperdrive {
        id: String,
        binding: String,
        local_secret: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    /// The identifier in the program.
    pub ident: String,
    /// The resource id (first argument), unique in the program.
    pub id: String,
    pub kind: ResourceKind,
    /// Comment lines to write above the declaration.
    pub notes: Vec<String>,
    /// The bindings (`<worker label>/<binding>`) that use it.
    pub slots: Vec<String>,
}

/// What a binding is bound to.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(String),
    Json(serde_json::Value),
    /// A secret read from the environment variable of that name.
    Secret(String),
    Resource(usize),
    /// Another worker of the program, created earlier.
    Worker(usize),
    /// A placeholder for a worker created later (a broken cycle edge), by placeholder index.
    Placeholder(usize),
    /// A worker outside the program, by script name.
    External(String),
    SelfRef,
    /// A named entrypoint of a service value, with its RPC type when known.
    Entrypoint(Box<Value>, String, Option<String>),
    DurableObject {
        id: String,
        class_name: String,
        sqlite: bool,
        script: Option<ScriptRef>,
        ty: Option<String>,
    },
    Workflow {
        id: String,
        workflow_name: String,
        class_name: String,
        script: Option<ScriptRef>,
        steps: Option<f64>,
    },
    AnalyticsEngine {
        id: String,
        dataset: String,
    },
    Ai,
    Browser,
    Images,
    VersionMetadata,
    WorkerLoader,
    RateLimit {
        namespace_id: f64,
        limit: f64,
        period: f64,
    },
    EmailSender {
        destination_address: Option<String>,
        allowed_destination_addresses: Vec<String>,
        allowed_sender_addresses: Vec<String>,
    },
    SecretsStore {
        secret_name: String,
        store_id: String,
    },
    Pipeline {
        stream: String,
    },
    Assets {
        path: String,
    },
}

/// The script a Durable Object or workflow lives in.
#[derive(Debug, Clone, PartialEq)]
pub enum ScriptRef {
    Worker(usize),
    Name(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    pub name: String,
    /// `None`: the binding cannot be expressed; `todo` says why and a comment takes its place.
    pub value: Option<Value>,
    pub todo: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EventSource {
    pub queue: usize,
    /// In the order the config gives them.
    pub settings: Vec<ConsumerSetting>,
}

/// A setting of a queue consumer, in wrangler's units.
#[derive(Debug, Clone, PartialEq)]
pub enum ConsumerSetting {
    MaxBatchSize(f64),
    /// Seconds.
    MaxBatchTimeout(f64),
    MaxRetries(f64),
    DeadLetterQueue(String),
    MaxConcurrency(f64),
    /// Seconds.
    RetryDelay(f64),
}

/// A bundler (esbuild) option, as the config gives it (paths rebased on the output folder).
#[derive(Debug, Clone, PartialEq)]
pub enum BundleOption {
    Minify(bool),
    KeepNames(bool),
    Define(serde_json::Value),
    /// Module aliases; relative targets are rebased like the entry module.
    Alias(serde_json::Value),
    /// The tsconfig path.
    Tsconfig(String),
    JsxFactory(serde_json::Value),
    JsxFragment(serde_json::Value),
}

/// How static assets are served.
#[derive(Debug, Clone, PartialEq)]
pub enum AssetsSetting {
    HtmlHandling(String),
    NotFoundHandling(String),
    RunWorkerFirst(serde_json::Value),
}

#[derive(Debug, Clone, PartialEq)]
pub enum TailTarget {
    Worker(usize),
    Name(String),
}

/// One worker of the program.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanWorker {
    /// Its place in the creation order shared by every stage (stages deploy subsets of it).
    pub position: usize,
    pub ident: String,
    pub id: String,
    /// The script name to keep (wrangler's `name`).
    pub script_name: Option<String>,
    /// The config it comes from (for comments).
    pub source: String,
    /// Entry module relative to the output folder, `./`-prefixed.
    pub entrypoint: String,
    /// The type of its default entrypoint (a type import), when its main module exports one:
    /// bindings to it carry its RPC methods.
    pub rpc: Option<String>,
    pub adopt: bool,
    pub account_id: Option<String>,
    pub compatibility_date: Option<String>,
    pub compatibility_flags: Vec<String>,
    pub url: Option<bool>,
    pub preview_urls: Option<bool>,
    pub bindings: Vec<Binding>,
    pub event_sources: Vec<EventSource>,
    pub crons: Option<Vec<String>>,
    pub routes: Vec<(String, Option<String>)>,
    pub domains: Vec<(String, Option<String>)>,
    pub tail_consumers: Vec<TailTarget>,
    /// As wrangler writes it (snake_case keys).
    pub observability: Option<serde_json::Value>,
    pub placement: Option<serde_json::Value>,
    pub limits: Option<serde_json::Value>,
    pub logpush: Option<bool>,
    pub source_map: Option<bool>,
    pub no_bundle: Option<bool>,
    /// The main module uses the service-worker syntax: uploaded as `cjs`.
    pub service_worker: bool,
    /// A module written in place of an entry file (a Pages project with static assets only).
    pub script: Option<String>,
    /// Migrated from a Pages project: a new Worker, not an adopted one.
    pub pages: bool,
    pub rules: Option<Vec<Vec<String>>>,
    /// Bundler options, in the order the config gives them.
    pub bundle: Vec<BundleOption>,
    pub assets_config: Vec<AssetsSetting>,
    /// As wrangler writes it (snake_case keys).
    pub cache: Option<serde_json::Value>,
    /// Worker-level TODO comments (what could not be translated).
    pub todos: Vec<String>,
}

/// A placeholder for a worker that a cycle needs before it exists.
#[derive(Debug, Clone, PartialEq)]
pub struct Placeholder {
    pub ident: String,
    pub id: String,
    /// The worker it stands for.
    pub worker: usize,
    pub script_name: String,
    /// Index in creation order of the first worker that needs it (it is declared just before).
    pub before: usize,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Program {
    pub app: String,
    pub resources: Vec<Resource>,
    /// In creation order.
    pub workers: Vec<PlanWorker>,
    pub placeholders: Vec<Placeholder>,
    /// Secret names the program reads from the environment.
    pub secrets: BTreeSet<String>,
    pub externals: BTreeSet<String>,
    /// Comment lines for the top of the file.
    pub header: Vec<String>,
    /// `import type` lines: module path (relative to the output) → imports.
    pub type_imports: BTreeMap<String, TypeImport>,
    /// Adopt existing resources (`--no-adopt` turns it off).
    pub adopt: bool,
}

/// Types imported from one worker module.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TypeImport {
    /// Local name of the default export.
    pub default: Option<String>,
    /// `(exported name, local name)`.
    pub named: BTreeSet<(String, String)>,
}

pub struct Options<'a> {
    pub app: String,
    pub out_dir: &'a Path,
    pub adopt: bool,
    pub skip_external: bool,
    /// Script names of every worker the migration deploys in some stage.
    pub migration_names: &'a HashSet<String>,
    /// A stable name per worker (its top-level script name), the same in every stage, from which
    /// identifiers and ids are derived so that every stage's program uses the same ones.
    pub labels: &'a [String],
    /// Identifiers the target's program already uses (its imports and helpers): never given out.
    pub reserved: &'a [&'a str],
}

/// Per worker: the folder of its config (absolute) and the config's display path.
#[derive(Debug, Clone)]
pub struct Origin {
    pub dir: PathBuf,
    pub path: String,
    /// Absolute path of the main module.
    pub main: Option<PathBuf>,
    /// The main module as the config writes it (relative to the config), for messages.
    pub main_written: Option<String>,
    /// For a Pages project: what its folders hold.
    pub pages: Option<PagesLayout>,
}

/// A Pages project's files, as found on disk: its build output folder, the `_worker.js` there
/// (a file, or a folder with `index.js`) and whether a `functions/` folder needs building.
#[derive(Debug, Clone, PartialEq)]
pub struct PagesLayout {
    pub output_dir: PathBuf,
    pub worker: Option<PathBuf>,
    pub functions: bool,
}

/// Builds the program. `workers` are the workers in scope in discovery order; those that
/// cannot be migrated (no `main`) are reported and skipped here.
pub fn build(
    workers: &[Worker],
    origins: &[Origin],
    exports: &[Option<crate::scan::Exports>],
    graph: &Graph,
    opts: &Options<'_>,
    shared: &mut Shared,
    diags: &mut Vec<Diagnostic>,
) -> Program {
    let names = shared;
    names.reserve(opts.reserved);
    let mut typing = Typing::new(origins, exports);
    let mut program = Program {
        app: opts.app.clone(),
        externals: graph.externals.clone(),
        adopt: opts.adopt,
        ..Program::default()
    };
    // Which workers can be emitted at all.
    let emitted: Vec<bool> = workers
        .iter()
        .enumerate()
        .map(|(i, w)| {
            !(graph.duplicates.contains(&i)
                || !graph.is_present(i)
                || (w.main.is_none() && origins[i].pages.is_none()))
        })
        .collect();
    // Identifiers and ids of workers first, in creation order, so they read naturally.
    let mut ident_of: HashMap<usize, String> = HashMap::new();
    let mut id_of: HashMap<usize, String> = HashMap::new();
    for &i in &graph.order {
        if !emitted[i] {
            continue;
        }
        let label = opts.labels[i].clone();
        ident_of.insert(
            i,
            names.ident(&format!("worker:{label}"), || worker_ident(&label)),
        );
        id_of.insert(i, names.id(&format!("worker:{label}"), || label.clone()));
    }
    let position: HashMap<usize, usize> = graph
        .order
        .iter()
        .filter(|&&i| emitted[i])
        .enumerate()
        .map(|(p, &i)| (i, p))
        .collect();
    let mut index_of_name: HashMap<&str, usize> = HashMap::new();
    for (i, n) in graph.names.iter().enumerate() {
        index_of_name.entry(n.as_str()).or_insert(i);
    }
    // Placeholders for broken edges, one per target worker.
    let mut placeholder_of: BTreeMap<usize, usize> = BTreeMap::new();
    for &k in &graph.broken {
        let e = &graph.edges[k];
        let (Target::Worker(t), EdgeKind::Service { .. }) = (&e.to, &e.kind) else {
            continue;
        };
        if !emitted[*t] || !emitted[e.from] {
            continue;
        }
        let before = position[&e.from];
        match placeholder_of.get(t) {
            Some(&p) => {
                let ph: &mut Placeholder = &mut program.placeholders[p];
                ph.before = ph.before.min(before);
            }
            None => {
                let script = graph.names[*t].clone();
                let slot = format!("placeholder:{}", opts.labels[*t]);
                let ident = names.ident(&slot, || format!("{}Ref", ident_of[t]));
                let id = names.id(&slot, || format!("{}-stub", id_of[t]));
                placeholder_of.insert(*t, program.placeholders.len());
                program.placeholders.push(Placeholder {
                    ident,
                    id,
                    worker: *t,
                    script_name: script,
                    before,
                });
            }
        }
    }
    // Edges by (from worker, binding name) for service/DO/workflow resolution.
    let mut edge_of: HashMap<(usize, &str), usize> = HashMap::new();
    for (k, e) in graph.edges.iter().enumerate() {
        if let Some(b) = &e.binding {
            if !matches!(e.kind, EdgeKind::Queue { .. }) {
                edge_of.insert((e.from, b.as_str()), k);
            }
        }
    }
    let mut resources = ResourceTable::default();
    let mut worker_index_in_plan: HashMap<usize, usize> = HashMap::new();
    for (order_position, &i) in graph.order.iter().enumerate() {
        let w = &workers[i];
        if !emitted[i] {
            if w.main.is_none()
                && origins[i].pages.is_none()
                && graph.is_present(i)
                && !graph.duplicates.contains(&i)
            {
                let declared = w.bindings.iter().filter(|b| b.kind.is_resource());
                for b in declared.clone() {
                    plan_binding(
                        i,
                        w,
                        b,
                        graph,
                        &edge_of,
                        &placeholder_of,
                        &mut typing,
                        &emitted,
                        &mut resources,
                        names,
                        &origins[i],
                        opts,
                        &mut program.secrets,
                        diags,
                    );
                }
                diags.push(codes::no_main(
                    w.name.as_ref().map(|n| n.span).unwrap_or(w.span),
                    &display_name(w),
                    declared.count(),
                ));
            }
            continue;
        }
        let origin = &origins[i];
        let (entry, script) = entry_of(w, origin, opts.out_dir);
        let rpc = typing.import(i, "default", is_entrypoint, names, opts.out_dir);
        let mut pw = PlanWorker {
            rpc,
            position: order_position,
            ident: ident_of[&i].clone(),
            id: id_of[&i].clone(),
            script_name: w.name.as_ref().map(|n| n.v.clone()),
            source: origin.path.clone(),
            entrypoint: entry,
            // A Pages project becomes a new Worker: nothing to adopt.
            adopt: (opts.adopt && origin.pages.is_none()) || placeholder_of.contains_key(&i),
            script,
            pages: origin.pages.is_some(),
            account_id: w.account_id.as_ref().map(|a| a.v.clone()),
            compatibility_date: w.compatibility_date.as_ref().map(|d| d.v.clone()),
            compatibility_flags: w.compatibility_flags.iter().map(|f| f.v.clone()).collect(),
            url: None,
            preview_urls: w.preview_urls.as_ref().map(|p| p.v),
            bindings: Vec::new(),
            event_sources: Vec::new(),
            crons: w.crons.as_ref().map(|c| c.v.clone()),
            routes: Vec::new(),
            domains: Vec::new(),
            tail_consumers: Vec::new(),
            observability: None,
            placement: None,
            limits: w.limits.as_ref().map(|l| l.v.to_json()),
            logpush: w.logpush.as_ref().map(|l| l.v),
            source_map: w.upload_source_maps.as_ref().map(|s| s.v),
            no_bundle: w.no_bundle.as_ref().map(|s| s.v),
            service_worker: typing.exports[i]
                .as_ref()
                .is_some_and(crate::scan::Exports::is_service_worker),
            rules: None,
            bundle: Vec::new(),
            assets_config: Vec::new(),
            cache: None,
            todos: Vec::new(),
        };
        // workers.dev: wrangler enables it only when there are no routes (unless set).
        let has_routes = !w.routes.is_empty();
        let workers_dev = w.workers_dev.as_ref().map(|x| x.v).unwrap_or(!has_routes);
        if !workers_dev {
            pw.url = Some(false);
        }
        for r in &w.routes {
            if r.custom_domain {
                pw.domains.push((r.pattern.v.clone(), r.zone_id.clone()));
            } else {
                pw.routes.push((r.pattern.v.clone(), r.zone_id.clone()));
            }
        }
        let mut bound: BTreeSet<&str> = BTreeSet::new();
        for b in &w.bindings {
            // A name bound twice (AM0209, refused by wrangler): the first one is kept.
            if !bound.insert(b.name.v.as_str()) {
                pw.bindings.push(Binding { name: b.name.v.clone(), value: None, todo: Some(format!("TODO(AM0209): a second `{}` binding ({}) is left out: binding names must be unique", b.name.v, b.kind.section())) });
                continue;
            }
            let binding = plan_binding(
                i,
                w,
                b,
                graph,
                &edge_of,
                &placeholder_of,
                &mut typing,
                &emitted,
                &mut resources,
                names,
                origin,
                opts,
                &mut program.secrets,
                diags,
            );
            if let Some(binding) = binding {
                pw.bindings.push(binding);
            }
        }
        if let Some(a) = &w.assets {
            plan_assets(&mut pw, w, a, origin, opts, diags);
        }
        if let Some(layout) = &origin.pages {
            plan_pages(&mut pw, w, layout, opts.out_dir, diags);
        }
        for c in &w.consumers {
            if c.http_pull {
                diags.push(codes::unsupported(c.span, &format!("the http_pull consumer of queue `{}`", c.queue.v), "pull consumers are not workers: keep managing this consumer with wrangler or the dashboard"));
                pw.todos.push(format!("TODO(AM0500): http_pull consumer of queue {:?} is not expressible in Alchemy 0.94", c.queue.v));
                continue;
            }
            let q = resources.queue(
                &c.queue.v,
                None,
                c.queue.span,
                &format!("{}/consumer:{}", opts.labels[i], c.queue.v),
                names,
                diags,
            );
            let settings = consumer_settings(c);
            if c.visibility_timeout_ms.is_some() {
                diags.push(codes::unsupported(c.span, &format!("`visibility_timeout_ms` of the consumer of queue `{}`", c.queue.v), "set the visibility timeout on the consumer with wrangler or the dashboard after deploying"));
                pw.todos.push(format!("TODO(AM0500): visibility_timeout_ms of the consumer of {:?} is not expressible in Alchemy 0.94", c.queue.v));
            }
            pw.event_sources.push(EventSource { queue: q, settings });
        }
        for t in &w.tail_consumers {
            let target = match index_of_name.get(t.service.v.as_str()).copied() {
                Some(j)
                    if j != i
                        && emitted[j]
                        && position.get(&j).is_some_and(|p| *p < position[&i]) =>
                {
                    TailTarget::Worker(j)
                }
                _ => TailTarget::Name(t.service.v.clone()),
            };
            if let Some(env) = &t.environment {
                diags.push(codes::not_translated(
                    env.span,
                    "tail_consumers[].environment",
                    "Alchemy binds tail consumers by script name only",
                ));
            }
            pw.tail_consumers.push(target);
        }
        if pw.service_worker {
            if let Some(m) = &w.main {
                diags.push(codes::service_worker_format(m.span, &m.v));
            }
        }
        plan_settings(&mut pw, w, opts.out_dir, &origin.dir, diags);
        worker_index_in_plan.insert(i, program.workers.len());
        program.workers.push(pw);
    }
    // Rewrite worker references from discovery indices to plan indices.
    for pw in &mut program.workers {
        for b in &mut pw.bindings {
            if let Some(v) = &mut b.value {
                remap(v, &worker_index_in_plan);
            }
        }
        for t in &mut pw.tail_consumers {
            if let TailTarget::Worker(j) = t {
                *j = worker_index_in_plan[j];
            }
        }
    }
    for ph in &mut program.placeholders {
        ph.worker = worker_index_in_plan[&ph.worker];
    }
    program.placeholders.sort_by_key(|p| (p.before, p.worker));
    for (span, r, id) in &resources.unnamed_d1 {
        if matches!(&resources.items[*r].kind, ResourceKind::D1 { name, .. } if name == id) {
            diags.push(codes::action_needed(
                *span,
                "d1_databases[].database_name",
                "is missing; the database id is used as its name",
                "set `database_name` to the database's real name so it is adopted, not created",
            ));
        }
    }
    program.resources = resources.items;
    program.type_imports = typing.imports;
    program
}

/// The consumer's settings, in wrangler's order.
fn consumer_settings(c: &crate::config::model::Consumer) -> Vec<ConsumerSetting> {
    let numbers = [
        (
            c.max_batch_size,
            ConsumerSetting::MaxBatchSize as fn(f64) -> ConsumerSetting,
        ),
        (c.max_batch_timeout, ConsumerSetting::MaxBatchTimeout),
        (c.max_retries, ConsumerSetting::MaxRetries),
    ];
    let mut out: Vec<ConsumerSetting> = numbers
        .into_iter()
        .filter_map(|(x, make)| x.map(make))
        .collect();
    out.extend(
        c.dead_letter_queue
            .clone()
            .map(ConsumerSetting::DeadLetterQueue),
    );
    out.extend(c.max_concurrency.map(ConsumerSetting::MaxConcurrency));
    out.extend(c.retry_delay.map(ConsumerSetting::RetryDelay));
    out
}

fn remap(v: &mut Value, map: &HashMap<usize, usize>) {
    match v {
        Value::Worker(j) => *j = map[j],
        Value::Entrypoint(inner, _, _) => remap(inner, map),
        Value::DurableObject {
            script: Some(ScriptRef::Worker(j)),
            ..
        }
        | Value::Workflow {
            script: Some(ScriptRef::Worker(j)),
            ..
        } => *j = map[j],
        _ => {}
    }
}

pub fn display_name(w: &Worker) -> String {
    w.name
        .as_ref()
        .map(|n| n.v.clone())
        .unwrap_or_else(|| "worker".to_string())
}

/// Shared resources, keyed by what identifies them in Cloudflare.
#[derive(Default)]
struct ResourceTable {
    items: Vec<Resource>,
    by_key: HashMap<String, (usize, Span)>,
    /// D1 bindings that give only an id: `(binding span, resource, id)`.
    unnamed_d1: Vec<(Span, usize, String)>,
}

impl ResourceTable {
    #[allow(clippy::too_many_arguments)]
    fn get_or_add(
        &mut self,
        key: String,
        slot: &str,
        span: Span,
        make: impl FnOnce() -> Resource,
        same: impl FnOnce(&Resource) -> Option<String>,
        what: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> usize {
        let i = self.find_or_add(key, span, make, same, what, diags);
        if !self.items[i].slots.iter().any(|s| s == slot) {
            self.items[i].slots.push(slot.to_string());
        }
        i
    }

    fn find_or_add(
        &mut self,
        key: String,
        span: Span,
        make: impl FnOnce() -> Resource,
        same: impl FnOnce(&Resource) -> Option<String>,
        what: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> usize {
        if let Some(&(i, first)) = self.by_key.get(&key) {
            if let Some(detail) = same(&self.items[i]) {
                diags.push(codes::conflicting_resource(span, first, what, &detail));
                self.items[i].notes.push(format!(
                    "TODO(AM0501): declared elsewhere with {detail}; check which settings are right"
                ));
            }
            return i;
        }
        self.items.push(make());
        self.by_key.insert(key, (self.items.len() - 1, span));
        self.items.len() - 1
    }

    /// Makes `keys` find resource `i` too (a resource known by several names).
    fn alias(&mut self, keys: &[Option<String>], i: usize, span: Span) {
        for k in keys.iter().flatten() {
            self.by_key.entry(k.clone()).or_insert((i, span));
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn queue(
        &mut self,
        name: &str,
        delivery_delay: Option<f64>,
        span: Span,
        slot: &str,
        names: &mut Shared,
        diags: &mut Vec<Diagnostic>,
    ) -> usize {
        let i = self.get_or_add(
            format!("queue:{name}"),
            slot,
            span,
            || Resource {
                ident: names.ident(slot, || camel(name)),
                id: names.id(slot, || name.to_string()),
                kind: ResourceKind::Queue {
                    name: name.to_string(),
                    delivery_delay,
                },
                notes: Vec::new(),
                slots: Vec::new(),
            },
            |r| match (&r.kind, delivery_delay) {
                (
                    ResourceKind::Queue {
                        delivery_delay: Some(a),
                        ..
                    },
                    Some(b),
                ) if *a != b => Some(format!("delivery_delay {b} instead of {a}")),
                _ => None,
            },
            &format!("queue `{name}`"),
            diags,
        );
        if let (
            ResourceKind::Queue {
                delivery_delay: d @ None,
                ..
            },
            Some(x),
        ) = (&mut self.items[i].kind, delivery_delay)
        {
            *d = Some(x);
        }
        i
    }
}

/// The name of a resource that the config asks wrangler to provision (no name, no id): the
/// worker's name and the binding's, as wrangler names what it provisions.
fn provisioned_name(w: &Worker, binding: &str, span: Span) -> crate::config::model::S<String> {
    let binding = binding.to_ascii_lowercase().replace('_', "-");
    let v = match &w.name {
        Some(n) => format!("{}-{binding}", n.v),
        None => binding,
    };
    crate::config::model::S { v, span }
}

/// Two optional settings disagree (one missing is no disagreement: the other fills it in).
fn differs<T: PartialEq>(a: &Option<T>, b: &Option<T>) -> bool {
    matches!((a, b), (Some(x), Some(y)) if x != y)
}

#[allow(clippy::too_many_arguments)]
fn plan_binding(
    i: usize,
    w: &Worker,
    b: &crate::config::model::Binding,
    graph: &Graph,
    edge_of: &HashMap<(usize, &str), usize>,
    placeholder_of: &BTreeMap<usize, usize>,
    typing: &mut Typing<'_>,
    emitted: &[bool],
    resources: &mut ResourceTable,
    names: &mut Shared,
    origin: &Origin,
    opts: &Options<'_>,
    secrets: &mut BTreeSet<String>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Binding> {
    let name = b.name.v.clone();
    let slot = format!("{}/{}", opts.labels[i], name);
    let ok = |v: Value| {
        Some(Binding {
            name: name.clone(),
            value: Some(v),
            todo: None,
        })
    };
    let todo = |text: String| {
        Some(Binding {
            name: name.clone(),
            value: None,
            todo: Some(text),
        })
    };
    let lower = |s: &str| s.to_ascii_lowercase().replace('_', "-");
    match &b.kind {
        BindingKind::Var(node) => match node.as_str() {
            Some(s) => ok(Value::Str(s.to_string())),
            None => ok(Value::Json(node.to_json())),
        },
        BindingKind::Secret => {
            secrets.insert(name.clone());
            diags.push(codes::secret_from_env(b.name.span, &name));
            ok(Value::Secret(name.clone()))
        }
        BindingKind::Kv { id: Some(id) } => {
            let r = resources.get_or_add(
                format!("kv:{}", id.v),
                &slot,
                id.span,
                || Resource {
                    ident: names.ident(&slot, || suffixed(&name, "Kv")),
                    id: names.id(&slot, || lower(&name)),
                    kind: ResourceKind::KvById { id: id.v.clone() },
                    notes: Vec::new(),
                    slots: Vec::new(),
                },
                |_| None,
                "KV namespace",
                diags,
            );
            ok(Value::Resource(r))
        }
        BindingKind::Kv { id: None } => {
            let title = w
                .name
                .as_ref()
                .map(|n| format!("{}-{}", n.v, lower(&name)))
                .unwrap_or_else(|| lower(&name));
            let r = resources.get_or_add(
                format!("kvnew:{title}"),
                &slot,
                b.span,
                || Resource {
                    ident: names.ident(&slot, || suffixed(&name, "Kv")),
                    id: names.id(&slot, || title.clone()),
                    kind: ResourceKind::KvNew {
                        title: title.clone(),
                    },
                    notes: vec!["wrangler gave no id: a new namespace is created".into()],
                    slots: Vec::new(),
                },
                |_| None,
                "KV namespace",
                diags,
            );
            ok(Value::Resource(r))
        }
        BindingKind::R2 {
            bucket_name,
            jurisdiction,
        } => {
            let provisioned;
            let bucket = match bucket_name {
                Some(bucket) => bucket,
                None => {
                    provisioned = provisioned_name(w, &name, b.span);
                    diags.push(codes::provisioned(
                        b.span,
                        "r2_buckets",
                        "bucket_name",
                        "bucket",
                        &provisioned.v,
                    ));
                    &provisioned
                }
            };
            let j = jurisdiction.as_ref().map(|x| x.v.clone());
            let r = resources.get_or_add(
                format!("r2:{}", bucket.v),
                &slot,
                bucket.span,
                || Resource {
                    ident: names.ident(&slot, || camel(&bucket.v)),
                    id: names.id(&slot, || bucket.v.clone()),
                    kind: ResourceKind::R2 {
                        name: bucket.v.clone(),
                        jurisdiction: j.clone(),
                    },
                    notes: Vec::new(),
                    slots: Vec::new(),
                },
                |r| match &r.kind {
                    ResourceKind::R2 { jurisdiction, .. } if *jurisdiction != j => Some(format!(
                        "jurisdiction {:?} instead of {:?}",
                        j, jurisdiction
                    )),
                    _ => None,
                },
                &format!("R2 bucket `{}`", bucket.v),
                diags,
            );
            ok(Value::Resource(r))
        }
        BindingKind::D1 {
            database_name,
            database_id,
            migrations_dir,
            migrations_table,
        } => {
            let provisioned;
            let db = match database_name.as_ref().or(database_id.as_ref()) {
                Some(db) => db,
                None => {
                    provisioned = provisioned_name(w, &name, b.span);
                    diags.push(codes::provisioned(
                        b.span,
                        "d1_databases",
                        "database_name",
                        "database",
                        &provisioned.v,
                    ));
                    &provisioned
                }
            };
            let dir = migrations_dir
                .as_ref()
                .map(|m| relative(opts.out_dir, &origin.dir.join(&m.v)));
            let table = migrations_table.as_ref().map(|t| t.v.clone());
            let dir_for_cmp = dir.clone();
            // One database, whether a config names it or gives its id: look it up by both.
            let name_key = database_name.as_ref().map(|n| format!("d1:{}", n.v));
            let id_key = database_id.as_ref().map(|i| format!("d1id:{}", i.v));
            let key = [&name_key, &id_key]
                .into_iter()
                .flatten()
                .find(|k| resources.by_key.contains_key(*k))
                .cloned()
                .unwrap_or_else(|| format!("d1:{}", db.v));
            let r = resources.get_or_add(
                key,
                &slot,
                db.span,
                || Resource {
                    ident: names.ident(&slot, || camel(&db.v)),
                    id: names.id(&slot, || db.v.clone()),
                    kind: ResourceKind::D1 {
                        name: db.v.clone(),
                        migrations_dir: dir.clone(),
                        migrations_table: table.clone(),
                    },
                    notes: Vec::new(),
                    slots: Vec::new(),
                },
                |r| match &r.kind {
                    ResourceKind::D1 {
                        migrations_dir,
                        migrations_table,
                        ..
                    } if differs(migrations_dir, &dir_for_cmp)
                        || differs(migrations_table, &table) =>
                    {
                        Some("other migrations_dir/migrations_table".to_string())
                    }
                    _ => None,
                },
                &format!("D1 database `{}`", db.v),
                diags,
            );
            resources.alias(&[name_key, id_key], r, db.span);
            if let ResourceKind::D1 {
                name: known,
                migrations_dir: d,
                migrations_table: t,
            } = &mut resources.items[r].kind
            {
                // What one config leaves out, another may say: the real name, the migrations.
                if let (Some(n), Some(id)) = (database_name, database_id)
                    && *known == id.v
                {
                    *known = n.v.clone();
                }
                if d.is_none() {
                    *d = dir;
                }
                if t.is_none() {
                    *t = table;
                }
            }
            if let (None, Some(id)) = (database_name, database_id) {
                // Reported once every config is read: another may name the database.
                resources.unnamed_d1.push((b.span, r, id.v.clone()));
            }
            ok(Value::Resource(r))
        }
        BindingKind::QueueProducer {
            queue,
            delivery_delay,
        } => {
            let r = resources.queue(
                &queue.v,
                delivery_delay.as_ref().map(|d| d.v),
                queue.span,
                &slot,
                names,
                diags,
            );
            ok(Value::Resource(r))
        }
        BindingKind::DispatchNamespace {
            namespace,
            outbound,
        } => {
            diags.push(codes::local_dev_limit(
                b.span,
                &name,
                "DispatchNamespace calls the Cloudflare API even in local dev",
            ));
            let r = resources.get_or_add(
                format!("dispatch:{}", namespace.v),
                &slot,
                namespace.span,
                || Resource {
                    ident: names.ident(&slot, || camel(&namespace.v)),
                    id: names.id(&slot, || namespace.v.clone()),
                    kind: ResourceKind::DispatchNamespace {
                        namespace: namespace.v.clone(),
                    },
                    notes: Vec::new(),
                    slots: Vec::new(),
                },
                |_| None,
                "dispatch namespace",
                diags,
            );
            if let Some(o) = outbound {
                diags.push(codes::unsupported(o.span, &format!("the `outbound` worker of dispatch namespace binding `{name}`"), "configure the outbound worker on the dispatch namespace with wrangler or the API after deploying"));
                let svc = o.v.get("service").and_then(Node::as_str).unwrap_or("?");
                return Some(Binding {
                    name,
                    value: Some(Value::Resource(r)),
                    todo: Some(format!(
                        "TODO(AM0500): dispatch outbound worker {svc:?} is not expressible in Alchemy 0.94"
                    )),
                });
            }
            ok(Value::Resource(r))
        }
        BindingKind::Vectorize { index_name } => {
            diags.push(codes::local_dev_limit(b.span, &name, "Vectorize always runs remotely, so `alchemy dev` needs real Cloudflare credentials and network"));
            let r = resources.get_or_add(
                format!("vectorize:{}", index_name.v),
                &slot,
                index_name.span,
                || Resource {
                    ident: names.ident(&slot, || camel(&index_name.v)),
                    id: names.id(&slot, || index_name.v.clone()),
                    kind: ResourceKind::Vectorize {
                        index_name: index_name.v.clone(),
                    },
                    notes: Vec::new(),
                    slots: Vec::new(),
                },
                |_| None,
                "Vectorize index",
                diags,
            );
            ok(Value::Resource(r))
        }
        BindingKind::Hyperdrive {
            id,
            local_connection_string,
        } => {
            let local_secret = local_connection_string.as_ref().map(|l| {
                let var = format!("{}_LOCAL_CONNECTION_STRING", name.to_ascii_uppercase().replace(|c: char| !c.is_ascii_alphanumeric(), "_"));
                diags.push(codes::action_needed(l.span, "hyperdrive[].localConnectionString", &format!("is a credential; it is read from the environment variable `{var}` instead of being copied"), &format!("set `{var}` for local development (see .env.example)")));
                secrets.insert(var.clone());
                var
            });
            let r = resources.get_or_add(
                format!("hyperdrive:{}", id.v),
                &slot,
                id.span,
                || Resource {
                    ident: names.ident(&slot, || suffixed(&name, "Hyperdrive")),
                    id: names.id(&slot, || lower(&name)),
                    kind: ResourceKind::Hyperdrive {
                        id: id.v.clone(),
                        binding: name.clone(),
                        local_secret: local_secret.clone(),
                    },
                    notes: Vec::new(),
                    slots: Vec::new(),
                },
                |_| None,
                "Hyperdrive config",
                diags,
            );
            ok(Value::Resource(r))
        }
        BindingKind::DurableObject {
            class_name,
            script_name,
            environment,
        } => {
            let id = names.id(&slot, || {
                format!("{}-{}", lower(&opts.labels[i]), lower(&name))
            });
            let script = match script_name {
                None => None,
                Some(s) if Some(&s.v) == w.name.as_ref().map(|n| &n.v) => None,
                Some(s) => Some(script_ref(
                    i, &name, s, graph, edge_of, emitted, diags, b.span,
                )),
            };
            if let Some(env) = environment {
                diags.push(codes::not_translated(env.span, "durable_objects.bindings[].environment", "service environments no longer exist; the Durable Object is bound by script name"));
            }
            let sqlite = match &script {
                None => w.sqlite_classes.contains(&class_name.v),
                Some(_) => false,
            };
            // Type the namespace with the class, read from the host's main module.
            let host = match &script {
                None => Some(i),
                Some(ScriptRef::Worker(t)) => Some(*t),
                Some(_) => None,
            };
            let ty =
                host.and_then(|h| typing.import(h, &class_name.v, is_class, names, opts.out_dir));
            ok(Value::DurableObject {
                id,
                class_name: class_name.v.clone(),
                sqlite,
                script,
                ty,
            })
        }
        BindingKind::Workflow {
            name: wf_name,
            class_name,
            script_name,
            steps,
        } => {
            if steps.is_some() {
                diags.push(codes::not_translated(b.span, "workflows[].limits.steps", "Alchemy 0.94 accepts the limit but never sends it; set it in the dashboard if you rely on it"));
            }
            let id = names.id(&slot, || {
                format!("{}-{}", lower(&opts.labels[i]), lower(&name))
            });
            let script = match script_name {
                None => None,
                Some(s) if Some(&s.v) == w.name.as_ref().map(|n| &n.v) => None,
                Some(s) => Some(script_ref(
                    i, &name, s, graph, edge_of, emitted, diags, b.span,
                )),
            };
            ok(Value::Workflow {
                id,
                workflow_name: wf_name.v.clone(),
                class_name: class_name.v.clone(),
                script,
                steps: *steps,
            })
        }
        BindingKind::Service {
            entrypoint, props, ..
        } => {
            if let Some(p) = props {
                diags.push(codes::unsupported(p.span, &format!("`props` on service binding `{name}`"), "Alchemy 0.94 service bindings carry no props; pass the values another way (e.g. vars on the target)"));
            }
            let Some(&k) = edge_of.get(&(i, name.as_str())) else {
                return None;
            };
            let edge = &graph.edges[k];
            let base = match &edge.to {
                Target::SelfRef => Value::SelfRef,
                Target::Worker(t) if !emitted[*t] => Value::External(graph.names[*t].clone()),
                Target::Worker(t) if graph.is_broken(k) => match placeholder_of.get(t) {
                    Some(&p) => Value::Placeholder(p),
                    None => Value::External(graph.names[*t].clone()),
                },
                Target::Worker(t) => Value::Worker(*t),
                Target::Queue(q) => Value::External(q.clone()),
                // A worker of the migration that this stage does not deploy: bound by its
                // script name, as wrangler does (reported once per worker by the stage analysis).
                Target::External(n) if opts.migration_names.contains(n) => {
                    Value::External(n.clone())
                }
                Target::External(n) => {
                    if opts.skip_external {
                        diags.push(codes::skipped_external(b.span, &name, n));
                        return todo(format!(
                            "left out (--skip-external-services): service binding to the external worker {n:?}"
                        ));
                    }
                    diags.push(codes::external_service(b.span, &name, n));
                    Value::External(n.clone())
                }
            };
            // Check the entrypoint against the target's exports. A default entrypoint is typed
            // by the target itself (its `rpc`); a named one with the class read from the
            // target's main module (not for a worker binding itself: that type is circular).
            let target = match (&edge.to, &base) {
                (Target::Worker(t), Value::Worker(_) | Value::Placeholder(_)) => Some(*t),
                (Target::SelfRef, _) => Some(i),
                _ => None,
            };
            let mut ty = None;
            if let Some(t) = target {
                // Messages name the module as the target's config writes it (`src/index.ts`):
                // the same from the command line and from MIGRATION.md.
                let main = typing.origins[t].main_written.clone().unwrap_or_default();
                match &typing.exports[t] {
                    None if t == i => {} // a self-binding is never typed (its type would be circular)
                    None => diags.push(codes::untyped_service(
                        b.span,
                        &name,
                        &graph.names[t],
                        &format!("its main module `{main}` could not be read"),
                    )),
                    Some(ex) => match entrypoint {
                        Some(e) if !ex.may_export(&e.v) => diags.push(codes::missing_entrypoint(
                            e.span,
                            &name,
                            &e.v,
                            &graph.names[t],
                            &main,
                        )),
                        Some(e) if t != i => {
                            ty = typing.import(t, &e.v, is_entrypoint, names, opts.out_dir);
                        }
                        _ => {}
                    },
                }
            }
            match entrypoint {
                Some(e) => {
                    diags.push(codes::entrypoint_local_dev(e.span, &name, &e.v));
                    ok(Value::Entrypoint(Box::new(base), e.v.clone(), ty))
                }
                None => ok(base),
            }
        }
        BindingKind::AnalyticsEngine { dataset } => {
            let ds = dataset
                .as_ref()
                .map(|d| d.v.clone())
                .unwrap_or_else(|| name.clone());
            ok(Value::AnalyticsEngine {
                id: names.id(&slot, || {
                    format!("{}-{}", lower(&opts.labels[i]), lower(&name))
                }),
                dataset: ds,
            })
        }
        BindingKind::Ai => {
            diags.push(codes::local_dev_limit(b.span, &name, "Workers AI always runs remotely, so `alchemy dev` needs real Cloudflare credentials and network"));
            ok(Value::Ai)
        }
        BindingKind::Browser => {
            diags.push(codes::local_dev_limit(b.span, &name, "Browser Rendering always runs remotely, so `alchemy dev` needs real Cloudflare credentials and network"));
            ok(Value::Browser)
        }
        BindingKind::Images => ok(Value::Images),
        BindingKind::VersionMetadata => ok(Value::VersionMetadata),
        BindingKind::WorkerLoader => ok(Value::WorkerLoader),
        BindingKind::RateLimit {
            namespace_id,
            limit,
            period,
        } => match namespace_id.v.trim().parse::<f64>() {
            Ok(ns) => {
                diags.push(codes::local_dev_limit(b.span, &name, "Alchemy 0.94's local dev cannot start a worker with a rate limit binding (miniflare rejects it); deploys work"));
                ok(Value::RateLimit {
                    namespace_id: ns,
                    limit: *limit,
                    period: *period,
                })
            }
            Err(_) => {
                diags.push(codes::invalid_value(
                    namespace_id.span,
                    &format!("ratelimits binding {name} namespace_id"),
                    "it is not a number",
                    "use the numeric namespace id of the rate limit",
                ));
                todo(format!(
                    "TODO(AM0207): rate limit {name} has a non-numeric namespace_id {:?}",
                    namespace_id.v
                ))
            }
        },
        BindingKind::SendEmail {
            destination_address,
            allowed_destination_addresses,
            allowed_sender_addresses,
        } => {
            diags.push(codes::local_dev_limit(b.span, &name, "Alchemy 0.94's local dev cannot start a worker with a send_email binding (workerd rejects it); deploys work"));
            ok(Value::EmailSender {
                destination_address: destination_address.as_ref().map(|d| d.v.clone()),
                allowed_destination_addresses: allowed_destination_addresses.clone(),
                allowed_sender_addresses: allowed_sender_addresses.clone(),
            })
        }
        BindingKind::SecretsStoreSecret {
            store_id,
            secret_name,
        } => ok(Value::SecretsStore {
            secret_name: secret_name.v.clone(),
            store_id: store_id.v.clone(),
        }),
        BindingKind::Pipeline { stream } => ok(Value::Pipeline {
            stream: stream.v.clone(),
        }),
        BindingKind::Assets => None, // emitted with the `assets` config
        BindingKind::MtlsCertificate { certificate_id } => {
            diags.push(codes::unsupported(
                b.span,
                &format!("mTLS certificate binding `{name}`"),
                "bind the certificate in the dashboard or with wrangler after deploying",
            ));
            todo(format!(
                "TODO(AM0500): mtls_certificates binding (certificate_id {:?}) is not expressible in Alchemy 0.94",
                certificate_id.v
            ))
        }
        BindingKind::Unsafe { ty, .. } => {
            diags.push(codes::unsupported(b.span, &format!("unsafe binding `{name}` of type `{ty}`"), "unsafe bindings have no Alchemy equivalent; add it with the Cloudflare API after deploying"));
            todo(format!(
                "TODO(AM0500): unsafe binding of type {ty:?} is not expressible in Alchemy 0.94"
            ))
        }
        BindingKind::Unsupported { key } => {
            diags.push(codes::unsupported(
                b.span,
                &format!("the `{key}` binding `{name}`"),
                "add this binding with wrangler or the dashboard after deploying",
            ));
            todo(format!(
                "TODO(AM0500): {key} binding is not expressible in Alchemy 0.94"
            ))
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn script_ref(
    i: usize,
    binding: &str,
    s: &crate::config::model::S<String>,
    graph: &Graph,
    edge_of: &HashMap<(usize, &str), usize>,
    emitted: &[bool],
    diags: &mut Vec<Diagnostic>,
    span: Span,
) -> ScriptRef {
    match edge_of
        .get(&(i, binding))
        .map(|&k| (&graph.edges[k].to, graph.is_broken(k)))
    {
        Some((Target::Worker(t), false)) if emitted[*t] => ScriptRef::Worker(*t),
        Some((Target::External(_), _)) => {
            diags.push(codes::action_needed(span, "script_name", &format!("`{}` is not part of the migration", s.v), "the host worker must be deployed before this one; Alchemy's local dev cannot start a worker bound to a Durable Object of a worker it does not run"));
            ScriptRef::Name(s.v.clone())
        }
        _ => ScriptRef::Name(s.v.clone()),
    }
}

#[cfg(test)]
mod tests;
