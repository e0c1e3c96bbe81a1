//! The planner: one stage's workers, in creation order, into a [`Program`]. [`Planner`] holds
//! what every step needs (the graph, the options, the names handed out so far, the resources
//! declared so far, the diagnostics); each step is a method.

use super::names::{Shared, worker_ident};
use super::resources::ResourceTable;
use super::settings::{entry_of, plan_assets, plan_pages, plan_settings};
use super::typing::{Typing, is_entrypoint};
use super::{
    Binding, ConsumerSetting, EventSource, Options, Origin, Placeholder, PlanWorker, Program,
    ScriptRef, TailTarget, Value, display_name,
};
use crate::HashMap;
use crate::config::model::{Consumer, Worker};
use crate::diagnostics::{Code, Diagnostic, codes};
use crate::graph::{EdgeKind, Graph, Target};
use std::collections::{BTreeMap, BTreeSet};

/// What becomes of a worker in this stage's program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fate {
    /// A worker of the program.
    Emitted,
    /// A config without code (no `main`, not a Pages project) that only declares resources:
    /// they are declared.
    ResourcesOnly,
    /// A worker whose entry module its config does not name (wrangler is given it on the command
    /// line): reported, not migrated.
    NoEntry,
    /// Not deployed by this stage, or a second worker with a name already taken.
    Skipped,
}

/// A worker's identifier and resource id.
struct WorkerName {
    ident: String,
    id: String,
}

pub(super) struct Planner<'a> {
    /// The typed workers, each taken (and dropped) as soon as it is planned: the typed models
    /// and the plans are never all in memory together.
    workers: Vec<Worker>,
    pub(super) origins: &'a [Origin],
    pub(super) graph: &'a Graph,
    pub(super) opts: &'a Options<'a>,
    /// Identifiers and ids, shared with the other stages' programs.
    pub(super) names: &'a mut Shared,
    pub(super) diags: &'a mut Vec<Diagnostic>,
    pub(super) typing: Typing<'a>,
    pub(super) resources: ResourceTable,
    /// Secret names the program reads from the environment.
    pub(super) secrets: BTreeSet<String>,
    /// By discovery index.
    fate: Vec<Fate>,
    /// Emitted workers' names, by discovery index.
    worker_names: HashMap<usize, WorkerName>,
    /// Emitted workers' places among the emitted workers, in creation order.
    position: HashMap<usize, usize>,
    /// The first worker of each script name.
    index_of_name: HashMap<&'a str, usize>,
    placeholders: Vec<Placeholder>,
    /// Target worker → its placeholder.
    pub(super) placeholder_of: BTreeMap<usize, usize>,
    /// `(worker, binding name)` → the edge of a service, Durable Object or workflow binding.
    pub(super) edge_of: HashMap<(usize, &'a str), usize>,
}

