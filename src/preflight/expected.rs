//! What the program deploys for one stage, worker by worker, in the terms the live account uses:
//! script names, binding targets (ids, names, classes), crons, custom domains, compatibility
//! settings. Built from the same [`crate::plan::Program`] `migrate` emits, so preflight checks
//! exactly what the deploy would send.

use crate::config::model::{BindingKind, Worker};
use crate::diagnostics::{Diagnostic, Span, codes};
use crate::pipeline::stages;
use crate::plan::{self, Program, ResourceKind, ScriptRef, Value};
use crate::read::Inputs;

/// Which part of the configs a stage deploys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    /// The default stage: every config's top level.
    TopLevel,
    /// A wrangler environment.
    Env(String),
}

/// One worker as the program deploys it.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpectedWorker {
    /// The script name (wrangler's `name`, resolved for the environment).
    pub script: String,
    /// Where the worker is declared (its `name`), for diagnostics about live-only things.
    pub span: Option<Span>,
    /// The config sets `keep_vars = true`.
    pub keep_vars: bool,
    pub bindings: Vec<ExpectedBinding>,
    /// `None`: the program sets no crons, so the deploy leaves the live ones alone.
    pub crons: Option<Vec<String>>,
    pub crons_span: Option<Span>,
    /// Custom domains (hostnames).
    pub domains: Vec<String>,
    pub compatibility_date: Option<String>,
    pub compatibility_date_span: Option<Span>,
    pub compatibility_flags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExpectedBinding {
    pub name: String,
    pub span: Option<Span>,
    pub target: Target,
}

/// What a binding of the program points at.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// A plain or JSON var.
    Var,
    /// A secret read from the deployer's environment.
    Secret,
    /// A KV namespace bound by id.
    Kv {
        id: String,
    },
    /// A KV namespace the program creates (the config gave no id).
    KvNew {
        title: String,
    },
    /// A D1 database adopted by name; `config_id` is the `database_id` wrangler binds.
    D1 {
        name: String,
        config_id: Option<String>,
    },
    R2 {
        name: String,
        jurisdiction: Option<String>,
    },
    Queue {
        name: String,
    },
    DispatchNamespace {
        namespace: String,
    },
    Vectorize {
        index: String,
    },
    Hyperdrive {
        id: String,
    },
    Service {
        script: String,
        entrypoint: Option<String>,
    },
    DurableObject {
        class: String,
        script: String,
    },
    Workflow {
        name: String,
        class: String,
        script: String,
    },
    AnalyticsEngine {
        dataset: String,
    },
    SecretsStore {
        store_id: String,
        secret_name: String,
    },
    RateLimit {
        namespace_id: String,
    },
    Pipeline {
        name: String,
    },
    /// A binding with nothing to compare but its kind (`ai`, `browser`, `assets`, …), by the
    /// type name the API uses.
    Kind(&'static str),
    /// The program cannot express it (a TODO in `alchemy.run.ts`): the deploy sends no binding of
    /// that name. `section` is the wrangler key.
    LeftOut {
        section: String,
    },
}

impl Target {
    /// The binding `type` the settings endpoint reports for this target.
    pub fn api_type(&self) -> &str {
        match self {
            Target::Var => "plain_text",
            Target::Secret => "secret_text",
            Target::Kv { .. } | Target::KvNew { .. } => "kv_namespace",
            Target::D1 { .. } => "d1",
            Target::R2 { .. } => "r2_bucket",
            Target::Queue { .. } => "queue",
            Target::DispatchNamespace { .. } => "dispatch_namespace",
            Target::Vectorize { .. } => "vectorize",
            Target::Hyperdrive { .. } => "hyperdrive",
            Target::Service { .. } => "service",
            Target::DurableObject { .. } => "durable_object_namespace",
            Target::Workflow { .. } => "workflow",
            Target::AnalyticsEngine { .. } => "analytics_engine",
            Target::SecretsStore { .. } => "secrets_store_secret",
            Target::RateLimit { .. } => "ratelimit",
            Target::Pipeline { .. } => "pipelines",
            Target::Kind(k) => k,
            Target::LeftOut { .. } => "(left out)",
        }
    }
}

