//! Reports for people: the service binding graph as text, Mermaid, DOT and JSON, `MIGRATION.md`
//! and `.env.example`.

use super::{ALCHEMY_VERSION, OutputFile, TYPESCRIPT_VERSION, WORKERS_TYPES_VERSION};
use crate::diagnostics::{Diagnostic, LISTED_OCCURRENCES, SourceMap, codes};
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
    for (i, n) in g.names.iter().enumerate().filter(|(i, _)| g.is_present(*i)) {
        let _ = writeln!(out, "  {}[\"{}\"]", mermaid_id(i), mermaid_label(n));
    }
    for (k, n) in g.externals.iter().enumerate() {
        let _ = writeln!(out, "  x{k}[/\"{} (external)\"/]", mermaid_label(n));
    }
    let externals: crate::HashMap<&str, usize> = g
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
    let queue_id: crate::HashMap<&str, usize> =
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
    for (_, n) in g.names.iter().enumerate().filter(|(i, _)| g.is_present(*i)) {
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
    serde_json::to_value(GraphJson(g)).unwrap_or_default()
}

/// The graph as JSON, written as it is serialized (no tree of values in between): keys in
/// sorted order, as a JSON object map prints them.
pub struct GraphJson<'a>(pub &'a Graph);

impl serde::Serialize for GraphJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let g = self.0;
        let present = |i: &usize| g.is_present(*i);
        let names = |ids: &[usize]| ids.iter().map(|&i| g.names[i].as_str()).collect::<Vec<_>>();
        let mut map = s.serialize_map(Some(5))?;
        let cycles: Vec<Vec<&str>> = g.cycles.iter().map(|c| names(c)).collect();
        map.serialize_entry("cycles", &cycles)?;
        map.serialize_entry("edges", &EdgesJson(g))?;
        map.serialize_entry("externals", &g.externals)?;
        let order: Vec<usize> = g.order.iter().copied().filter(present).collect();
        map.serialize_entry("order", &names(&order))?;
        let workers: Vec<usize> = (0..g.names.len()).filter(present).collect();
        map.serialize_entry("workers", &names(&workers))?;
        map.end()
    }
}

struct EdgesJson<'a>(&'a Graph);

impl serde::Serialize for EdgesJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let g = self.0;
        s.collect_seq(g.edges.iter().enumerate().map(|(k, e)| edge_json(g, k, e)))
    }
}

/// One edge as JSON (fields in sorted order).
#[derive(serde::Serialize)]
struct EdgeJson<'a> {
    binding: &'a Option<String>,
    broken: bool,
    environment: String,
    external: bool,
    from: &'a str,
    kind: &'static str,
    label: String,
    to: &'a str,
}

fn edge_json<'a>(g: &'a Graph, k: usize, e: &'a crate::graph::Edge) -> EdgeJson<'a> {
    let (to, external) = match &e.to {
        Target::Worker(t) => (g.names[*t].as_str(), false),
        Target::SelfRef => (g.names[e.from].as_str(), false),
        Target::External(n) => (n.as_str(), true),
        Target::Queue(q) => (q.as_str(), false),
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
    EdgeJson {
        binding: &e.binding,
        broken: g.is_broken(k),
        environment: env_label(e),
        external,
        from: &g.names[e.from],
        kind,
        label: e.kind.label(),
        to,
    }
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
        contents: s.into(),
    })
}

