//! The Alchemy v1 (npm `alchemy@0.94.0`) emitter: `alchemy.run.ts`, one program for every stage,
//! in which a service binding is the other worker itself, typed by that worker's `rpc` class.

use super::ts::{Js, Prop, Text, declaration, string_literal};
use super::{Contents, OutputFile};
use crate::plan::{
    AssetsSetting, BundleOption, ConsumerSetting, PlanWorker, Program, ResourceKind, ScriptRef,
    TailTarget, Value,
};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// Identifiers the program declares or imports itself (Alchemy's exports, the app and the stage
/// helpers): the plan gives them to nothing else.
pub const RESERVED: &[&str] = &[
    "alchemy",
    "type",
    "app",
    "Worker",
    "WorkerRef",
    "WorkerStub",
    "Self",
    "Json",
    "KVNamespace",
    "R2Bucket",
    "D1Database",
    "Queue",
    "DurableObjectNamespace",
    "Workflow",
    "Ai",
    "BrowserRendering",
    "Images",
    "VersionMetadata",
    "WorkerLoader",
    "AnalyticsEngineDataset",
    "RateLimit",
    "EmailSender",
    "DispatchNamespace",
    "VectorizeIndex",
    "Assets",
    "Hyperdrive",
    "Pipeline",
    "STAGES",
    "stage",
    "personalName",
];

/// One wrangler environment and its program.
pub struct StageProgram<'a> {
    pub stage: String,
    pub program: &'a Program,
}

/// Writes `alchemy.run.ts` (one program for every stage) and the env modules. `other` is the
/// program of the configuration that stages which are not wrangler environments start from;
/// it is emitted with fresh resources and Alchemy's own names. `default_stage` is the mapped
/// stage that shares that configuration (the top level's stage), if any.
pub fn emit(
    stages: &[StageProgram<'_>],
    other: &Program,
    default_stage: Option<&str>,
    header: &[String],
) -> Vec<OutputFile> {
    let programs: Vec<&Program> = stages
        .iter()
        .map(|s| s.program)
        .chain(std::iter::once(other))
        .collect();
    let slots = worker_slots(&programs);
    // (One after the other: each is built in parallel inside, and together they would hold
    // more memory at once.)
    let run = run_file(stages, other, &slots, default_stage, header);
    let env = super::env_types::env_modules(&programs, &slots);
    let mut files = Vec::with_capacity(1 + env.len());
    files.push(OutputFile {
        path: "alchemy.run.ts".into(),
        contents: run,
    });
    files.extend(env);
    files
}

/// A file name that stays inside `env/` whatever the worker is called.
pub fn file_stem(id: &str) -> String {
    let s: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let s = s.trim_matches('-').to_string();
    if s.is_empty() { "worker".into() } else { s }
}

struct Emitter<'a> {
    p: &'a Program,
    /// Workers a placeholder stands in for (by plan index).
    placeholder_targets: &'a BTreeSet<usize>,
    kind: StageKind,
    /// Resources that do not exist in every stage (referenced with `!`).
    partial: &'a crate::HashSet<String>,
    imports: BTreeSet<&'static str>,
    /// The `personalName` helper is needed.
    personal_name: bool,
}

struct WorkerDecls<'a> {
    /// `(ident, comment, expression)` of the placeholders declared just before the worker.
    placeholders: Vec<(&'a str, String, Js<'a>)>,
    ident: &'a str,
    comments: Vec<std::borrow::Cow<'a, str>>,
    js: Js<'a>,
}

/// `(ident, notes, expression)` of a resource; `None` when it does not exist in the stage.
type ResourceDecl<'a> = (String, Vec<String>, Option<Js<'a>>);

struct StageDecls<'a> {
    resources: Vec<ResourceDecl<'a>>,
    imports: BTreeSet<&'static str>,
}

/// Which stages a program is emitted for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StageKind {
    /// A wrangler environment: existing resources adopted, wrangler's names.
    Wrangler,
    /// Any other stage (a developer's, a pull request's): fresh resources, Alchemy's names.
    Fresh,
}

/// Resources that cannot be created afresh: in other stages their bindings are left out.
fn existing_only(kind: &ResourceKind) -> bool {
    matches!(
        kind,
        ResourceKind::Vectorize { .. } | ResourceKind::Hyperdrive { .. }
    )
}

/// What one stage contributes before the workers: its resources, and an index of its
/// placeholders (by the worker they are declared before) and of the workers they stand for.
struct StageContext<'a> {
    p: &'a Program,
    kind: StageKind,
    targets: BTreeSet<usize>,
    before: Vec<Vec<&'a crate::plan::Placeholder>>,
}

impl<'a> StageContext<'a> {
    fn new(p: &'a Program, kind: StageKind) -> StageContext<'a> {
        let mut before: Vec<Vec<&crate::plan::Placeholder>> = vec![Vec::new(); p.workers.len()];
        for ph in &p.placeholders {
            if let Some(slot) = before.get_mut(ph.before) {
                slot.push(ph);
            }
        }
        StageContext {
            p,
            kind,
            targets: p.placeholders.iter().map(|ph| ph.worker).collect(),
            before,
        }
    }

    fn emitter<'b>(&'b self, partial: &'b crate::HashSet<String>) -> Emitter<'b> {
        Emitter {
            p: self.p,
            placeholder_targets: &self.targets,
            kind: self.kind,
            partial,
            imports: BTreeSet::new(),
            personal_name: false,
        }
    }
}

/// The stage's resource declarations (`None`: the resource does not exist in this stage).
fn stage_resources<'a>(
    ctx: &'a StageContext<'a>,
    partial: &'a crate::HashSet<String>,
) -> StageDecls<'a> {
    let mut e = ctx.emitter(partial);
    let resources = ctx
        .p
        .resources
        .iter()
        .map(|r| {
            let js = if ctx.kind == StageKind::Fresh && existing_only(&r.kind) {
                None
            } else {
                Some(e.resource(&r.kind, &r.id))
            };
            (r.ident.clone(), r.notes.clone(), js)
        })
        .collect();
    StageDecls {
        resources,
        imports: e.imports,
    }
}