/// Picks the stage to check: `--stage`, else the default stage. A stage named after a wrangler
/// environment deploys that environment (as `migrate` maps them); the default stage
/// (`--default-stage`, else `production`) deploys the top level. Any other name is an error:
/// such stages deploy fresh workers, so there is nothing live to compare.
pub fn select_stage(
    inputs: &Inputs,
    stage: Option<&str>,
    default_stage: Option<&str>,
) -> Result<(String, Stage), Box<Diagnostic>> {
    let mut envs: Vec<String> = Vec::new();
    for c in inputs.configs.iter().filter(|c| deploys_workers(c)) {
        for e in c.env_names() {
            if !envs.contains(&e) {
                envs.push(e);
            }
        }
    }
    if let Some(d) = default_stage.filter(|d| envs.iter().any(|e| e == d)) {
        return Err(Box::new(codes::default_stage_is_env(d)));
    }
    let default = default_stage.unwrap_or("production");
    let name = stage.unwrap_or(default);
    if envs.iter().any(|e| e == name) {
        Ok((name.to_string(), Stage::Env(name.to_string())))
    } else if name == default {
        Ok((name.to_string(), Stage::TopLevel))
    } else {
        let mut known = Vec::new();
        if !envs.iter().any(|e| e == default) {
            known.push(format!("`{default}` (the top level)"));
        }
        known.extend(envs.iter().map(|e| format!("`{e}`")));
        Err(Box::new(codes::unknown_stage(name, &known)))
    }
}

/// A config that can deploy workers at all: parsed, not empty, not a Pages project.
fn deploys_workers(c: &crate::config::ConfigFile) -> bool {
    stages::in_scope(c) && !c.is_pages()
}

/// The workers a stage deploys, in discovery order, with their origins: the stage's workers as
/// `migrate` resolves them (a stage named after an environment deploys the configs that define
/// it), less those that deploy nothing under a wrangler script name here: configs absent from the
/// stage, configs without `main`, and Pages projects (they become new Workers: nothing live to
/// compare).
pub fn workers_in_stage(
    inputs: &Inputs,
    stage: &Stage,
    diags: &mut Vec<Diagnostic>,
) -> (Vec<Worker>, Vec<plan::Origin>) {
    let env = match stage {
        Stage::TopLevel => None,
        Stage::Env(e) => Some(e.as_str()),
    };
    let resolved = stages::resolve_env(inputs, env, diags);
    resolved
        .workers
        .into_iter()
        .zip(resolved.origins)
        .enumerate()
        .filter(|(i, (w, o))| !resolved.absent.contains(i) && w.main.is_some() && o.pages.is_none())
        .map(|(_, pair)| pair)
        .unzip()
}