impl<'a> Planner<'a> {
    pub(super) fn new(
        workers: Vec<Worker>,
        typing: Typing<'a>,
        graph: &'a Graph,
        opts: &'a Options<'a>,
        names: &'a mut Shared,
        diags: &'a mut Vec<Diagnostic>,
    ) -> Planner<'a> {
        let origins = typing.origins;
        let fate = workers
            .iter()
            .enumerate()
            .map(|(i, w)| fate_of(graph, i, w, &origins[i]))
            .collect();
        Planner {
            workers,
            origins,
            graph,
            opts,
            names,
            diags,
            typing,
            resources: ResourceTable::default(),
            secrets: BTreeSet::new(),
            fate,
            worker_names: HashMap::default(),
            position: HashMap::default(),
            index_of_name: index_of_name(graph),
            placeholders: Vec::new(),
            placeholder_of: BTreeMap::new(),
            edge_of: edge_of(graph),
        }
    }

    /// Plans every worker and returns the program.
    pub(super) fn run(mut self) -> Program {
        self.name_workers();
        self.place_placeholders();
        let emitted = self.fate.iter().filter(|f| **f == Fate::Emitted).count();
        let mut planned = Vec::with_capacity(emitted);
        let mut index_in_plan: HashMap<usize, usize> = HashMap::default();
        for (order_position, &i) in self.graph.order.iter().enumerate() {
            let w = std::mem::take(&mut self.workers[i]);
            match self.fate[i] {
                Fate::Emitted => {
                    index_in_plan.insert(i, planned.len());
                    planned.push(self.worker(order_position, i, &w));
                }
                Fate::ResourcesOnly => self.resources_only(i, &w),
                Fate::NoEntry => {
                    let span = w.name.as_ref().map(|n| n.span).unwrap_or(w.span);
                    self.diags.push(codes::no_entry(span, &display_name(&w)));
                }
                Fate::Skipped => {}
            }
        }
        // (The emptied slots go before the program is assembled.)
        self.workers = Vec::new();
        self.finish(planned, &index_in_plan)
    }

    pub(super) fn is_emitted(&self, i: usize) -> bool {
        self.fate[i] == Fate::Emitted
    }

    /// Identifiers and ids of workers first, in creation order, so they read naturally.
    fn name_workers(&mut self) {
        for &i in &self.graph.order {
            if !self.is_emitted(i) {
                continue;
            }
            let label = &self.opts.labels[i];
            let slot = format!("worker:{label}");
            let ident = self.names.ident(&slot, || worker_ident(label));
            let id = self.names.id(&slot, || label.clone());
            self.position.insert(i, self.position.len());
            self.worker_names.insert(i, WorkerName { ident, id });
        }
    }

    /// A placeholder for each worker that a broken service edge needs before it exists,
    /// declared before the first worker that needs it.
    fn place_placeholders(&mut self) {
        for &k in &self.graph.broken {
            let e = &self.graph.edges[k];
            let (Target::Worker(t), EdgeKind::Service { .. }) = (&e.to, &e.kind) else {
                continue;
            };
            if !self.is_emitted(*t) || !self.is_emitted(e.from) {
                continue;
            }
            let before = self.position[&e.from];
            match self.placeholder_of.get(t) {
                Some(&p) => {
                    let ph = &mut self.placeholders[p];
                    ph.before = ph.before.min(before);
                }
                None => {
                    let slot = format!("placeholder:{}", self.opts.labels[*t]);
                    let target = &self.worker_names[t];
                    let ident = self.names.ident(&slot, || format!("{}Ref", target.ident));
                    let id = self.names.id(&slot, || format!("{}-stub", target.id));
                    self.placeholder_of.insert(*t, self.placeholders.len());
                    self.placeholders.push(Placeholder {
                        ident,
                        id,
                        worker: *t,
                        script_name: self.graph.names[*t].clone(),
                        before,
                    });
                }
            }
        }
        // In declaration order (before the first worker that needs each, then by the place of
        // the worker it stands for), before any binding refers to one by its index.
        let position = &self.position;
        self.placeholders
            .sort_by_key(|ph| (ph.before, position[&ph.worker]));
        self.placeholder_of = self
            .placeholders
            .iter()
            .enumerate()
            .map(|(p, ph)| (ph.worker, p))
            .collect();
    }

    /// A config without code: its resources are declared (other workers may share them).
    fn resources_only(&mut self, i: usize, w: &Worker) {
        let declared: Vec<_> = w.bindings.iter().filter(|b| b.kind.is_resource()).collect();
        for b in &declared {
            self.binding(i, w, b);
        }
        self.diags.push(codes::no_main(
            w.name.as_ref().map(|n| n.span).unwrap_or(w.span),
            &display_name(w),
            declared.len(),
        ));
    }

    /// Worker `i`, the `order_position`-th of the creation order.
    fn worker(&mut self, order_position: usize, i: usize, w: &Worker) -> PlanWorker {
        let origin = &self.origins[i];
        let out_dir = self.opts.out_dir;
        let rpc = self
            .typing
            .import(i, "default", is_entrypoint, self.names, out_dir);
        let mut pw = self.worker_shell(order_position, i, w, rpc);
        routes(&mut pw, w);
        self.bindings(&mut pw, i, w);
        if let Some(a) = &w.assets {
            plan_assets(&mut pw, w, a, origin, self.opts, self.diags);
        }
        if let Some(layout) = &origin.pages {
            plan_pages(&mut pw, w, layout, out_dir, self.diags);
        }
        self.consumers(&mut pw, i, w);
        self.tail_consumers(&mut pw, i, w);
        if pw.service_worker
            && let Some(m) = &w.main
        {
            self.diags.push(codes::service_worker_format(m.span, &m.v));
        }
        plan_settings(&mut pw, w, out_dir, &origin.dir, self.diags);
        pw
    }

    /// The worker with what its config says directly; bindings, routes and settings to come.
    fn worker_shell(
        &self,
        position: usize,
        i: usize,
        w: &Worker,
        rpc: Option<String>,
    ) -> PlanWorker {
        let origin = &self.origins[i];
        let (entrypoint, script) = entry_of(w, origin, self.opts.out_dir);
        let name = &self.worker_names[&i];
        PlanWorker {
            rpc,
            position,
            ident: name.ident.clone(),
            id: name.id.clone(),
            script_name: w.name.as_ref().map(|n| n.v.clone()),
            source: origin.path.clone(),
            entrypoint,
            // A Pages project becomes a new Worker: nothing to adopt.
            adopt: (self.opts.adopt && origin.pages.is_none())
                || self.placeholder_of.contains_key(&i),
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
            service_worker: self.typing.exports[i]
                .is_some_and(crate::scan::Exports::is_service_worker),
            rules: None,
            bundle: Vec::new(),
            assets_config: Vec::new(),
            cache: None,
            todos: Vec::new(),
        }
    }

    /// Every binding of worker `i`. A name bound twice (AM0209, refused by wrangler): the first
    /// one is kept.
    fn bindings(&mut self, pw: &mut PlanWorker, i: usize, w: &Worker) {
        // (Exactly the room needed: ten thousand workers' lists are held until emitted.)
        pw.bindings.reserve_exact(w.bindings.len());
        let mut bound: BTreeSet<&str> = BTreeSet::new();
        for b in &w.bindings {
            if !bound.insert(b.name.v.as_str()) {
                pw.bindings.push(Binding {
                    name: b.name.v.clone(),
                    value: None,
                    todo: Some(Code::DuplicateBinding.todo(format_args!(
                        "a second `{}` binding ({}) is left out: binding names must be unique",
                        b.name.v,
                        b.kind.section()
                    ))),
                });
                continue;
            }
            pw.bindings.extend(self.binding(i, w, b));
        }
    }

    /// Queue consumers: event sources, with their settings.
    fn consumers(&mut self, pw: &mut PlanWorker, i: usize, w: &Worker) {
        for c in &w.consumers {
            if c.http_pull {
                self.diags.push(codes::unsupported(c.span, &format!("the http_pull consumer of queue `{}`", c.queue.v), "pull consumers are not workers: keep managing this consumer with wrangler or the dashboard"));
                pw.todos.push(codes::not_expressible_todo(format_args!(
                    "http_pull consumer of queue {:?}",
                    c.queue.v
                )));
                continue;
            }
            let slot = format!("{}/consumer:{}", self.opts.labels[i], c.queue.v);
            let q = self.queue(&c.queue, None, &slot);
            if c.visibility_timeout_ms.is_some() {
                self.diags.push(codes::unsupported(c.span, &format!("`visibility_timeout_ms` of the consumer of queue `{}`", c.queue.v), "set the visibility timeout on the consumer with wrangler or the dashboard after deploying"));
                pw.todos.push(codes::not_expressible_todo(format_args!(
                    "visibility_timeout_ms of the consumer of {:?}",
                    c.queue.v
                )));
            }
            pw.event_sources.push(EventSource {
                queue: q,
                settings: consumer_settings(c),
            });
        }
    }

    /// Tail consumers: a worker of the program created before this one, else a script name.
    fn tail_consumers(&mut self, pw: &mut PlanWorker, i: usize, w: &Worker) {
        for t in &w.tail_consumers {
            let earlier = |j: &usize| {
                *j != i
                    && self.is_emitted(*j)
                    && self.position.get(j).is_some_and(|p| *p < self.position[&i])
            };
            let target = match self.index_of_name.get(t.service.v.as_str()) {
                Some(&j) if earlier(&j) => TailTarget::Worker(j),
                _ => TailTarget::Name(t.service.v.clone()),
            };
            if let Some(env) = &t.environment {
                self.diags.push(codes::not_translated(
                    env.span,
                    "tail_consumers[].environment",
                    "Alchemy binds tail consumers by script name only",
                ));
            }
            pw.tail_consumers.push(target);
        }
    }

    /// The program: worker references rewritten from discovery indices to plan indices, the D1
    /// databases still known by id only reported.
    fn finish(
        self,
        mut workers: Vec<PlanWorker>,
        index_in_plan: &HashMap<usize, usize>,
    ) -> Program {
        for pw in &mut workers {
            for b in &mut pw.bindings {
                if let Some(v) = &mut b.value {
                    remap(v, index_in_plan);
                }
            }
            for t in &mut pw.tail_consumers {
                if let TailTarget::Worker(j) = t {
                    *j = index_in_plan[j];
                }
            }
        }
        let mut placeholders = self.placeholders;
        for ph in &mut placeholders {
            ph.worker = index_in_plan[&ph.worker];
        }
        self.resources.report_unnamed_d1(self.diags);
        Program {
            app: self.opts.app.clone(),
            resources: self.resources.items,
            workers,
            placeholders,
            secrets: self.secrets,
            externals: self.graph.externals.clone(),
            header: Vec::new(),
            type_imports: self.typing.into_imports(),
            adopt: self.opts.adopt,
        }
    }
}