/// One worker of one stage (and the placeholders declared before it). Built when it is merged,
/// so only one worker's trees are in memory per thread.
fn worker_decls<'a>(
    ctx: &'a StageContext<'a>,
    partial: &'a crate::HashSet<String>,
    wi: usize,
) -> (WorkerDecls<'a>, Needs) {
    let p = ctx.p;
    let w = &p.workers[wi];
    let mut e = ctx.emitter(partial);
    let mut placeholders = Vec::new();
    for ph in ctx.before[wi].iter().copied() {
        e.imports.insert("WorkerRef");
        e.imports.insert("WorkerStub");
        let comment = format!(
            "{} is created further down, but {} needs it first (a cycle):\nlocally it is bound by name, on deploy a stub script stands in until the real one adopts it.",
            p.workers[ph.worker].id, w.id
        );
        let name = e
            .worker_name(ph.worker)
            .unwrap_or_else(|| Js::str(ph.script_name.as_str()));
        let js = Js::Cond(
            Box::new(Js::raw("app.local")),
            Box::new(Js::call(
                "WorkerRef",
                vec![Js::obj(vec![Prop::kv("service", name.clone())])],
            )),
            Box::new(Js::await_(Js::call(
                "WorkerStub",
                vec![
                    Js::str(ph.id.as_str()),
                    Js::obj(vec![Prop::kv("name", name)]),
                ],
            ))),
        );
        placeholders.push((ph.ident.as_str(), comment, js));
    }
    let mut comments = vec![["From ", w.source.as_str()].concat().into()];
    comments.extend(w.todos.iter().map(|t| t.as_str().into()));
    let js = e.worker(wi, w);
    e.imports.insert("Worker");
    (
        WorkerDecls {
            placeholders,
            ident: &w.ident,
            comments,
            js,
        },
        Needs {
            imports: e.imports,
            personal_name: e.personal_name,
        },
    )
}

/// [`push_named_import`] into a string of its own.
#[cfg(test)]
fn named_import(keyword: &str, names: &[String], from: &str) -> String {
    let mut out = String::new();
    push_named_import(&mut out, keyword, names, from);
    out
}

/// `import { a, b } from "m";` appended to `out`, one name per line when it does not fit (as
/// Prettier does).
pub(super) fn push_named_import(out: &mut String, keyword: &str, names: &[String], from: &str) {
    let start = out.len();
    out.push_str(keyword);
    out.push_str(" { ");
    super::ts::push_joined(out, names, ", ");
    out.push_str(" } from ");
    out.push_str(from);
    out.push_str(";\n");
    if out.len() - start <= super::ts::WIDTH + 1 {
        return;
    }
    out.truncate(start);
    out.push_str(keyword);
    out.push_str(" {\n");
    for n in names {
        out.push_str("  ");
        out.push_str(n);
        out.push_str(",\n");
    }
    out.push_str("} from ");
    out.push_str(from);
    out.push_str(";\n");
}

/// One worker's declaration (and the placeholders declared just before it), merged over stages.
fn render_worker(stages: Vec<Option<WorkerDecls>>, merge: &Merge<'_>) -> String {
    let mut body = String::new();
    let Some(ident) = stages.iter().flatten().next().map(|w| w.ident) else {
        return body;
    };
    let mut ph_idents: Vec<&str> = Vec::new();
    for w in stages.iter().flatten() {
        for (i, _, _) in &w.placeholders {
            if !ph_idents.contains(i) {
                ph_idents.push(i);
            }
        }
    }
    for ph in &ph_idents {
        let mut comment = String::new();
        let vals: Vec<Option<Js>> = stages
            .iter()
            .map(|w| {
                let x = w.as_ref()?.placeholders.iter().find(|(i, _, _)| i == ph)?;
                comment = x.1.clone();
                Some(x.2.clone())
            })
            .collect();
        body.push('\n');
        comment_lines(&mut body, &comment);
        body.push_str(&declaration(false, ph, &merge.merge(vals)));
    }
    let mut comments: Vec<&str> = Vec::new();
    for w in stages.iter().flatten() {
        for c in &w.comments {
            if !comments.contains(&&**c) {
                comments.push(c);
            }
        }
    }
    body.push('\n');
    for c in &comments {
        comment_lines(&mut body, c);
    }
    let vals: Vec<Option<Js>> = stages.into_iter().map(|w| w.map(|w| w.js)).collect();
    body.push_str(&declaration(true, ident, &merge.merge(vals)));
    body
}

/// Every worker of any stage, in the shared creation order, with where it is in each program
/// (`(program, worker index)`, `None` where that stage does not deploy it).
pub(super) type WorkerSlot = (usize, InPrograms);

/// Where a worker is in each program (`(program, worker index)`, `None` where it is not).
type InPrograms = Vec<Option<(usize, usize)>>;

pub(super) fn worker_slots(programs: &[&Program]) -> Vec<WorkerSlot> {
    // (Places in the creation order are dense: one slot per place, by index.)
    let places = programs
        .iter()
        .flat_map(|p| p.workers.iter().map(|w| w.position + 1))
        .max()
        .unwrap_or(0);
    let mut slots: Vec<Option<InPrograms>> = vec![None; places];
    for (k, p) in programs.iter().enumerate() {
        for (wi, w) in p.workers.iter().enumerate() {
            slots[w.position].get_or_insert_with(|| vec![None; programs.len()])[k] = Some((k, wi));
        }
    }
    slots
        .into_iter()
        .enumerate()
        .filter_map(|(place, slot)| Some((place, slot?)))
        .collect()
}

fn comment_lines(out: &mut String, text: &str) {
    for line in text.lines() {
        out.push_str("// ");
        out.push_str(&super::ts::comment_text(line));
        out.push('\n');
    }
}

/// What a piece of the program needs declared at the top of the file.
#[derive(Default)]
struct Needs {
    imports: BTreeSet<&'static str>,
    /// The `personalName` helper.
    personal_name: bool,
}

impl Needs {
    fn add(&mut self, other: Needs) {
        self.imports.extend(other.imports);
        self.personal_name |= other.personal_name;
    }
}

/// Merges one declaration's per-stage expressions (the mapped stages', then other stages').
struct Merge<'m>(&'m super::stages::Stages);

impl Merge<'_> {
    fn merge<'j>(&self, mut vals: Vec<Option<Js<'j>>>) -> Js<'j> {
        // The same in every stage (the common case): no merging, no copy.
        if vals[0].is_some() && vals[1..].iter().all(|v| *v == vals[0]) {
            return vals.swap_remove(0).unwrap_or_else(|| Js::raw("undefined"));
        }
        let other = vals.pop().flatten();
        self.0.merge(vals, super::stages::Rest::new(other))
    }
}

