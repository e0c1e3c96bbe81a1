//! Drafts: all of a worker's plan that depends on nothing planned before it, made for many
//! workers at once. A [`Drafter`] reads only the frozen [`Context`] (the graph, the options, the
//! workers' names and places); what depends on the order workers are planned in (identifiers and
//! ids still to give out, shared resources, imported types) it does not decide: it writes it
//! down as a [`Deferred`] step, in the order the planner must take them, and leaves a blank in
//! the draft that the planner fills in (`planner::State::complete`).

use super::planner::{Context, Fate};
use super::settings::{entry_of, plan_assets, plan_pages, plan_settings};
use super::typing::{TypeRequest, is_entrypoint};
use super::{
    Binding, ConsumerSetting, EventSource, PlanWorker, ResourceKind, TailTarget, display_name,
};
use crate::config::model::{Consumer, Worker};
use crate::diagnostics::{Code, Diagnostic, Span, codes};
use std::collections::BTreeSet;

/// A blank left in a draft: a resource index not known yet.
pub(super) const UNRESOLVED: usize = usize::MAX;

/// One worker, drafted.
pub(super) struct Draft {
    /// The worker's discovery index.
    pub(super) i: usize,
    pub(super) fate: Fate,
    /// The plan so far (for a config that only declares resources: its bindings, then dropped).
    pub(super) plan: PlanWorker,
    /// What is left to decide, in order.
    pub(super) deferred: Vec<Deferred>,
    pub(super) diags: Vec<Diagnostic>,
    /// Secret names the worker reads from the environment.
    pub(super) secrets: Vec<String>,
}

/// Where a resource index goes.
#[derive(Debug, Clone, Copy)]
pub(super) enum Place {
    /// `Value::Resource` of the binding with this index.
    Binding(usize),
    /// The queue of the event source with this index.
    EventSource(usize),
}

/// A step of planning that depends on what was planned before.
pub(super) enum Deferred {
    /// The type of the worker's default entrypoint (its `rpc`).
    Rpc(TypeRequest),
    /// A type imported for binding `binding` (a Durable Object's class, a named entrypoint's).
    Type {
        binding: usize,
        request: TypeRequest,
    },
    /// The id of binding `binding` (a Durable Object namespace, a workflow, a dataset).
    Id {
        binding: usize,
        slot: String,
        base: String,
    },
    /// A shared resource, known by `key`.
    Resource {
        place: Place,
        key: String,
        want: OwnedWanted,
    },
    /// A D1 database: known by its name, its id, or else `key`; once found, known by both.
    D1 {
        place: Place,
        name_key: Option<String>,
        id_key: Option<String>,
        key: String,
        want: OwnedWanted,
        /// `(database_name, database_id)` as the binding gives them.
        name: Option<String>,
        id: Option<String>,
        binding_span: Span,
    },
}

/// A [`Wanted`](super::resources::Wanted) resource that owns its strings (it waits in a draft).
pub(super) struct OwnedWanted {
    pub(super) kind: ResourceKind,
    pub(super) slot: String,
    pub(super) binding: String,
    pub(super) span: Span,
}

/// Drafts one worker against the frozen context.
pub(super) struct Drafter<'c, 'a> {
    pub(super) cx: &'c Context<'a>,
    pub(super) deferred: Vec<Deferred>,
    pub(super) diags: Vec<Diagnostic>,
    pub(super) secrets: Vec<String>,
    /// The index the binding being planned will have in the worker's list.
    pub(super) next_binding: usize,
}

impl<'c, 'a> std::ops::Deref for Drafter<'c, 'a> {
    type Target = Context<'a>;

    fn deref(&self) -> &Context<'a> {
        self.cx
    }
}

