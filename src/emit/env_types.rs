//! Env type modules: `env/<worker>.ts` spells out the bindings a worker's code sees, one
//! TypeScript type per binding (as `wrangler types` does: `KVNamespace`, `Service<Auth>`, …).
//!
//! The types are written out rather than taken from the program (`typeof worker.Env`) so that a
//! worker's class can take its `Env` from here while the program types its service bindings with
//! that class (`rpc: type<Auth>`): the program depends on the worker sources, never the reverse.
//! A binding's type is the union of its types in every stage that deploys the worker; a binding
//! missing from some of them is optional.

use super::OutputFile;
use super::alchemy_v1::WorkerSlot;
use super::ts::{WIDTH, comment_text, is_identifier, pad, string_literal};
use crate::plan::{Program, ResourceKind, Value};
use crate::{HashMap, HashSet};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

/// One `env/<worker>.ts` per worker of any stage. `programs` are every stage's programs (the
/// order decides the order of union members).
pub fn env_modules(programs: &[&Program], slots: &[WorkerSlot]) -> Vec<OutputFile> {
    use rayon::prelude::*;
    // (Where types come from is gathered while each worker's file is named.)
    let (sources, named) = rayon::join(
        || type_sources(programs),
        || {
            slots
                .par_iter()
                .map(|(_, in_stage)| {
                    // Where the worker is in each program that has it (a program several stages
                    // share counted once: it types the worker's bindings the same way each time).
                    let mut at: Vec<(usize, usize)> = in_stage.iter().flatten().copied().collect();
                    at.retain(|&(p, _)| !shared_with_earlier(programs, p));
                    let (k, wi) = at[0];
                    let stem = super::alchemy_v1::file_stem(&programs[k].workers[wi].id);
                    (["env/", stem.as_str(), ".ts"].concat(), at)
                })
                .collect::<Vec<_>>()
        },
    );
    // The first worker of a file name has the file.
    let mut seen: HashSet<&str> = HashSet::default();
    let first: Vec<bool> = named.iter().map(|(path, _)| seen.insert(path)).collect();
    let files: Vec<(String, Vec<(usize, usize)>)> = named
        .into_iter()
        .zip(first)
        .filter_map(|(file, first)| first.then_some(file))
        .collect();
    files
        .into_par_iter()
        .map(|(path, at)| OutputFile {
            path,
            contents: env_module(programs, &at, &sources).into(),
        })
        .collect()
}

/// Whether `programs[k]` is a program an earlier stage already has (stages that deploy the same
/// workers share one program).
fn shared_with_earlier(programs: &[&Program], k: usize) -> bool {
    programs[..k].iter().any(|q| std::ptr::eq(*q, programs[k]))
}

/// Where each imported type comes from: local name → (module path relative to the output
/// folder, exported name), borrowed from the programs (a program several stages share is read
/// once).
type TypeSources<'p> = HashMap<&'p str, (&'p str, &'p str)>;

fn type_sources<'p>(programs: &[&'p Program]) -> TypeSources<'p> {
    let imports = programs.iter().map(|p| p.type_imports.len()).sum();
    let mut out: TypeSources<'p> = HashMap::with_capacity_and_hasher(imports, Default::default());
    for (k, p) in programs.iter().enumerate() {
        if shared_with_earlier(programs, k) {
            continue;
        }
        for (path, imp) in &p.type_imports {
            if let Some(d) = &imp.default {
                out.insert(d, (path, "default"));
            }
            for (export, local) in &imp.named {
                out.insert(local, (path, export));
            }
        }
    }
    out
}

/// A module path relative to the output folder, seen from `env/`.
fn from_env_folder(path: &str) -> String {
    match path.strip_prefix("./") {
        Some(rest) => ["../", rest].concat(),
        None => ["../", path].concat(),
    }
}

/// One binding's types across the stages (mostly words of their own, borrowed), and whether
/// some stage lacks it.
struct Member<'p> {
    types: Vec<Cow<'p, str>>,
    optional: bool,
}

