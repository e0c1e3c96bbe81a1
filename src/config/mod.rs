//! Config: the wrangler schema, environment resolution and the typed worker model.
//!
//! [`load`] turns one file's bytes into a [`ConfigFile`] (parse + schema check, all
//! environments), [`ConfigFile::workers`] resolves it into typed [`model::Worker`]s. Both are pure:
//! the CLI does the reading.

pub mod model;
pub mod resolve;
pub mod schema;

use crate::diagnostics::{Diagnostic, Span, codes};
use crate::syntax::{self, Format, Node};

/// One parsed wrangler config file.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    pub file: u32,
    /// Path as shown to the user.
    pub path: String,
    /// Folder of the config, as given (paths in the config are relative to it).
    pub dir: std::path::PathBuf,
    /// The parsed document, if it parsed.
    pub root: Option<Node>,
    /// Secret names from `.dev.vars` (key `None`) and `.dev.vars.<env>` next to the file.
    /// Names only: values are never read into memory.
    pub dev_vars: std::collections::BTreeMap<Option<String>, Vec<String>>,
    /// Diagnostics from parsing and the schema check.
    pub diagnostics: Vec<Diagnostic>,
}

/// Which environments to resolve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvSelection {
    /// The top level and every environment the file defines.
    All,
    /// Only the top level.
    TopLevel,
    /// One named environment (`--env NAME`).
    Named(String),
}

/// Decodes and parses one config file. `text` is the file content with a possible BOM.
pub fn load(
    file: u32,
    path: &str,
    dir: std::path::PathBuf,
    text: &str,
    dev_vars: std::collections::BTreeMap<Option<String>, Vec<String>>,
) -> ConfigFile {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut diagnostics = Vec::new();
    let format = Format::from_path(path);
    let root = if text.trim().is_empty() || only_comments(text, format) {
        match format {
            // An empty TOML document is an empty table: a config without a worker.
            Format::Toml => {
                diagnostics.push(codes::empty_config(path));
                Some(Node::new(
                    syntax::Value::Object(Vec::new()),
                    Span::new(file, 0, 0),
                ))
            }
            // wrangler's JSONC parser wants a value: the config is refused.
            Format::Jsonc => {
                diagnostics.push(codes::empty_json_config(Span::new(
                    file,
                    text.len(),
                    text.len(),
                )));
                None
            }
        }
    } else {
        let (root, diags) = syntax::parse(text, format, file);
        diagnostics.extend(diags);
        match root {
            Some(r) if !r.is_object() => {
                diagnostics.push(codes::root_not_object(r.span, r.kind_name()));
                None
            }
            other => other,
        }
    };
    if let Some(r) = &root {
        schema::check_config(r, &mut diagnostics);
        if let Some(p) = r.entry("pages_build_output_dir") {
            diagnostics.push(codes::pages_project(p.key_span));
        }
    }
    ConfigFile {
        file,
        path: path.to_string(),
        dir,
        root,
        dev_vars,
        diagnostics,
    }
}

fn only_comments(text: &str, format: Format) -> bool {
    match format {
        Format::Toml => text.lines().all(|l| {
            let l = l.trim();
            l.is_empty() || l.starts_with('#')
        }),
        Format::Jsonc => {
            // Strip comments; nothing left means an empty document (which wrangler refuses).
            let mut rest = text.trim();
            loop {
                if let Some(r) = rest.strip_prefix("//") {
                    rest = r.split_once('\n').map(|x| x.1).unwrap_or("").trim();
                } else if let Some(r) = rest.strip_prefix("/*") {
                    match r.split_once("*/") {
                        Some((_, after)) => rest = after.trim(),
                        None => return false,
                    }
                } else {
                    return rest.is_empty();
                }
            }
        }
    }
}

impl ConfigFile {
    /// The environments this file defines.
    pub fn env_names(&self) -> Vec<String> {
        self.root
            .as_ref()
            .map(resolve::env_names)
            .unwrap_or_default()
    }

    /// Whether the config defines `[env.<name>]` (one of [`ConfigFile::env_names`], without
    /// listing them).
    pub fn has_env(&self, name: &str) -> bool {
        self.root
            .as_ref()
            .and_then(|r| r.get("env"))
            .is_some_and(|e| {
                e.entries()
                    .iter()
                    .any(|x| x.key == name && x.value.is_object())
            })
    }

    /// The config's folder, absolute, and the config file in it (paths in the config are
    /// relative to that folder).
    pub fn location(&self) -> (std::path::PathBuf, std::path::PathBuf) {
        let dir = if self.dir.as_os_str().is_empty() {
            std::path::Path::new(".")
        } else {
            &self.dir
        };
        let dir = std::path::absolute(dir).unwrap_or_else(|_| self.dir.clone());
        let name = std::path::Path::new(&self.path)
            .file_name()
            .unwrap_or_default();
        let file = dir.join(name);
        (dir, file)
    }

