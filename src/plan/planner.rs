//! The planner: one stage's workers, in creation order, into a [`Program`]. It names the
//! workers and their placeholders, freezes what every worker's plan reads into a [`Context`],
//! then plans in chunks of the creation order: the workers of one chunk are drafted in parallel
//! ([`Drafter`]) while the drafts of the chunk before are completed, one by one and in order,
//! by the [`State`] that gives out names and declares shared resources. Names, resources and
//! their order are those of planning every worker one after the other, whatever the threads.

use super::draft::{Deferred, Draft, Drafter, OwnedWanted, Place, UNRESOLVED};
use super::names::{Shared, worker_ident};
use super::resources::{ResourceTable, Wanted};
use super::typing::{Modules, Typing};
use super::{
    Binding, Options, Origin, Placeholder, PlanWorker, Program, ScriptRef, TailTarget, Value,
};
use crate::HashMap;
use crate::config::model::Worker;
use crate::diagnostics::Diagnostic;
use crate::graph::{EdgeKind, Graph, Target};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// Workers drafted together: enough to keep both cores busy, few enough that the drafts
/// waiting for their names stay small.
const CHUNK: usize = 256;

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
pub(super) struct WorkerName {
    pub(super) ident: String,
    pub(super) id: String,
}

/// What planning a worker reads and never changes, fixed before the first worker is planned.
pub(super) struct Context<'a> {
    pub(super) origins: &'a [Origin],
    /// The main modules types are imported from, and what each worker's exports.
    pub(super) modules: Modules<'a>,
    pub(super) graph: &'a Graph,
    pub(super) opts: &'a Options<'a>,
    /// By discovery index.
    pub(super) fate: Vec<Fate>,
    /// Emitted workers' places among the emitted workers, in creation order.
    pub(super) position: HashMap<usize, usize>,
    /// The first worker of each script name.
    pub(super) index_of_name: HashMap<&'a str, usize>,
    /// Target worker → its placeholder.
    pub(super) placeholder_of: BTreeMap<usize, usize>,
    /// `(worker, binding name)` → the edge of a service, Durable Object or workflow binding.
    pub(super) edge_of: HashMap<(usize, &'a str), usize>,
}

impl Context<'_> {
    pub(super) fn is_emitted(&self, i: usize) -> bool {
        self.fate[i] == Fate::Emitted
    }
}

/// What planning changes as it goes, worker after worker.
pub(super) struct State<'a> {
    /// Identifiers and ids, shared with the other stages' programs.
    names: &'a mut Shared,
    diags: &'a mut Vec<Diagnostic>,
    typing: Typing,
    resources: ResourceTable,
    /// Secret names the program reads from the environment.
    secrets: BTreeSet<String>,
    /// The workers planned, in creation order.
    planned: Vec<PlanWorker>,
    /// Discovery index → index among the planned workers.
    index_in_plan: HashMap<usize, usize>,
    /// Emitted workers' names, by discovery index, until their drafts are completed.
    worker_names: HashMap<usize, WorkerName>,
}

/// One stage's planning: the frozen context every draft reads, and the state the drafts are
/// completed into.
pub(super) struct Planner<'a> {
    /// The typed workers, each taken (and dropped) as soon as it is drafted: the typed models
    /// and the plans are never all in memory together.
    workers: Vec<Worker>,
    cx: Context<'a>,
    state: State<'a>,
    placeholders: Vec<Placeholder>,
}