fn run_file(
    stages: &[StageProgram<'_>],
    other: &Program,
    slots: &[WorkerSlot],
    default_stage: Option<&str>,
    header: &[String],
) -> Contents {
    let programs: Vec<&Program> = stages
        .iter()
        .map(|s| s.program)
        .chain(std::iter::once(other))
        .collect();
    let partial = partial_idents(&programs, slots);
    let n = stages.len();
    let contexts: Vec<StageContext<'_>> = programs
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let kind = if k == n {
                StageKind::Fresh
            } else {
                StageKind::Wrangler
            };
            StageContext::new(p, kind)
        })
        .collect();
    let st = super::stages::Stages {
        mapped: stages.iter().map(|s| s.stage.clone()).collect(),
        default: default_stage.map(str::to_string),
    };
    let merge = Merge(&st);
    let decls: Vec<StageDecls> = contexts
        .iter()
        .map(|c| stage_resources(c, &partial))
        .collect();
    let resources = render_resources(&decls, &merge);
    let mut needs = Needs::default();
    for d in decls {
        needs.imports.extend(d.imports);
    }
    // (The type imports are written out while the workers are.)
    let ((workers, worker_needs), type_imports) = rayon::join(
        || render_workers(slots, &contexts, &partial, &merge),
        || type_import_lines(&programs),
    );
    needs.add(worker_needs);
    let head = file_head(header, &programs, &needs.imports, &type_imports);
    let declarations = app_declarations(&other.app, stages, needs.personal_name);
    // The file is kept in its pieces (the head, then each declaration's text): written out one
    // after the other, it is never copied into one string.
    let mut first = head;
    first.push('\n');
    first.push_str(&declarations);
    first.push('\n');
    let mut pieces = Vec::with_capacity(workers.len() + 3);
    pieces.push(first);
    let mut body_started = false;
    for mut text in std::iter::once(resources).chain(workers) {
        // (The body starts without the blank line its first declaration brings.)
        if !body_started {
            let blank = text.len() - text.trim_start_matches('\n').len();
            text.drain(..blank);
        }
        body_started |= !text.is_empty();
        if !text.is_empty() {
            pieces.push(text);
        }
    }
    // (A program with no resource and no worker has one blank line before the end.)
    let end = if body_started { "\n" } else { "" };
    pieces.push([end, "await app.finalize();\n"].concat());
    Contents::pieces(pieces)
}

/// Resources missing from some program (or not creatable afresh), and workers some stage does
/// not deploy: referenced with `!`.
fn partial_idents(programs: &[&Program], slots: &[WorkerSlot]) -> crate::HashSet<String> {
    let in_program: Vec<crate::HashSet<&str>> = programs
        .iter()
        .map(|p| p.resources.iter().map(|r| r.ident.as_str()).collect())
        .collect();
    let mut partial = crate::HashSet::default();
    for p in programs {
        for r in &p.resources {
            let everywhere = in_program.iter().all(|set| set.contains(r.ident.as_str()))
                && !existing_only(&r.kind);
            if !everywhere {
                partial.insert(r.ident.clone());
            }
        }
    }
    for (_, in_stage) in slots {
        if let Some(w) = in_stage
            .iter()
            .flatten()
            .next()
            .map(|&(p, wi)| &programs[p].workers[wi])
            && in_stage.iter().any(Option::is_none)
        {
            partial.insert(w.ident.clone());
        }
    }
    partial
}

/// The resources of every stage, in order of first appearance, each merged over the stages.
fn render_resources(decls: &[StageDecls], merge: &Merge<'_>) -> String {
    let mut idents: Vec<&str> = Vec::new();
    let mut seen: crate::HashSet<&str> = crate::HashSet::default();
    for d in decls {
        for (i, _, _) in &d.resources {
            if seen.insert(i.as_str()) {
                idents.push(i);
            }
        }
    }
    let by_ident: Vec<crate::HashMap<&str, &ResourceDecl>> = decls
        .iter()
        .map(|d| d.resources.iter().map(|r| (r.0.as_str(), r)).collect())
        .collect();
    let mut body = String::new();
    if !idents.is_empty() {
        body.push_str("// Resources shared by the workers. In wrangler's environments the existing ones are adopted\n// and never deleted; other stages get fresh ones.\n");
    }
    for ident in idents {
        let mut notes: Vec<String> = Vec::new();
        let vals: Vec<Option<Js>> = by_ident
            .iter()
            .map(|d| {
                let r = d.get(ident)?;
                for n in &r.1 {
                    if !notes.contains(n) {
                        notes.push(n.clone());
                    }
                }
                r.2.clone()
            })
            .collect();
        for n in &notes {
            comment_lines(&mut body, n);
        }
        body.push_str(&declaration(true, ident, &merge.merge(vals)));
    }
    body
}

/// Workers in creation order, each after the placeholders it needs. Each worker's stages are
/// merged and printed independently, in parallel; the texts come back in order.
fn render_workers(
    slots: &[WorkerSlot],
    contexts: &[StageContext<'_>],
    partial: &crate::HashSet<String>,
    merge: &Merge<'_>,
) -> (Vec<String>, Needs) {
    use rayon::prelude::*;
    let rendered: Vec<(String, Needs)> = slots
        .par_iter()
        .map(|(_, in_stage)| {
            let mut needs = Needs::default();
            let stages_of_worker: Vec<Option<WorkerDecls>> = contexts
                .iter()
                .zip(in_stage)
                .map(|(c, at)| {
                    at.map(|(_, wi)| {
                        let (d, n) = worker_decls(c, partial, wi);
                        needs.add(n);
                        d
                    })
                })
                .collect();
            (render_worker(stages_of_worker, merge), needs)
        })
        .collect();
    let mut texts = Vec::with_capacity(rendered.len());
    let mut needs = Needs::default();
    for (text, n) in rendered {
        texts.push(text);
        needs.add(n);
    }
    (texts, needs)
}

/// The type imports of every stage, by module: the default export's local name (the first
/// program's that has one) and the named ones, borrowed from the programs.
type TypeImports<'p> = BTreeMap<&'p str, (Option<&'p str>, BTreeSet<&'p (String, String)>)>;

fn type_imports<'p>(programs: &[&'p Program]) -> TypeImports<'p> {
    let mut out: TypeImports<'p> = BTreeMap::new();
    for p in programs {
        for (path, imp) in &p.type_imports {
            let (default, named) = out.entry(path.as_str()).or_default();
            if default.is_none() {
                *default = imp.default.as_deref();
            }
            named.extend(imp.named.iter());
        }
    }
    out
}

