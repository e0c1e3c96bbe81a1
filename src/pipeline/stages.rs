//! Stages: which Alchemy stages a run has and which wrangler environment each deploys, every
//! config resolved for one environment (a config without it keeps its slot as an absent worker),
//! and the reports that span stages (workers some stages lack, bindings that cross stages).

use super::Inputs;
use crate::config::model::{S, Worker};
use crate::config::{self, ConfigFile, EnvSelection};
use crate::diagnostics::{Diagnostic, Span, codes};
use crate::graph::{Graph, Target};
use crate::plan::{Origin, PagesLayout};
use crate::read::FileSystem;
use crate::{HashMap, HashSet};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The Alchemy stages of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StagePlan {
    /// `(stage, environment)` in order; `None` is the top level.
    pub stages: Vec<(String, Option<String>)>,
    /// The stage the top level deploys as (`None`: the top level is only the template of other
    /// stages, because an environment is called like the default stage).
    pub top: Option<String>,
}

/// The stages of the configs: `env` alone (`--env`), else the top level as `default_stage`
/// (`production` unless given) followed by every environment. `None` (with a diagnostic) when
/// `default_stage` is the name of an environment.
pub fn plan(
    inputs: &Inputs,
    env: Option<&str>,
    default_stage: Option<&str>,
    diags: &mut Vec<Diagnostic>,
) -> Option<StagePlan> {
    if let Some(e) = env {
        return Some(StagePlan {
            stages: vec![(e.to_string(), Some(e.to_string()))],
            top: None,
        });
    }
    let envs = all_envs(inputs);
    if let Some(d) = default_stage.filter(|d| envs.iter().any(|e| e == *d)) {
        diags.push(codes::default_stage_is_env(d));
        return None;
    }
    let top = match default_stage {
        Some(d) => Some(d.to_string()),
        None if envs.iter().any(|e| e == "production") => {
            diags.push(codes::top_level_is_template());
            None
        }
        None => Some("production".to_string()),
    };
    let mut stages: Vec<(String, Option<String>)> = top.iter().map(|t| (t.clone(), None)).collect();
    stages.extend(envs.into_iter().map(|e| (e.clone(), Some(e))));
    Some(StagePlan { stages, top })
}

/// Every wrangler environment of the configs in scope, in order of first appearance.
fn all_envs(inputs: &Inputs) -> Vec<String> {
    // (Each config's names found in parallel, merged in order.)
    let per_config: Vec<Vec<String>> = inputs
        .configs
        .par_iter()
        .filter(|c| in_scope(c))
        .map(ConfigFile::env_names)
        .collect();
    let mut envs: Vec<String> = Vec::new();
    for e in per_config.into_iter().flatten() {
        if !envs.contains(&e) {
            envs.push(e);
        }
    }
    envs
}

/// The configs that describe workers, Pages projects or resources (parsed, not empty).
pub(crate) fn in_scope(c: &ConfigFile) -> bool {
    c.root.as_ref().is_some_and(|r| !r.entries().is_empty())
}

/// Whether a config takes part in environment `env`'s stage: it defines `[env.X]`. A Pages
/// project's top level is its production configuration, so it also takes part in `production`.
fn member_of(c: &ConfigFile, env: &str) -> bool {
    c.has_env(env) || (c.is_pages() && env == "production")
}

/// One environment's workers (one per config in scope, aligned across environments).
#[derive(Default)]
pub struct Resolved {
    pub workers: Vec<Worker>,
    pub origins: Vec<Origin>,
    /// Workers whose config does not define the environment: not part of its stage (their slot
    /// holds an empty worker, so indices stay aligned across environments).
    pub absent: BTreeSet<usize>,
}

/// Resolves every config in scope for `env` (`None`: the top level).
pub fn resolve_env(inputs: &Inputs, env: Option<&str>, diags: &mut Vec<Diagnostic>) -> Resolved {
    let per_file: Vec<Vec<ConfigInEnv>> = inputs
        .configs
        .par_iter()
        .map(|c| with_origins(c, vec![resolve_config(c, env)], &*inputs.files))
        .collect();
    let mut resolved = assemble(per_file, 1, diags);
    resolved.pop().unwrap_or_default()
}

