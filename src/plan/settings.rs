//! A worker's settings beyond its bindings: its entry module, static assets, a Pages project's
//! build output, and the worker-level keys (observability, placement, bundler options, keys
//! without an equivalent, which are reported).

use super::{
    AssetsSetting, Binding, BundleOption, Options, Origin, PagesLayout, PlanWorker, Value, relative,
};
use crate::config::model::Worker;
use crate::diagnostics::{Diagnostic, codes};
use crate::syntax::{Entry, Node};
use std::collections::BTreeSet;
use std::path::Path;

/// The code a Pages project serves its assets with when it has no `_worker.js`.
const ASSETS_ONLY_SCRIPT: &str =
    "export default { fetch: (request, env) => env.ASSETS.fetch(request) };";

/// The entry module (relative to the output folder) and, for a Pages project without code, the
/// module written in its place.
pub(super) fn entry_of(w: &Worker, origin: &Origin, out_dir: &Path) -> (String, Option<String>) {
    match (&w.main, &origin.pages) {
        (Some(m), _) => (relative(out_dir, &origin.dir.join(&m.v)), None),
        (None, Some(p)) => match &p.worker {
            Some(worker) => (relative(out_dir, worker), None),
            // Pages Functions are bundled into `_worker.js` by a build step (a TODO says so).
            None if p.functions => (relative(out_dir, &p.output_dir.join("_worker.js")), None),
            None => (String::new(), Some(ASSETS_ONLY_SCRIPT.to_string())),
        },
        (None, None) => (String::new(), None),
    }
}

/// A Pages project: its build output becomes the Worker's static assets (bound as `ASSETS`, as
/// Pages binds them for `_worker.js`); Pages Functions need a build step first.
pub(super) fn plan_pages(
    pw: &mut PlanWorker,
    w: &Worker,
    layout: &PagesLayout,
    out_dir: &Path,
    diags: &mut Vec<Diagnostic>,
) {
    let span = w
        .pages_build_output_dir
        .as_ref()
        .map(|p| p.span)
        .unwrap_or(w.span);
    if !pw.bindings.iter().any(|b| b.name == "ASSETS") {
        pw.bindings.push(Binding {
            name: "ASSETS".into(),
            value: Some(Value::Assets {
                path: relative(out_dir, &layout.output_dir),
            }),
            todo: None,
        });
    }
    if layout.worker.is_none() && layout.functions {
        let outfile = relative(out_dir, &layout.output_dir.join("_worker.js"));
        let d = codes::pages_functions(span, &outfile);
        pw.todos.push(d.todo_comment(format_args!(
            "build the Pages Functions in functions/ into {outfile} before deploying (`npx wrangler pages functions build --outfile {outfile}`)"
        )));
        diags.push(d);
    }
}

pub(super) fn plan_assets(
    pw: &mut PlanWorker,
    w: &Worker,
    a: &crate::config::model::Assets,
    origin: &Origin,
    opts: &Options<'_>,
    diags: &mut Vec<Diagnostic>,
) {
    let Some(dir) = &a.directory else {
        let d = codes::action_needed(
            a.span,
            "assets",
            "has no `directory`",
            "set `assets.directory`; without it there are no files to upload",
        );
        pw.todos.push(d.todo_comment("assets without a directory"));
        diags.push(d);
        return;
    };
    let used: BTreeSet<&str> = w.bindings.iter().map(|b| b.name.v.as_str()).collect();
    let binding = a.binding.as_ref().map(|b| b.v.clone()).unwrap_or_else(|| {
        // Alchemy uploads assets through a binding; pick a free name.
        let mut n = "ASSETS".to_string();
        let mut k = 2;
        while used.contains(n.as_str()) {
            n = format!("ASSETS_{k}");
            k += 1;
        }
        n
    });
    let path = relative(opts.out_dir, &origin.dir.join(&dir.v));
    pw.bindings.push(Binding {
        name: binding,
        value: Some(Value::Assets { path }),
        todo: None,
    });
    if let Some(h) = &a.html_handling {
        pw.assets_config
            .push(AssetsSetting::HtmlHandling(h.clone()));
    }
    if let Some(h) = &a.not_found_handling {
        pw.assets_config
            .push(AssetsSetting::NotFoundHandling(h.clone()));
    }
    if let Some(r) = &a.run_worker_first {
        pw.assets_config
            .push(AssetsSetting::RunWorkerFirst(r.to_json()));
    }
}