/// The `import type` lines of every stage's types.
fn type_import_lines(programs: &[&Program]) -> String {
    let mut out = String::new();
    for (path, (default, named)) in &type_imports(programs) {
        let named: Vec<String> = named.iter().map(|(e, l)| import_name(e, l)).collect();
        push_type_imports(&mut out, path, *default, &named);
    }
    out
}

/// How an import names `export` when its local name is `local`: `a`, or `a as b`.
pub(super) fn import_name(export: &str, local: &str) -> String {
    if export == local {
        export.to_string()
    } else {
        [export, " as ", local].concat()
    }
}

/// The `import type` lines of one module (`named`: as [`import_name`] writes them), appended to
/// `out`.
pub(super) fn push_type_imports(
    out: &mut String,
    path: &str,
    default: Option<&str>,
    named: &[String],
) {
    let from = string_literal(path);
    if let Some(d) = default {
        let _ = writeln!(out, "import type {d} from {from};");
    }
    if !named.is_empty() {
        push_named_import(out, "import type", named, &from);
    }
}

/// The header comments and the imports (`type_imports`: the `import type` lines).
fn file_head(
    header: &[String],
    programs: &[&Program],
    imports: &BTreeSet<&str>,
    type_imports: &str,
) -> String {
    let mut out = String::from(
        "// Generated by alchemy-migrator from wrangler configs. Review every TODO before deploying.\n",
    );
    for h in header {
        comment_lines(&mut out, h);
    }
    if programs
        .iter()
        .any(|p| p.workers.iter().any(|w| w.rpc.is_some()))
    {
        out.push_str("import alchemy, { type } from \"alchemy\";\n");
    } else {
        out.push_str("import alchemy from \"alchemy\";\n");
    }
    if !imports.is_empty() {
        let names: Vec<String> = imports.iter().map(|n| n.to_string()).collect();
        push_named_import(&mut out, "import", &names, "\"alchemy/cloudflare\"");
    }
    out.push_str(type_imports);
    out
}