/// Resolves every config in scope for each of `envs` (`None`: the top level), config by config,
/// dropping each parsed tree as soon as its environments are resolved: the trees and the typed
/// workers are never all in memory together.
pub fn resolve_envs(
    inputs: &mut Inputs,
    envs: &[Option<&str>],
    diags: &mut Vec<Diagnostic>,
) -> Vec<Resolved> {
    let files = &*inputs.files;
    let per_file: Vec<Vec<ConfigInEnv>> = inputs
        .configs
        .par_iter_mut()
        .map(|c| {
            let resolved: Vec<ConfigInEnv> =
                envs.iter().map(|env| resolve_config(c, *env)).collect();
            c.root = None;
            with_origins(c, resolved, files)
        })
        .collect();
    assemble(per_file, envs.len(), diags)
}

/// `resolved` (a config's workers in each environment) with each worker's origin.
fn with_origins(
    c: &ConfigFile,
    mut resolved: Vec<ConfigInEnv>,
    files: &dyn FileSystem,
) -> Vec<ConfigInEnv> {
    if resolved.iter().all(|r| r.workers.is_empty()) {
        return resolved;
    }
    let (dir, file) = c.location();
    let at = ConfigAt {
        plain: crate::plan::normalize(&dir).as_os_str() == dir.as_os_str(),
        dir,
        file,
    };
    for r in &mut resolved {
        r.origins = r.workers.iter().map(|w| origin(w, &at, files)).collect();
    }
    resolved
}

/// Where a config is: its folder (absolute), the file, and whether the folder has nothing to
/// normalise (then a plain relative path joined to it needs no normalising either).
struct ConfigAt {
    dir: PathBuf,
    file: PathBuf,
    plain: bool,
}

impl ConfigAt {
    /// `rel` (as a config writes it) from the config's folder, normalised.
    fn join(&self, rel: &str) -> PathBuf {
        if self.plain && is_plain_relative(rel) {
            self.dir.join(rel)
        } else {
            crate::plan::normalize(&self.dir.join(rel))
        }
    }
}

/// A relative path with nothing to normalise: `/`-separated names, none empty, `.` or `..`
/// (Unix; elsewhere every path is normalised).
fn is_plain_relative(rel: &str) -> bool {
    cfg!(unix) && crate::plan::plain_names(rel)
}