fn env_module<'p>(
    programs: &[&'p Program],
    at: &[(usize, usize)],
    sources: &TypeSources<'_>,
) -> String {
    let mut members: Vec<(&'p str, Member<'p>)> = Vec::new();
    // Binding name → (index in `members`, in how many of the worker's stages it is bound).
    let mut index: HashMap<&str, (usize, usize)> = HashMap::default();
    let mut used: BTreeSet<&'p str> = BTreeSet::new();
    for &(k, wi) in at {
        let p = programs[k];
        for b in &p.workers[wi].bindings {
            let Some(v) = &b.value else { continue };
            let ty = binding_type(p, v, &mut used);
            match index.get_mut(b.name.as_str()) {
                Some((i, seen)) => {
                    *seen += 1;
                    let m = &mut members[*i].1;
                    if !m.types.contains(&ty) {
                        m.types.push(ty);
                    }
                }
                None => {
                    index.insert(&b.name, (members.len(), 1));
                    members.push((
                        &b.name,
                        Member {
                            types: vec![ty],
                            optional: false,
                        },
                    ));
                }
            }
        }
    }
    for (name, m) in &mut members {
        m.optional = index.get(*name).is_some_and(|(_, seen)| *seen < at.len());
    }
    let (k, wi) = at[0];
    let w = &programs[k].workers[wi];
    // (Room for the header and a line per binding: most modules are written without growing.)
    let mut out = String::with_capacity(512 + 64 * members.len());
    out.push_str("// Generated by alchemy-migrator: the bindings of the worker ");
    out.push_str(&comment_text(&string_literal(
        w.script_name.as_deref().unwrap_or(&w.id),
    )));
    out.push_str(", as its code sees them.\n// Use it in the worker: `export default { fetch(req, env: Env) { … } }`.\n");
    push_imports(&mut out, &used, sources);
    out.push('\n');
    if members.is_empty() {
        out.push_str("export type Env = {};\n");
        return out;
    }
    out.push_str("export type Env = {\n");
    for (name, m) in &members {
        let quoted;
        let key = if is_identifier(name) {
            *name
        } else {
            quoted = string_literal(name);
            quoted.as_str()
        };
        let q = if m.optional { "?" } else { "" };
        push_member_line(&mut out, key, q, &m.types, 1);
    }
    out.push_str("};\n");
    out
}

/// `import type` lines for the types used, grouped by module (Prettier's layout), appended to
/// `out`.
fn push_imports(out: &mut String, used: &BTreeSet<&str>, sources: &TypeSources<'_>) {
    let mut by_path: BTreeMap<String, (Option<String>, Vec<String>)> = BTreeMap::new();
    for &local in used {
        let Some(&(path, export)) = sources.get(local) else {
            continue;
        };
        let entry = by_path.entry(from_env_folder(path)).or_default();
        if export == "default" {
            entry.0 = Some(local.to_string());
        } else {
            entry.1.push(super::alchemy_v1::import_name(export, local));
        }
    }
    for (path, (default, named)) in &by_path {
        super::alchemy_v1::push_type_imports(out, path, default.as_deref(), named);
    }
}

/// `  KEY: A | B;`, or Prettier's broken union when it does not fit.
#[cfg(test)]
fn member_line(key: &str, types: &[String], depth: usize) -> String {
    let mut out = String::new();
    push_member_line(&mut out, key, "", types, depth);
    out
}

/// `  KEY?: A | B;` (`mark`: `?` or nothing) appended to `out`, or Prettier's broken union when
/// it does not fit.
fn push_member_line<T: AsRef<str>>(
    out: &mut String,
    key: &str,
    mark: &str,
    types: &[T],
    depth: usize,
) {
    let start = out.len();
    pad(out, 2 * depth);
    out.push_str(key);
    out.push_str(mark);
    out.push_str(": ");
    super::ts::push_joined(out, types, " | ");
    out.push_str(";\n");
    let line = &out[start..];
    let fits = line.len() <= WIDTH + 1 && !line[..line.len() - 1].contains('\n');
    if types.len() < 2 || fits {
        return;
    }
    out.truncate(start);
    pad(out, 2 * depth);
    out.push_str(key);
    out.push_str(mark);
    out.push_str(":\n");
    for (i, t) in types.iter().enumerate() {
        pad(out, 2 * (depth + 1));
        out.push_str("| ");
        for (k, part) in t.as_ref().split('\n').enumerate() {
            if k > 0 {
                out.push('\n');
                pad(out, 2 * (depth + 1));
            }
            out.push_str(part);
        }
        if i + 1 == types.len() {
            out.push(';');
        }
        out.push('\n');
    }
}

