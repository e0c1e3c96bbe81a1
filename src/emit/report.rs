//! Reports for people: the service binding graph as text, Mermaid, DOT and JSON, `MIGRATION.md`
//! and `.env.example`.

use super::{ALCHEMY_VERSION, OutputFile, TYPESCRIPT_VERSION, WORKERS_TYPES_VERSION};
use crate::diagnostics::{Diagnostic, SourceMap, render_short};
use crate::graph::{EdgeKind, Graph, Target};
use crate::plan::Program;
use std::fmt::Write as _;

fn env_label(e: &crate::graph::Edge) -> String {
    e.environment
        .clone()
        .unwrap_or_else(|| "production".to_string())
}

/// The text tree of the product brief.
pub fn graph_text(g: &Graph) -> String {
    let mut out = String::from("Service binding graph:\n");
    let mut any = false;
    let mut by_from: Vec<Vec<&crate::graph::Edge>> = vec![Vec::new(); g.names.len()];
    for e in &g.edges {
        by_from[e.from].push(e);
    }
    for (i, name) in g.names.iter().enumerate() {
        let edges = &by_from[i];
        if edges.is_empty() {
            continue;
        }
        any = true;
        let _ = writeln!(out, "  {name}");
        for e in edges.iter() {
            let target = match &e.to {
                Target::Worker(t) => g.names[*t].clone(),
                Target::SelfRef => format!("{name} (itself)"),
                Target::External(n) => format!("{n} [external]"),
                Target::Queue(q) => format!("queue {q}"),
            };
            // The environment is shown for service bindings (the brief's format) and wherever a
            // deprecated `environment` was given.
            let env = match (&e.kind, &e.environment) {
                (_, Some(env)) => format!(" ({env})"),
                (EdgeKind::Service { .. }, None) => " (production)".to_string(),
                _ => String::new(),
            };
            let _ = writeln!(out, "    └─ {} → {target}{env}", e.kind.label());
        }
    }
    if !any {
        out.push_str("  (no worker binds another)\n");
    }
    out.push('\n');
    if g.externals.is_empty() {
        out.push_str("All referenced workers found in migration scope.\n");
    } else {
        let list: Vec<&str> = g.externals.iter().map(String::as_str).collect();
        let _ = writeln!(
            out,
            "Workers outside the migration scope (bound by name): {}",
            list.join(", ")
        );
    }
    if !g.cycles.is_empty() {
        for c in &g.cycles {
            let _ = writeln!(
                out,
                "Cycle: {} (broken with a placeholder, see warnings)",
                crate::graph::cycle_text(&g.names, c)
            );
        }
    }
    out
}

fn mermaid_id(i: usize) -> String {
    format!("w{i}")
}

fn mermaid_label(s: &str) -> String {
    s.replace('"', "#quot;").replace(['\n', '\r'], " ")
}