impl<'c, 'a> Drafter<'c, 'a> {
    /// Drafts worker `i` (the `order_position`-th of the creation order); the typed worker is
    /// dropped here.
    pub(super) fn draft(cx: &'c Context<'a>, order_position: usize, i: usize, w: Worker) -> Draft {
        let mut d = Drafter {
            cx,
            deferred: Vec::new(),
            diags: Vec::new(),
            secrets: Vec::new(),
            next_binding: 0,
        };
        let fate = cx.fate[i];
        let plan = match fate {
            Fate::Emitted => d.worker(order_position, i, &w),
            Fate::ResourcesOnly => d.resources_only(i, &w),
            Fate::NoEntry => {
                let span = w.name.as_ref().map(|n| n.span).unwrap_or(w.span);
                d.diags.push(codes::no_entry(span, &display_name(&w)));
                PlanWorker::default()
            }
            Fate::Skipped => PlanWorker::default(),
        };
        Draft {
            i,
            fate,
            plan,
            deferred: d.deferred,
            diags: d.diags,
            secrets: d.secrets,
        }
    }

    /// Worker `i`, the `order_position`-th of the creation order.
    fn worker(&mut self, order_position: usize, i: usize, w: &Worker) -> PlanWorker {
        let origin = &self.origins[i];
        let out_dir = self.opts.out_dir;
        if let Some(r) = self.modules.request(i, "default", is_entrypoint) {
            self.deferred.push(Deferred::Rpc(r));
        }
        let mut pw = self.worker_shell(order_position, i, w);
        routes(&mut pw, w);
        self.bindings(&mut pw, i, w);
        if let Some(a) = &w.assets {
            plan_assets(&mut pw, w, a, origin, self.opts, &mut self.diags);
        }
        if let Some(layout) = &origin.pages {
            plan_pages(&mut pw, w, layout, out_dir, &mut self.diags);
        }
        self.consumers(&mut pw, i, w);
        self.tail_consumers(&mut pw, i, w);
        if pw.service_worker
            && let Some(m) = &w.main
        {
            self.diags.push(codes::service_worker_format(m.span, &m.v));
        }
        plan_settings(&mut pw, w, out_dir, &origin.dir, &mut self.diags);
        pw
    }

    /// A config without code: its resources are declared (other workers may share them).
    fn resources_only(&mut self, i: usize, w: &Worker) -> PlanWorker {
        let mut pw = PlanWorker::default();
        let declared: Vec<_> = w.bindings.iter().filter(|b| b.kind.is_resource()).collect();
        for b in &declared {
            self.next_binding = pw.bindings.len();
            pw.bindings.extend(self.binding(i, w, b));
        }
        self.diags.push(codes::no_main(
            w.name.as_ref().map(|n| n.span).unwrap_or(w.span),
            &display_name(w),
            declared.len(),
        ));
        pw
    }

    /// The worker with what its config says directly; bindings, routes and settings to come.
    fn worker_shell(&self, position: usize, i: usize, w: &Worker) -> PlanWorker {
        let origin = &self.origins[i];
        let (entrypoint, script) = entry_of(w, origin, self.opts.out_dir);
        PlanWorker {
            rpc: None,
            position,
            // (Filled in when the draft is completed: see `State::complete`.)
            ident: String::new(),
            id: String::new(),
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
            service_worker: self.modules.exports[i]
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
            self.next_binding = pw.bindings.len();
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
            let slot = [self.opts.labels[i].as_str(), "/consumer:", &c.queue.v].concat();
            self.queue(
                &c.queue,
                None,
                slot,
                Place::EventSource(pw.event_sources.len()),
            );
            if c.visibility_timeout_ms.is_some() {
                self.diags.push(codes::unsupported(c.span, &format!("`visibility_timeout_ms` of the consumer of queue `{}`", c.queue.v), "set the visibility timeout on the consumer with wrangler or the dashboard after deploying"));
                pw.todos.push(codes::not_expressible_todo(format_args!(
                    "visibility_timeout_ms of the consumer of {:?}",
                    c.queue.v
                )));
            }
            pw.event_sources.push(EventSource {
                queue: UNRESOLVED,
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