/// The TypeScript type the worker's code sees for a binding (workers-types globals).
fn binding_type<'p>(p: &'p Program, v: &'p Value, used: &mut BTreeSet<&'p str>) -> Cow<'p, str> {
    let mut typed = |base: &'static str, ty: Option<&'p String>| match ty {
        Some(t) => {
            used.insert(t);
            Cow::Owned([base, "<", t.as_str(), ">"].concat())
        }
        None => Cow::Borrowed(base),
    };
    match v {
        Value::Str(s) => string_literal(s).into(),
        Value::Json(j) => json_type(j, 1).into(),
        Value::Secret(_) => "string".into(),
        Value::Resource(r) => resource_type(&p.resources[*r].kind).into(),
        Value::Worker(t) => typed("Service", p.workers[*t].rpc.as_ref()),
        Value::Placeholder(ph) => typed(
            "Service",
            p.workers[p.placeholders[*ph].worker].rpc.as_ref(),
        ),
        Value::External(_) | Value::SelfRef => "Service".into(),
        Value::Entrypoint(_, _, ty) => typed("Service", ty.as_ref()),
        Value::DurableObject { ty: Some(t), .. } => {
            used.insert(t);
            Cow::Owned(
                [
                    "DurableObjectNamespace<",
                    t.as_str(),
                    " & Rpc.DurableObjectBranded>",
                ]
                .concat(),
            )
        }
        Value::DurableObject { ty: None, .. } => "DurableObjectNamespace".into(),
        Value::Workflow { .. } => "Workflow".into(),
        Value::AnalyticsEngine { .. } => "AnalyticsEngineDataset".into(),
        Value::Ai => "Ai".into(),
        Value::Browser | Value::Assets { .. } => "Fetcher".into(),
        Value::Images => "ImagesBinding".into(),
        Value::VersionMetadata => "WorkerVersionMetadata".into(),
        Value::WorkerLoader => "WorkerLoader".into(),
        Value::RateLimit { .. } => "RateLimit".into(),
        Value::EmailSender { .. } => "SendEmail".into(),
        Value::SecretsStore { .. } => "SecretsStoreSecret".into(),
        Value::Pipeline { .. } => "import(\"cloudflare:pipelines\").Pipeline".into(),
    }
}

fn resource_type(kind: &ResourceKind) -> &'static str {
    match kind {
        ResourceKind::KvById { .. } | ResourceKind::KvNew { .. } => "KVNamespace",
        ResourceKind::R2 { .. } => "R2Bucket",
        ResourceKind::D1 { .. } => "D1Database",
        ResourceKind::Queue { .. } => "Queue",
        ResourceKind::DispatchNamespace { .. } => "DispatchNamespace",
        ResourceKind::Vectorize { .. } => "VectorizeIndex",
        ResourceKind::Hyperdrive { .. } => "Hyperdrive",
    }
}