/// A Mermaid flowchart of the graph (renders on GitHub).
pub fn graph_mermaid(g: &Graph) -> String {
    let mut out = String::from("flowchart LR\n");
    for (i, n) in g.names.iter().enumerate() {
        let _ = writeln!(out, "  {}[\"{}\"]", mermaid_id(i), mermaid_label(n));
    }
    for (k, n) in g.externals.iter().enumerate() {
        let _ = writeln!(out, "  x{k}[/\"{} (external)\"/]", mermaid_label(n));
    }
    let externals: std::collections::HashMap<&str, usize> = g
        .externals
        .iter()
        .enumerate()
        .map(|(k, n)| (n.as_str(), k))
        .collect();
    let queues: std::collections::BTreeSet<&str> = g
        .edges
        .iter()
        .filter_map(|e| {
            if let Target::Queue(q) = &e.to {
                Some(q.as_str())
            } else {
                None
            }
        })
        .collect();
    let queue_id: std::collections::HashMap<&str, usize> =
        queues.iter().enumerate().map(|(k, q)| (*q, k)).collect();
    for (k, q) in queues.iter().enumerate() {
        let _ = writeln!(out, "  q{k}[(\"queue {}\")]", mermaid_label(q));
    }
    for e in &g.edges {
        let (from, to) = match &e.to {
            Target::Worker(t) => (mermaid_id(e.from), mermaid_id(*t)),
            Target::SelfRef => (mermaid_id(e.from), mermaid_id(e.from)),
            Target::External(n) => match externals.get(n.as_str()) {
                Some(k) => (mermaid_id(e.from), format!("x{k}")),
                None => continue,
            },
            // Messages flow producer → queue → consumer.
            Target::Queue(q) if matches!(e.kind, EdgeKind::Consumes { .. }) => {
                (format!("q{}", queue_id[q.as_str()]), mermaid_id(e.from))
            }
            Target::Queue(q) => (mermaid_id(e.from), format!("q{}", queue_id[q.as_str()])),
        };
        let (arrow, label) = match e.kind {
            EdgeKind::Queue { .. } => ("-.->", "sends to".to_string()),
            EdgeKind::Consumes { .. } => ("-.->", "consumed by".to_string()),
            _ => ("-->", e.kind.label()),
        };
        let _ = writeln!(out, "  {from} {arrow}|\"{}\"| {to}", mermaid_label(&label));
    }
    out
}

/// Graphviz DOT.
pub fn graph_dot(g: &Graph) -> String {
    let q = |s: &str| {
        format!(
            "\"{}\"",
            s.replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('\n', "\\n")
        )
    };
    let mut out = String::from("digraph workers {\n  rankdir=LR;\n");
    for n in &g.names {
        let _ = writeln!(out, "  {};", q(n));
    }
    for n in &g.externals {
        let _ = writeln!(out, "  {} [shape=box, style=dashed];", q(n));
    }
    for e in &g.edges {
        let to = match &e.to {
            Target::Worker(t) => g.names[*t].clone(),
            Target::SelfRef => g.names[e.from].clone(),
            Target::External(n) => n.clone(),
            Target::Queue(q) => format!("queue {q}"),
        };
        let style = if matches!(e.kind, EdgeKind::Queue { .. } | EdgeKind::Consumes { .. }) {
            ", style=dashed"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "  {} -> {} [label={}{style}];",
            q(&g.names[e.from]),
            q(&to),
            q(&e.kind.label())
        );
    }
    out.push_str("}\n");
    out
}

/// The graph as JSON data.
pub fn graph_json(g: &Graph) -> serde_json::Value {
    let edges: Vec<serde_json::Value> = g
        .edges
        .iter()
        .enumerate()
        .map(|(k, e)| {
            let (to, external) = match &e.to {
                Target::Worker(t) => (g.names[*t].clone(), false),
                Target::SelfRef => (g.names[e.from].clone(), false),
                Target::External(n) => (n.clone(), true),
                Target::Queue(q) => (q.clone(), false),
            };
            let kind = match &e.kind {
                EdgeKind::Service { .. } => "service",
                EdgeKind::DurableObject { .. } => "durable_object",
                EdgeKind::Workflow { .. } => "workflow",
                EdgeKind::TailConsumer => "tail_consumer",
                EdgeKind::Outbound => "dispatch_outbound",
                EdgeKind::Queue { .. } => "queue_producer",
                EdgeKind::Consumes { .. } => "queue_consumer",
            };
            serde_json::json!({
                "from": g.names[e.from], "to": to, "kind": kind, "label": e.kind.label(),
                "binding": e.binding, "external": external, "environment": env_label(e),
                "broken": g.is_broken(k),
            })
        })
        .collect();
    serde_json::json!({
        "workers": g.names,
        "order": g.order.iter().map(|&i| g.names[i].clone()).collect::<Vec<_>>(),
        "edges": edges,
        "externals": g.externals,
        "cycles": g.cycles.iter().map(|c| c.iter().map(|&i| g.names[i].clone()).collect::<Vec<_>>()).collect::<Vec<_>>(),
    })
}

