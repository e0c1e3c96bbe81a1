//! Bindings: each binding of a config resolved to a value of the program (a resource, another
//! worker, a placeholder, an external script, a literal) or to a TODO saying why it cannot be.

use super::draft::{Deferred, Drafter, OwnedWanted, Place, UNRESOLVED};
use super::names::kebab;
use super::typing::{is_class, is_entrypoint};
use super::{Binding, ResourceKind, ScriptRef, Value, relative};
use crate::config::model::{self, BindingKind, S, Worker};
use crate::diagnostics::{Span, codes};
use crate::graph::Target;
use crate::syntax::Node;

/// The binding being planned.
pub(super) struct At<'b> {
    /// The worker's discovery index.
    i: usize,
    w: &'b Worker,
    b: &'b model::Binding,
    /// The worker's label (see [`At::slot`]).
    label: &'b str,
}

impl At<'_> {
    fn name(&self) -> &str {
        &self.b.name.v
    }

    /// `<worker label>/<binding>`: the binding's names are the same in every stage (made when
    /// a binding needs a name of its own: most bindings do not).
    fn slot(&self) -> String {
        [self.label, "/", self.name()].concat()
    }

    fn bound(&self, value: Value) -> Option<Binding> {
        Some(Binding {
            name: self.name().to_string(),
            value: Some(value),
            todo: None,
        })
    }

    fn left_out(&self, todo: String) -> Option<Binding> {
        Some(Binding {
            name: self.name().to_string(),
            value: None,
            todo: Some(todo),
        })
    }

    /// The resource request for this binding.
    fn wants(&self, kind: ResourceKind, span: Span) -> OwnedWanted {
        OwnedWanted {
            kind,
            slot: self.slot(),
            binding: self.name().to_string(),
            span,
        }
    }
}

/// The name of a resource that the config asks wrangler to provision (no name, no id): the
/// worker's name and the binding's, as wrangler names what it provisions.
fn provisioned_name(w: &Worker, binding: &str, span: Span) -> S<String> {
    let binding = kebab(binding);
    let v = match &w.name {
        Some(n) => [n.v.as_str(), "-", &binding].concat(),
        None => binding,
    };
    S { v, span }
}

impl Drafter<'_, '_> {
    /// Plans binding `b` of worker `i`; `None` when nothing takes its place (the assets binding,
    /// emitted with the assets; a service binding the graph has no edge for).
    pub(super) fn binding(&mut self, i: usize, w: &Worker, b: &model::Binding) -> Option<Binding> {
        let at = At {
            i,
            w,
            b,
            label: &self.opts.labels[i],
        };
        match &b.kind {
            BindingKind::Var(node) => at.bound(match node.as_str() {
                Some(s) => Value::Str(s.to_string()),
                None => Value::Json(node.to_json()),
            }),
            BindingKind::Secret => {
                self.secrets.push(at.name().to_string());
                self.diags
                    .push(codes::secret_from_env(b.name.span, at.name()));
                at.bound(Value::Secret(at.name().to_string()))
            }
            BindingKind::Service {
                entrypoint, props, ..
            } => self.service(&at, entrypoint.as_ref(), props.as_ref()),
            BindingKind::DurableObject {
                class_name,
                script_name,
                environment,
            } => at.bound(self.durable_object(
                &at,
                class_name,
                script_name.as_ref(),
                environment.as_ref(),
            )),
            BindingKind::Workflow {
                name,
                class_name,
                script_name,
                steps,
            } => {
                if steps.is_some() {
                    self.diags.push(codes::not_translated(b.span, "workflows[].limits.steps", "Alchemy 0.94 accepts the limit but never sends it; set it in the dashboard if you rely on it"));
                }
                let id = self.binding_id(&at);
                let script = self.script(&at, script_name.as_ref());
                at.bound(Value::Workflow {
                    id,
                    workflow_name: name.v.clone(),
                    class_name: class_name.v.clone(),
                    script,
                    steps: *steps,
                })
            }
            kind if kind.is_resource() => self.resource_binding(&at),
            _ => self.other_binding(&at),
        }
    }

