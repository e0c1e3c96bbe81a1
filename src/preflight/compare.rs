//! The comparison: one worker of the program against the same script in the live account. Pure:
//! no I/O, so every rule is a row in the table tests below.
//!
//! What is reported follows from what a first deploy does to an adopted worker (it uploads the
//! complete binding list without `keep_bindings`): bindings re-pointed, emptied or removed are
//! errors; vars removed, crons replaced, custom domains the program does not know and secrets
//! overwritten are warnings; new workers, secrets kept but untyped and compatibility changes are
//! notes. Bindings that stay the same are not mentioned.

use super::expected::{ExpectedBinding, ExpectedWorker, Target};
use super::live::{LiveBinding, LiveResources, LiveScript, LiveWorker, Lookup};
use crate::HashMap;
use crate::diagnostics::{Diagnostic, codes};
use std::collections::BTreeSet;

/// The live binding a program binding is compared with: the first of the same name.
fn live_of<'a>(live: &'a LiveScript, name: &str) -> Option<&'a LiveBinding> {
    live.bindings
        .iter()
        .find(|b| b.name == name && !b.is_secret())
}

/// The D1 database a program binding must end up on: the one the live worker binds under that
/// name, else the config's `database_id`. `(id, from_live)`.
fn d1_reference(b: &ExpectedBinding, live: Option<&LiveScript>) -> Option<(String, bool)> {
    let Target::D1 { config_id, .. } = &b.target else {
        return None;
    };
    match live.and_then(|l| live_of(l, &b.name)) {
        Some(lb) if lb.kind == "d1" => lb.d1_id().map(|id| (id.to_string(), true)),
        Some(_) => None,
        None => config_id.clone().map(|id| (id, false)),
    }
}

/// The lookups the comparison of this worker still needs, given those already made.
pub fn lookups(e: &ExpectedWorker, live: &LiveWorker, res: &LiveResources) -> BTreeSet<Lookup> {
    let script = match live {
        LiveWorker::Present(s) => Some(s),
        LiveWorker::Missing => None,
    };
    let mut out = BTreeSet::new();
    for b in &e.bindings {
        if let (Target::D1 { name, .. }, Some((id, _))) = (&b.target, d1_reference(b, script)) {
            match res.d1_by_name.get(name) {
                None => {
                    out.insert(Lookup::D1ByName(name.clone()));
                }
                Some(found) if found.as_deref() != Some(id.as_str()) => {
                    if !res.d1_by_id.contains_key(&id) {
                        out.insert(Lookup::D1ById(id));
                    }
                }
                Some(_) => {}
            }
        }
        let Some(lb) = script.and_then(|s| live_of(s, &b.name)) else {
            continue;
        };
        match (&b.target, lb.kind.as_str()) {
            (Target::R2 { name, .. }, "r2_bucket")
                if lb.bucket_name.as_ref().is_some_and(|n| n != name)
                    && !res.r2.contains_key(name) =>
            {
                out.insert(Lookup::R2(name.clone()));
            }
            (Target::Queue { name }, "queue")
                if lb.queue_name.as_ref().is_some_and(|n| n != name) && res.queues.is_none() =>
            {
                out.insert(Lookup::Queues);
            }
            _ => {}
        }
    }
    out
}