/// `.env.example`: names of the secrets the program reads, never values.
pub fn env_example<'a>(
    p: &Program,
    stages: impl Iterator<Item = &'a Program>,
) -> Option<OutputFile> {
    let mut secrets = p.secrets.clone();
    for s in stages {
        secrets.extend(s.secrets.iter().cloned());
    }
    if secrets.is_empty() {
        return None;
    }
    let mut s = String::from(
        "# Secrets read by alchemy.run.ts (alchemy.secret.env.NAME). Copy to .env and fill in;\n# never commit the values. ALCHEMY_PASSWORD encrypts them in Alchemy's state.\nALCHEMY_PASSWORD=\n",
    );
    for name in &secrets {
        let _ = writeln!(s, "{name}=");
    }
    Some(OutputFile {
        path: ".env.example".into(),
        contents: s,
    })
}

/// `MIGRATION.md`: what was migrated, every diagnostic, what is left to do, how to run it.
pub fn migration_md(
    p: &Program,
    mapping: &[String],
    stages: &[(String, Graph)],
    g: &Graph,
    diags: &[Diagnostic],
    sources: &SourceMap,
    preflight: &[String],
) -> OutputFile {
    let mut s = String::from("# Migration to Alchemy\n\n");
    s.push_str("Generated by alchemy-migrator. `alchemy.run.ts` deploys the workers below with their existing script\nnames; existing resources are adopted (`adopt: true`) and never deleted (`delete: false`).\n\n");
    s.push_str("## Stages\n\n");
    for line in mapping {
        let _ = writeln!(
            s,
            "{}",
            line.trim_start().replace(
                "(`alchemy deploy --stage NAME`):",
                "(`npx alchemy deploy --stage NAME`):"
            )
        );
        s.push('\n');
    }
    s.push_str("## Workers\n\n| worker | script name | from | entry |\n|---|---|---|---|\n");
    for w in &p.workers {
        let _ = writeln!(
            s,
            "| `{}` | `{}` | `{}` | `{}` |",
            w.ident,
            w.script_name.as_deref().unwrap_or("(generated by Alchemy)"),
            w.source,
            w.entrypoint
        );
    }
    if !p.resources.is_empty() {
        s.push_str("\n## Shared resources\n\n| identifier | kind | name or id |\n|---|---|---|\n");
        for r in &p.resources {
            use crate::plan::ResourceKind as K;
            let (kind, name) = match &r.kind {
                K::KvById { id } => ("KV namespace (bound by id)", id.clone()),
                K::KvNew { title } => ("KV namespace (new)", title.clone()),
                K::R2 { name, .. } => ("R2 bucket", name.clone()),
                K::D1 { name, .. } => ("D1 database", name.clone()),
                K::Queue { name, .. } => ("Queue", name.clone()),
                K::DispatchNamespace { namespace } => ("Dispatch namespace", namespace.clone()),
                K::Vectorize { index_name } => ("Vectorize index", index_name.clone()),
                K::Hyperdrive { id, .. } => ("Hyperdrive", id.clone()),
            };
            let _ = writeln!(s, "| `{}` | {kind} | `{name}` |", r.ident);
        }
    }
    if stages.len() <= 1 {
        s.push_str("\n## Service binding graph\n\n```mermaid\n");
        s.push_str(&graph_mermaid(stages.first().map(|x| &x.1).unwrap_or(g)));
        s.push_str("```\n\n```text\n");
        s.push_str(&graph_text(stages.first().map(|x| &x.1).unwrap_or(g)));
        s.push_str("```\n");
    } else {
        s.push_str("\n## Service binding graph, per stage\n");
        for (stage, graph) in stages {
            let _ = write!(
                s,
                "\n### Stage `{stage}`\n\n```mermaid\n{}```\n\n```text\n{}```\n",
                graph_mermaid(graph),
                graph_text(graph)
            );
        }
    }
    if !p.externals.is_empty() {
        s.push_str("\n## Workers outside the migration\n\nThese are bound by name (`WorkerRef`); they must keep being deployed separately:\n\n");
        for e in &p.externals {
            let _ = writeln!(s, "- `{e}`");
        }
    }
    let todo: Vec<&Diagnostic> = diags
        .iter()
        .filter(|d| d.severity != crate::diagnostics::Severity::Info)
        .collect();
    s.push_str("\n## What you must still do\n\n");
    if todo.is_empty() {
        s.push_str("Nothing: every setting was translated.\n");
    } else {
        s.push_str("Each item below is also a diagnostic on the command line; the ones that could not be translated\nhave a `TODO(AMxxxx)` comment at the exact place in `alchemy.run.ts`.\n\n");
        for d in &todo {
            let _ = writeln!(s, "- {}", render_short(d, sources).replace('\n', "\n  "));
        }
    }
    if !p.secrets.is_empty() {
        s.push_str("\n## Secrets\n\nThe program reads these from the environment (see `.env.example`); values are never written to files:\n\n");
        for n in &p.secrets {
            let _ = writeln!(s, "- `{n}`");
        }
    }
    s.push_str(&before_first_deploy(preflight));
    let _ = write!(
        s,
        "\n## Install and run\n\n```sh\nnpm install --save-dev --save-exact alchemy@{ALCHEMY_VERSION} @cloudflare/workers-types@{WORKERS_TYPES_VERSION} typescript@{TYPESCRIPT_VERSION}\nnpx tsc --noEmit          # the program typechecks (tsconfig: \"types\": [\"@cloudflare/workers-types\"])\nnpx alchemy dev           # run every worker locally\nnpx alchemy deploy --stage production   # deploy a stage (reads CLOUDFLARE_API_TOKEN / alchemy login)\n```\n\nWorker code can take its bindings' types from `env/<worker>.ts` (`import type {{ Env }} from \"../env/<worker>.ts\"`).\n"
    );
    // Warnings and errors are listed above; the rest are notes on how things were translated.
    s.push_str("\n## Notes\n\n");
    let notes: Vec<&Diagnostic> = diags
        .iter()
        .filter(|d| d.severity == crate::diagnostics::Severity::Info)
        .collect();
    if notes.is_empty() {
        s.push_str("None.\n");
    } else {
        s.push_str("```text\n");
        for d in notes {
            let _ = writeln!(s, "{}", render_short(d, sources));
        }
        s.push_str("```\n");
    }
    OutputFile {
        path: "MIGRATION.md".into(),
        contents: s,
    }
}