    pub fn is_pages(&self) -> bool {
        self.root
            .as_ref()
            .is_some_and(|r| r.entry("pages_build_output_dir").is_some())
    }

    /// Resolves the selected environments into typed workers, with resolution diagnostics.
    pub fn workers(&self, selection: &EnvSelection) -> (Vec<model::Worker>, Vec<Diagnostic>) {
        let mut diags = Vec::new();
        let Some(root) = &self.root else {
            return (Vec::new(), diags);
        };
        let envs: Vec<Option<String>> = match selection {
            EnvSelection::TopLevel => vec![None],
            EnvSelection::All => std::iter::once(None)
                .chain(self.env_names().into_iter().map(Some))
                .collect(),
            EnvSelection::Named(n) => vec![Some(n.clone())],
        };
        let mut workers = Vec::new();
        for env in envs {
            // wrangler reads `.dev.vars.<env>` for an environment when it exists, else `.dev.vars`.
            let env_dev_vars = env
                .as_ref()
                .and_then(|e| self.dev_vars.get(&Some(e.clone())))
                .or_else(|| self.dev_vars.get(&None))
                .cloned()
                .unwrap_or_default();
            let eff = resolve::resolve(root, env.as_deref(), &mut diags);
            if eff.name.is_none() && !self.is_pages() && !root.entries().is_empty() {
                let span = root.entry("main").map(|e| e.key_span).unwrap_or(Span {
                    end: eff.span.start,
                    ..eff.span
                });
                diags.push(codes::no_worker_name(span, env.as_deref()));
            }
            workers.push(model::build(self.file, &eff, &env_dev_vars, &mut diags));
        }
        (workers, diags)
    }
}

/// The script name of the top level and of every environment of a file, for resolving
/// deprecated service `environment`s: `(top-level name, env) → script name`.
pub fn env_script_names(root: &Node) -> Vec<(String, String, String)> {
    let Some(top) = root.get("name").and_then(Node::as_str) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for env in resolve::env_names(root) {
        if let Some(name) = resolve::script_name_in_env(root, &env) {
            out.push((top.to_string(), env, name));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loaded(path: &str, text: &str) -> ConfigFile {
        load(0, path, std::path::PathBuf::new(), text, Default::default())
    }

    /// `has_env` says what `env_names` lists: tables under `env`, not other values.
    #[test]
    fn environments_are_found_without_listing_them() {
        let c = loaded(
            "w/wrangler.json",
            r#"{ "name": "w", "env": { "staging": { "name": "s" }, "odd": 1, "dev": {} } }"#,
        );
        for name in ["staging", "odd", "dev", "prod", "env", "name"] {
            assert_eq!(
                c.has_env(name),
                c.env_names().iter().any(|n| n == name),
                "{name}"
            );
        }
        assert!(c.has_env("staging") && c.has_env("dev") && !c.has_env("odd"));
        assert!(!loaded("w/wrangler.toml", "").has_env("staging"));
    }

    #[test]
    fn an_empty_toml_file_is_a_config_without_a_worker() {
        for text in ["", "\n  \n", "# only a comment\n#:schema x\n", "\u{feff}"] {
            let c = loaded("wrangler.toml", text);
            let codes: Vec<(&str, bool)> = c
                .diagnostics
                .iter()
                .map(|d| (d.code.as_str(), d.is_error()))
                .collect();
            assert_eq!(codes, vec![("AM0105", false)], "{text:?}");
            assert!(c.root.as_ref().is_some_and(|r| r.entries().is_empty()));
            assert!(c.workers(&EnvSelection::All).0.len() <= 1);
        }
    }

    #[test]
    fn an_empty_json_file_is_refused_as_wrangler_does() {
        for (path, text) in [
            ("wrangler.json", ""),
            ("wrangler.jsonc", "  \n"),
            ("wrangler.jsonc", "// nothing yet\n/* still nothing */\n"),
        ] {
            let c = loaded(path, text);
            assert_eq!(c.diagnostics.len(), 1, "{path} {text:?}");
            let d = &c.diagnostics[0];
            assert_eq!((d.code.as_str(), d.is_error()), ("AM0105", true));
            assert!(d.message.contains("ValueExpected"), "{}", d.message);
            assert_eq!(d.span, Some(Span::new(0, text.len(), text.len())));
            assert!(c.root.is_none());
            assert!(c.workers(&EnvSelection::All).0.is_empty());
        }
    }

    #[test]
    fn an_empty_object_is_not_an_empty_file() {
        let c = loaded("wrangler.json", "{}");
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    }
}