/// `MIGRATION.md`: what was migrated, every diagnostic, what is left to do, how to run it.
/// What changes for the Pages projects the program turns into Workers (empty without any).
fn pages_section(p: &Program) -> String {
    let pages: Vec<&crate::plan::PlanWorker> = p.workers.iter().filter(|w| w.pages).collect();
    if pages.is_empty() {
        return String::new();
    }
    let mut s = String::from("\n## Pages projects\n\n");
    s.push_str("Alchemy 0.94 has no Pages resource; as Cloudflare recommends, each Pages project becomes a Worker\nwith static assets, named like the project. This is a **new Worker, not an adoption**:\n\n");
    s.push_str("- The Pages project stays live, with its `*.pages.dev` address and custom domains, until you delete it.\n");
    s.push_str("- After the first deploy, check the Worker, move each custom domain from the Pages project to the\n  Worker, then delete the Pages project.\n");
    s.push_str("- Pages serves `404.html`, or `index.html` for unknown paths when there is none; a Worker's assets do\n  so only with `assets.not_found_handling` (`\"404-page\"` or `\"single-page-application\"`): set it if the\n  site relies on it.\n");
    s.push_str("- `_headers` and `_redirects` in the output folder keep working; `_routes.json` does not (use\n  `assets.run_worker_first`).\n");
    s.push_str("- The assets come from the build output folder: build the site before `alchemy deploy`.\n\n");
    s.push_str("| worker | project | code |\n|---|---|---|\n");
    for w in pages {
        let code = match &w.script {
            Some(_) => "assets only (a one-line module serves them)".to_string(),
            None => format!("`{}`", w.entrypoint),
        };
        let _ = writeln!(
            s,
            "| `{}` | `{}` | {code} |",
            w.ident,
            w.script_name.as_deref().unwrap_or("(generated by Alchemy)"),
        );
    }
    s
}

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
    s.push_str(&stage_section(mapping));
    s.push_str("## Workers\n\n| worker | script name | from | entry |\n|---|---|---|---|\n");
    for w in &p.workers {
        let _ = writeln!(
            s,
            "| `{}` | `{}` | `{}` | `{}` |",
            w.ident,
            w.script_name.as_deref().unwrap_or("(generated by Alchemy)"),
            w.source,
            if w.script.is_some() {
                "(a module written inline)"
            } else {
                &w.entrypoint
            }
        );
    }
    s.push_str(&pages_section(p));
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
        s.push_str("\n## Service binding graph\n\n");
        s.push_str(&graph_drawings(stages.first().map(|x| &x.1).unwrap_or(g)));
    } else {
        s.push_str("\n## Service binding graph, per stage\n");
        for (stage, graph) in stages {
            let _ = write!(s, "\n### Stage `{stage}`\n\n{}", graph_drawings(graph));
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
        s.push_str("Each item below is also a diagnostic on the command line; the ones that could not be translated\nhave a `TODO(AMxxxx)` comment at the exact place in `alchemy.run.ts`.\n");
        s.push_str(&by_code(&todo, sources, TODO_SHOWN));
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
        s.push_str("How some settings were translated; nothing to do unless the note says so.\n");
        s.push_str(&by_code(&notes, sources, NOTES_SHOWN));
    }
    OutputFile {
        path: "MIGRATION.md".into(),
        contents: s.into(),
    }
}

/// How many workers a graph may have to be drawn in `MIGRATION.md`; a larger one is summed up
/// (the `graph` command prints it whole).
const DRAWN_WORKERS: usize = 150;

/// How many items of one code "What you must still do" shows in full; the others are listed by
/// location (every one of them is on the command line and in `--format json`).
const TODO_SHOWN: usize = 20;

/// A graph as Mermaid and text, or, past [`DRAWN_WORKERS`], what it holds and how to draw it.
fn graph_drawings(g: &Graph) -> String {
    let workers = (0..g.names.len()).filter(|&i| g.is_present(i)).count();
    if workers <= DRAWN_WORKERS {
        return format!(
            "```mermaid\n{}```\n\n```text\n{}```\n",
            graph_mermaid(g),
            graph_text(g)
        );
    }
    let bindings = g.edges.iter().filter(|e| e.kind.orders()).count();
    format!(
        "{workers} workers, {bindings} bindings of one worker to another, {} cycle(s), {} worker(s) outside \
         the migration: too many to draw here. `alchemy-migrator graph` prints the whole graph \
         (`--format mermaid`, `dot` or `json`).\n",
        g.cycles.len(),
        g.externals.len()
    )
}

/// How many notes of one code `MIGRATION.md` shows; the others are listed by location.
const NOTES_SHOWN: usize = 5;

