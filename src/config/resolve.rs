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
                .map(|x| x.key.as_str().to_owned())
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
    // What the environment does not redeclare is reported once per environment (wrangler warns
    // per key and per binding, which drowns everything else in a large monorepo).
    let mut absent_keys: Vec<(&str, Span)> = Vec::new();
    let mut absent_entries: Vec<(String, Span)> = Vec::new();
    // The environment's keys (the last one wins, as for any object), indexed once.
    let env_keys: crate::HashMap<&str, &Entry> = table
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
            Some(Scope::Inheritable) if in_env.is_none() => {
                entries.push(top);
                if top.key == "routes" && has_custom_domain(&top.value) {
                    diags.push(codes::inherited_custom_domains(
                        table_key_span(root, env_name, table),
                        env_name,
                    ));
                }
            }
            Some(Scope::Inheritable) => {}
            Some(Scope::NonInheritable) => match in_env {
                None => absent_keys.push((&top.key, top.key_span)),
                Some(env_entry) => missing_named_entries(top, env_entry, &mut absent_entries),
            },
            // Unknown and removed keys: reported by the schema check; they do not apply.
            None => {}
        }
    }
    if !absent_keys.is_empty() {
        let span = table_key_span(root, env_name, table);
        diags.push(codes::not_inherited(span, env_name, &absent_keys));
    }
    if !absent_entries.is_empty() {
        let span = table_key_span(root, env_name, table);
        diags.push(codes::entries_not_inherited(
            span,
            env_name,
            &absent_entries,
        ));
    }
    for e in table.entries() {
        match lookup(&e.key).map(|(_, s)| *s) {
            Some(Scope::Inheritable) | Some(Scope::NonInheritable) => entries.push(e),
            _ => {}
        }
    }
    let name = name_in_env(table, top_name, env_name);
    Effective {
        env: Some(env_name.to_string()),
        name,
        entries,
        span: table.span,
    }
}

/// The script name of environment `env_name`, whose table is `table`: the table's own `name`,
/// else the top level's (`top_name`) followed by `-<env_name>`, as wrangler names it.
fn name_in_env(
    table: &Node,
    top_name: Option<(String, Span)>,
    env_name: &str,
) -> Option<(String, Span)> {
    match table.entry("name") {
        Some(n) => n.value.as_str().map(|s| (s.to_string(), n.value.span)),
        None => top_name.map(|(n, s)| ([n.as_str(), "-", env_name].concat(), s)),
    }
}