    /// A binding to a resource: KV, R2, D1, queue, dispatch namespace, Vectorize, Hyperdrive.
    fn resource_binding(&mut self, at: &At<'_>) -> Option<Binding> {
        let (b, name) = (at.b, at.name());
        let r = match &b.kind {
            BindingKind::Kv { id: Some(id) } => {
                let kind = ResourceKind::KvById { id: id.v.clone() };
                self.resource(at.wants(kind, id.span))
            }
            BindingKind::Kv { id: None } => {
                let title = match &at.w.name {
                    Some(n) => [n.v.as_str(), "-", &kebab(name)].concat(),
                    None => kebab(name),
                };
                let kind = ResourceKind::KvNew { title };
                self.resource(at.wants(kind, b.span))
            }
            BindingKind::R2 {
                bucket_name,
                jurisdiction,
            } => {
                let bucket = self.named_or_provisioned(at, bucket_name.as_ref(), Provisioned::R2);
                let kind = ResourceKind::R2 {
                    name: bucket.v,
                    jurisdiction: jurisdiction.as_ref().map(|x| x.v.clone()),
                };
                self.resource(at.wants(kind, bucket.span))
            }
            BindingKind::D1 { .. } => self.d1(at),
            BindingKind::QueueProducer {
                queue,
                delivery_delay,
            } => self.queue(
                queue,
                delivery_delay.as_ref().map(|d| d.v),
                at.slot(),
                Place::Binding(self.next_binding),
            ),
            BindingKind::DispatchNamespace {
                namespace,
                outbound,
            } => return self.dispatch_namespace(at, namespace, outbound.as_ref()),
            BindingKind::Vectorize { index_name } => {
                self.diags.push(codes::local_dev_limit(b.span, name, "Vectorize always runs remotely, so `alchemy dev` needs real Cloudflare credentials and network"));
                let kind = ResourceKind::Vectorize {
                    index_name: index_name.v.clone(),
                };
                self.resource(at.wants(kind, index_name.span))
            }
            BindingKind::Hyperdrive {
                id,
                local_connection_string,
            } => {
                let local_secret = local_connection_string
                    .as_ref()
                    .map(|l| self.local_connection_secret(name, l.span));
                let kind = ResourceKind::Hyperdrive {
                    id: id.v.clone(),
                    binding: name.to_string(),
                    local_secret,
                };
                self.resource(at.wants(kind, id.span))
            }
            _ => unreachable!("not a resource binding"),
        };
        at.bound(Value::Resource(r))
    }

    /// The resource this binding wants, found or declared by the planner: a blank for now.
    fn resource(&mut self, want: OwnedWanted) -> usize {
        self.defer_resource(Place::Binding(self.next_binding), want)
    }

    /// The resource `want` asks for, to be written at `place`: a blank for now.
    fn defer_resource(&mut self, place: Place, want: OwnedWanted) -> usize {
        self.deferred.push(Deferred::Resource {
            place,
            key: want.kind.key(),
            want,
        });
        UNRESOLVED
    }

    /// A queue, by name; `slot` is the producer binding's or the consumer's, `place` where the
    /// queue goes. A blank for now.
    pub(super) fn queue(
        &mut self,
        queue: &S<String>,
        delivery_delay: Option<f64>,
        slot: String,
        place: Place,
    ) -> usize {
        let kind = ResourceKind::Queue {
            name: queue.v.clone(),
            delivery_delay,
        };
        let want = OwnedWanted {
            kind,
            slot,
            binding: String::new(),
            span: queue.span,
        };
        self.defer_resource(place, want)
    }