/// The stage section: the mapping's first line introduces a list with one item per sentence
/// (the mapping wraps a long sentence onto a line that starts with `and`/`or`).
fn stage_section(mapping: &[String]) -> String {
    let mut intro: Vec<String> = Vec::new();
    let mut items: Vec<String> = Vec::new();
    for line in mapping {
        let text = line.trim().replace(
            "(`alchemy deploy --stage NAME`):",
            "(`npx alchemy deploy --stage NAME`):",
        );
        if !line.starts_with(' ') {
            intro.push(text);
        } else if let Some(last) = items
            .last_mut()
            .filter(|_| text.starts_with("and ") || text.starts_with("or "))
        {
            last.push(' ');
            last.push_str(&text);
        } else {
            items.push(text);
        }
    }
    let mut s = String::new();
    if !intro.is_empty() {
        let _ = writeln!(s, "{}\n", intro.join(" "));
    }
    for item in &items {
        let _ = writeln!(s, "- {item}");
    }
    if !items.is_empty() {
        s.push('\n');
    }
    s
}

/// Diagnostics grouped by code, in code order: a heading with the code's title and count, then
/// one item per diagnostic (at most `shown`; the others by location only). A help text shared by
/// every diagnostic of a code is written once, after its items.
fn by_code(diags: &[&Diagnostic], sources: &SourceMap, shown: usize) -> String {
    let mut groups: std::collections::BTreeMap<codes::Code, Vec<&Diagnostic>> =
        std::collections::BTreeMap::new();
    for d in diags {
        groups.entry(d.code).or_default().push(d);
    }
    let mut s = String::new();
    for (code, group) in &groups {
        let _ = write!(s, "\n### {code}: {} (×{})\n\n", code.title(), group.len());
        let shared_help = group
            .first()
            .and_then(|d| d.help.as_deref())
            .filter(|h| group.len() > 1 && group.iter().all(|d| d.help.as_deref() == Some(*h)));
        for d in group.iter().take(shown) {
            let (file, pos) = sources.locate(d);
            let loc = match (file, pos) {
                (Some(f), Some((l, c))) => format!("`{f}:{l}:{c}`: "),
                (Some(f), None) => format!("`{f}`: "),
                _ => String::new(),
            };
            let severity = if d.is_error() { "**error**: " } else { "" };
            let _ = writeln!(s, "- {loc}{severity}{}", d.message);
            if !d.occurrences.is_empty() {
                let _ = writeln!(s, "  also at: {}", md_positions(&d.occurrences, sources));
            }
            if let Some(help) = d.help.as_deref().filter(|_| shared_help.is_none()) {
                let _ = writeln!(s, "  help: {}", help.replace('\n', "\n  "));
            }
        }
        if group.len() > shown {
            let rest: Vec<crate::diagnostics::Label> = group[shown..]
                .iter()
                .filter_map(|d| d.span)
                .map(|span| crate::diagnostics::Label::new(span, ""))
                .collect();
            let more = group.len() - shown;
            if rest.is_empty() {
                let _ = writeln!(s, "- and {more} more");
            } else {
                let _ = writeln!(s, "- and {more} more: {}", md_positions(&rest, sources));
            }
        }
        if let Some(help) = shared_help {
            let _ = writeln!(s, "\nHelp: {help}");
        }
    }
    s
}