impl<'a> Planner<'a> {
    pub(super) fn new(
        workers: Vec<Worker>,
        origins: &'a [Origin],
        modules: Modules<'a>,
        graph: &'a Graph,
        opts: &'a Options<'a>,
        names: &'a mut Shared,
        diags: &'a mut Vec<Diagnostic>,
    ) -> Planner<'a> {
        // (The workers' fates and the graph's two indexes are made side by side.)
        let ((fate, index_of_name), edge_of) = rayon::join(
            || {
                rayon::join(
                    || {
                        workers
                            .par_iter()
                            .enumerate()
                            .map(|(i, w)| fate_of(graph, i, w, &origins[i]))
                            .collect::<Vec<Fate>>()
                    },
                    || index_of_name(graph),
                )
            },
            || edge_of(graph),
        );
        let emitted = fate.iter().filter(|f| **f == Fate::Emitted).count();
        let typing = Typing::new(&modules);
        Planner {
            workers,
            cx: Context {
                origins,
                modules,
                graph,
                opts,
                fate,
                position: HashMap::with_capacity_and_hasher(emitted, Default::default()),
                index_of_name,
                placeholder_of: BTreeMap::new(),
                edge_of,
            },
            state: State {
                names,
                diags,
                typing,
                resources: ResourceTable::default(),
                secrets: BTreeSet::new(),
                planned: Vec::with_capacity(emitted),
                index_in_plan: HashMap::with_capacity_and_hasher(emitted, Default::default()),
                worker_names: HashMap::with_capacity_and_hasher(emitted, Default::default()),
            },
            placeholders: Vec::new(),
        }
    }

    /// Plans every worker and returns the program.
    pub(super) fn run(mut self) -> Program {
        self.place_workers();
        self.lay_out_placeholders();
        let mut workers = std::mem::take(&mut self.workers);
        let order: Vec<(usize, usize)> = self.cx.graph.order.iter().copied().enumerate().collect();
        let cx = &self.cx;
        let state = &mut self.state;
        let placeholders = &mut self.placeholders;
        let mut chunks = order.chunks(CHUNK).map(|chunk| {
            chunk
                .iter()
                .map(|&(position, i)| (position, i, std::mem::take(&mut workers[i])))
                .collect::<Vec<_>>()
        });
        // (Workers and placeholders are named while the first chunk is drafted: a draft reads
        // no name, its worker's is filled in when it is completed.)
        let (mut drafts, ()) = rayon::join(
            || draft_all(cx, chunks.next().unwrap_or_default()),
            || state.name_all(cx, placeholders),
        );
        loop {
            // (The next chunk is taken out and drafted while this one is completed.)
            let (next, ()) = rayon::join(
                || chunks.next().map(|chunk| draft_all(cx, chunk)),
                || {
                    for d in drafts {
                        state.complete(cx, d);
                    }
                },
            );
            match next {
                Some(next) => drafts = next,
                None => break,
            }
        }
        // (The emptied slots go before the program is assembled.)
        drop(workers);
        self.finish()
    }

    /// Each emitted worker's place among the emitted workers, in creation order.
    fn place_workers(&mut self) {
        let cx = &mut self.cx;
        for &i in &cx.graph.order {
            if cx.fate[i] == Fate::Emitted {
                cx.position.insert(i, cx.position.len());
            }
        }
    }

    /// A placeholder for each worker that a broken service edge needs before it exists,
    /// declared before the first worker that needs it; listed in the order the edges meet
    /// them (the order they are named in, see [`State::name_all`]), found by the place they
    /// take in declaration order.
    fn lay_out_placeholders(&mut self) {
        let cx = &mut self.cx;
        let mut met: crate::HashMap<usize, usize> = crate::HashMap::default();
        for &k in &cx.graph.broken {
            let e = &cx.graph.edges[k];
            let (Target::Worker(t), EdgeKind::Service { .. }) = (&e.to, &e.kind) else {
                continue;
            };
            if !cx.is_emitted(*t) || !cx.is_emitted(e.from) {
                continue;
            }
            let before = cx.position[&e.from];
            match met.get(t) {
                Some(&p) => {
                    let ph = &mut self.placeholders[p];
                    ph.before = ph.before.min(before);
                }
                None => {
                    met.insert(*t, self.placeholders.len());
                    self.placeholders.push(Placeholder {
                        ident: String::new(),
                        id: String::new(),
                        worker: *t,
                        script_name: cx.graph.names[*t].clone(),
                        before,
                    });
                }
            }
        }
        // In declaration order (before the first worker that needs each, then by the place of
        // the worker it stands for), before any binding refers to one by its index.
        let mut declared: Vec<&Placeholder> = self.placeholders.iter().collect();
        declared.sort_by_key(|ph| declaration_key(ph, &cx.position));
        cx.placeholder_of = declared
            .iter()
            .enumerate()
            .map(|(p, ph)| (ph.worker, p))
            .collect();
    }

    /// The program: worker references rewritten from discovery indices to plan indices, the D1
    /// databases still known by id only reported.
    fn finish(self) -> Program {
        let State {
            diags,
            typing,
            resources,
            secrets,
            mut planned,
            index_in_plan,
            ..
        } = self.state;
        // (The type imports are sorted while the workers' references are renumbered.)
        let modules = &self.cx.modules;
        let ((), type_imports) = rayon::join(
            || {
                planned
                    .par_iter_mut()
                    .for_each(|pw| renumber(pw, &index_in_plan))
            },
            || typing.into_imports(modules),
        );
        let mut placeholders = self.placeholders;
        for ph in &mut placeholders {
            ph.worker = index_in_plan[&ph.worker];
        }
        resources.report_unnamed_d1(diags);
        let opts = self.cx.opts;
        Program {
            app: opts.app.clone(),
            resources: resources.items,
            workers: planned,
            placeholders,
            secrets,
            externals: self.cx.graph.externals.clone(),
            header: Vec::new(),
            type_imports,
            adopt: opts.adopt,
        }
    }
}