/// Plans the stage as `migrate` does (adopting, external services bound by name) and returns the
/// workers deployed under a wrangler script name. Planning diagnostics are `migrate`'s business:
/// only errors are kept.
pub fn expected_workers(
    inputs: &Inputs,
    workers: &[Worker],
    origins: &[plan::Origin],
    diags: &mut Vec<Diagnostic>,
) -> Vec<ExpectedWorker> {
    let env_names = stages::env_script_names(inputs);
    let mut planning = Vec::new();
    let graph = crate::graph::build(
        workers,
        &std::collections::BTreeSet::new(),
        &env_names,
        &mut planning,
    );
    let labels: Vec<String> = workers
        .iter()
        .zip(origins)
        .map(|(w, o)| plan::label(w, o))
        .collect();
    let out_dir = std::path::absolute(".").unwrap_or_default();
    let opts = plan::Options {
        app: "preflight".into(),
        out_dir: &out_dir,
        adopt: true,
        skip_external: false,
        migration_names: &crate::HashSet::default(),
        labels: &labels,
        reserved: crate::emit::alchemy_v1::RESERVED,
    };
    let exports = vec![None; workers.len()];
    let mut shared = plan::Shared::default();
    // (Planning consumes its workers; the typed ones are read again below: a copy, for the few
    // workers one preflight checks.)
    let program = plan::build(
        workers.to_vec(),
        origins,
        &exports,
        &graph,
        &opts,
        &mut shared,
        &mut planning,
    );
    diags.extend(planning.into_iter().filter(Diagnostic::is_error));
    let by_name: crate::HashMap<&str, &Worker> = workers
        .iter()
        .filter_map(|w| w.name.as_ref().map(|n| (n.v.as_str(), w)))
        .collect();
    program
        .workers
        .iter()
        .filter_map(|pw| {
            let script = pw.script_name.as_ref()?;
            let w = by_name.get(script.as_str())?;
            Some(expected_worker(&program, pw, w))
        })
        .collect()
}

fn expected_worker(program: &Program, pw: &plan::PlanWorker, w: &Worker) -> ExpectedWorker {
    let script = pw.script_name.clone().unwrap_or_default();
    let declared = |name: &str| w.bindings.iter().find(|b| b.name.v == name);
    let bindings = pw
        .bindings
        .iter()
        .map(|b| {
            let config = declared(&b.name);
            let span = config
                .map(|c| deciding_span(&c.kind).unwrap_or(c.span))
                .or_else(|| w.assets.as_ref().map(|a| a.span));
            let target = match &b.value {
                Some(v) => target_of(program, &script, v, config.map(|c| &c.kind)),
                None => Target::LeftOut {
                    section: config
                        .map(|c| c.kind.section().to_string())
                        .unwrap_or_else(|| "binding".into()),
                },
            };
            ExpectedBinding {
                name: b.name.clone(),
                span,
                target,
            }
        })
        .collect();
    ExpectedWorker {
        script,
        span: Some(w.name.as_ref().map(|n| n.span).unwrap_or(w.span)),
        keep_vars: w
            .extra
            .iter()
            .any(|e| e.key == "keep_vars" && e.value.as_bool() == Some(true)),
        bindings,
        crons: pw.crons.clone(),
        crons_span: w.crons.as_ref().map(|c| c.span),
        domains: pw.domains.iter().map(|(d, _)| d.clone()).collect(),
        compatibility_date: pw.compatibility_date.clone(),
        compatibility_date_span: w.compatibility_date.as_ref().map(|d| d.span),
        compatibility_flags: pw.compatibility_flags.clone(),
    }
}

/// The value that decides what a binding points at (`database_name`, `bucket_name`, `id`, …).
fn deciding_span(kind: &BindingKind) -> Option<Span> {
    match kind {
        BindingKind::Kv { id } => id.as_ref().map(|x| x.span),
        BindingKind::D1 {
            database_name,
            database_id,
            ..
        } => database_name
            .as_ref()
            .or(database_id.as_ref())
            .map(|x| x.span),
        BindingKind::R2 { bucket_name, .. } => bucket_name.as_ref().map(|x| x.span),
        BindingKind::QueueProducer { queue, .. } => Some(queue.span),
        BindingKind::Service { service, .. } => Some(service.span),
        BindingKind::DurableObject { class_name, .. } => Some(class_name.span),
        BindingKind::Workflow { name, .. } => Some(name.span),
        BindingKind::DispatchNamespace { namespace, .. } => Some(namespace.span),
        BindingKind::Vectorize { index_name } => Some(index_name.span),
        BindingKind::Hyperdrive { id, .. } => Some(id.span),
        _ => None,
    }
}

/// The script name of a worker of the program (`?` for one Alchemy names itself: it is new).
fn script_of(program: &Program, i: usize) -> String {
    program
        .workers
        .get(i)
        .and_then(|w| w.script_name.clone())
        .unwrap_or_else(|| "(a new worker named by Alchemy)".into())
}