/// `app`, the stage list, `stage` and, when needed, `personalName`.
fn app_declarations(app: &str, stages: &[StageProgram<'_>], personal_name: bool) -> String {
    let mut out = declaration(
        false,
        "app",
        &Js::await_(Js::call("alchemy", vec![Js::str(app)])),
    );
    let stage_list = Js::Arr(stages.iter().map(|s| Js::str(s.stage.as_str())).collect());
    out.push_str(&declaration(
        false,
        "STAGES",
        &Js::As(Box::new(stage_list), "const".into()),
    ));
    out.push_str(
        "// The wrangler environment this stage deploys, or undefined for any other stage.\n",
    );
    out.push_str("const stage = STAGES.find((s) => s === app.stage);\n");
    if personal_name {
        out.push_str(
            "// The script name of a worker in a stage that is not a wrangler environment.\n",
        );
        out.push_str("const personalName = (id: string) =>\n  `${app.appName}-${id}-${app.stage}`\n    .replaceAll(/[^a-z0-9_-]/gi, \"-\")\n    .toLowerCase();\n");
    }
    out
}

impl<'a> Emitter<'a> {
    /// Whether this is a stage that is not a wrangler environment.
    fn fresh(&self) -> bool {
        self.kind == StageKind::Fresh
    }

    /// Existing resources are adopted (unless `--no-adopt`) and never deleted; fresh ones (other
    /// stages) are neither adopted nor kept.
    fn adopt_props(&self) -> Vec<Prop<'a>> {
        if self.fresh() {
            vec![
                Prop::kv("adopt", Js::bool(false)),
                Prop::kv("delete", Js::bool(true)),
            ]
        } else {
            vec![
                Prop::kv("adopt", Js::bool(self.p.adopt)),
                Prop::kv("delete", Js::bool(false)),
            ]
        }
    }

    /// `name`-like props: the existing name, or none (Alchemy's stage-suffixed name) when fresh.
    fn named(&self, key: &'static str, name: &str) -> Vec<Prop<'a>> {
        if self.fresh() {
            Vec::new()
        } else {
            vec![Prop::kv(key, Js::str(name.to_string()))]
        }
    }

    /// The script name of worker `wi`: wrangler's, or in other stages none, except for workers a
    /// cycle's placeholder stands in for (both must agree on it).
    fn worker_name(&mut self, wi: usize) -> Option<Js<'a>> {
        let w = &self.p.workers[wi];
        if !self.fresh() {
            return w.script_name.as_ref().map(|n| Js::str(n.as_str()));
        }
        if self.placeholder_targets.contains(&wi) {
            self.personal_name = true;
            return Some(Js::call("personalName", vec![Js::str(w.id.as_str())]));
        }
        None
    }

    fn resource(&mut self, kind: &'a ResourceKind, id: &'a str) -> Js<'a> {
        let call = |name: &'static str, props: Vec<Prop<'a>>, this: &mut Self| {
            this.imports.insert(name);
            Js::await_(Js::call(name, vec![Js::str(id), Js::expanded(props)]))
        };
        match kind {
            ResourceKind::KvById { .. } | ResourceKind::KvNew { .. } if self.fresh() => {
                let props = self.adopt_props();
                call("KVNamespace", props, self)
            }
            ResourceKind::KvById { id } => Js::obj(vec![
                Prop::kv("type", Js::raw("\"kv_namespace\" as const")),
                Prop::kv("id", Js::str(id.as_str())),
            ]),
            ResourceKind::KvNew { title } => {
                let mut props = vec![Prop::kv("title", Js::str(title.as_str()))];
                props.push(Prop::kv("delete", Js::bool(false)));
                call("KVNamespace", props, self)
            }
            ResourceKind::R2 { name, jurisdiction } => {
                let mut props = self.named("name", name);
                if let Some(j) = jurisdiction {
                    props.push(Prop::kv("jurisdiction", Js::str(j.as_str())));
                }
                props.extend(self.adopt_props());
                call("R2Bucket", props, self)
            }
            ResourceKind::D1 {
                name,
                migrations_dir,
                migrations_table,
            } => {
                let mut props = self.named("name", name);
                if let Some(d) = migrations_dir {
                    props.push(Prop::kv("migrationsDir", Js::str(d.as_str())));
                }
                if let Some(t) = migrations_table {
                    props.push(Prop::kv("migrationsTable", Js::str(t.as_str())));
                }
                props.extend(self.adopt_props());
                call("D1Database", props, self)
            }
            ResourceKind::Queue {
                name,
                delivery_delay,
            } => {
                let mut props = self.named("name", name);
                if let Some(d) = delivery_delay {
                    props.push(Prop::kv(
                        "settings",
                        Js::obj(vec![Prop::kv("deliveryDelay", Js::num(*d))]),
                    ));
                }
                props.extend(self.adopt_props());
                call("Queue", props, self)
            }
            ResourceKind::DispatchNamespace { namespace } => {
                let mut props = self.named("namespace", namespace);
                props.extend(self.adopt_props());
                call("DispatchNamespace", props, self)
            }
            ResourceKind::Vectorize { index_name } => {
                // Binds the existing index by name; the cast stands for the dimensions/metric that
                // only matter when Alchemy creates an index.
                self.imports.insert("VectorizeIndex");
                Js::As(
                    Box::new(Js::obj(vec![
                        Prop::kv("type", Js::str("vectorize")),
                        Prop::kv("id", Js::str(index_name.as_str())),
                        Prop::kv("name", Js::str(index_name.as_str())),
                    ])),
                    "VectorizeIndex".into(),
                )
            }
            ResourceKind::Hyperdrive {
                id,
                binding,
                local_secret,
            } => {
                let mut props = vec![
                    Prop::kv("type", Js::raw("\"hyperdrive\" as const")),
                    Prop::kv("name", Js::str(binding.as_str())),
                    Prop::kv("hyperdriveId", Js::str(id.as_str())),
                ];
                if let Some(s) = local_secret {
                    props.push(Prop::kv(
                        "dev",
                        Js::obj(vec![Prop::kv("origin", secret(s))]),
                    ));
                }
                Js::expanded(props)
            }
        }
    }

    /// The expression for a binding, or why it is left out in this stage.
    fn value(&mut self, v: &'a Value) -> Result<Js<'a>, String> {
        let p = self.p;
        Ok(match v {
            Value::Str(s) => Js::str(s.as_str()),
            Value::Json(j) => {
                self.imports.insert("Json");
                Js::call("Json", vec![Js::json(j)])
            }
            Value::Secret(name) => secret(name),
            Value::Resource(r) => self.resource_ref(*r)?,
            Value::Worker(w) => Js::raw(self.worker_ref(*w)),
            Value::Placeholder(ph) => Js::raw(p.placeholders[*ph].ident.as_str()),
            Value::External(name) => self.worker_by_name(Js::str(name.as_str())),
            Value::SelfRef => {
                self.imports.insert("Self");
                Js::raw("Self")
            }
            Value::Entrypoint(target, name, ty) => self.entrypoint(target, name, ty.as_deref())?,
            Value::DurableObject {
                id,
                class_name,
                sqlite,
                script,
                ty,
            } => self.durable_object(id, class_name, *sqlite, script.as_ref(), ty.as_deref()),
            Value::Workflow {
                id,
                workflow_name,
                class_name,
                script,
                ..
            } => self.workflow(id, workflow_name, class_name, script.as_ref()),
            Value::AnalyticsEngine { id, dataset } => {
                self.imports.insert("AnalyticsEngineDataset");
                let props = vec![Prop::kv("dataset", Js::str(dataset.as_str()))];
                Js::call(
                    "AnalyticsEngineDataset",
                    vec![Js::str(id.as_str()), Js::obj(props)],
                )
            }
            Value::Ai => self.nullary("Ai"),
            Value::Browser => self.nullary("BrowserRendering"),
            Value::Images => self.nullary("Images"),
            Value::VersionMetadata => self.nullary("VersionMetadata"),
            Value::WorkerLoader => self.nullary("WorkerLoader"),
            Value::RateLimit {
                namespace_id,
                limit,
                period,
            } => {
                self.imports.insert("RateLimit");
                let simple = vec![
                    Prop::kv("limit", Js::num(*limit)),
                    Prop::kv("period", Js::num(*period)),
                ];
                Js::call(
                    "RateLimit",
                    vec![Js::obj(vec![
                        Prop::kv("namespace_id", Js::num(*namespace_id)),
                        Prop::kv("simple", Js::obj(simple)),
                    ])],
                )
            }
            Value::EmailSender {
                destination_address,
                allowed_destination_addresses,
                allowed_sender_addresses,
            } => self.email_sender(
                destination_address.as_deref(),
                allowed_destination_addresses,
                allowed_sender_addresses,
            ),
            Value::SecretsStore {
                secret_name,
                store_id,
            } => Js::obj(vec![
                Prop::kv("type", Js::raw("\"secrets_store_secret\" as const")),
                Prop::kv("name", Js::str(secret_name.as_str())),
                Prop::kv("storeId", Js::str(store_id.as_str())),
            ]),
            Value::Pipeline { .. } if self.fresh() => return Err("not bound in stages that are not wrangler environments: it would send into the existing stream".into()),
            Value::Pipeline { stream } => {
                // Alchemy 0.94 has no reference to an existing pipeline; the literal binds it by
                // name.
                self.imports.insert("Pipeline");
                let literal = Js::obj(vec![
                    Prop::kv("type", Js::str("pipeline")),
                    Prop::kv("name", Js::str(stream.as_str())),
                ]);
                Js::As(Box::new(literal), "Pipeline".into())
            }
            Value::Assets { path } => {
                self.imports.insert("Assets");
                let props = vec![Prop::kv("path", Js::str(path.as_str()))];
                Js::await_(Js::call("Assets", vec![Js::obj(props)]))
            }
        })
    }

    /// A resource's identifier (`!` where some stage lacks it), unless this stage cannot have it.
    fn resource_ref(&self, r: usize) -> Result<Js<'a>, String> {
        let r = &self.p.resources[r];
        if self.fresh() && existing_only(&r.kind) {
            return Err("not bound in stages that are not wrangler environments: it would reach an existing resource that Alchemy cannot create afresh".into());
        }
        Ok(Js::raw(self.reference(&r.ident)))
    }

    /// `WorkerRef({ service: name })`.
    fn worker_by_name(&mut self, name: Js<'a>) -> Js<'a> {
        self.imports.insert("WorkerRef");
        Js::call("WorkerRef", vec![Js::obj(vec![Prop::kv("service", name)])])
    }

    /// A named entrypoint of a service, typed with its class when known.
    fn entrypoint(
        &mut self,
        target: &'a Value,
        name: &'a str,
        ty: Option<&str>,
    ) -> Result<Js<'a>, String> {
        // A placeholder is a stub or a reference; `experimentalEntrypoint` takes only a
        // reference: bind the placeholder's script by name (the stub declared above makes sure
        // it exists).
        let t = match target {
            Value::Placeholder(ph) => {
                let ph = &self.p.placeholders[*ph];
                let name = self
                    .worker_name(ph.worker)
                    .unwrap_or_else(|| Js::str(ph.script_name.as_str()));
                self.worker_by_name(name)
            }
            other => self.value(other)?,
        };
        let callee = match ty {
            Some(ty) => format!("Worker.experimentalEntrypoint<{ty}>"),
            None => "Worker.experimentalEntrypoint".to_string(),
        };
        Ok(Js::call(callee, vec![t, Js::str(name)]))
    }

    fn durable_object(
        &mut self,
        id: &'a str,
        class_name: &'a str,
        sqlite: bool,
        script: Option<&'a ScriptRef>,
        ty: Option<&str>,
    ) -> Js<'a> {
        self.imports.insert("DurableObjectNamespace");
        let mut props = vec![Prop::kv("className", Js::str(class_name))];
        if sqlite {
            props.push(Prop::kv("sqlite", Js::bool(true)));
        }
        if let Some(s) = script {
            props.push(Prop::kv("scriptName", self.script(s)));
        }
        let callee = match ty {
            Some(ty) => format!("DurableObjectNamespace<{ty}>"),
            None => "DurableObjectNamespace".to_string(),
        };
        Js::call(callee, vec![Js::str(id), Js::obj(props)])
    }

    fn workflow(
        &mut self,
        id: &'a str,
        workflow_name: &'a str,
        class_name: &'a str,
        script: Option<&'a ScriptRef>,
    ) -> Js<'a> {
        self.imports.insert("Workflow");
        // Workflow names are not stage-scoped: other stages get their own.
        let name = if self.fresh() {
            Js::raw(format!("`{}-${{app.stage}}`", template_text(workflow_name)))
        } else {
            Js::str(workflow_name)
        };
        let mut props = vec![
            Prop::kv("workflowName", name),
            Prop::kv("className", Js::str(class_name)),
        ];
        if let Some(s) = script {
            props.push(Prop::kv("scriptName", self.script(s)));
        }
        Js::call("Workflow", vec![Js::str(id), Js::obj(props)])
    }

    fn email_sender(
        &mut self,
        destination_address: Option<&'a str>,
        allowed_destination_addresses: &'a [String],
        allowed_sender_addresses: &'a [String],
    ) -> Js<'a> {
        self.imports.insert("EmailSender");
        let strs = |v: &'a [String]| Js::Arr(v.iter().map(|s| Js::str(s.as_str())).collect());
        let mut props = Vec::new();
        if let Some(d) = destination_address {
            props.push(Prop::kv("destinationAddress", Js::str(d)));
        }
        if !allowed_destination_addresses.is_empty() {
            props.push(Prop::kv(
                "allowedDestinationAddresses",
                strs(allowed_destination_addresses),
            ));
        }
        if !allowed_sender_addresses.is_empty() {
            props.push(Prop::kv(
                "allowedSenderAddresses",
                strs(allowed_sender_addresses),
            ));
        }
        Js::call("EmailSender", vec![Js::obj(props)])
    }

    /// A reference to worker `wi`: its identifier, with `!` when some stage does not deploy it
    /// (there the constant is `undefined`; this stage does).
    fn worker_ref(&self, wi: usize) -> Text<'a> {
        self.reference(&self.p.workers[wi].ident)
    }

    /// A reference to the constant `ident` (a worker's or a resource's): `ident!` when it is
    /// partial (`undefined` in some stage), else the identifier itself, borrowed.
    fn reference(&self, ident: &'a str) -> Text<'a> {
        if self.partial.contains(ident) {
            [ident, "!"].concat().into()
        } else {
            ident.into()
        }
    }

    fn nullary(&mut self, name: &'static str) -> Js<'a> {
        self.imports.insert(name);
        Js::call(name, vec![])
    }

    fn script(&mut self, s: &'a ScriptRef) -> Js<'a> {
        match s {
            ScriptRef::Worker(w) => Js::raw([&*self.worker_ref(*w), ".name"].concat()),
            ScriptRef::Name(n) => Js::str(n.as_str()),
        }
    }

    /// A worker's `Worker(id, { … })` call, its props in Alchemy's order.
    fn worker(&mut self, wi: usize, w: &'a PlanWorker) -> Js<'a> {
        let mut props = self.identity_props(wi, w);
        props.extend(self.bindings_prop(w));
        props.extend(self.event_sources_prop(w));
        if let Some(c) = &w.crons {
            props.push(Prop::kv("crons", strings(c)));
        }
        props.extend(self.routing_props(w));
        if !w.assets_config.is_empty() {
            let settings = w.assets_config.iter().map(assets_setting);
            props.push(Prop::kv("assets", settings_object(settings)));
        }
        if !w.tail_consumers.is_empty() {
            let items = w
                .tail_consumers
                .iter()
                .map(|t| match t {
                    TailTarget::Worker(i) => Js::raw(self.worker_ref(*i)),
                    TailTarget::Name(n) => Js::obj(vec![Prop::kv("service", Js::str(n.as_str()))]),
                })
                .collect();
            props.push(Prop::kv("tailConsumers", Js::Arr(items)));
        }
        props.extend(settings_props(w));
        Js::await_(Js::call(
            "Worker",
            vec![Js::str(w.id.as_str()), Js::expanded(props)],
        ))
    }

    /// Name, code, adoption, account and compatibility, addresses.
    fn identity_props(&mut self, wi: usize, w: &'a PlanWorker) -> Vec<Prop<'a>> {
        let mut props = Vec::new();
        if let Some(n) = self.worker_name(wi) {
            props.push(Prop::kv("name", n));
        }
        match &w.script {
            Some(script) => props.push(Prop::kv("script", Js::str(script.as_str()))),
            None => props.push(Prop::kv("entrypoint", Js::str(w.entrypoint.as_str()))),
        }
        if let Some(rpc) = &w.rpc {
            props.push(Prop::kv(
                "rpc",
                Js::raw(["type<", rpc.as_str(), ">"].concat()),
            ));
        }
        if w.service_worker {
            props.push(Prop::kv("format", Js::str("cjs")));
        }
        // A placeholder's stub script exists before the real worker: it must be adopted.
        let adopt = if self.fresh() {
            self.placeholder_targets.contains(&wi)
        } else {
            w.adopt
        };
        props.push(Prop::kv("adopt", Js::bool(adopt)));
        props.push(Prop::kv("delete", Js::bool(self.fresh())));
        if let Some(a) = &w.account_id {
            props.push(Prop::kv("accountId", Js::str(a.as_str())));
        }
        if let Some(d) = &w.compatibility_date {
            props.push(Prop::kv("compatibilityDate", Js::str(d.as_str())));
        }
        if !w.compatibility_flags.is_empty() {
            props.push(Prop::kv(
                "compatibilityFlags",
                strings(&w.compatibility_flags),
            ));
        }
        if let Some(u) = w.url {
            props.push(Prop::kv("url", Js::bool(u)));
        }
        if let Some(p) = w.preview_urls {
            props.push(Prop::kv("previewSubdomains", Js::bool(p)));
        }
        props
    }

    /// `bindings`: each binding's value, or a comment saying why it is left out.
    fn bindings_prop(&mut self, w: &'a PlanWorker) -> Option<Prop<'a>> {
        if w.bindings.is_empty() {
            return None;
        }
        let mut b = Vec::new();
        for binding in &w.bindings {
            if let Some(t) = &binding.todo {
                b.push(Prop::comment(format!("{}: {t}", binding.name)));
            }
            if let Some(v) = &binding.value {
                match self.value(v) {
                    Ok(js) => b.push(Prop::kv(binding.name.as_str(), js)),
                    Err(why) => b.push(Prop::comment(format!("{}: {why}", binding.name))),
                }
            }
        }
        Some(Prop::kv("bindings", Js::expanded(b)))
    }

    /// `eventSources`: the queues it consumes, with their settings.
    fn event_sources_prop(&self, w: &'a PlanWorker) -> Option<Prop<'a>> {
        if w.event_sources.is_empty() {
            return None;
        }
        let items = w
            .event_sources
            .iter()
            .map(|es| {
                let q = Js::raw(self.reference(&self.p.resources[es.queue].ident));
                if es.settings.is_empty() {
                    return q;
                }
                let settings = es.settings.iter().map(consumer_setting);
                Js::obj(vec![
                    Prop::kv("queue", q),
                    Prop::kv("settings", settings_object(settings)),
                ])
            })
            .collect();
        Some(Prop::kv("eventSources", Js::Arr(items)))
    }

    /// Routes and custom domains: only the wrangler environments' workers have them.
    fn routing_props(&self, w: &'a PlanWorker) -> Vec<Prop<'a>> {
        let zoned = |(p, z): &'a (String, Option<String>), key: &'static str| match z {
            Some(z) => Js::obj(vec![
                Prop::kv(key, Js::str(p.as_str())),
                Prop::kv("zoneId", Js::str(z.as_str())),
            ]),
            None => Js::str(p.as_str()),
        };
        let mut props = Vec::new();
        if self.fresh() {
            return props;
        }
        if !w.routes.is_empty() {
            let routes = w.routes.iter().map(|r| zoned(r, "pattern")).collect();
            props.push(Prop::kv("routes", Js::Arr(routes)));
        }
        if !w.domains.is_empty() {
            let domains = w.domains.iter().map(|d| zoned(d, "domainName")).collect();
            props.push(Prop::kv("domains", Js::Arr(domains)));
        }
        props
    }
}

/// Observability, placement, limits, cache, logpush, source maps, bundling and module rules.
fn settings_props(w: &PlanWorker) -> Vec<Prop<'_>> {
    let mut props = Vec::new();
    for (key, v) in [
        ("observability", w.observability.as_ref().map(camel_keys)),
        ("placement", w.placement.clone()),
        ("limits", w.limits.clone()),
        ("cache", w.cache.as_ref().map(camel_keys)),
    ] {
        if let Some(v) = v {
            props.push(Prop::kv(key, Js::json(&v).into_owned()));
        }
    }
    for (key, v) in [
        ("logpush", w.logpush),
        ("sourceMap", w.source_map),
        ("noBundle", w.no_bundle),
    ] {
        if let Some(v) = v {
            props.push(Prop::kv(key, Js::bool(v)));
        }
    }
    if let Some(r) = &w.rules {
        let items = r
            .iter()
            .map(|globs| Js::obj(vec![Prop::kv("globs", strings(globs))]))
            .collect();
        props.push(Prop::kv("rules", Js::Arr(items)));
    }
    if !w.bundle.is_empty() {
        let options = w.bundle.iter().map(bundle_option);
        props.push(Prop::kv("bundle", settings_object(options)));
    }
    props
}

/// An array of string literals.
fn strings(items: &[String]) -> Js<'_> {
    Js::Arr(items.iter().map(|s| Js::str(s.as_str())).collect())
}

/// An object of named settings.
fn settings_object(
    settings: impl Iterator<Item = (&'static str, serde_json::Value)>,
) -> Js<'static> {
    Js::obj(
        settings
            .map(|(k, v)| Prop::kv(k, Js::json(&v).into_owned()))
            .collect(),
    )
}

fn secret(name: &str) -> Js<'_> {
    if super::ts::is_identifier(name) {
        Js::raw(["alchemy.secret.env.", name].concat())
    } else {
        Js::raw(format!("alchemy.secret.env[{}]", string_literal(name)))
    }
}

/// Text for inside a template literal: backslashes, backticks and `${` escaped.
fn template_text(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('`', "\\`")
        .replace("${", "\\${")
}

/// A number as JSON: an integer when it is one.
fn json_number(x: f64) -> serde_json::Value {
    serde_json::json!(x as i64)
        .as_i64()
        .filter(|i| (*i as f64) == x)
        .map(serde_json::Value::from)
        .unwrap_or(serde_json::json!(x))
}

/// A queue consumer setting as Alchemy's event source takes it (milliseconds for the batch
/// timeout).
fn consumer_setting(s: &ConsumerSetting) -> (&'static str, serde_json::Value) {
    match s {
        ConsumerSetting::MaxBatchSize(x) => ("batchSize", json_number(*x)),
        ConsumerSetting::MaxBatchTimeout(x) => ("maxWaitTimeMs", json_number(x * 1000.0)),
        ConsumerSetting::MaxRetries(x) => ("maxRetries", json_number(*x)),
        ConsumerSetting::DeadLetterQueue(q) => ("deadLetterQueue", serde_json::json!(q)),
        ConsumerSetting::MaxConcurrency(x) => ("maxConcurrency", json_number(*x)),
        ConsumerSetting::RetryDelay(x) => ("retryDelay", json_number(*x)),
    }
}

/// A bundler option as Alchemy's `bundle` takes it (esbuild's names).
fn bundle_option(o: &BundleOption) -> (&'static str, serde_json::Value) {
    match o {
        BundleOption::Minify(b) => ("minify", serde_json::json!(b)),
        BundleOption::KeepNames(b) => ("keepNames", serde_json::json!(b)),
        BundleOption::Define(v) => ("define", v.clone()),
        BundleOption::Alias(v) => ("alias", v.clone()),
        BundleOption::Tsconfig(p) => ("tsconfig", serde_json::json!(p)),
        BundleOption::JsxFactory(v) => ("jsxFactory", v.clone()),
        BundleOption::JsxFragment(v) => ("jsxFragment", v.clone()),
    }
}

/// An assets setting as Alchemy's `assets` takes it (wrangler's names).
fn assets_setting(a: &AssetsSetting) -> (&'static str, serde_json::Value) {
    match a {
        AssetsSetting::HtmlHandling(h) => ("html_handling", serde_json::json!(h)),
        AssetsSetting::NotFoundHandling(h) => ("not_found_handling", serde_json::json!(h)),
        AssetsSetting::RunWorkerFirst(v) => ("run_worker_first", v.clone()),
    }
}

/// `head_sampling_rate` → `headSamplingRate`, recursively.
fn camel_keys(v: &serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Object(m) => serde_json::Value::Object(
            m.iter()
                .map(|(k, v)| (snake_to_camel(k), camel_keys(v)))
                .collect(),
        ),
        serde_json::Value::Array(a) => serde_json::Value::Array(a.iter().map(camel_keys).collect()),
        other => other.clone(),
    }
}

fn snake_to_camel(s: &str) -> String {
    let mut out = String::new();
    let mut up = false;
    for c in s.chars() {
        if c == '_' {
            up = true;
        } else if up {
            out.push(c.to_ascii_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::ts::flat;
    use serde_json::json;

    #[test]
    fn queue_consumer_settings_in_alchemy_names_and_units() {
        let cases = [
            (ConsumerSetting::MaxBatchSize(10.0), "batchSize", json!(10)),
            (
                ConsumerSetting::MaxBatchTimeout(2.5),
                "maxWaitTimeMs",
                json!(2500),
            ),
            (
                ConsumerSetting::MaxBatchTimeout(0.0005),
                "maxWaitTimeMs",
                json!(0.5),
            ),
            (ConsumerSetting::MaxRetries(3.0), "maxRetries", json!(3)),
            (
                ConsumerSetting::DeadLetterQueue("dlq".into()),
                "deadLetterQueue",
                json!("dlq"),
            ),
            (
                ConsumerSetting::MaxConcurrency(1.5),
                "maxConcurrency",
                json!(1.5),
            ),
            (ConsumerSetting::RetryDelay(30.0), "retryDelay", json!(30)),
        ];
        for (setting, key, value) in cases {
            assert_eq!(consumer_setting(&setting), (key, value), "{setting:?}");
        }
    }

    #[test]
    fn bundler_and_assets_options_in_alchemy_names() {
        let bundle = [
            (BundleOption::Minify(true), "minify", json!(true)),
            (BundleOption::KeepNames(false), "keepNames", json!(false)),
            (
                BundleOption::Tsconfig("./t.json".into()),
                "tsconfig",
                json!("./t.json"),
            ),
            (
                BundleOption::JsxFactory(json!("h")),
                "jsxFactory",
                json!("h"),
            ),
            (
                BundleOption::JsxFragment(json!("F")),
                "jsxFragment",
                json!("F"),
            ),
        ];
        for (option, key, value) in bundle {
            assert_eq!(bundle_option(&option), (key, value), "{option:?}");
        }
        let assets = [
            (AssetsSetting::HtmlHandling("none".into()), "html_handling"),
            (
                AssetsSetting::NotFoundHandling("404-page".into()),
                "not_found_handling",
            ),
            (
                AssetsSetting::RunWorkerFirst(json!(true)),
                "run_worker_first",
            ),
        ];
        for (setting, key) in assets {
            assert_eq!(assets_setting(&setting).0, key, "{setting:?}");
        }
        assert_eq!(
            camel_keys(
                &json!({"head_sampling_rate": 1, "logs": {"invocation_logs": [{"a_b": 1}]}})
            ),
            json!({"headSamplingRate": 1, "logs": {"invocationLogs": [{"aB": 1}]}})
        );
    }

    #[test]
    fn names_for_files_secrets_and_templates() {
        for (id, stem) in [
            ("api", "api"),
            ("My Worker!", "my-worker"),
            ("../../etc", "etc"),
            ("", "worker"),
            ("a_b-c", "a_b-c"),
        ] {
            assert_eq!(file_stem(id), stem, "{id:?}");
        }
        assert_eq!(
            flat(&secret("API_KEY")).unwrap(),
            "alchemy.secret.env.API_KEY"
        );
        assert_eq!(
            flat(&secret("my-key")).unwrap(),
            "alchemy.secret.env[\"my-key\"]"
        );
        assert_eq!(template_text("a`b${c}\\d"), "a\\`b\\${c}\\\\d");
    }

    #[test]
    fn imports_break_one_name_per_line_when_they_do_not_fit() {
        let few: Vec<String> = ["Worker", "Queue"].map(String::from).to_vec();
        assert_eq!(
            named_import("import", &few, "\"alchemy/cloudflare\""),
            "import { Worker, Queue } from \"alchemy/cloudflare\";\n"
        );
        let many: Vec<String> = [
            "D1Database",
            "DurableObjectNamespace",
            "KVNamespace",
            "R2Bucket",
            "Worker",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            named_import("import", &many, "\"alchemy/cloudflare\""),
            "import {\n  D1Database,\n  DurableObjectNamespace,\n  KVNamespace,\n  R2Bucket,\n  Worker,\n} from \"alchemy/cloudflare\";\n"
        );
    }
}