/// What orders placeholders as they are declared: before the first worker that needs each,
/// then by the place of the worker it stands for.
fn declaration_key(ph: &Placeholder, position: &HashMap<usize, usize>) -> (usize, usize) {
    (ph.before, position[&ph.worker])
}

/// Drafts `workers` (`(place in the creation order, discovery index, typed worker)`) in
/// parallel, in their order.
fn draft_all(cx: &Context<'_>, workers: Vec<(usize, usize, Worker)>) -> Vec<Draft> {
    workers
        .into_par_iter()
        .map(|(position, i, w)| Drafter::draft(cx, position, i, w))
        .collect()
}

impl State<'_> {
    /// Identifiers and ids of workers first, in creation order, so they read naturally; then
    /// of the placeholders, in the order the broken edges meet them; the placeholders then put
    /// in declaration order (the places [`Planner::lay_out_placeholders`] gave them).
    fn name_all(&mut self, cx: &Context<'_>, placeholders: &mut [Placeholder]) {
        for &i in &cx.graph.order {
            if cx.fate[i] != Fate::Emitted {
                continue;
            }
            let label = &cx.opts.labels[i];
            let slot = ["worker:", label].concat();
            let ident = self.names.ident(&slot, || worker_ident(label));
            let id = self.names.id(&slot, || label.clone());
            self.worker_names.insert(i, WorkerName { ident, id });
        }
        for ph in placeholders.iter_mut() {
            let slot = ["placeholder:", &cx.opts.labels[ph.worker]].concat();
            let target = &self.worker_names[&ph.worker];
            ph.ident = self
                .names
                .ident(&slot, || [target.ident.as_str(), "Ref"].concat());
            ph.id = self
                .names
                .id(&slot, || [target.id.as_str(), "-stub"].concat());
        }
        placeholders.sort_by_key(|ph| declaration_key(ph, &cx.position));
    }

    /// Takes the deferred steps of draft `d` in order, fills in its blanks, and adds the worker
    /// to the program (a config that only declares resources adds only its resources).
    fn complete(&mut self, cx: &Context<'_>, d: Draft) {
        let Draft {
            i,
            fate,
            mut plan,
            deferred,
            mut diags,
            secrets,
        } = d;
        if fate == Fate::Emitted
            && let Some(name) = self.worker_names.remove(&i)
        {
            plan.ident = name.ident;
            plan.id = name.id;
        }
        for step in deferred {
            self.take(cx, &mut plan, step);
        }
        self.diags.append(&mut diags);
        self.secrets.extend(secrets);
        if fate == Fate::Emitted {
            self.index_in_plan.insert(i, self.planned.len());
            self.planned.push(plan);
        }
    }

    /// One deferred step of worker `i`, its result written into `plan`.
    fn take(&mut self, cx: &Context<'_>, plan: &mut PlanWorker, step: Deferred) {
        match step {
            Deferred::Rpc(request) => {
                plan.rpc = Some(self.typing.import(&cx.modules, request, self.names));
            }
            Deferred::Type { binding, request } => {
                let ty = self.typing.import(&cx.modules, request, self.names);
                set_type(&mut plan.bindings[binding], ty);
            }
            Deferred::Id {
                binding,
                slot,
                base,
            } => {
                let id = self.names.id(&slot, || base);
                set_id(&mut plan.bindings[binding], id);
            }
            Deferred::Resource { place, key, want } => {
                let r = self.resource(key, want);
                put(plan, place, r);
            }
            Deferred::D1 {
                place,
                name_key,
                id_key,
                key,
                want,
                name,
                id,
                binding_span,
            } => {
                let known = [&name_key, &id_key]
                    .into_iter()
                    .flatten()
                    .find(|k| self.resources.knows(k))
                    .cloned();
                let span = want.span;
                let r = self.resource(known.unwrap_or(key), want);
                self.resources.alias(&[name_key, id_key], r, span);
                match (name, id) {
                    (Some(n), Some(id)) => self.resources.name_d1(r, &id, &n),
                    (None, Some(id)) => self.resources.unnamed_d1(binding_span, r, &id),
                    _ => {}
                }
                put(plan, place, r);
            }
        }
    }

    fn resource(&mut self, key: String, want: OwnedWanted) -> usize {
        let OwnedWanted {
            kind,
            slot,
            binding,
            span,
        } = want;
        let want = Wanted {
            kind,
            slot: &slot,
            binding: &binding,
            span,
        };
        self.resources.get_or_add(key, want, self.names, self.diags)
    }
}