    /// A D1 database: one, whether a config names it or gives its id (looked up by both); what
    /// one config leaves out (the real name, the migrations), another may say. A blank for now.
    fn d1(&mut self, at: &At<'_>) -> usize {
        let BindingKind::D1 {
            database_name,
            database_id,
            migrations_dir,
            migrations_table,
        } = &at.b.kind
        else {
            unreachable!("not a D1 binding")
        };
        let given = database_name.as_ref().or(database_id.as_ref());
        let db = self.named_or_provisioned(at, given, Provisioned::D1);
        let dir = migrations_dir
            .as_ref()
            .map(|m| relative(self.opts.out_dir, &self.origins[at.i].dir.join(&m.v)));
        let name_key = database_name.as_ref().map(|n| format!("d1:{}", n.v));
        let id_key = database_id.as_ref().map(|i| format!("d1id:{}", i.v));
        let kind = ResourceKind::D1 {
            name: db.v.clone(),
            migrations_dir: dir,
            migrations_table: migrations_table.as_ref().map(|t| t.v.clone()),
        };
        self.deferred.push(Deferred::D1 {
            place: Place::Binding(self.next_binding),
            name_key,
            id_key,
            key: kind.key(),
            want: at.wants(kind, db.span),
            name: database_name.as_ref().map(|n| n.v.clone()),
            id: database_id.as_ref().map(|i| i.v.clone()),
            binding_span: at.b.span,
        });
        UNRESOLVED
    }

    /// The resource's name as the config gives it, or the one wrangler would provision it under
    /// (reported).
    fn named_or_provisioned(
        &mut self,
        at: &At<'_>,
        given: Option<&S<String>>,
        what: Provisioned,
    ) -> S<String> {
        if let Some(name) = given {
            return name.clone();
        }
        let provisioned = provisioned_name(at.w, at.name(), at.b.span);
        let (section, field, noun) = match what {
            Provisioned::R2 => ("r2_buckets", "bucket_name", "bucket"),
            Provisioned::D1 => ("d1_databases", "database_name", "database"),
        };
        self.diags.push(codes::provisioned(
            at.b.span,
            section,
            field,
            noun,
            &provisioned.v,
        ));
        provisioned
    }

    /// The environment variable a Hyperdrive's local connection string is read from (it is a
    /// credential: never copied into the program).
    fn local_connection_secret(&mut self, binding: &str, span: Span) -> String {
        let var = format!(
            "{}_LOCAL_CONNECTION_STRING",
            binding
                .to_ascii_uppercase()
                .replace(|c: char| !c.is_ascii_alphanumeric(), "_")
        );
        self.diags.push(codes::action_needed(span, "hyperdrive[].localConnectionString", &format!("is a credential; it is read from the environment variable `{var}` instead of being copied"), &format!("set `{var}` for local development (see .env.example)")));
        self.secrets.push(var.clone());
        var
    }

    fn dispatch_namespace(
        &mut self,
        at: &At<'_>,
        namespace: &S<String>,
        outbound: Option<&S<Node>>,
    ) -> Option<Binding> {
        let name = at.name();
        self.diags.push(codes::local_dev_limit(
            at.b.span,
            name,
            "DispatchNamespace calls the Cloudflare API even in local dev",
        ));
        let kind = ResourceKind::DispatchNamespace {
            namespace: namespace.v.clone(),
        };
        let r = self.resource(at.wants(kind, namespace.span));
        let mut binding = at.bound(Value::Resource(r));
        if let Some(o) = outbound {
            self.diags.push(codes::unsupported(o.span, &format!("the `outbound` worker of dispatch namespace binding `{name}`"), "configure the outbound worker on the dispatch namespace with wrangler or the API after deploying"));
            let svc = o.v.get("service").and_then(Node::as_str).unwrap_or("?");
            if let Some(b) = &mut binding {
                b.todo = Some(codes::not_expressible_todo(format_args!(
                    "dispatch outbound worker {svc:?}"
                )));
            }
        }
        binding
    }

