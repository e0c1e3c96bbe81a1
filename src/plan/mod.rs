//! Plan: what will be emitted, independent of any Alchemy version. Workers in creation order,
//! shared resources declared once, every binding resolved to a resource, another worker, a
//! placeholder (cycles), an external script name or a TODO. Names for the generated program
//! (identifiers, resource ids) are chosen here, uniquely and deterministically.
//!
//! [`build`] runs a `planner::Planner` through its steps: worker names, placeholders, each
//! worker (its `bindings`, `settings`, consumers, tail consumers), and the finished
//! [`Program`]. `resources` says per kind what identifies a resource and which settings must
//! agree; [`names`] allocates identifiers and ids. Nothing here names an Alchemy API: settings
//! are enums in wrangler's terms, and the identifiers a target reserves come in
//! [`Options::reserved`].

use crate::HashSet;
use crate::config::model::Worker;
use crate::diagnostics::Diagnostic;
use crate::graph::Graph;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

mod bindings;
mod draft;
pub mod names;
mod paths;
mod planner;
mod resources;
mod settings;
mod typing;

pub use names::Shared;
pub use paths::{normalize, plain_names, relative};
use planner::Planner;
pub use resources::unify_resources;
use typing::Modules;

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
#[derive(Debug, Clone, PartialEq, Default)]
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
#[derive(Debug, Clone, Default)]
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
    workers: Vec<Worker>,
    origins: &[Origin],
    exports: &[Option<&crate::scan::Exports>],
    graph: &Graph,
    opts: &Options<'_>,
    shared: &mut Shared,
    diags: &mut Vec<Diagnostic>,
) -> Program {
    shared.reserve(opts.reserved);
    // (Each worker takes a few names: the tables are sized once rather than grown and rehashed
    // on the one core that completes the workers in order.)
    shared.make_room(workers.len());
    let modules = Modules::new(origins, exports, opts.out_dir);
    Planner::new(workers, origins, modules, graph, opts, shared, diags).run()
}

/// The name a worker's identifiers and ids derive from, the same in every stage: its script
/// name, else its config's folder.
pub fn label(w: &Worker, origin: &Origin) -> String {
    w.name.as_ref().map(|n| n.v.clone()).unwrap_or_else(|| {
        origin
            .dir
            .file_name()
            .map(|f| f.to_string_lossy().to_string())
            .unwrap_or_else(|| "worker".into())
    })
}

pub fn display_name(w: &Worker) -> String {
    w.name
        .as_ref()
        .map(|n| n.v.clone())
        .unwrap_or_else(|| "worker".to_string())
}

#[cfg(test)]
mod tests;