/// The script name [`resolve`] gives environment `env_name` when the config defines it (`None`
/// when it does not, or when no name follows), without resolving the rest of it.
pub fn script_name_in_env(root: &Node, env_name: &str) -> Option<String> {
    let table = root
        .get("env")
        .and_then(|e| e.get(env_name))
        .filter(|t| t.is_object())?;
    let top_name = root
        .entry("name")
        .and_then(|e| e.value.as_str().map(|s| (s.to_string(), e.value.span)));
    name_in_env(table, top_name, env_name).map(|(name, _)| name)
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

/// The entries of a redeclared key that the environment leaves out: vars, and bindings by name
/// (wrangler warns about each).
fn missing_named_entries(top: &Entry, env_entry: &Entry, out: &mut Vec<(String, Span)>) {
    let key_of = |n: &Node| -> Option<String> {
        ["binding", "name"]
            .iter()
            .find_map(|k| n.get(k).and_then(Node::as_str))
            .map(str::to_string)
    };
    if top.key == "vars" {
        let in_env: crate::HashSet<&str> = env_entry
            .value
            .entries()
            .iter()
            .map(|e| e.key.as_str())
            .collect();
        for v in top.value.entries() {
            if !in_env.contains(v.key.as_str()) {
                out.push((format!("var `{}`", v.key), v.key_span));
            }
        }
        return;
    }
    let (Some(top_items), Some(env_items)) = (top.value.as_array(), env_entry.value.as_array())
    else {
        return;
    };
    let env_names: crate::HashSet<String> = env_items.iter().filter_map(key_of).collect();
    for item in top_items {
        if let Some(name) = key_of(item)
            && !env_names.contains(&name)
        {
            out.push((format!("`{}` binding `{name}`", top.key), item.span));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{Format, parse};

    /// The script name of each environment is the one resolving it gives: its own name, the
    /// top level's with `-<env>`, none (no top-level name, or a name that is not a string).
    #[test]
    fn environment_script_names_are_those_resolution_gives() {
        let configs = [
            "name = \"app\"\n[env.staging]\nmain = \"s.ts\"\n[env.prod]\nname = \"app-live\"\n",
            "[env.staging]\nname = \"solo\"\n[env.dev]\nmain = \"d.ts\"\n",
            "name = \"app\"\n[env.odd]\nname = 1\n",
            "name = \"app\"\nenv = { a = { }, b = 2 }\n",
        ];
        for text in configs {
            let (root, _) = parse(text, Format::Toml, 0);
            let root = root.expect("parses");
            for env in env_names(&root) {
                let resolved = resolve(&root, Some(&env), &mut Vec::new())
                    .name
                    .map(|n| n.0);
                assert_eq!(script_name_in_env(&root, &env), resolved, "{env} in {text}");
            }
        }
        let (root, _) = parse(configs[0], Format::Toml, 0);
        let root = root.expect("parses");
        assert_eq!(
            script_name_in_env(&root, "staging").as_deref(),
            Some("app-staging")
        );
        assert_eq!(
            script_name_in_env(&root, "prod").as_deref(),
            Some("app-live")
        );
        assert_eq!(script_name_in_env(&root, "missing"), None);
    }

    const CONFIG: &str = r#"
name = "app"
main = "src/index.ts"

[vars]
MODE = "prod"
LEVEL = "info"

[[services]]
binding = "AUTH"
service = "auth"

[[kv_namespaces]]
binding = "CACHE"
id = "prod-cache"

[[d1_databases]]
binding = "DB"
database_name = "db"

[env.staging.vars]
MODE = "staging"

[[env.staging.kv_namespaces]]
binding = "OTHER"
id = "stg-other"

[env.preview]
name = "preview"
"#;

    fn diagnostics_of(env: &str) -> Vec<Diagnostic> {
        let (root, parse_diags) = parse(CONFIG, Format::Toml, 0);
        assert!(parse_diags.is_empty(), "{parse_diags:?}");
        let mut diags = Vec::new();
        resolve(&root.unwrap(), Some(env), &mut diags);
        diags
    }

    fn line_of(span: Span) -> usize {
        CONFIG[..span.start as usize].matches('\n').count() + 1
    }

    #[test]
    fn one_diagnostic_per_environment_for_the_keys_it_does_not_redeclare() {
        let diags = diagnostics_of("preview");
        assert_eq!(diags.len(), 1, "{diags:?}");
        let d = &diags[0];
        assert_eq!(d.code.as_str(), "AM0300");
        assert_eq!(
            d.message,
            "`env.preview` redeclares none of `vars`, `services`, `kv_namespaces` and `d1_databases`, which are set at the top level; environments do not inherit them, so `preview` has none of them"
        );
        assert_eq!(line_of(d.span.unwrap()), 28);
        let places: Vec<(usize, &str)> = d
            .occurrences
            .iter()
            .map(|l| (line_of(l.span), l.note.as_str()))
            .collect();
        assert_eq!(
            places,
            vec![
                (5, "`vars` is set at the top level here"),
                (9, "`services` is set at the top level here"),
                (13, "`kv_namespaces` is set at the top level here"),
                (17, "`d1_databases` is set at the top level here"),
            ]
        );
    }

    #[test]
    fn left_out_entries_are_one_more_diagnostic_per_environment() {
        let diags = diagnostics_of("staging");
        let messages: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            vec![
                "`env.staging` redeclares none of `services` and `d1_databases`, which are set at the top level; environments do not inherit them, so `staging` has none of them",
                "var `LEVEL` and `kv_namespaces` binding `CACHE` exist at the top level, but not in `env.staging`; environments do not inherit them",
            ]
        );
        assert!(diags.iter().all(|d| d.code.as_str() == "AM0300"));
        let entries: Vec<usize> = diags[1]
            .occurrences
            .iter()
            .map(|l| line_of(l.span))
            .collect();
        assert_eq!(entries, vec![7, 13]);
    }

    #[test]
    fn a_single_key_reads_as_one() {
        let (root, _) = parse(
            "name = \"a\"\nservices = []\n[env.x]\nname = \"x\"\n",
            Format::Toml,
            0,
        );
        let mut diags = Vec::new();
        resolve(&root.unwrap(), Some("x"), &mut diags);
        assert_eq!(diags.len(), 1);
        assert_eq!(
            diags[0].message,
            "`env.x` does not redeclare `services`, which is set at the top level; environments do not inherit it, so `x` has none"
        );
        assert_eq!(diags[0].occurrences.len(), 1);
    }

    /// The effective config of `env` in `toml`: its name, then every key with its value, then
    /// the diagnostics' codes.
    fn effective(toml: &str, env: Option<&str>) -> String {
        let (root, _) = parse(toml, Format::Toml, 0);
        let root = root.unwrap();
        let mut diags = Vec::new();
        let eff = resolve(&root, env, &mut diags);
        let mut lines = vec![format!("name {:?}", eff.name.map(|(n, _)| n))];
        lines.extend(
            eff.entries
                .iter()
                .map(|e| format!("{} = {}", e.key, e.value.to_json())),
        );
        lines.extend(diags.iter().map(|d| d.code.to_string()));
        lines.join("\n")
    }

    const LAYERED: &str = r#"
name = "app"
main = "src/index.ts"
compatibility_date = "2025-01-01"
keep_vars = true
vars = { MODE = "prod" }
routes = [{ pattern = "app.example.com", custom_domain = true }]

[env.staging]
compatibility_date = "2025-06-01"

[env.named]
name = "app-next"
main = "src/next.ts"
vars = { MODE = "next" }
keep_vars = false
routes = []

[env.broken]
unknown_key = 1
"#;

    #[test]
    fn environments_inherit_replace_or_lose_keys() {
        let cases = [
            (
                None,
                "name Some(\"app\")\nname = \"app\"\nmain = \"src/index.ts\"\ncompatibility_date = \"2025-01-01\"\nkeep_vars = true\nvars = {\"MODE\":\"prod\"}\nroutes = [{\"custom_domain\":true,\"pattern\":\"app.example.com\"}]",
            ),
            // Inheritable keys come from the top level, replaced whole where redeclared; vars
            // are not inherited; top-level-only keys stay; the name gets the env suffix.
            (
                Some("staging"),
                "name Some(\"app-staging\")\nname = \"app\"\nmain = \"src/index.ts\"\nkeep_vars = true\nroutes = [{\"custom_domain\":true,\"pattern\":\"app.example.com\"}]\ncompatibility_date = \"2025-06-01\"\nAM0304\nAM0300",
            ),
            (
                Some("named"),
                "name Some(\"app-next\")\ncompatibility_date = \"2025-01-01\"\nkeep_vars = true\nname = \"app-next\"\nmain = \"src/next.ts\"\nvars = {\"MODE\":\"next\"}\nroutes = []",
            ),
            (
                Some("broken"),
                "name Some(\"app-broken\")\nname = \"app\"\nmain = \"src/index.ts\"\ncompatibility_date = \"2025-01-01\"\nkeep_vars = true\nroutes = [{\"custom_domain\":true,\"pattern\":\"app.example.com\"}]\nAM0304\nAM0300",
            ),
            // `--env X` for a file without `[env.X]` resolves the top level under X's name.
            (
                Some("missing"),
                "name Some(\"app-missing\")\nname = \"app\"\nmain = \"src/index.ts\"\ncompatibility_date = \"2025-01-01\"\nkeep_vars = true\nvars = {\"MODE\":\"prod\"}\nroutes = [{\"custom_domain\":true,\"pattern\":\"app.example.com\"}]\nAM0302",
            ),
        ];
        for (env, want) in cases {
            assert_eq!(effective(LAYERED, env), want, "env {env:?}");
        }
    }

    #[test]
    fn the_worker_name_of_an_environment() {
        let cases = [
            ("name = \"a\"\n[env.x]\n", Some("x"), "name Some(\"a-x\")"),
            (
                "name = \"a\"\n[env.x]\nname = \"b\"\n",
                Some("x"),
                "name Some(\"b\")",
            ),
            ("[env.x]\n", Some("x"), "name None"),
            ("main = \"i.ts\"\n", None, "name None"),
        ];
        for (toml, env, want) in cases {
            let got = effective(toml, env);
            assert_eq!(got.lines().next(), Some(want), "{toml:?} {env:?}");
        }
    }

    #[test]
    fn environment_names_in_source_order() {
        let (root, _) = parse("[env.b]\n[env.a]\n[env]\nc = 1\n", Format::Toml, 0);
        assert_eq!(env_names(&root.unwrap()), ["b", "a"]);
        let (root, _) = parse(
            "{\"env\": {\"z\": {}, \"y\": 2, \"x\": {}}}",
            Format::Jsonc,
            0,
        );
        assert_eq!(env_names(&root.unwrap()), ["z", "x"]);
    }
}