/// Compares one worker of the program with the live script. `account` names the account in
/// messages.
pub fn compare(
    e: &ExpectedWorker,
    live: &LiveWorker,
    res: &LiveResources,
    account: &str,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let live = match live {
        LiveWorker::Missing => {
            out.push(codes::worker_created(e.span, &e.script, account));
            // The deploy still adopts D1 databases by name: check them against the config's ids.
            for b in &e.bindings {
                if let Some((id, from_live)) = d1_reference(b, None) {
                    check_d1(&mut out, e, b, &id, from_live, res);
                }
            }
            return out;
        }
        LiveWorker::Present(s) => s,
    };
    let mut program: HashMap<&str, &ExpectedBinding> = HashMap::default();
    for b in &e.bindings {
        program.entry(b.name.as_str()).or_insert(b);
    }
    // Live bindings: each one kept, re-pointed or removed.
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    for lb in live.bindings.iter().filter(|b| !b.is_secret()) {
        if !seen.insert(lb.name.as_str()) {
            continue;
        }
        match program.get(lb.name.as_str()) {
            None if lb.is_var() => out.push(codes::live_var_removed(
                e.span,
                &e.script,
                &lb.name,
                e.keep_vars,
            )),
            None => out.push(codes::live_binding_removed(
                e.span,
                &e.script,
                &lb.name,
                &describe_live(lb, res),
                "no config declares it: add it to the config if the worker still needs it",
            )),
            Some(pb) => match &pb.target {
                Target::LeftOut { section } => out.push(codes::live_binding_removed(
                    pb.span.or(e.span),
                    &e.script,
                    &lb.name,
                    &describe_live(lb, res),
                    &format!("Alchemy 0.94 cannot express this `{section}` binding (a TODO marks it in alchemy.run.ts): add it back with wrangler or the dashboard right after the deploy"),
                )),
                Target::Var if lb.is_var() => {}
                t if t.api_type() != lb.kind.as_str() => out.push(codes::binding_repointed(
                    pb.span.or(e.span),
                    &e.script,
                    &lb.name,
                    &describe_live(lb, res),
                    &describe_target(t),
                    "the binding keeps its name but changes kind: check that the config is meant to replace it",
                )),
                _ => compare_same_kind(&mut out, e, pb, lb, res),
            },
        }
    }
    // D1 bindings the live worker does not have: checked against the config's `database_id`.
    for b in &e.bindings {
        if live_of(live, &b.name).is_none()
            && let Some((id, from_live)) = d1_reference(b, Some(live))
        {
            check_d1(&mut out, e, b, &id, from_live, res);
        }
    }
    // Secrets: kept unless the program names them.
    for name in &live.secrets {
        match program.get(name.as_str()) {
            Some(pb) if pb.target == Target::Secret => out.push(
                codes::declared_secret_overwritten(pb.span.or(e.span), &e.script, name),
            ),
            None | Some(ExpectedBinding {
                target: Target::LeftOut { .. },
                ..
            }) => out.push(codes::undeclared_live_secret(e.span, &e.script, name)),
            Some(pb) => out.push(codes::binding_repointed(
                pb.span.or(e.span),
                &e.script,
                name,
                "a secret",
                &describe_target(&pb.target),
                "the deploy replaces the secret with this binding: rename one of them if both are needed",
            )),
        }
    }
    // Crons: set from the program when it has any (the deploy replaces them), else left alone.
    if let Some(crons) = &e.crons {
        let have: BTreeSet<String> = crons.iter().map(|c| normalize_cron(c)).collect();
        for c in &live.crons {
            if !have.contains(&normalize_cron(c)) {
                out.push(codes::live_cron_replaced(
                    e.crons_span.or(e.span),
                    &e.script,
                    c,
                ));
            }
        }
    }
    let domains: BTreeSet<String> = e.domains.iter().map(|d| d.to_ascii_lowercase()).collect();
    for d in &live.domains {
        if !domains.contains(&d.to_ascii_lowercase()) {
            out.push(codes::live_domain_unmanaged(e.span, &e.script, d));
        }
    }
    if let Some(what) = compatibility_change(e, live) {
        out.push(codes::compatibility_changes(
            e.compatibility_date_span.or(e.span),
            &e.script,
            &what,
        ));
    }
    out
}