/// Worker-level settings: observability, placement, bundler keys and the keys without an
/// equivalent (reported, with a TODO).
pub(super) fn plan_settings(
    pw: &mut PlanWorker,
    w: &Worker,
    out_dir: &Path,
    origin_dir: &Path,
    diags: &mut Vec<Diagnostic>,
) {
    // A path the config writes relative to its folder, relative to the output folder.
    let rebase = |t: &str| relative(out_dir, &origin_dir.join(t));
    if let Some(o) = &w.observability {
        pw.observability = Some(o.v.to_json());
    }
    if let Some(p) = &w.placement {
        placement(pw, &p.v, diags);
    }
    bundle_options(pw, w, &rebase);
    if let Some(r) = &w.rules {
        diags.push(codes::not_translated(r.span, "rules[].type", "Alchemy takes module rules as globs only; the module type follows from the file extension"));
        pw.rules = Some(rule_globs(&r.v));
    }
    for e in &w.extra {
        extra_key(pw, e, &rebase, diags);
    }
}

/// Smart placement, or a region/host/hostname; a hint is reported.
fn placement(pw: &mut PlanWorker, p: &Node, diags: &mut Vec<Diagnostic>) {
    if let Some(h) = p.entry("hint") {
        diags.push(codes::unsupported(
            h.key_span,
            "`placement.hint`",
            "set the placement hint in the dashboard after deploying",
        ));
        pw.todos.push(codes::not_expressible_todo("placement.hint"));
    }
    if p.get("mode").and_then(Node::as_str) == Some("smart") {
        pw.placement = Some(serde_json::json!({ "mode": "smart" }));
    } else if let Some(k) = ["region", "host", "hostname"]
        .into_iter()
        .find(|k| p.get(k).is_some())
    {
        pw.placement = Some(serde_json::json!({ k: p.get(k).map(Node::to_json) }));
    }
}

/// `minify`, `keep_names`, `define` and `alias`.
fn bundle_options(pw: &mut PlanWorker, w: &Worker, rebase: &dyn Fn(&str) -> String) {
    if let Some(m) = &w.minify {
        pw.bundle.push(BundleOption::Minify(m.v));
    }
    if let Some(k) = &w.keep_names {
        pw.bundle.push(BundleOption::KeepNames(k.v));
    }
    if let Some(d) = &w.define {
        pw.bundle.push(BundleOption::Define(d.v.to_json()));
    }
    if let Some(a) = &w.alias {
        // wrangler resolves a relative alias target from the config's folder, the bundler from
        // the folder it runs in: rebase it like `entrypoint` (package names stay as they are).
        let mut alias = a.v.to_json();
        for target in alias
            .as_object_mut()
            .into_iter()
            .flat_map(|m| m.values_mut())
        {
            if let Some(t) = target
                .as_str()
                .filter(|t| t.starts_with("./") || t.starts_with("../"))
            {
                *target = serde_json::json!(rebase(t));
            }
        }
        pw.bundle.push(BundleOption::Alias(alias));
    }
}

/// The globs of each module rule (the module type follows from the file extension).
fn rule_globs(rules: &Node) -> Vec<Vec<String>> {
    rules
        .as_array()
        .unwrap_or_default()
        .iter()
        .map(|rule| {
            rule.get("globs")
                .and_then(Node::as_array)
                .unwrap_or_default()
                .iter()
                .filter_map(|g| g.as_str().map(str::to_string))
                .collect()
        })
        .collect()
}