/// Each config's workers in each of `n` environments (per config, per environment, in config
/// order) into one `Resolved` per environment.
fn assemble(
    mut per_file: Vec<Vec<ConfigInEnv>>,
    n: usize,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Resolved> {
    let result = (0..n).map(|k| gather_env(&mut per_file, k)).collect();
    // (Moved out in parallel, in order: tens of thousands at 10,000 workers.)
    let mut found: Vec<Diagnostic> = per_file
        .par_iter_mut()
        .flat_map_iter(|per_env| {
            per_env
                .iter_mut()
                .flat_map(|in_env| std::mem::take(&mut in_env.diagnostics))
        })
        .collect();
    diags.append(&mut found);
    // (The emptied lists are let go of by the threads that made them.)
    per_file.into_par_iter().for_each(drop);
    result
}

/// Every config's workers and origins in environment `k`, in config order, moved in parallel
/// (a worker's slot is large: moved one after the other, ten thousand of them cost more than
/// resolving them on one core). `with_origins` gives each worker its origin: the two lists go
/// together.
fn gather_env(per_file: &mut [Vec<ConfigInEnv>], k: usize) -> Resolved {
    let mut absent = BTreeSet::new();
    let mut one_each = true;
    let mut start = 0;
    for e in per_file.iter().filter_map(|envs| envs.get(k)) {
        if e.absent {
            absent.insert(start);
        }
        start += e.workers.len();
        one_each &= e.workers.len() == 1;
    }
    let (mut workers, mut origins) = (Vec::new(), Vec::new());
    if one_each && per_file.iter().all(|envs| envs.len() > k) {
        // (One worker per config, the common case: each goes straight to its place.)
        per_file
            .par_iter_mut()
            .map(|envs| {
                let e = &mut envs[k];
                (
                    e.workers.pop().unwrap_or_default(),
                    e.origins.pop().unwrap_or_default(),
                )
            })
            .unzip_into_vecs(&mut workers, &mut origins);
    } else {
        (workers, origins) = per_file
            .par_iter_mut()
            .flat_map_iter(|envs| {
                let (ws, os) = envs
                    .get_mut(k)
                    .map(|e| {
                        (
                            std::mem::take(&mut e.workers),
                            std::mem::take(&mut e.origins),
                        )
                    })
                    .unwrap_or_default();
                ws.into_iter().zip(os)
            })
            .unzip();
    }
    Resolved {
        workers,
        origins,
        absent,
    }
}

/// One config's workers in one environment, with their origins (found once resolved).
#[derive(Default)]
struct ConfigInEnv {
    workers: Vec<Worker>,
    origins: Vec<Origin>,
    diagnostics: Vec<Diagnostic>,
    /// The config does not take part in the environment: `workers` holds one empty worker.
    absent: bool,
}

/// One config's workers in `env`'s stage (their origins still to find). A config that does not
/// take part gives one empty worker (named like its top level) so that its slot stays.
fn resolve_config(c: &ConfigFile, env: Option<&str>) -> ConfigInEnv {
    if !in_scope(c) {
        return ConfigInEnv::default();
    }
    if env.is_none_or(|e| member_of(c, e)) {
        // (A Pages project without `[env.production]` deploys its top level there.)
        let own_env = env.is_none_or(|e| c.has_env(e));
        let selection = match env {
            Some(e) if own_env => EnvSelection::Named(e.to_string()),
            _ => EnvSelection::TopLevel,
        };
        let (ws, d) = c.workers(&selection);
        return ConfigInEnv {
            workers: ws,
            diagnostics: d,
            ..ConfigInEnv::default()
        };
    }
    let root = c.root.as_ref();
    let span = root
        .and_then(|r| r.entry("env").or_else(|| r.entry("name")))
        .map(|e| e.key_span)
        .unwrap_or_default();
    let absent = Worker {
        file: c.file,
        env: env.map(str::to_string),
        name: root.and_then(|r| r.get("name")).and_then(|n| {
            n.as_str().map(|v| S {
                v: v.to_string(),
                span: n.span,
            })
        }),
        span: Span {
            file: c.file,
            ..span
        },
        ..Default::default()
    };
    ConfigInEnv {
        workers: vec![absent],
        absent: true,
        ..ConfigInEnv::default()
    }
}

/// Where a worker comes from: its config's folder and file, its main module (a Pages project's
/// is its `_worker.js`), and what a Pages project's folders hold.
fn origin(w: &Worker, at: &ConfigAt, fs: &dyn FileSystem) -> Origin {
    let main = w.main.as_ref().map(|m| at.join(&m.v));
    let pages = w
        .pages_build_output_dir
        .as_ref()
        .map(|p| pages_layout(&at.dir, &p.v, fs));
    let main = main.or_else(|| pages.as_ref().and_then(|p| p.worker.clone()));
    Origin {
        dir: at.dir.clone(),
        path: at.file.to_string_lossy().to_string(),
        main,
        main_written: w.main.as_ref().map(|m| m.v.clone()),
        pages,
    }
}

/// What a Pages project's folders hold (the only file-system look-ups of a Pages project).
fn pages_layout(config_dir: &Path, output_dir: &str, fs: &dyn FileSystem) -> PagesLayout {
    let output_dir = crate::plan::normalize(&config_dir.join(output_dir));
    let worker = output_dir.join("_worker.js");
    let worker = if fs.is_file(&worker) {
        Some(worker)
    } else if fs.is_dir(&worker) {
        Some(worker.join("index.js"))
    } else {
        None
    };
    PagesLayout {
        worker,
        functions: fs.is_dir(&config_dir.join("functions")),
        output_dir,
    }
}

/// `(top-level name, environment) → script name` over every config, for the deprecated service
/// `environment`s.
pub fn env_script_names(inputs: &Inputs) -> crate::graph::EnvNames {
    merge_env_script_names(read_env_script_names(inputs))
}

/// Each config's `(top-level name, environment, script name)` triples, read in parallel.
pub type ConfigEnvNames = Vec<Vec<(String, String, String)>>;

/// [`env_script_names`]' first half: read from each config (before their trees are dropped).
pub fn read_env_script_names(inputs: &Inputs) -> ConfigEnvNames {
    inputs
        .configs
        .par_iter()
        .map(|c| {
            c.root
                .as_ref()
                .map(config::env_script_names)
                .unwrap_or_default()
        })
        .collect()
}

/// [`env_script_names`]' second half: the first config to name a pair wins, in config order.
pub fn merge_env_script_names(per_config: ConfigEnvNames) -> crate::graph::EnvNames {
    let mut env_names = crate::graph::EnvNames::default();
    env_names.reserve(per_config.iter().map(Vec::len).sum());
    for (top, env, name) in per_config.into_iter().flatten() {
        env_names.entry((top, env)).or_insert(name);
    }
    env_names
}

/// One info per worker that some stages do not deploy, naming those stages.
pub fn report_absent_workers(
    stages: &[(String, Option<String>)],
    resolved: &[&Resolved],
    diags: &mut Vec<Diagnostic>,
) {
    let mut absent_from: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for ((stage, _), r) in stages.iter().zip(resolved) {
        for &i in &r.absent {
            absent_from.entry(i).or_default().push(stage.clone());
        }
    }
    for (i, stages) in absent_from {
        // (The empty worker standing in the slot carries the config's top-level name.)
        let Some(w) = resolved
            .iter()
            .filter(|r| r.absent.contains(&i))
            .find_map(|r| r.workers.get(i))
        else {
            continue;
        };
        let name = w
            .name
            .as_ref()
            .map(|n| n.v.clone())
            .unwrap_or_else(|| "worker".into());
        diags.push(codes::absent_from_stages(w.span, &name, &stages));
    }
}

/// A binding that crosses stages: `(span, binding, target, stage, the target's stage)`.
type Crossing = (Span, String, String, String, Option<String>);

/// Bindings of a stage's worker to a worker of the migration that the stage does not deploy
/// (wrangler binds its literal script name): one warning per calling worker. Returns the script
/// names of every worker the migration deploys in some stage.
pub fn report_cross_stage(
    stages: &[(String, Option<String>)],
    stage_graphs: &[Graph],
    template: &Graph,
    diags: &mut Vec<Diagnostic>,
) -> HashSet<String> {
    let present = |g: &Graph| -> Vec<String> {
        (0..g.names.len())
            .filter(|&i| g.is_present(i))
            .map(|i| g.names[i].clone())
            .collect()
    };
    let mut stage_of_name: HashMap<String, &str> = HashMap::default();
    for ((stage, _), g) in stages.iter().zip(stage_graphs) {
        for n in present(g) {
            stage_of_name.entry(n).or_insert(stage.as_str());
        }
    }
    let mut names: HashSet<String> = stage_of_name.keys().cloned().collect();
    names.extend(present(template));
    // (calling worker slot) → its bindings that cross stages, in stage order.
    let mut crossing: BTreeMap<usize, Vec<Crossing>> = BTreeMap::new();
    for ((stage, _), g) in stages.iter().zip(stage_graphs) {
        for e in &g.edges {
            if let (Target::External(n), Some(b)) = (&e.to, &e.binding)
                && names.contains(n)
            {
                let home = stage_of_name
                    .get(n.as_str())
                    .filter(|o| **o != stage.as_str())
                    .map(|o| o.to_string());
                crossing.entry(e.from).or_default().push((
                    e.span,
                    b.clone(),
                    n.clone(),
                    stage.clone(),
                    home,
                ));
            }
        }
    }
    for (_, list) in crossing {
        diags.push(codes::cross_stage_service(&list));
    }
    names
}

/// The lines that say which wrangler environment each stage deploys.
/// `deployed`: per stage, how many workers it deploys and how many the migration has.
pub fn stage_mapping(
    stages: &[(String, Option<String>)],
    deployed: &[(usize, usize)],
    top: Option<&str>,
) -> Vec<String> {
    let mut lines =
        vec!["Wrangler environments → Alchemy stages (`alchemy deploy --stage NAME`):".to_string()];
    for ((stage, env), &(n, all)) in stages.iter().zip(deployed) {
        let from = match env {
            // A stage deploys the configs that define its environment.
            Some(e) if n < all => format!("[env.{e}] of the {n} of {all} workers that define it"),
            Some(e) => format!("[env.{e}]"),
            None => "the top level".into(),
        };
        lines.push(format!("  stage \"{stage}\" deploys {from} with wrangler's script names, adopting its resources"));
    }
    if top.is_none() && stages.iter().all(|s| s.1.is_some()) {
        lines.push(
            "  the top level has no stage of its own: it is the template of other stages".into(),
        );
    }
    lines.push("  any other stage (yours, a pull request's) deploys the top-level config with fresh resources".into());
    lines.push(
        "  and Alchemy's stage-suffixed names: it never adopts, renames or binds the stages above."
            .into(),
    );
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::{codes, fixture};
    use crate::read::Memory;

    /// One config's part in two environments: a worker named `name` in each (`None`: none),
    /// the second one absent, and a diagnostic per environment.
    fn config_in_envs(name: &str, first: bool, second: bool) -> Vec<ConfigInEnv> {
        let part = |env: &str, present: bool, absent: bool| {
            let worker = Worker {
                name: Some(crate::config::model::S {
                    v: format!("{name}-{env}"),
                    span: Span::default(),
                }),
                ..Worker::default()
            };
            let origin = Origin {
                path: format!("{name}/wrangler.toml"),
                ..Origin::default()
            };
            ConfigInEnv {
                workers: if present { vec![worker] } else { Vec::new() },
                origins: if present { vec![origin] } else { Vec::new() },
                diagnostics: vec![Diagnostic::warning(
                    codes::Code::NotInherited,
                    format!("{name} {env}"),
                )],
                absent,
            }
        };
        vec![part("a", first, false), part("b", second, second)]
    }

    /// Workers and origins keep config order in every environment, whether every config has a
    /// worker there (each moved straight to its place) or some have none; the absent ones are
    /// found by their places, the diagnostics stay in config order, environment by environment.
    #[test]
    fn environments_are_assembled_in_config_order() {
        let names = |r: &Resolved| -> Vec<String> {
            r.workers
                .iter()
                .zip(&r.origins)
                .map(|(w, o)| format!("{} {}", w.name.as_ref().map_or("-", |n| &n.v), o.path))
                .collect()
        };
        let mut diags = Vec::new();
        let per_file = vec![
            config_in_envs("x", true, true),
            config_in_envs("y", true, false),
            config_in_envs("z", true, true),
        ];
        let envs = assemble(per_file, 2, &mut diags);
        assert_eq!(
            names(&envs[0]),
            [
                "x-a x/wrangler.toml",
                "y-a y/wrangler.toml",
                "z-a z/wrangler.toml"
            ]
        );
        assert_eq!(
            names(&envs[1]),
            ["x-b x/wrangler.toml", "z-b z/wrangler.toml"]
        );
        assert_eq!(envs[1].absent, BTreeSet::from([0, 1]));
        let messages: Vec<&str> = diags.iter().map(|d| d.message.as_ref()).collect();
        assert_eq!(messages, ["x a", "x b", "y a", "y b", "z a", "z b"]);
    }

    /// A path joined to a config's folder is what normalising the joined path gives, whether
    /// the shortcut for plain paths applies or not.
    #[test]
    fn paths_from_a_config_folder_are_normalised() {
        let dirs = [
            "/repo/app",
            "/repo/app/",
            "/repo/./app",
            "/repo/x/../app",
            "//repo/app",
            "/",
        ];
        let rels = [
            "src/index.ts",
            "./src/index.ts",
            "../shared/index.ts",
            "src//index.ts",
            "src/",
            "/abs/index.ts",
            "a/./b.ts",
            "index.ts",
            "",
        ];
        for dir in dirs {
            let dir = PathBuf::from(dir);
            let at = ConfigAt {
                plain: crate::plan::normalize(&dir).as_os_str() == dir.as_os_str(),
                file: dir.join("wrangler.toml"),
                dir,
            };
            for rel in rels {
                let want = crate::plan::normalize(&at.dir.join(rel));
                assert_eq!(
                    at.join(rel).as_os_str(),
                    want.as_os_str(),
                    "{} + {rel}",
                    at.dir.display()
                );
            }
        }
    }

    /// `api` and `auth` in `staging` and `dev`, `admin` in `staging` only, `cron` in none.
    const THREE_ENVS: &str = r#"
        //- /r/admin/wrangler.toml
        name = "admin"
        main = "src/index.ts"
        [env.staging]
        //- /r/api/wrangler.toml
        name = "api"
        main = "src/index.ts"
        services = [{ binding = "AUTH", service = "auth" }, { binding = "ADMIN", service = "admin" }]
        [env.staging]
        services = [{ binding = "AUTH", service = "auth-staging" }, { binding = "ADMIN", service = "admin-staging" }]
        [env.dev]
        services = [{ binding = "AUTH", service = "auth-dev" }, { binding = "ADMIN", service = "admin" }]
        //- /r/auth/wrangler.jsonc
        { "name": "auth", "main": "src/index.ts", "env": { "staging": {}, "dev": {} } }
        //- /r/cron/wrangler.toml
        name = "cron"
        main = "src/index.ts"
    "#;

    const PRODUCTION_ENV: &str = r#"
        //- /r/a/wrangler.toml
        name = "a"
        main = "src/index.ts"
        [env.production]
        [env.staging]
    "#;

    fn show(plan: &StagePlan) -> String {
        let stages: Vec<String> = plan
            .stages
            .iter()
            .map(|(stage, env)| match env {
                Some(e) => format!("{stage}=[env.{e}]"),
                None => format!("{stage}=top"),
            })
            .collect();
        format!("{}; top: {:?}", stages.join(" "), plan.top)
    }

    /// `(configs, --env, --default-stage) → the stages and the environment each deploys, the
    /// top level's stage, diagnostics`.
    #[test]
    fn stage_plans() {
        let check = |text: &str, env: Option<&str>, default_stage: Option<&str>, expect: &str| {
            let inputs = fixture(text);
            let mut diags = Vec::new();
            let got = match plan(&inputs, env, default_stage, &mut diags) {
                Some(p) => show(&p),
                None => "none".into(),
            };
            assert_eq!(
                format!("{got}; {}", codes(&diags)),
                expect,
                "{env:?} {default_stage:?}"
            );
        };
        // Environments in order of first appearance, after the top level.
        check(
            THREE_ENVS,
            None,
            None,
            "production=top staging=[env.staging] dev=[env.dev]; top: Some(\"production\"); ",
        );
        check(
            THREE_ENVS,
            None,
            Some("prod"),
            "prod=top staging=[env.staging] dev=[env.dev]; top: Some(\"prod\"); ",
        );
        check(THREE_ENVS, None, Some("dev"), "none; error[AM0510]");
        // --env: that environment alone, as its own stage.
        check(THREE_ENVS, Some("dev"), None, "dev=[env.dev]; top: None; ");
        check(
            THREE_ENVS,
            Some("dev"),
            Some("dev"),
            "dev=[env.dev]; top: None; ",
        );
        // An environment called `production`: the top level is only the template.
        check(
            PRODUCTION_ENV,
            None,
            None,
            "production=[env.production] staging=[env.staging]; top: None; info[AM0511]",
        );
        check(
            PRODUCTION_ENV,
            None,
            Some("main"),
            "main=top production=[env.production] staging=[env.staging]; top: Some(\"main\"); ",
        );
        // Configs that are empty or do not parse have no environments.
        check(
            "//- /r/a/wrangler.json\n{}\n//- /r/b/wrangler.json\n{ \"env\": { \"x\": {} ",
            None,
            None,
            "production=top; top: Some(\"production\"); ",
        );
    }

    /// `(configs, environment) → each slot's worker, `(absent)` for a config that does not take
    /// part in that environment's stage`.
    #[test]
    fn stage_membership() {
        let check = |text: &str, env: Option<&str>, expect: &str| {
            let inputs = fixture(text);
            let r = resolve_env(&inputs, env, &mut Vec::new());
            let got: Vec<String> = r
                .workers
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    let name = w.name.as_ref().map(|n| n.v.as_str()).unwrap_or("-");
                    if r.absent.contains(&i) {
                        format!("{name} (absent)")
                    } else {
                        name.to_string()
                    }
                })
                .collect();
            assert_eq!(got.join(", "), expect, "{env:?}");
            assert_eq!(r.origins.len(), r.workers.len());
        };
        check(THREE_ENVS, None, "admin, api, auth, cron");
        check(
            THREE_ENVS,
            Some("staging"),
            "admin-staging, api-staging, auth-staging, cron (absent)",
        );
        check(
            THREE_ENVS,
            Some("dev"),
            "admin (absent), api-dev, auth-dev, cron (absent)",
        );
        // A Pages project's top level is its production configuration.
        let pages = r#"
            //- /r/site/wrangler.toml
            name = "site"
            pages_build_output_dir = "dist"
            //- /r/api/wrangler.toml
            name = "api"
            main = "src/index.ts"
            [env.staging]
        "#;
        // (Slots follow the paths: /r/api before /r/site.)
        check(pages, Some("production"), "api (absent), site");
        check(pages, Some("staging"), "api-staging, site (absent)");
    }

    /// `(files on disk, pages_build_output_dir) → the Pages project's code and whether it has a
    /// functions/ folder`.
    #[test]
    fn pages_layouts() {
        let check = |files: &[&str], output_dir: &str, expect: &str| {
            let fs = Memory::new(files.iter().map(|f| (*f, "")));
            let l = pages_layout(Path::new("/r/site"), output_dir, &fs);
            let worker = l
                .worker
                .as_ref()
                .map(|w| w.display().to_string())
                .unwrap_or_else(|| "none".into());
            let got = format!(
                "{} {worker} functions: {}",
                l.output_dir.display(),
                l.functions
            );
            assert_eq!(got, expect, "{files:?}");
        };
        check(&[], "dist", "/r/site/dist none functions: false");
        check(
            &["/r/site/dist/_worker.js"],
            "./dist/",
            "/r/site/dist /r/site/dist/_worker.js functions: false",
        );
        check(
            &[
                "/r/site/public/_worker.js/index.js",
                "/r/site/functions/api.ts",
            ],
            "public",
            "/r/site/public /r/site/public/_worker.js/index.js functions: true",
        );
        check(
            &["/r/build/_worker.js"],
            "../build",
            "/r/build /r/build/_worker.js functions: false",
        );
    }

    /// Resolves every stage of `text` (the default plan).
    fn resolve_all(text: &str) -> (StagePlan, Vec<Resolved>) {
        let inputs = fixture(text);
        let plan = plan(&inputs, None, None, &mut Vec::new()).expect("a plan");
        let resolved = plan
            .stages
            .iter()
            .map(|(_, env)| resolve_env(&inputs, env.as_deref(), &mut Vec::new()))
            .collect();
        (plan, resolved)
    }

    /// `configs → one info per worker that some stages do not deploy`.
    #[test]
    fn absent_workers() {
        let check = |text: &str, expect: &[&str]| {
            let (plan, resolved) = resolve_all(text);
            let mut diags = Vec::new();
            report_absent_workers(
                &plan.stages,
                &resolved.iter().collect::<Vec<_>>(),
                &mut diags,
            );
            let got: Vec<String> = diags
                .iter()
                .map(|d| format!("[{}] {}", d.code, d.message))
                .collect();
            assert_eq!(got, expect);
        };
        check(
            THREE_ENVS,
            &[
                "[AM0305] `admin` is not part of stage(s) `dev`: its config defines no `[env.dev]`",
                "[AM0305] `cron` is not part of stage(s) `staging`, `dev`: its config defines no `[env.staging]`, `[env.dev]`",
            ],
        );
        check(PRODUCTION_ENV, &[]);
    }

    /// `configs → the script names the migration deploys in some stage, and the bindings that
    /// cross stages`.
    #[test]
    fn cross_stage_bindings() {
        let check = |text: &str, names: &str, expect: &[&str]| {
            let (plan, resolved) = resolve_all(text);
            let inputs = fixture(text);
            let env_names = env_script_names(&inputs);
            let mut diags = Vec::new();
            let template = crate::graph::edges(
                &resolved[0].workers,
                &resolved[0].absent,
                &env_names,
                &mut diags,
            );
            let graphs: Vec<Graph> = resolved
                .iter()
                .map(|r| crate::graph::edges(&r.workers, &r.absent, &env_names, &mut diags))
                .collect();
            let mut diags = Vec::new();
            let mut got = report_cross_stage(&plan.stages, &graphs, &template, &mut diags)
                .into_iter()
                .collect::<Vec<_>>();
            got.sort();
            assert_eq!(got.join(" "), names);
            let messages: Vec<String> = diags
                .iter()
                .map(|d| format!("[{}] {}", d.code, d.message))
                .collect();
            assert_eq!(messages, expect);
        };
        // `dev` binds `admin`, which only the default stage deploys under that name.
        check(
            THREE_ENVS,
            "admin admin-staging api api-dev api-staging auth auth-dev auth-staging cron",
            &[
                "[AM0409] service bindings that cross stages are bound by script name, as wrangler does: `ADMIN` → `admin` in stage `dev` (the worker of stage `production`)",
            ],
        );
        // Each stage binds its own workers: nothing crosses.
        check(
            r#"
            //- /r/a/wrangler.toml
            name = "a"
            main = "src/index.ts"
            services = [{ binding = "B", service = "b" }]
            [env.staging]
            services = [{ binding = "B", service = "b-staging" }]
            //- /r/b/wrangler.toml
            name = "b"
            main = "src/index.ts"
            [env.staging]
            "#,
            "a a-staging b b-staging",
            &[],
        );
    }

    /// `(workers deployed per stage, the top level's stage) → the stage lines of the header`.
    #[test]
    fn stage_mapping_lines() {
        let check = |stages: &[(&str, Option<&str>)],
                     deployed: &[(usize, usize)],
                     top: Option<&str>,
                     expect: &[&str]| {
            let stages: Vec<(String, Option<String>)> = stages
                .iter()
                .map(|(s, e)| (s.to_string(), e.map(str::to_string)))
                .collect();
            let lines = stage_mapping(&stages, deployed, top);
            // (The first line is a title, the last two say what other stages do.)
            assert_eq!(&lines[1..lines.len() - 2], expect);
        };
        check(
            &[("production", None), ("staging", Some("staging"))],
            &[(3, 3), (2, 3)],
            Some("production"),
            &[
                "  stage \"production\" deploys the top level with wrangler's script names, adopting its resources",
                "  stage \"staging\" deploys [env.staging] of the 2 of 3 workers that define it with wrangler's script names, adopting its resources",
            ],
        );
        check(
            &[("production", Some("production"))],
            &[(1, 1)],
            None,
            &[
                "  stage \"production\" deploys [env.production] with wrangler's script names, adopting its resources",
                "  the top level has no stage of its own: it is the template of other stages",
            ],
        );
    }
}
