//! Environment resolution, exactly as wrangler does it (wrangler-config.md §6): inheritable keys
//! are replaced whole, non-inheritable keys are absent unless redeclared (with wrangler's
//! warning), top-level-only keys come from the top level, and the worker name is `env.X.name`
//! verbatim, else `<name>-<X>`, else none.

use super::schema::{Scope, lookup};
use crate::diagnostics::{Diagnostic, Span, codes};
use crate::syntax::{Entry, Node};

/// The effective configuration of one worker: the top level, or one environment of it.
#[derive(Debug, Clone)]
pub struct Effective<'a> {
    pub env: Option<String>,
    /// The resolved script name and where it comes from.
    pub name: Option<(String, Span)>,
    /// Every key that applies, from the environment or inherited from the top level.
    pub entries: Vec<&'a Entry>,
    /// The span that stands for the whole worker (its env table, or the file).
    pub span: Span,
}

impl<'a> Effective<'a> {
    pub fn get(&self, key: &str) -> Option<&'a Entry> {
        self.entries.iter().find(|e| e.key == key).copied()
    }
}

/// Names of the environments a config defines, in source order.
pub fn env_names(root: &Node) -> Vec<String> {
    root.get("env")
        .map(|e| {
            e.entries()
                .iter()
                .filter(|x| x.value.is_object())
                .map(|x| x.key.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// Resolves the top level (`env = None`) or one environment. `--env X` for a file without
/// `[env.X]` resolves the top level under X's name, as wrangler does.
pub fn resolve<'a>(
    root: &'a Node,
    env: Option<&str>,
    diags: &mut Vec<Diagnostic>,
) -> Effective<'a> {
    let top_name = root
        .entry("name")
        .and_then(|e| e.value.as_str().map(|s| (s.to_string(), e.value.span)));
    let Some(env_name) = env else {
        let entries = root.entries().iter().filter(|e| e.key != "env").collect();
        return Effective {
            env: None,
            name: top_name,
            entries,
            span: root.span,
        };
    };
    let defined = env_names(root);
    let env_table = root
        .get("env")
        .and_then(|e| e.get(env_name))
        .filter(|t| t.is_object());
    let Some(table) = env_table else {
        let span = root.entry("name").map(|e| e.key_span).unwrap_or(Span {
            end: root.span.start,
            ..root.span
        });
        diags.push(codes::env_not_found(span, env_name, &defined));
        let entries = root.entries().iter().filter(|e| e.key != "env").collect();
        let name = top_name.map(|(n, s)| (format!("{n}-{env_name}"), s));
        return Effective {
            env: Some(env_name.to_string()),
            name,
            entries,
            span: root.span,
        };
    };
    let mut entries: Vec<&Entry> = Vec::new();
    // The environment's keys (the last one wins, as for any object), indexed once.
    let env_keys: std::collections::HashMap<&str, &Entry> = table
        .entries()
        .iter()
        .map(|e| (e.key.as_str(), e))
        .collect();
    for top in root.entries() {
        if top.key == "env" {
            continue;
        }
        let scope = lookup(&top.key).map(|(_, s)| *s);
        let in_env = env_keys.get(top.key.as_str()).copied();
        match scope {
            Some(Scope::TopOnly) | Some(Scope::Meta) => entries.push(top),
            Some(Scope::Inheritable) => {
                if in_env.is_none() {
                    entries.push(top);
                    if top.key == "routes" && has_custom_domain(&top.value) {
                        diags.push(codes::inherited_custom_domains(
                            table_key_span(root, env_name, table),
                            env_name,
                        ));
                    }
                }
            }
            Some(Scope::NonInheritable) => {
                if in_env.is_none() {
                    diags.push(codes::not_inherited(
                        table_key_span(root, env_name, table),
                        top.key_span,
                        &top.key,
                        env_name,
                    ));
                } else if let Some(env_entry) = in_env {
                    missing_named_bindings(top, env_entry, env_name, diags);
                }
            }
            // Unknown and removed keys: reported by the schema check; they do not apply.
            None => {}
        }
    }
    for e in table.entries() {
        match lookup(&e.key).map(|(_, s)| *s) {
            Some(Scope::Inheritable) | Some(Scope::NonInheritable) => entries.push(e),
            _ => {}
        }
    }
    let name = match table.entry("name") {
        Some(n) => n.value.as_str().map(|s| (s.to_string(), n.value.span)),
        None => top_name.map(|(n, s)| (format!("{n}-{env_name}"), s)),
    };
    Effective {
        env: Some(env_name.to_string()),
        name,
        entries,
        span: table.span,
    }
}

/// The span of the `staging` in `[env.staging]` (or the table itself).
fn table_key_span(root: &Node, env: &str, table: &Node) -> Span {
    root.get("env")
        .and_then(|e| e.entry(env))
        .map(|e| e.key_span)
        .unwrap_or(table.span)
}

fn has_custom_domain(routes: &Node) -> bool {
    routes
        .as_array()
        .unwrap_or_default()
        .iter()
        .any(|r| r.get("custom_domain").and_then(Node::as_bool) == Some(true))
}

/// wrangler's per-binding warning: names bound at the top level but not in the environment.
fn missing_named_bindings(top: &Entry, env_entry: &Entry, env: &str, diags: &mut Vec<Diagnostic>) {
    let key_of = |n: &Node| -> Option<String> {
        ["binding", "name"]
            .iter()
            .find_map(|k| n.get(k).and_then(Node::as_str))
            .map(str::to_string)
    };
    if top.key == "vars" {
        let in_env: std::collections::HashSet<&str> = env_entry
            .value
            .entries()
            .iter()
            .map(|e| e.key.as_str())
            .collect();
        for v in top.value.entries() {
            if !in_env.contains(v.key.as_str()) {
                diags.push(
                    Diagnostic::warning(
                        "AM0300",
                        format!(
                            "var `{}` exists at the top level, but not in `env.{env}.vars`",
                            v.key
                        ),
                    )
                    .at(env_entry.key_span)
                    .with_label(v.key_span, "set at the top level here")
                    .with_help(format!(
                        "add `{}` to `env.{env}.vars` if the `{env}` worker needs it",
                        v.key
                    )),
                );
            }
        }
        return;
    }
    let (Some(top_items), Some(env_items)) = (top.value.as_array(), env_entry.value.as_array())
    else {
        return;
    };
    let env_names: std::collections::HashSet<String> =
        env_items.iter().filter_map(key_of).collect();
    for item in top_items {
        if let Some(name) = key_of(item) {
            if !env_names.contains(&name) {
                diags.push(
                    Diagnostic::warning("AM0300", format!("`{}` binding `{name}` exists at the top level, but not in `env.{env}.{}`", top.key, top.key))
                        .at(env_entry.key_span)
                        .with_label(item.span, "declared at the top level here")
                        .with_help(format!("add `{name}` to `env.{env}.{}` if the `{env}` worker needs it", top.key)),
                );
            }
        }
    }
}