/// `` `a:1:2`, `b:3:4` `` and, past [`LISTED_OCCURRENCES`], `and N more`.
fn md_positions(labels: &[crate::diagnostics::Label], sources: &SourceMap) -> String {
    let mut listed: Vec<String> = labels
        .iter()
        .take(LISTED_OCCURRENCES)
        .filter_map(|l| sources.position(l.span))
        .map(|p| format!("`{p}`"))
        .collect();
    if labels.len() > LISTED_OCCURRENCES {
        listed.push(format!("and {} more", labels.len() - LISTED_OCCURRENCES));
    }
    listed.join(", ")
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::{Code, SourceFile, Span};

    /// A chain of `n` workers, each binding the next.
    fn chain(n: usize) -> Graph {
        let workers: Vec<crate::config::model::Worker> = (0..n)
            .map(|i| {
                let text = format!(
                    "name = \"w{i}\"\nmain = \"a.ts\"\nservices = [{{ binding = \"NEXT\", service = \"w{}\" }}]\n",
                    i + 1
                );
                let c = crate::config::load(0, "w.toml", ".".into(), &text, Default::default());
                let (mut ws, _) = c.workers(&crate::config::EnvSelection::TopLevel);
                ws.remove(0)
            })
            .collect();
        crate::graph::build(
            &workers,
            &Default::default(),
            &Default::default(),
            &mut Vec::new(),
        )
    }

    #[test]
    fn small_graphs_are_drawn_large_ones_summed_up() {
        let small = graph_drawings(&chain(3));
        assert!(small.starts_with("```mermaid\nflowchart LR\n"), "{small}");
        assert!(
            small.contains("```text\nService binding graph:\n"),
            "{small}"
        );
        let large = graph_drawings(&chain(DRAWN_WORKERS + 1));
        assert_eq!(
            large,
            "151 workers, 151 bindings of one worker to another, 0 cycle(s), 1 worker(s) outside the migration: too many to draw here. `alchemy-migrator graph` prints the whole graph (`--format mermaid`, `dot` or `json`).\n"
        );
    }

    #[test]
    fn the_stage_section_has_one_item_per_sentence() {
        let mapping: Vec<String> = [
            "Wrangler environments → Alchemy stages (`alchemy deploy --stage NAME`):",
            "  stage \"production\" deploys the top level",
            "  any other stage deploys the top-level config with fresh resources",
            "  and Alchemy's stage-suffixed names: it never adopts them.",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            stage_section(&mapping),
            "Wrangler environments → Alchemy stages (`npx alchemy deploy --stage NAME`):\n\n- stage \"production\" deploys the top level\n- any other stage deploys the top-level config with fresh resources and Alchemy's stage-suffixed names: it never adopts them.\n\n"
        );
    }

    fn sources() -> SourceMap {
        let text: String = (0..20).map(|i| format!("line{i}\n")).collect();
        SourceMap {
            files: vec![SourceFile::new("w.toml".into(), text)],
        }
    }

    /// The span of 1-based line `n` of [`sources`].
    fn at(n: usize) -> Span {
        let start: usize = (0..n - 1).map(|i| format!("line{i}\n").len()).sum();
        Span::new(0, start, start + 4)
    }

    #[test]
    fn items_are_grouped_by_code_with_a_title_and_a_count() {
        let diags = [
            Diagnostic::info(Code::UntypedService, "third")
                .at(at(3))
                .with_help("same"),
            Diagnostic::warning(Code::NotInherited, "first")
                .at(at(1))
                .with_occurrence(at(5), "")
                .with_help("own help"),
            Diagnostic::info(Code::UntypedService, "fourth")
                .at(at(4))
                .with_help("same"),
            Diagnostic::error(Code::NoMain, "no main"),
        ];
        let refs: Vec<&Diagnostic> = diags.iter().collect();
        assert_eq!(
            by_code(&refs, &sources(), usize::MAX),
            "\n### AM0300: keys environments do not inherit (×1)\n\n- `w.toml:1:1`: first\n  also at: `w.toml:5:1`\n  help: own help\n\n### AM0408: untyped service binding (×2)\n\n- `w.toml:3:1`: third\n- `w.toml:4:1`: fourth\n\nHelp: same\n\n### AM0502: worker without `main` (×1)\n\n- **error**: no main\n"
        );
    }

    #[test]
    fn many_items_of_one_code_are_cut_short_and_counted() {
        let diags: Vec<Diagnostic> = (1..=20)
            .map(|n| Diagnostic::info(Code::NotTranslated, format!("note {n}")).at(at(n)))
            .collect();
        let refs: Vec<&Diagnostic> = diags.iter().collect();
        let text = by_code(&refs, &sources(), 2);
        assert!(text.starts_with("\n### AM0503: not translated (×20)\n\n- `w.toml:1:1`: note 1\n- `w.toml:2:1`: note 2\n- and 18 more: `w.toml:3:1`, "), "{text}");
        assert!(text.ends_with("`w.toml:12:1`, and 8 more\n"), "{text}");
    }
}