/// Writes resource `r` where the draft left its blank.
fn put(plan: &mut PlanWorker, place: Place, r: usize) {
    let blank = match place {
        Place::Binding(b) => match &mut plan.bindings[b].value {
            Some(Value::Resource(x)) => x,
            other => unreachable!("a resource blank, not {other:?}"),
        },
        Place::EventSource(e) => &mut plan.event_sources[e].queue,
    };
    debug_assert_eq!(*blank, UNRESOLVED);
    *blank = r;
}

/// Writes the type of a Durable Object namespace or a named entrypoint.
fn set_type(b: &mut Binding, ty: String) {
    match &mut b.value {
        Some(Value::DurableObject { ty: blank, .. } | Value::Entrypoint(_, _, blank)) => {
            *blank = Some(ty);
        }
        other => unreachable!("a type blank, not {other:?}"),
    }
}

/// Writes the id of a Durable Object namespace, a workflow or a dataset.
fn set_id(b: &mut Binding, id: String) {
    match &mut b.value {
        Some(
            Value::DurableObject { id: blank, .. }
            | Value::Workflow { id: blank, .. }
            | Value::AnalyticsEngine { id: blank, .. },
        ) => *blank = id,
        other => unreachable!("an id blank, not {other:?}"),
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
    let mut index: HashMap<&str, usize> =
        HashMap::with_capacity_and_hasher(graph.names.len(), Default::default());
    for (i, n) in graph.names.iter().enumerate() {
        index.entry(n.as_str()).or_insert(i);
    }
    index
}

/// Edges by (from worker, binding name), for service, Durable Object and workflow bindings.
fn edge_of(graph: &Graph) -> HashMap<(usize, &str), usize> {
    let mut edges: HashMap<(usize, &str), usize> =
        HashMap::with_capacity_and_hasher(graph.edges.len(), Default::default());
    for (k, e) in graph.edges.iter().enumerate() {
        if let Some(b) = &e.binding
            && !matches!(e.kind, EdgeKind::Queue { .. })
        {
            edges.insert((e.from, b.as_str()), k);
        }
    }
    edges
}

/// Points `pw`'s references to other workers (discovery indices) at their places in the plan.
fn renumber(pw: &mut PlanWorker, index_in_plan: &HashMap<usize, usize>) {
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