    /// A binding's own id (Durable Object namespaces, workflows, datasets): the worker's label
    /// and the binding's name. A blank for now.
    fn binding_id(&mut self, at: &At<'_>) -> String {
        let label = &self.opts.labels[at.i];
        self.deferred.push(Deferred::Id {
            binding: self.next_binding,
            slot: at.slot(),
            base: [kebab(label), "-".into(), kebab(at.name())].concat(),
        });
        String::new()
    }

    fn durable_object(
        &mut self,
        at: &At<'_>,
        class_name: &S<String>,
        script_name: Option<&S<String>>,
        environment: Option<&S<String>>,
    ) -> Value {
        let id = self.binding_id(at);
        let script = self.script(at, script_name);
        if let Some(env) = environment {
            self.diags.push(codes::not_translated(
                env.span,
                "durable_objects.bindings[].environment",
                "service environments no longer exist; the Durable Object is bound by script name",
            ));
        }
        let sqlite = script.is_none() && at.w.sqlite_classes.contains(&class_name.v);
        // Type the namespace with the class, read from the host's main module.
        let host = match &script {
            None => Some(at.i),
            Some(ScriptRef::Worker(t)) => Some(*t),
            Some(ScriptRef::Name(_)) => None,
        };
        if let Some(request) = host.and_then(|h| self.modules.request(h, &class_name.v, is_class)) {
            self.deferred.push(Deferred::Type {
                binding: self.next_binding,
                request,
            });
        }
        Value::DurableObject {
            id,
            class_name: class_name.v.clone(),
            sqlite,
            script,
            ty: None,
        }
    }

    /// The script hosting a Durable Object or workflow: `None` for the worker itself, a worker
    /// of the program created earlier, else its script name.
    fn script(&mut self, at: &At<'_>, script_name: Option<&S<String>>) -> Option<ScriptRef> {
        let s = script_name?;
        if Some(&s.v) == at.w.name.as_ref().map(|n| &n.v) {
            return None;
        }
        let edge = self
            .edge_of
            .get(&(at.i, at.name()))
            .map(|&k| (&self.graph.edges[k].to, self.graph.is_broken(k)));
        Some(match edge {
            Some((Target::Worker(t), false)) if self.is_emitted(*t) => ScriptRef::Worker(*t),
            Some((Target::External(_), _)) => {
                self.diags.push(codes::action_needed(at.b.span, "script_name", &format!("`{}` is not part of the migration", s.v), "the host worker must be deployed before this one; Alchemy's local dev cannot start a worker bound to a Durable Object of a worker it does not run"));
                ScriptRef::Name(s.v.clone())
            }
            _ => ScriptRef::Name(s.v.clone()),
        })
    }

    /// A service binding: the other worker itself, a placeholder (a broken cycle), the worker
    /// itself (`Self`) or a script outside the program; with a named entrypoint, checked
    /// against the target's exports and typed with its class.
    fn service(
        &mut self,
        at: &At<'_>,
        entrypoint: Option<&S<String>>,
        props: Option<&Node>,
    ) -> Option<Binding> {
        let name = at.name();
        if let Some(p) = props {
            self.diags.push(codes::unsupported(p.span, &format!("`props` on service binding `{name}`"), "Alchemy 0.94 service bindings carry no props; pass the values another way (e.g. vars on the target)"));
        }
        let k = *self.edge_of.get(&(at.i, name))?;
        let base = match self.service_target(at, k) {
            Ok(v) => v,
            Err(todo) => return at.left_out(todo),
        };
        // A default entrypoint is typed by the target itself (its `rpc`); a named one with the
        // class read from the target's main module (not for a worker binding itself: that type
        // is circular).
        let target = match (&self.graph.edges[k].to, &base) {
            (Target::Worker(t), Value::Worker(_) | Value::Placeholder(_)) => Some(*t),
            (Target::SelfRef, _) => Some(at.i),
            _ => None,
        };
        if let Some(t) = target {
            self.type_entrypoint(at, t, entrypoint);
        }
        match entrypoint {
            Some(e) => {
                self.diags
                    .push(codes::entrypoint_local_dev(e.span, name, &e.v));
                // (Its type, when there is one, is a blank the planner fills in.)
                at.bound(Value::Entrypoint(Box::new(base), e.v.clone(), None))
            }
            None => at.bound(base),
        }
    }