fn normalize_cron(c: &str) -> String {
    c.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn compatibility_change(e: &ExpectedWorker, live: &LiveScript) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(l) = &live.compatibility_date {
        match &e.compatibility_date {
            Some(p) if p == l => {}
            Some(p) => parts.push(format!("compatibility date {l} → {p}")),
            None => parts.push(format!(
                "compatibility date {l} → Alchemy's default (the config sets none)"
            )),
        }
    }
    let live_flags: BTreeSet<&str> = live
        .compatibility_flags
        .iter()
        .map(String::as_str)
        .collect();
    let flags: BTreeSet<&str> = e.compatibility_flags.iter().map(String::as_str).collect();
    let added: Vec<String> = flags
        .difference(&live_flags)
        .map(|f| format!("+{f}"))
        .collect();
    let removed: Vec<String> = live_flags
        .difference(&flags)
        .map(|f| format!("-{f}"))
        .collect();
    if !added.is_empty() || !removed.is_empty() {
        let mut all = removed;
        all.extend(added);
        parts.push(format!("compatibility flags {}", all.join(" ")));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// Whether a live value names another target than the program's.
fn differs(live: &Option<String>, program: &str) -> bool {
    live.as_deref().is_some_and(|l| l != program)
}

/// A program binding and a live binding of the same kind: do they point at the same thing?
fn compare_same_kind(
    out: &mut Vec<Diagnostic>,
    e: &ExpectedWorker,
    pb: &ExpectedBinding,
    lb: &LiveBinding,
    res: &LiveResources,
) {
    match &pb.target {
        Target::D1 { .. } => {
            if let Some(id) = lb.d1_id() {
                check_d1(out, e, pb, id, true, res);
            }
        }
        Target::R2 { name, jurisdiction } => {
            check_r2(out, e, pb, lb, res, name, jurisdiction.as_deref())
        }
        Target::Queue { name } if differs(&lb.queue_name, name) => {
            let live_name = lb.queue_name.as_deref().unwrap_or_default();
            let help =
                format!("set `queue = \"{live_name}\"` if the worker should keep sending to it");
            let missing = res.queues.as_ref().is_some_and(|all| !all.contains(name));
            let what = format!("queue `{name}`");
            push_repointed(out, e, pb, lb, res, missing.then_some(what.as_str()), &help);
        }
        other => {
            if let Some(help) = repoint_help(other, lb, &e.script) {
                push_repointed(out, e, pb, lb, res, None, &help);
            }
        }
    }
}

/// Reports a re-pointed binding, or (`new_resource`: the program's resource that does not
/// exist) a binding the deploy would point at a new, empty resource.
fn push_repointed(
    out: &mut Vec<Diagnostic>,
    e: &ExpectedWorker,
    pb: &ExpectedBinding,
    lb: &LiveBinding,
    res: &LiveResources,
    new_resource: Option<&str>,
    help: &str,
) {
    let span = pb.span.or(e.span);
    let live = describe_live(lb, res);
    out.push(match new_resource {
        Some(what) => codes::new_empty_resource(span, &e.script, &pb.name, what, &live, help),
        None => codes::binding_repointed(
            span,
            &e.script,
            &pb.name,
            &live,
            &describe_target(&pb.target),
            help,
        ),
    });
}

/// An R2 binding: another bucket (maybe one that does not exist), or another jurisdiction.
fn check_r2(
    out: &mut Vec<Diagnostic>,
    e: &ExpectedWorker,
    pb: &ExpectedBinding,
    lb: &LiveBinding,
    res: &LiveResources,
    name: &str,
    jurisdiction: Option<&str>,
) {
    let live_name = lb.bucket_name.as_deref().unwrap_or(name);
    let norm = |j: Option<&str>| {
        j.filter(|j| !j.is_empty() && *j != "default")
            .map(str::to_string)
    };
    if live_name != name {
        let help =
            format!("set `bucket_name = \"{live_name}\"` if the worker should keep its bucket");
        let what = format!("R2 bucket `{name}`");
        let missing = res.r2.get(name) == Some(&false);
        push_repointed(out, e, pb, lb, res, missing.then_some(what.as_str()), &help);
    } else if norm(lb.jurisdiction.as_deref()) != norm(jurisdiction) {
        let help = "set `jurisdiction` to the live bucket's: a bucket's jurisdiction is part of its identity";
        push_repointed(out, e, pb, lb, res, None, help);
    }
}

/// For the targets compared by a value: the help of a re-pointed binding, when it is re-pointed.
fn repoint_help(target: &Target, lb: &LiveBinding, script_of_worker: &str) -> Option<String> {
    let live_script = || lb.script_name.as_deref().unwrap_or(script_of_worker);
    let help = match target {
        Target::Kv { id } if differs(&lb.namespace_id, id) => format!(
            "set `id = \"{}\"` in `kv_namespaces` if the worker should keep its data",
            lb.namespace_id.as_deref().unwrap_or_default()
        ),
        Target::KvNew { .. } => format!(
            "set `id = \"{}\"` in `kv_namespaces` so the program binds the live namespace",
            lb.namespace_id.as_deref().unwrap_or_default()
        ),
        Target::Service { script, entrypoint } => {
            let live_entry = lb.entrypoint.as_deref().filter(|x| *x != "default");
            let entry = entrypoint.as_deref().filter(|x| *x != "default");
            if !differs(&lb.service, script) && live_entry == entry {
                return None;
            }
            "check `services`: the deploy binds the worker (and entrypoint) the config names".into()
        }
        Target::DurableObject { class, script } => {
            if !differs(&lb.class_name, class) && live_script() == script {
                return None;
            }
            "check `durable_objects.bindings`: another class or script means other objects and their storage".into()
        }
        Target::Workflow {
            name,
            class,
            script,
        } => {
            if !differs(&lb.workflow_name, name)
                && !differs(&lb.class_name, class)
                && live_script() == script
            {
                return None;
            }
            "check `workflows`: the deploy binds the workflow the config names".into()
        }
        Target::DispatchNamespace { namespace } if differs(&lb.namespace, namespace) => {
            "check `dispatch_namespaces`: the program adopts the namespace by name".into()
        }
        Target::Vectorize { index } if differs(&lb.index_name, index) => {
            "check `vectorize`: the deploy binds the index the config names".into()
        }
        Target::Hyperdrive { id } if differs(&lb.id, id) => {
            "check `hyperdrive`: the deploy binds the config the id names".into()
        }
        Target::AnalyticsEngine { dataset } if differs(&lb.dataset, dataset) => {
            "check `analytics_engine_datasets`: a new dataset starts empty".into()
        }
        Target::SecretsStore {
            store_id,
            secret_name,
        } if differs(&lb.store_id, store_id) || differs(&lb.secret_name, secret_name) => {
            "check `secrets_store_secrets`".into()
        }
        Target::RateLimit { namespace_id } if differs(&lb.namespace_id, namespace_id) => {
            "check `ratelimits`: another namespace has other counters".into()
        }
        Target::Pipeline { name } if differs(&lb.pipeline, name) => "check `pipelines`".into(),
        _ => return None,
    };
    Some(help)
}

/// A D1 binding adopted by name, against the database it must stay on (`id`: the live binding's,
/// or the config's `database_id`).
fn check_d1(
    out: &mut Vec<Diagnostic>,
    e: &ExpectedWorker,
    pb: &ExpectedBinding,
    id: &str,
    from_live: bool,
    res: &LiveResources,
) {
    let Target::D1 { name, .. } = &pb.target else {
        return;
    };
    let span = pb.span.or(e.span);
    let live_name = res.d1_by_id.get(id).cloned().flatten();
    let reference = match (&live_name, from_live) {
        (Some(n), true) => format!("D1 database `{n}` (`{id}`)"),
        (None, true) => format!("D1 database `{id}`"),
        (Some(n), false) => format!("D1 database `{n}` (`{id}`, the config's `database_id`)"),
        (None, false) => format!("D1 database `{id}` (the config's `database_id`)"),
    };
    let help = match &live_name {
        Some(n) => format!("set `database_name = \"{n}\"` so the program adopts the database the worker uses"),
        None => "set `database_name` to the name of the database the worker uses, so the program adopts it".into(),
    };
    match res.d1_by_name.get(name) {
        Some(Some(found)) if found == id => {}
        Some(Some(found)) => out.push(codes::binding_repointed(
            span,
            &e.script,
            &pb.name,
            &reference,
            &format!("D1 database `{name}` (`{found}`)"),
            &help,
        )),
        Some(None) => out.push(codes::new_empty_resource(
            span,
            &e.script,
            &pb.name,
            &format!("D1 database `{name}`"),
            &reference,
            &help,
        )),
        None => {} // not looked up: the failed request is reported on its own
    }
}

/// A live binding in words.
fn describe_live(b: &LiveBinding, res: &LiveResources) -> String {
    let q = |v: &Option<String>| v.as_deref().unwrap_or("?").to_string();
    match b.kind.as_str() {
        "plain_text" | "json" => "a var".into(),
        "secret_text" | "secret_key" => "a secret".into(),
        "kv_namespace" => format!("KV namespace `{}`", q(&b.namespace_id)),
        "d1" => {
            let id = b.d1_id().unwrap_or("?");
            match res.d1_by_id.get(id).cloned().flatten() {
                Some(n) => format!("D1 database `{n}` (`{id}`)"),
                None => format!("D1 database `{id}`"),
            }
        }
        "r2_bucket" => match b
            .jurisdiction
            .as_deref()
            .filter(|j| !j.is_empty() && *j != "default")
        {
            Some(j) => format!("R2 bucket `{}` (jurisdiction `{j}`)", q(&b.bucket_name)),
            None => format!("R2 bucket `{}`", q(&b.bucket_name)),
        },
        "queue" => format!("queue `{}`", q(&b.queue_name)),
        "service" => match b.entrypoint.as_deref() {
            Some(ep) => format!("entrypoint `{ep}` of worker `{}`", q(&b.service)),
            None => format!("worker `{}`", q(&b.service)),
        },
        "durable_object_namespace" => match &b.script_name {
            Some(s) => format!("Durable Object class `{}` of `{s}`", q(&b.class_name)),
            None => format!("Durable Object class `{}`", q(&b.class_name)),
        },
        "workflow" => format!("workflow `{}`", q(&b.workflow_name)),
        "dispatch_namespace" => format!("dispatch namespace `{}`", q(&b.namespace)),
        "vectorize" => format!("Vectorize index `{}`", q(&b.index_name)),
        "hyperdrive" => format!("Hyperdrive config `{}`", q(&b.id)),
        "analytics_engine" => format!("Analytics Engine dataset `{}`", q(&b.dataset)),
        "secrets_store_secret" => format!(
            "secret `{}` of store `{}`",
            q(&b.secret_name),
            q(&b.store_id)
        ),
        "ratelimit" => format!("rate limit namespace `{}`", q(&b.namespace_id)),
        "pipelines" => format!("pipeline `{}`", q(&b.pipeline)),
        other => format!("a `{other}` binding"),
    }
}

/// A program target in words.
fn describe_target(t: &Target) -> String {
    match t {
        Target::Var => "a var".into(),
        Target::Secret => "a secret".into(),
        Target::Kv { id } => format!("KV namespace `{id}`"),
        Target::KvNew { title } => format!("a new KV namespace titled `{title}`"),
        Target::D1 { name, .. } => format!("D1 database `{name}`"),
        Target::R2 { name, jurisdiction } => match jurisdiction {
            Some(j) => format!("R2 bucket `{name}` (jurisdiction `{j}`)"),
            None => format!("R2 bucket `{name}`"),
        },
        Target::Queue { name } => format!("queue `{name}`"),
        Target::DispatchNamespace { namespace } => format!("dispatch namespace `{namespace}`"),
        Target::Vectorize { index } => format!("Vectorize index `{index}`"),
        Target::Hyperdrive { id } => format!("Hyperdrive config `{id}`"),
        Target::Service { script, entrypoint } => match entrypoint {
            Some(ep) => format!("entrypoint `{ep}` of worker `{script}`"),
            None => format!("worker `{script}`"),
        },
        Target::DurableObject { class, script } => {
            format!("Durable Object class `{class}` of `{script}`")
        }
        Target::Workflow { name, .. } => format!("workflow `{name}`"),
        Target::AnalyticsEngine { dataset } => format!("Analytics Engine dataset `{dataset}`"),
        Target::SecretsStore {
            store_id,
            secret_name,
        } => format!("secret `{secret_name}` of store `{store_id}`"),
        Target::RateLimit { namespace_id } => format!("rate limit namespace `{namespace_id}`"),
        Target::Pipeline { name } => format!("pipeline `{name}`"),
        Target::Kind(k) => format!("a `{k}` binding"),
        Target::LeftOut { section } => format!("nothing (`{section}` is left out)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Severity;

    fn worker(bindings: Vec<(&str, Target)>) -> ExpectedWorker {
        ExpectedWorker {
            script: "api".into(),
            span: None,
            keep_vars: false,
            bindings: bindings
                .into_iter()
                .map(|(n, t)| ExpectedBinding {
                    name: n.into(),
                    span: None,
                    target: t,
                })
                .collect(),
            crons: None,
            crons_span: None,
            domains: Vec::new(),
            compatibility_date: Some("2025-01-01".into()),
            compatibility_date_span: None,
            compatibility_flags: Vec::new(),
        }
    }

    fn live(bindings: serde_json::Value) -> LiveScript {
        let (s, problems) = super::super::live::settings(
            &serde_json::json!({ "bindings": bindings, "compatibility_date": "2025-01-01" }),
        )
        .unwrap();
        assert!(problems.is_empty());
        s
    }

    fn d1(name: &str, id: Option<&str>) -> Target {
        Target::D1 {
            name: name.into(),
            config_id: id.map(str::to_string),
        }
    }

    fn codes_of(d: &[Diagnostic]) -> Vec<(&'static str, Severity)> {
        d.iter().map(|d| (d.code.as_str(), d.severity)).collect()
    }

    use Severity::{Error as E, Info as I, Warning as W};

    /// One row: the program, the live script, the resources known, the diagnostics expected.
    struct Row {
        what: &'static str,
        program: ExpectedWorker,
        live: LiveWorker,
        res: LiveResources,
        expect: Vec<(&'static str, Severity)>,
    }

    fn res_d1(by_name: &[(&str, Option<&str>)], by_id: &[(&str, Option<&str>)]) -> LiveResources {
        LiveResources {
            d1_by_name: by_name
                .iter()
                .map(|(n, i)| (n.to_string(), i.map(str::to_string)))
                .collect(),
            d1_by_id: by_id
                .iter()
                .map(|(i, n)| (i.to_string(), n.map(str::to_string)))
                .collect(),
            ..LiveResources::default()
        }
    }

    #[allow(clippy::too_many_lines, reason = "one row per case")]
    fn rows() -> Vec<Row> {
        let p = |b| LiveWorker::Present(live(b));
        let none = LiveResources::default;
        let mut keep = worker(vec![]);
        keep.keep_vars = true;
        let mut crons = worker(vec![]);
        crons.crons = Some(vec!["0 * * * *".into()]);
        let mut live_crons = live(serde_json::json!([]));
        live_crons.crons = vec!["0  * * * *".into(), "*/5 * * * *".into()];
        let mut live_domains = live(serde_json::json!([]));
        live_domains.domains = vec!["API.example.com".into(), "old.example.com".into()];
        let mut domains = worker(vec![]);
        domains.domains = vec!["api.example.com".into()];
        let mut secrets = live(serde_json::json!([{"name": "OLD", "type": "secret_text"}]));
        secrets.secrets.insert("TOKEN".into());
        let mut compat = live(serde_json::json!([]));
        compat.compatibility_date = Some("2024-01-01".into());
        compat.compatibility_flags = vec!["nodejs_compat".into()];
        vec![
            Row {
                what: "nothing changes",
                program: worker(vec![
                    ("KV", Target::Kv { id: "k1".into() }),
                    ("V", Target::Var),
                ]),
                live: p(
                    serde_json::json!([{"name":"KV","type":"kv_namespace","namespace_id":"k1"},{"name":"V","type":"json","json":{}}]),
                ),
                res: none(),
                expect: vec![],
            },
            Row {
                what: "new worker",
                program: worker(vec![]),
                live: LiveWorker::Missing,
                res: none(),
                expect: vec![("AM0700", I)],
            },
            Row {
                what: "KV id differs",
                program: worker(vec![("KV", Target::Kv { id: "k2".into() })]),
                live: p(
                    serde_json::json!([{"name":"KV","type":"kv_namespace","namespace_id":"k1"}]),
                ),
                res: none(),
                expect: vec![("AM0701", E)],
            },
            Row {
                what: "KV created where one is bound",
                program: worker(vec![(
                    "KV",
                    Target::KvNew {
                        title: "api-kv".into(),
                    },
                )]),
                live: p(
                    serde_json::json!([{"name":"KV","type":"kv_namespace","namespace_id":"k1"}]),
                ),
                res: none(),
                expect: vec![("AM0701", E)],
            },
            Row {
                what: "D1 same database",
                program: worker(vec![("DB", d1("main", None))]),
                live: p(serde_json::json!([{"name":"DB","type":"d1","id":"u1"}])),
                res: res_d1(&[("main", Some("u1"))], &[]),
                expect: vec![],
            },
            Row {
                what: "D1 name of another database",
                program: worker(vec![("DB", d1("other", None))]),
                live: p(serde_json::json!([{"name":"DB","type":"d1","database_id":"u1"}])),
                res: res_d1(&[("other", Some("u2"))], &[("u1", Some("main"))]),
                expect: vec![("AM0701", E)],
            },
            Row {
                what: "D1 name that does not exist",
                program: worker(vec![("DB", d1("typo", None))]),
                live: p(serde_json::json!([{"name":"DB","type":"d1","database_id":"u1"}])),
                res: res_d1(&[("typo", None)], &[("u1", Some("main"))]),
                expect: vec![("AM0702", E)],
            },
            Row {
                what: "D1 of a new worker against the config's id",
                program: worker(vec![("DB", d1("typo", Some("u1")))]),
                live: LiveWorker::Missing,
                res: res_d1(&[("typo", None)], &[("u1", Some("main"))]),
                expect: vec![("AM0700", I), ("AM0702", E)],
            },
            Row {
                what: "D1 new binding, config id matches",
                program: worker(vec![("DB", d1("main", Some("u1")))]),
                live: p(serde_json::json!([])),
                res: res_d1(&[("main", Some("u1"))], &[]),
                expect: vec![],
            },
            Row {
                what: "R2 renamed, exists",
                program: worker(vec![(
                    "B",
                    Target::R2 {
                        name: "b2".into(),
                        jurisdiction: None,
                    },
                )]),
                live: p(serde_json::json!([{"name":"B","type":"r2_bucket","bucket_name":"b1"}])),
                res: LiveResources {
                    r2: [("b2".to_string(), true)].into(),
                    ..none()
                },
                expect: vec![("AM0701", E)],
            },
            Row {
                what: "R2 renamed, missing",
                program: worker(vec![(
                    "B",
                    Target::R2 {
                        name: "b2".into(),
                        jurisdiction: None,
                    },
                )]),
                live: p(serde_json::json!([{"name":"B","type":"r2_bucket","bucket_name":"b1"}])),
                res: LiveResources {
                    r2: [("b2".to_string(), false)].into(),
                    ..none()
                },
                expect: vec![("AM0702", E)],
            },
            Row {
                what: "R2 jurisdiction",
                program: worker(vec![(
                    "B",
                    Target::R2 {
                        name: "b1".into(),
                        jurisdiction: Some("eu".into()),
                    },
                )]),
                live: p(serde_json::json!([{"name":"B","type":"r2_bucket","bucket_name":"b1"}])),
                res: none(),
                expect: vec![("AM0701", E)],
            },
            Row {
                what: "queue renamed, missing",
                program: worker(vec![("Q", Target::Queue { name: "q2".into() })]),
                live: p(serde_json::json!([{"name":"Q","type":"queue","queue_name":"q1"}])),
                res: LiveResources {
                    queues: Some(["q1".to_string()].into()),
                    ..none()
                },
                expect: vec![("AM0702", E)],
            },
            Row {
                what: "queue renamed, exists",
                program: worker(vec![("Q", Target::Queue { name: "q2".into() })]),
                live: p(serde_json::json!([{"name":"Q","type":"queue","queue_name":"q1"}])),
                res: LiveResources {
                    queues: Some(["q1".to_string(), "q2".to_string()].into()),
                    ..none()
                },
                expect: vec![("AM0701", E)],
            },
            Row {
                what: "service target",
                program: worker(vec![(
                    "S",
                    Target::Service {
                        script: "auth".into(),
                        entrypoint: None,
                    },
                )]),
                live: p(serde_json::json!([{"name":"S","type":"service","service":"auth-old"}])),
                res: none(),
                expect: vec![("AM0701", E)],
            },
            Row {
                what: "service entrypoint",
                program: worker(vec![(
                    "S",
                    Target::Service {
                        script: "auth".into(),
                        entrypoint: Some("Admin".into()),
                    },
                )]),
                live: p(serde_json::json!([{"name":"S","type":"service","service":"auth"}])),
                res: none(),
                expect: vec![("AM0701", E)],
            },
            Row {
                what: "Durable Object class",
                program: worker(vec![(
                    "DO",
                    Target::DurableObject {
                        class: "Room".into(),
                        script: "api".into(),
                    },
                )]),
                live: p(
                    serde_json::json!([{"name":"DO","type":"durable_object_namespace","class_name":"Lobby"}]),
                ),
                res: none(),
                expect: vec![("AM0701", E)],
            },
            Row {
                what: "Durable Object of itself, named",
                program: worker(vec![(
                    "DO",
                    Target::DurableObject {
                        class: "Room".into(),
                        script: "api".into(),
                    },
                )]),
                live: p(
                    serde_json::json!([{"name":"DO","type":"durable_object_namespace","class_name":"Room","script_name":"api"}]),
                ),
                res: none(),
                expect: vec![],
            },
            Row {
                what: "Durable Object script",
                program: worker(vec![(
                    "DO",
                    Target::DurableObject {
                        class: "Room".into(),
                        script: "api".into(),
                    },
                )]),
                live: p(
                    serde_json::json!([{"name":"DO","type":"durable_object_namespace","class_name":"Room","script_name":"rooms"}]),
                ),
                res: none(),
                expect: vec![("AM0701", E)],
            },
            Row {
                what: "kind changes",
                program: worker(vec![("X", Target::Kv { id: "k".into() })]),
                live: p(serde_json::json!([{"name":"X","type":"r2_bucket","bucket_name":"b"}])),
                res: none(),
                expect: vec![("AM0701", E)],
            },
            Row {
                what: "live binding the config lacks",
                program: worker(vec![]),
                live: p(serde_json::json!([{"name":"Q","type":"queue","queue_name":"q1"}])),
                res: none(),
                expect: vec![("AM0703", E)],
            },
            Row {
                what: "live binding the program cannot express",
                program: worker(vec![(
                    "CERT",
                    Target::LeftOut {
                        section: "mtls_certificates".into(),
                    },
                )]),
                live: p(
                    serde_json::json!([{"name":"CERT","type":"mtls_certificate","certificate_id":"c"}]),
                ),
                res: none(),
                expect: vec![("AM0703", E)],
            },
            Row {
                what: "live var not set",
                program: worker(vec![]),
                live: p(serde_json::json!([{"name":"V","type":"plain_text","text":"x"}])),
                res: none(),
                expect: vec![("AM0704", W)],
            },
            Row {
                what: "live var not set, keep_vars",
                program: keep,
                live: p(serde_json::json!([{"name":"V","type":"plain_text","text":"x"}])),
                res: none(),
                expect: vec![("AM0704", E)],
            },
            Row {
                what: "live cron replaced",
                program: crons,
                live: LiveWorker::Present(live_crons.clone()),
                res: none(),
                expect: vec![("AM0705", W)],
            },
            Row {
                what: "no crons in the program: left alone",
                program: worker(vec![]),
                live: LiveWorker::Present(live_crons),
                res: none(),
                expect: vec![],
            },
            Row {
                what: "live custom domain",
                program: domains,
                live: LiveWorker::Present(live_domains),
                res: none(),
                expect: vec![("AM0706", W)],
            },
            Row {
                what: "secrets declared and not",
                program: worker(vec![("TOKEN", Target::Secret)]),
                live: LiveWorker::Present(secrets),
                res: none(),
                expect: vec![("AM0708", I), ("AM0707", W)],
            },
            Row {
                what: "secret replaced by a var",
                program: worker(vec![("OLD", Target::Var)]),
                live: p(serde_json::json!([{"name":"OLD","type":"secret_text"}])),
                res: none(),
                expect: vec![("AM0701", E)],
            },
            Row {
                what: "compatibility",
                program: worker(vec![]),
                live: LiveWorker::Present(compat),
                res: none(),
                expect: vec![("AM0709", I)],
            },
            Row {
                what: "plain kinds stay",
                program: worker(vec![
                    ("AI", Target::Kind("ai")),
                    ("A", Target::Kind("assets")),
                ]),
                live: p(
                    serde_json::json!([{"name":"AI","type":"ai"},{"name":"A","type":"assets"}]),
                ),
                res: none(),
                expect: vec![],
            },
        ]
    }

    #[test]
    fn table() {
        let mut failures = Vec::new();
        for r in rows() {
            let got = compare(&r.program, &r.live, &r.res, "acc");
            if codes_of(&got) != r.expect {
                failures.push(format!(
                    "{}: expected {:?}, got {:#?}",
                    r.what, r.expect, got
                ));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn messages_name_both_databases() {
        let r = res_d1(&[("typo", None)], &[("u1", Some("main"))]);
        let d = compare(
            &worker(vec![("DB", d1("typo", None))]),
            &LiveWorker::Present(live(
                serde_json::json!([{"name":"DB","type":"d1","database_id":"u1"}]),
            )),
            &r,
            "acc",
        );
        assert!(d[0].message.contains("`typo`"), "{}", d[0].message);
        assert!(d[0].message.contains("`main` (`u1`)"), "{}", d[0].message);
        assert!(
            d[0].help
                .as_deref()
                .unwrap()
                .contains("database_name = \"main\"")
        );
    }

    #[test]
    fn lookups_follow_the_comparison() {
        let program = worker(vec![
            ("DB", d1("typo", None)),
            (
                "B",
                Target::R2 {
                    name: "b2".into(),
                    jurisdiction: None,
                },
            ),
            ("Q", Target::Queue { name: "q2".into() }),
            (
                "SAME",
                Target::R2 {
                    name: "b1".into(),
                    jurisdiction: None,
                },
            ),
        ]);
        let l = LiveWorker::Present(live(serde_json::json!([
            {"name":"DB","type":"d1","database_id":"u1"},
            {"name":"B","type":"r2_bucket","bucket_name":"b1"},
            {"name":"Q","type":"queue","queue_name":"q1"},
            {"name":"SAME","type":"r2_bucket","bucket_name":"b1"}
        ])));
        let mut res = LiveResources::default();
        let first: Vec<Lookup> = lookups(&program, &l, &res).into_iter().collect();
        assert_eq!(
            first,
            vec![
                Lookup::D1ByName("typo".into()),
                Lookup::R2("b2".into()),
                Lookup::Queues
            ]
        );
        res.d1_by_name.insert("typo".into(), None);
        res.r2.insert("b2".into(), true);
        res.queues = Some(BTreeSet::new());
        let second: Vec<Lookup> = lookups(&program, &l, &res).into_iter().collect();
        assert_eq!(second, vec![Lookup::D1ById("u1".into())]);
        res.d1_by_id.insert("u1".into(), Some("main".into()));
        assert!(lookups(&program, &l, &res).is_empty());
    }
}