/// The type of a JSON var as the code reads it: `number`, `string`, `boolean`, `null`, arrays of
/// the union of their items, objects member by member (written expanded, as Prettier keeps them).
fn json_type(v: &serde_json::Value, depth: usize) -> String {
    match v {
        serde_json::Value::Null => "null".into(),
        serde_json::Value::Bool(_) => "boolean".into(),
        serde_json::Value::Number(_) => "number".into(),
        serde_json::Value::String(_) => "string".into(),
        serde_json::Value::Array(items) => {
            let mut types: Vec<String> = Vec::new();
            for t in items.iter().map(|i| json_type(i, depth)) {
                if !types.contains(&t) {
                    types.push(t);
                }
            }
            match types.len() {
                0 => "unknown[]".into(),
                1 if !types[0].contains(' ') || types[0].starts_with('{') => {
                    format!("{}[]", types[0])
                }
                _ => format!("({})[]", types.join(" | ")),
            }
        }
        serde_json::Value::Object(map) if map.is_empty() => "{}".into(),
        serde_json::Value::Object(map) => {
            let mut out = String::from("{\n");
            for (k, item) in map {
                let key = if is_identifier(k) {
                    k.clone()
                } else {
                    string_literal(k)
                };
                push_member_line(&mut out, &key, "", &[json_type(item, depth + 1)], depth + 1);
            }
            pad(&mut out, 2 * depth);
            out.push('}');
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Binding, PlanWorker, Resource};
    use serde_json::json;

    #[test]
    fn json_types_follow_the_value() {
        let cases = [
            (json!(1), "number"),
            (json!(true), "boolean"),
            (json!(null), "null"),
            (json!("x"), "string"),
            (json!([]), "unknown[]"),
            (json!([1, 2]), "number[]"),
            (json!([1, "a"]), "(number | string)[]"),
            (json!({}), "{}"),
            (
                json!({"a": 1, "b-c": [true]}),
                "{\n    a: number;\n    \"b-c\": boolean[];\n  }",
            ),
        ];
        for (v, want) in cases {
            assert_eq!(json_type(&v, 1), want, "{v}");
        }
    }

    fn worker(id: &str, position: usize, bindings: Vec<(&str, Value)>) -> PlanWorker {
        PlanWorker {
            id: id.into(),
            position,
            bindings: bindings
                .into_iter()
                .map(|(name, v)| Binding {
                    name: name.into(),
                    value: Some(v),
                    todo: None,
                })
                .collect(),
            ..PlanWorker::default()
        }
    }

    fn program(workers: Vec<PlanWorker>) -> Program {
        Program {
            workers,
            resources: vec![Resource {
                ident: "cache".into(),
                id: "cache".into(),
                kind: ResourceKind::KvById { id: "k".into() },
                notes: Vec::new(),
                slots: Vec::new(),
            }],
            ..Program::default()
        }
    }

    #[test]
    fn each_binding_has_the_type_the_code_sees() {
        let mut auth = worker("auth", 0, vec![]);
        auth.rpc = Some("Auth".into());
        let p = program(vec![auth]);
        let cases = [
            (Value::Str("x".into()), "\"x\""),
            (Value::Json(json!({"a": 1})), "{\n    a: number;\n  }"),
            (Value::Secret("S".into()), "string"),
            (Value::Resource(0), "KVNamespace"),
            (Value::Worker(0), "Service<Auth>"),
            (Value::External("x".into()), "Service"),
            (
                Value::Entrypoint(
                    Box::new(Value::Worker(0)),
                    "Admin".into(),
                    Some("Admin".into()),
                ),
                "Service<Admin>",
            ),
            (
                Value::DurableObject {
                    id: "d".into(),
                    class_name: "Room".into(),
                    sqlite: true,
                    script: None,
                    ty: Some("Room".into()),
                },
                "DurableObjectNamespace<Room & Rpc.DurableObjectBranded>",
            ),
            (Value::Browser, "Fetcher"),
            (Value::Assets { path: ".".into() }, "Fetcher"),
            (
                Value::Pipeline { stream: "s".into() },
                "import(\"cloudflare:pipelines\").Pipeline",
            ),
        ];
        for (v, want) in cases {
            let mut used = BTreeSet::new();
            assert_eq!(binding_type(&p, &v, &mut used), want, "{v:?}");
        }
    }

    #[test]
    fn a_binding_some_stage_lacks_is_optional_and_types_unite() {
        let production = program(vec![worker(
            "api",
            0,
            vec![
                ("MODE", Value::Str("prod".into())),
                ("CACHE", Value::Resource(0)),
            ],
        )]);
        let staging = program(vec![worker(
            "api",
            0,
            vec![("MODE", Value::Str("stg".into()))],
        )]);
        let programs = [&production, &staging];
        let files = env_modules(
            &programs,
            &super::super::alchemy_v1::worker_slots(&programs),
        );
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].path, "env/api.ts");
        assert!(
            files[0].contents.text().ends_with(
                "export type Env = {\n  MODE: \"prod\" | \"stg\";\n  CACHE?: KVNamespace;\n};\n"
            ),
            "{}",
            files[0].contents
        );
    }

    #[test]
    fn paths_are_seen_from_the_env_folder() {
        assert_eq!(from_env_folder("./src/a.ts"), "../src/a.ts");
        assert_eq!(from_env_folder("../in/a.ts"), "../../in/a.ts");
    }

    #[test]
    fn long_unions_break_as_prettier_does() {
        let types: Vec<String> = [
            "\"a-very-long-literal-value-number-one\"",
            "\"a-very-long-literal-value-number-two\"",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            member_line("GREETING", &types, 1),
            "  GREETING:\n    | \"a-very-long-literal-value-number-one\"\n    | \"a-very-long-literal-value-number-two\";\n"
        );
        assert_eq!(
            member_line("A", &["\"x\"".to_string(), "\"y\"".to_string()], 1),
            "  A: \"x\" | \"y\";\n"
        );
    }
}