fn fate_of(graph: &Graph, i: usize, w: &Worker, origin: &Origin) -> Fate {
    if graph.duplicates.contains(&i) || !graph.is_present(i) {
        Fate::Skipped
    } else if w.main.is_none() && origin.pages.is_none() {
        if w.only_declares_resources() {
            Fate::ResourcesOnly
        } else {
            Fate::NoEntry
        }
    } else {
        Fate::Emitted
    }
}

fn index_of_name(graph: &Graph) -> HashMap<&str, usize> {
    let mut index: HashMap<&str, usize> = HashMap::default();
    for (i, n) in graph.names.iter().enumerate() {
        index.entry(n.as_str()).or_insert(i);
    }
    index
}

/// Edges by (from worker, binding name), for service, Durable Object and workflow bindings.
fn edge_of(graph: &Graph) -> HashMap<(usize, &str), usize> {
    let mut edges: HashMap<(usize, &str), usize> = HashMap::default();
    for (k, e) in graph.edges.iter().enumerate() {
        if let Some(b) = &e.binding
            && !matches!(e.kind, EdgeKind::Queue { .. })
        {
            edges.insert((e.from, b.as_str()), k);
        }
    }
    edges
}

/// Routes and custom domains. workers.dev: wrangler enables it only when there are no routes
/// (unless set).
fn routes(pw: &mut PlanWorker, w: &Worker) {
    let has_routes = !w.routes.is_empty();
    let workers_dev = w.workers_dev.as_ref().map(|x| x.v).unwrap_or(!has_routes);
    if !workers_dev {
        pw.url = Some(false);
    }
    for r in &w.routes {
        let route = (r.pattern.v.clone(), r.zone_id.clone());
        if r.custom_domain {
            pw.domains.push(route);
        } else {
            pw.routes.push(route);
        }
    }
}

/// The consumer's settings, in wrangler's order.
fn consumer_settings(c: &Consumer) -> Vec<ConsumerSetting> {
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

/// Rewrites the worker indices inside a value with `map`.
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