    /// What service edge `k` binds; `Err` with a TODO when the binding is left out.
    fn service_target(&mut self, at: &At<'_>, k: usize) -> Result<Value, String> {
        let graph = self.graph;
        Ok(match &graph.edges[k].to {
            Target::SelfRef => Value::SelfRef,
            Target::Worker(t) if !self.is_emitted(*t) => Value::External(graph.names[*t].clone()),
            Target::Worker(t) if graph.is_broken(k) => match self.placeholder_of.get(t) {
                Some(&p) => Value::Placeholder(p),
                None => Value::External(graph.names[*t].clone()),
            },
            Target::Worker(t) => Value::Worker(*t),
            Target::Queue(q) => Value::External(q.clone()),
            // A worker of the migration that this stage does not deploy: bound by its script
            // name, as wrangler does (reported once per worker by the stage analysis).
            Target::External(n) if self.opts.migration_names.contains(n) => {
                Value::External(n.clone())
            }
            Target::External(n) if self.opts.skip_external => {
                self.diags
                    .push(codes::skipped_external(at.b.span, at.name(), n));
                return Err(format!(
                    "left out (--skip-external-services): service binding to the external worker {n:?}"
                ));
            }
            Target::External(n) => {
                self.diags
                    .push(codes::external_service(at.b.span, at.name(), n));
                Value::External(n.clone())
            }
        })
    }

    /// Checks a service binding's entrypoint against the exports of target `t`; a named
    /// entrypoint of another worker is typed with its class (a deferred type import).
    fn type_entrypoint(&mut self, at: &At<'_>, t: usize, entrypoint: Option<&S<String>>) {
        let (i, name) = (at.i, at.name());
        // Messages name the module as the target's config writes it (`src/index.ts`): the same
        // from the command line and from MIGRATION.md.
        let main = self.origins[t].main_written.clone().unwrap_or_default();
        let target = &self.graph.names[t];
        let Some(exports) = self.modules.exports[t] else {
            // A self-binding is never typed (its type would be circular).
            if t != i {
                let why = format!("its main module `{main}` could not be read");
                self.diags
                    .push(codes::untyped_service(at.b.span, name, target, &why));
            }
            return;
        };
        match entrypoint {
            Some(e) if !exports.may_export(&e.v) => {
                self.diags
                    .push(codes::missing_entrypoint(e.span, name, &e.v, target, &main));
            }
            Some(e) if t != i => {
                if let Some(request) = self.modules.request(t, &e.v, is_entrypoint) {
                    self.deferred.push(Deferred::Type {
                        binding: self.next_binding,
                        request,
                    });
                }
            }
            _ => {}
        }
    }