/// A key the model keeps untyped: translated when it can be, else reported (with a TODO when
/// the program lacks something).
fn extra_key(
    pw: &mut PlanWorker,
    e: &Entry,
    rebase: &dyn Fn(&str) -> String,
    diags: &mut Vec<Diagnostic>,
) {
    let span = e.key_span;
    match e.key.as_str() {
        "$schema"
        | "dev"
        | "send_metrics"
        | "topLevelName"
        | "definedEnvironments"
        | "targetEnvironment"
        | "configPath"
        | "userConfigPath" => {
            diags.push(codes::not_translated(
                span,
                &e.key,
                "it only affects wrangler's own tooling",
            ));
        }
        "migrations" => migrations(pw, e, diags),
        "tsconfig" => {
            if let Some(t) = e.value.as_str() {
                pw.bundle.push(BundleOption::Tsconfig(rebase(t)));
            }
        }
        "jsx_factory" => pw.bundle.push(BundleOption::JsxFactory(e.value.to_json())),
        "jsx_fragment" => pw.bundle.push(BundleOption::JsxFragment(e.value.to_json())),
        "cache" => pw.cache = Some(e.value.to_json()),
        "build" => {
            let cmd = e.value.get("command").and_then(Node::as_str).unwrap_or("");
            let d = codes::action_needed(
                span,
                "build",
                &format!("the custom build command `{cmd}` is not run by Alchemy"),
                "run the build before `alchemy deploy` (e.g. in a package.json script), or point `main` at the source",
            );
            pw.todos.push(d.todo_comment(format_args!(
                "run the wrangler build command {cmd:?} before deploying"
            )));
            diags.push(d);
        }
        "keep_vars" => {
            let d = codes::action_needed(
                span,
                "keep_vars",
                "Alchemy replaces all bindings on deploy, so vars set in the dashboard are removed",
                "copy the dashboard vars into `vars` before deploying with Alchemy",
            );
            pw.todos.push(
                d.todo_comment("keep_vars: vars set in the dashboard are not kept by Alchemy"),
            );
            diags.push(d);
        }
        "account_id" | "name" | "main" => {}
        "site" | "wasm_modules" | "text_blobs" | "data_blobs" => {
            diags.push(codes::unsupported(span, &format!("`{}`", e.key), "import these files from the worker code instead (Alchemy's bundler handles .wasm/.txt/.bin imports), or use `assets`"));
            pw.todos.push(codes::not_expressible_todo(&e.key));
        }
        other => {
            diags.push(codes::unsupported(span, &format!("`{other}`"), "configure it with wrangler or the dashboard after deploying, or drop it if it is not needed"));
            pw.todos.push(codes::not_expressible_todo(other));
        }
    }
}

/// Durable Object migrations: the program computes new ones itself; renames, transfers and
/// deletions must already have been applied.
fn migrations(pw: &mut PlanWorker, e: &Entry, diags: &mut Vec<Diagnostic>) {
    let span = e.key_span;
    let has_other = e.value.as_array().unwrap_or_default().iter().any(|m| {
        ["renamed_classes", "transferred_classes", "deleted_classes"]
            .iter()
            .any(|k| {
                m.get(k)
                    .is_some_and(|x| !x.as_array().unwrap_or_default().is_empty())
            })
    });
    if has_other {
        let d = codes::action_needed(
            span,
            "migrations",
            "renames, transfers or deletions of Durable Object classes are not replayed by Alchemy",
            "make sure these migrations were applied by wrangler before switching; Alchemy computes new migrations itself",
        );
        pw.todos.push(d.todo_comment("Durable Object renamed/transferred/deleted classes are not replayed; they must already be applied"));
        diags.push(d);
    } else {
        diags.push(codes::not_translated(span, "migrations", "Alchemy computes Durable Object migrations itself (SQLite storage follows `new_sqlite_classes`)"));
    }
}