/// The `MIGRATION.md` section on checking each stage against the live account before its first
/// deploy (`preflight`): empty when the program adopts no existing worker.
fn before_first_deploy(commands: &[String]) -> String {
    if commands.is_empty() {
        return String::new();
    }
    let mut s = String::from(
        "\n## Before the first deploy\n\nThe first `alchemy deploy` of a stage replaces what runs under the same script names in your\nCloudflare account. Compare each stage with the live account first, from this folder (read-only:\nit only sends `GET` requests; it needs `CLOUDFLARE_API_TOKEN`, and the account from\n`CLOUDFLARE_ACCOUNT_ID` or the configs' `account_id`):\n\n```sh\n",
    );
    for c in commands {
        let _ = writeln!(s, "{c}");
    }
    s.push_str("```\n\nFor every worker the stage deploys, it reads the live settings, secrets, cron triggers and\ncustom domains, and reports:\n\n- errors (exit 1): a binding the deploy would re-point (another KV namespace, D1 database, R2\n  bucket, queue, service, Durable Object class or script); a resource adopted by a name that does\n  not exist, so the deploy would bind a new, empty one (a D1 `database_name` that is not the live\n  database's name); a live binding the program leaves out, which the deploy removes;\n- warnings: live vars the program does not set (the deploy removes them), live crons it replaces,\n  live custom domains it does not have, live secrets it declares (their values are replaced by the\n  deployer's environment);\n- notes: workers that do not exist yet, live secrets no config names (kept, but not typed),\n  compatibility date or flag changes.\n\nIt exits 0 when nothing would be re-pointed, emptied or removed, and 2 when the account cannot be\nread.\n");
    s
}