    /// Bindings that are neither resources nor other workers.
    fn other_binding(&mut self, at: &At<'_>) -> Option<Binding> {
        let (b, name) = (at.b, at.name());
        let remote = |what: &str| {
            format!(
                "{what} always runs remotely, so `alchemy dev` needs real Cloudflare credentials and network"
            )
        };
        match &b.kind {
            BindingKind::AnalyticsEngine { dataset } => {
                let dataset = dataset
                    .as_ref()
                    .map(|d| d.v.clone())
                    .unwrap_or_else(|| name.to_string());
                let id = self.binding_id(at);
                at.bound(Value::AnalyticsEngine { id, dataset })
            }
            BindingKind::Ai => {
                self.diags
                    .push(codes::local_dev_limit(b.span, name, &remote("Workers AI")));
                at.bound(Value::Ai)
            }
            BindingKind::Browser => {
                self.diags.push(codes::local_dev_limit(
                    b.span,
                    name,
                    &remote("Browser Rendering"),
                ));
                at.bound(Value::Browser)
            }
            BindingKind::Images => at.bound(Value::Images),
            BindingKind::VersionMetadata => at.bound(Value::VersionMetadata),
            BindingKind::WorkerLoader => at.bound(Value::WorkerLoader),
            BindingKind::RateLimit {
                namespace_id,
                limit,
                period,
            } => self.rate_limit(at, namespace_id, *limit, *period),
            BindingKind::SendEmail {
                destination_address,
                allowed_destination_addresses,
                allowed_sender_addresses,
            } => {
                self.diags.push(codes::local_dev_limit(b.span, name, "Alchemy 0.94's local dev cannot start a worker with a send_email binding (workerd rejects it); deploys work"));
                at.bound(Value::EmailSender {
                    destination_address: destination_address.as_ref().map(|d| d.v.clone()),
                    allowed_destination_addresses: allowed_destination_addresses.clone(),
                    allowed_sender_addresses: allowed_sender_addresses.clone(),
                })
            }
            BindingKind::SecretsStoreSecret {
                store_id,
                secret_name,
            } => at.bound(Value::SecretsStore {
                secret_name: secret_name.v.clone(),
                store_id: store_id.v.clone(),
            }),
            BindingKind::Pipeline { stream } => at.bound(Value::Pipeline {
                stream: stream.v.clone(),
            }),
            BindingKind::Assets => None, // emitted with the `assets` config
            _ => self.inexpressible(at),
        }
    }

    fn rate_limit(
        &mut self,
        at: &At<'_>,
        namespace_id: &S<String>,
        limit: f64,
        period: f64,
    ) -> Option<Binding> {
        let name = at.name();
        match namespace_id.v.trim().parse::<f64>() {
            Ok(namespace_id) => {
                self.diags.push(codes::local_dev_limit(at.b.span, name, "Alchemy 0.94's local dev cannot start a worker with a rate limit binding (miniflare rejects it); deploys work"));
                at.bound(Value::RateLimit {
                    namespace_id,
                    limit,
                    period,
                })
            }
            Err(_) => {
                let d = codes::invalid_value(
                    namespace_id.span,
                    &format!("ratelimits binding {name} namespace_id"),
                    "it is not a number",
                    "use the numeric namespace id of the rate limit",
                );
                let todo = d.todo_comment(format_args!(
                    "rate limit {name} has a non-numeric namespace_id {:?}",
                    namespace_id.v
                ));
                self.diags.push(d);
                at.left_out(todo)
            }
        }
    }

    /// Bindings the program cannot express: reported, and a TODO in their place.
    fn inexpressible(&mut self, at: &At<'_>) -> Option<Binding> {
        let (b, name) = (at.b, at.name());
        let (what, help, todo) = match &b.kind {
            BindingKind::MtlsCertificate { certificate_id } => (
                format!("mTLS certificate binding `{name}`"),
                "bind the certificate in the dashboard or with wrangler after deploying",
                format!(
                    "mtls_certificates binding (certificate_id {:?})",
                    certificate_id.v
                ),
            ),
            BindingKind::Unsafe { ty, .. } => (
                format!("unsafe binding `{name}` of type `{ty}`"),
                "unsafe bindings have no Alchemy equivalent; add it with the Cloudflare API after deploying",
                format!("unsafe binding of type {ty:?}"),
            ),
            BindingKind::Unsupported { key } => (
                format!("the `{key}` binding `{name}`"),
                "add this binding with wrangler or the dashboard after deploying",
                format!("{key} binding"),
            ),
            other => unreachable!("{} bindings are expressible", other.section()),
        };
        self.diags.push(codes::unsupported(b.span, &what, help));
        at.left_out(codes::not_expressible_todo(todo))
    }
}

/// The resources wrangler provisions when a binding names none.
#[derive(Clone, Copy)]
enum Provisioned {
    R2,
    D1,
}