fn target_of(program: &Program, own: &str, v: &Value, config: Option<&BindingKind>) -> Target {
    let script_ref = |s: &Option<ScriptRef>| match s {
        None => own.to_string(),
        Some(ScriptRef::Worker(i)) => script_of(program, *i),
        Some(ScriptRef::Name(n)) => n.clone(),
    };
    match v {
        Value::Str(_) | Value::Json(_) => Target::Var,
        Value::Secret(_) => Target::Secret,
        Value::Resource(r) => match program.resources.get(*r).map(|r| &r.kind) {
            Some(ResourceKind::KvById { id }) => Target::Kv { id: id.clone() },
            Some(ResourceKind::KvNew { title }) => Target::KvNew {
                title: title.clone(),
            },
            Some(ResourceKind::R2 { name, jurisdiction }) => Target::R2 {
                name: name.clone(),
                jurisdiction: jurisdiction.clone(),
            },
            Some(ResourceKind::D1 { name, .. }) => Target::D1 {
                name: name.clone(),
                config_id: match config {
                    Some(BindingKind::D1 {
                        database_id: Some(id),
                        ..
                    }) => Some(id.v.clone()),
                    _ => None,
                },
            },
            Some(ResourceKind::Queue { name, .. }) => Target::Queue { name: name.clone() },
            Some(ResourceKind::DispatchNamespace { namespace }) => Target::DispatchNamespace {
                namespace: namespace.clone(),
            },
            Some(ResourceKind::Vectorize { index_name }) => Target::Vectorize {
                index: index_name.clone(),
            },
            Some(ResourceKind::Hyperdrive { id, .. }) => Target::Hyperdrive { id: id.clone() },
            None => Target::LeftOut {
                section: "binding".into(),
            },
        },
        Value::Worker(i) => Target::Service {
            script: script_of(program, *i),
            entrypoint: None,
        },
        Value::Placeholder(p) => Target::Service {
            script: program
                .placeholders
                .get(*p)
                .map(|p| p.script_name.clone())
                .unwrap_or_default(),
            entrypoint: None,
        },
        Value::External(n) => Target::Service {
            script: n.clone(),
            entrypoint: None,
        },
        Value::SelfRef => Target::Service {
            script: own.to_string(),
            entrypoint: None,
        },
        Value::Entrypoint(inner, entrypoint, _) => match target_of(program, own, inner, config) {
            Target::Service { script, .. } => Target::Service {
                script,
                entrypoint: Some(entrypoint.clone()),
            },
            other => other,
        },
        Value::DurableObject {
            class_name, script, ..
        } => Target::DurableObject {
            class: class_name.clone(),
            script: script_ref(script),
        },
        Value::Workflow {
            workflow_name,
            class_name,
            script,
            ..
        } => Target::Workflow {
            name: workflow_name.clone(),
            class: class_name.clone(),
            script: script_ref(script),
        },
        Value::AnalyticsEngine { dataset, .. } => Target::AnalyticsEngine {
            dataset: dataset.clone(),
        },
        Value::Ai => Target::Kind("ai"),
        Value::Browser => Target::Kind("browser"),
        Value::Images => Target::Kind("images"),
        Value::VersionMetadata => Target::Kind("version_metadata"),
        Value::WorkerLoader => Target::Kind("worker_loader"),
        Value::EmailSender { .. } => Target::Kind("send_email"),
        Value::Assets { .. } => Target::Kind("assets"),
        Value::RateLimit { namespace_id, .. } => Target::RateLimit {
            namespace_id: crate::emit::ts::number(*namespace_id),
        },
        Value::SecretsStore {
            secret_name,
            store_id,
        } => Target::SecretsStore {
            store_id: store_id.clone(),
            secret_name: secret_name.clone(),
        },
        Value::Pipeline { stream } => Target::Pipeline {
            name: stream.clone(),
        },
    }
}
