//! The pipeline as a library: [`check`], [`migrate`] and [`graph`] of configs already read
//! ([`Inputs`]), each taking plain options and returning its results with every diagnostic,
//! sorted. The CLI, the tests, the fuzz target and the benchmark all call these. Nothing here
//! prints or writes; what the pipeline reads besides the configs (worker sources, Pages folders,
//! `package.json`) it reads through the inputs' [`FileSystem`](crate::read::FileSystem).

mod app;
mod migration;
pub(crate) mod stages;

pub use crate::read::{InputPaths, Inputs};
pub use app::app_name;

use crate::diagnostics::{self, Diagnostic, SourceMap};
use crate::emit::OutputFile;
use crate::graph::Graph;
use migration::{Report, StageWorkers};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// Exit codes: no errors (warnings allowed).
pub const EXIT_OK: i32 = 0;
/// Errors in the input.
pub const EXIT_INPUT_ERRORS: i32 = 1;
/// Usage or I/O error: a missing file, nothing found, an unwritable output.
pub const EXIT_USAGE: i32 = 2;

/// The exit code of a run with these diagnostics.
pub fn exit_code(diags: &[Diagnostic], io_failed: bool) -> i32 {
    if io_failed {
        EXIT_USAGE
    } else if diags.iter().any(Diagnostic::is_error) {
        EXIT_INPUT_ERRORS
    } else {
        EXIT_OK
    }
}

// ---- check ----------------------------------------------------------------------------------

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckOptions {
    /// Only this wrangler environment (default: the top level and every environment).
    pub env: Option<String>,
}

/// The result of [`check`].
pub struct Check {
    pub sources: SourceMap,
    /// How many config files were read.
    pub configs: usize,
    /// How many workers they describe (counting each environment).
    pub workers: usize,
    pub diagnostics: Vec<Diagnostic>,
    pub io_failed: bool,
}

impl Check {
    pub fn exit_code(&self) -> i32 {
        exit_code(&self.diagnostics, self.io_failed)
    }
}

/// Validates every config the way wrangler reads it, in every environment (or only
/// `options.env`).
pub fn check(inputs: Inputs, options: &CheckOptions) -> Check {
    let mut diags = inputs.diagnostics;
    let selection = match &options.env {
        Some(e) => crate::config::EnvSelection::Named(e.clone()),
        None => crate::config::EnvSelection::All,
    };
    let per_file: Vec<(usize, Vec<Diagnostic>)> = inputs
        .configs
        .par_iter()
        .map(|c| {
            let (workers, d) = c.workers(&selection);
            let mut all = c.diagnostics.clone();
            all.extend(d);
            (workers.len(), all)
        })
        .collect();
    let mut workers = 0;
    for (n, d) in per_file {
        workers += n;
        diags.extend(d);
    }
    diagnostics::sort(&mut diags, &inputs.sources);
    Check {
        sources: inputs.sources,
        configs: inputs.configs.len(),
        workers,
        diagnostics: diags,
        io_failed: inputs.io_failed,
    }
}

// ---- graph ----------------------------------------------------------------------------------

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GraphOptions {
    /// Only this wrangler environment (default: the top level and every environment).
    pub env: Option<String>,
}

/// One stage's graph.
pub struct StageGraph {
    /// The stage's name (`(top level)` for a top level that is only a template).
    pub stage: String,
    /// The wrangler environment it deploys (`None`: the top level).
    pub env: Option<String>,
    pub graph: Graph,
}

/// The result of [`graph`].
pub struct Graphs {
    pub sources: SourceMap,
    /// One per stage; the top level first.
    pub stages: Vec<StageGraph>,
    pub diagnostics: Vec<Diagnostic>,
    pub io_failed: bool,
    /// The stages could not be planned (nothing to show).
    pub usage_error: bool,
}

impl Graphs {
    pub fn exit_code(&self) -> i32 {
        if self.usage_error {
            EXIT_USAGE
        } else {
            exit_code(&self.diagnostics, self.io_failed)
        }
    }

    /// The graph of the configs' top level (`None` with `--env`).
    pub fn top_level(&self) -> Option<&Graph> {
        self.stages
            .iter()
            .find(|s| s.env.is_none())
            .map(|s| &s.graph)
    }
}

/// The graph of workers of every stage (or only `options.env`'s): edges, creation order, cycles.
pub fn graph(mut inputs: Inputs, options: &GraphOptions) -> Graphs {
    let mut diags = take_input_diagnostics(&mut inputs);
    let env = options.env.as_deref();
    let Some(plan) = stages::plan(&inputs, env, None, &mut diags) else {
        return Graphs {
            sources: inputs.sources,
            stages: Vec::new(),
            diagnostics: diags,
            io_failed: inputs.io_failed,
            usage_error: true,
        };
    };
    let env_names = stages::env_script_names(&inputs);
    let build = |stage: &str, env: Option<&String>, diags: &mut Vec<Diagnostic>| {
        let r = stages::resolve_env(&inputs, env.map(String::as_str), diags);
        StageGraph {
            stage: stage.to_string(),
            env: env.cloned(),
            graph: crate::graph::build(&r.workers, &r.absent, &env_names, diags),
        }
    };
    let mut graphs: Vec<StageGraph> = Vec::new();
    for (stage, env) in &plan.stages {
        graphs.push(build(stage, env.as_ref(), &mut diags));
    }
    if plan.stages.is_empty() || (plan.top.is_none() && env.is_none()) {
        // The top level has no stage of its own: show it too, as the template of other stages.
        graphs.insert(0, build("(top level)", None, &mut diags));
    }
    diagnostics::sort(&mut diags, &inputs.sources);
    Graphs {
        sources: inputs.sources,
        stages: graphs,
        diagnostics: diags,
        io_failed: inputs.io_failed,
        usage_error: false,
    }
}

// ---- migrate --------------------------------------------------------------------------------

/// What `migrate` is asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrateOptions {
    /// Where the configs were found: the default app name comes from there, and `MIGRATION.md`
    /// names them in its `preflight` commands.
    pub input: InputPaths,
    /// Only this wrangler environment, as its own stage.
    pub env: Option<String>,
    /// The folder the files are for: paths in them are relative to it.
    pub out: PathBuf,
    /// The Alchemy app name (default: from the migrated folder, see [`app_name`]).
    pub app: Option<String>,
    /// The stage the top level deploys as (default: `production`).
    pub default_stage: Option<String>,
    /// Adopt existing workers and resources (they are never deleted either way).
    pub adopt: bool,
    /// Leave out service bindings to workers outside the migration.
    pub skip_external_services: bool,
}

impl Default for MigrateOptions {
    fn default() -> MigrateOptions {
        MigrateOptions {
            input: InputPaths::default(),
            env: None,
            out: PathBuf::from("."),
            app: None,
            default_stage: None,
            adopt: true,
            skip_external_services: false,
        }
    }
}

/// The result of [`migrate`].
pub struct Migration {
    /// The sources read, for rendering the diagnostics.
    pub sources: SourceMap,
    /// The files to write, relative to the output folder.
    pub files: Vec<OutputFile>,
    /// Every diagnostic, sorted.
    pub diagnostics: Vec<Diagnostic>,
    /// A file or folder could not be read, or there was nothing to read.
    pub io_failed: bool,
    /// The options cannot be followed (exit 2); nothing was migrated.
    pub usage_error: bool,
    /// The template configuration's graph (the top level, or `--env`'s environment).
    pub graph: Graph,
    /// `(stage, graph)` for each stage.
    pub stages: Vec<(String, Graph)>,
    /// How many workers were migrated.
    pub workers: usize,
}

impl Migration {
    pub fn exit_code(&self) -> i32 {
        if self.usage_error {
            EXIT_USAGE
        } else {
            exit_code(&self.diagnostics, self.io_failed)
        }
    }

    /// Nothing migrated.
    fn empty(inputs: Inputs, diagnostics: Vec<Diagnostic>, usage_error: bool) -> Migration {
        Migration {
            sources: inputs.sources,
            files: Vec::new(),
            diagnostics,
            io_failed: inputs.io_failed,
            usage_error,
            graph: Graph::default(),
            stages: Vec::new(),
            workers: 0,
        }
    }
}

/// Plans every stage, merges them and emits the files of one Alchemy program.
pub fn migrate(inputs: Inputs, options: &MigrateOptions) -> Migration {
    migrate_observed(inputs, options, &mut |_| {})
}

/// [`migrate`], calling `on_stage` with the name of each step as it ends (for timings).
pub fn migrate_observed(
    mut inputs: Inputs,
    options: &MigrateOptions,
    on_stage: &mut dyn FnMut(&'static str),
) -> Migration {
    let mut diags = take_input_diagnostics(&mut inputs);
    let app = app::app_name_for(options.app.as_deref(), &options.input, &*inputs.files);
    let template_env = options.env.as_deref();
    let Some(plan) = stages::plan(
        &inputs,
        template_env,
        options.default_stage.as_deref(),
        &mut diags,
    ) else {
        return Migration::empty(inputs, diags, true);
    };
    // (What deprecated service `environment`s resolve to is read before the trees are dropped,
    // and put together while the graphs are built.)
    let env_names = stages::read_env_script_names(&inputs);
    // The template (what stages that are not wrangler environments deploy) and every stage with
    // an environment of its own, resolved together; the parsed trees are dropped on the way.
    let workers = StageWorkers::resolve_all(&mut inputs, &plan, template_env, &mut diags);
    if workers.template.workers.is_empty() {
        diagnostics::sort(&mut diags, &inputs.sources);
        return Migration::empty(inputs, diags, false);
    }
    on_stage("resolve environments");
    let graph_diags_start = diags.len();
    // (The graphs' union and creation order are worked out on one core while the workers'
    // sources are scanned.)
    let files = &*inputs.files;
    let mut absent = Vec::new();
    let (graphs, scanned) = rayon::join(
        || {
            let env_names = stages::merge_env_script_names(env_names);
            migration::build_graphs(&workers, &plan, &env_names, &mut diags)
        },
        || {
            stages::report_absent_workers(&plan.stages, &workers.per_stage(), &mut absent);
            migration::scan_mains(&workers, files)
        },
    );
    // (Workers absent from stages are reported before the graphs' findings.)
    diags.splice(graph_diags_start..graph_diags_start, absent);
    on_stage("graphs, and scan worker sources");
    let mut programs =
        migration::plan_stages(workers, &graphs, &plan, &scanned, app, options, &mut diags);
    scanned.into_par_iter().for_each(drop);
    // (The workers the program deploys: not configs without code, nor a second script name.)
    let worker_count = programs.template.workers.len();
    on_stage("plan every stage");
    let adopts = migration::adopts(&programs, &mut diags);
    // (Resources are unified across stages while the diagnostics are sorted.)
    rayon::join(
        || migration::unify(&mut programs),
        || diagnostics::sort(&mut diags, &inputs.sources),
    );
    on_stage("unify resources, sort diagnostics");
    let mapping = migration::stage_mapping(&programs, &plan);
    let stage_graphs: Vec<(String, Graph)> = plan
        .stages
        .iter()
        .map(|s| s.0.clone())
        .zip(graphs.stages)
        .collect();
    // The program is emitted while the report (which lists the diagnostics) is written: both
    // only read the programs.
    let (mut files, report) = rayon::join(
        || migration::emit_program(&programs, &plan, template_env, &mapping),
        || {
            let report = Report {
                template: &programs.template,
                mapping: &mapping,
                graphs: &stage_graphs,
                template_graph: &graphs.template,
                diagnostics: &diags,
                sources: &inputs.sources,
                adopts,
            };
            migration::migration_md(&report, options)
        },
    );
    files.push(report);
    drop_in_background(programs);
    on_stage("emit alchemy.run.ts and MIGRATION.md");
    Migration {
        sources: inputs.sources,
        files,
        diagnostics: diags,
        io_failed: inputs.io_failed,
        usage_error: false,
        graph: graphs.template,
        stages: stage_graphs,
        workers: worker_count,
    }
}

// ---- shared ---------------------------------------------------------------------------------

/// Frees `value` on the thread pool: taking apart ten thousand workers' trees is work the rest of
/// the run need not wait for.
fn drop_in_background<T: Send + 'static>(value: T) {
    rayon::spawn(move || drop(value));
}

/// The diagnostics of reading: finding the files, then each file's (parse and schema check),
/// taken out of the inputs (nothing reads them there afterwards).
fn take_input_diagnostics(inputs: &mut Inputs) -> Vec<Diagnostic> {
    let mut diags = std::mem::take(&mut inputs.diagnostics);
    for c in &mut inputs.configs {
        diags.append(&mut c.diagnostics);
    }
    diags
}

/// The same sources with paths relative to `dir` (for files written into `dir`).
pub fn rebase_sources(sources: &SourceMap, dir: &Path) -> SourceMap {
    let mut out = sources.clone();
    for f in &mut out.files {
        let abs = std::path::absolute(&f.path).unwrap_or_else(|_| PathBuf::from(&f.path));
        f.path = crate::plan::relative(dir, &abs);
    }
    out
}

/// Config files in one string, each after a `//- /path` line (rust-analyzer's fixture format),
/// read as [`crate::read::inputs_from_memory`] reads them.
#[cfg(test)]
fn fixture(text: &str) -> Inputs {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for line in text.lines() {
        match line.trim().strip_prefix("//- ") {
            Some(path) => files.push((path.trim().to_string(), Vec::new())),
            None if files.is_empty() => assert!(line.trim().is_empty(), "a `//- /path` first"),
            None => {
                let (_, text) = files.last_mut().expect("a file");
                text.extend_from_slice(line.trim().as_bytes());
                text.push(b'\n');
            }
        }
    }
    crate::read::inputs_from_memory(&files)
}

/// `severity[CODE]` of each diagnostic, space-separated.
#[cfg(test)]
fn codes(diags: &[Diagnostic]) -> String {
    diags
        .iter()
        .map(|d| format!("{}[{}]", d.severity.as_str(), d.code))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const STAGED: &str = r#"
        //- /r/api/wrangler.toml
        name = "api"
        main = "src/index.ts"
        services = [{ binding = "AUTH", service = "auth" }]
        [env.staging]
        services = [{ binding = "AUTH", service = "auth-staging" }]
        //- /r/auth/wrangler.json
        { "name": "auth", "main": "src/index.ts", "env": { "staging": {} } }
    "#;

    /// `(fixture, --env) → workers checked, exit code, diagnostics`.
    #[test]
    fn check_counts_workers_in_every_environment() {
        let check = |text: &str, env: Option<&str>, expect: &str| {
            let options = CheckOptions {
                env: env.map(str::to_string),
            };
            let c = super::check(fixture(text), &options);
            let got = format!(
                "{} configs, {} workers, exit {}; {}",
                c.configs,
                c.workers,
                c.exit_code(),
                codes(&c.diagnostics)
            );
            assert_eq!(got, expect, "{text}");
        };
        check(STAGED, None, "2 configs, 4 workers, exit 0; ");
        check(STAGED, Some("staging"), "2 configs, 2 workers, exit 0; ");
        check(
            "//- /r/a/wrangler.json\n{ \"name\": 3 }",
            None,
            "1 configs, 1 workers, exit 1; warning[AM0303] error[AM0201]",
        );
    }

    /// `(fixture, --env) → the stages shown, with the number of workers of each graph`.
    #[test]
    fn graph_shows_every_stage() {
        let check = |text: &str, env: Option<&str>, expect: &str| {
            let options = GraphOptions {
                env: env.map(str::to_string),
            };
            let g = super::graph(fixture(text), &options);
            let got: Vec<String> = g
                .stages
                .iter()
                .map(|s| {
                    let edges = s.graph.edges.len();
                    format!("{} ({edges} edges)", s.stage)
                })
                .collect();
            assert_eq!(got.join(", "), expect, "{text}");
            assert_eq!(g.exit_code(), EXIT_OK);
        };
        check(STAGED, None, "production (1 edges), staging (1 edges)");
        check(STAGED, Some("staging"), "staging (1 edges)");
        // An environment called `production`: the top level is shown as the template.
        check(
            "//- /r/a/wrangler.toml\nname = \"a\"\nmain = \"i.ts\"\n[env.production]\n",
            None,
            "(top level) (0 edges), production (0 edges)",
        );
    }

    /// `(fixture, options) → files written, workers, exit code, diagnostics`.
    #[test]
    fn migrate_plans_every_stage() {
        let check = |text: &str, options: MigrateOptions, expect: &str| {
            let options = MigrateOptions {
                out: "/r".into(),
                app: Some("test".into()),
                ..options
            };
            let m = super::migrate(fixture(text), &options);
            let files: Vec<&str> = m.files.iter().map(|f| f.path.as_str()).collect();
            let stages: Vec<&str> = m.stages.iter().map(|s| s.0.as_str()).collect();
            let got = format!(
                "[{}] stages [{}], {} workers, exit {}; {}",
                files.join(" "),
                stages.join(" "),
                m.workers,
                m.exit_code(),
                codes(&m.diagnostics)
            );
            assert_eq!(got, expect, "{text}");
        };
        let all_files = "alchemy.run.ts env/auth.ts env/api.ts MIGRATION.md";
        check(
            STAGED,
            MigrateOptions::default(),
            &format!(
                "[{all_files}] stages [production staging], 2 workers, exit 0; \
                 info[AM0716] info[AM0408] info[AM0408]"
            ),
        );
        check(
            STAGED,
            MigrateOptions {
                env: Some("staging".into()),
                ..MigrateOptions::default()
            },
            "[alchemy.run.ts env/auth-staging.ts env/api-staging.ts MIGRATION.md] \
             stages [staging], 2 workers, exit 0; info[AM0716] info[AM0408]",
        );
        // A worker whose config names no entry is not migrated, nor counted.
        check(
            "//- /r/gw/wrangler.toml\nname = \"gw\"\nservices = [{ binding = \"A\", service = \"api\" }]\n//- /r/api/wrangler.toml\nname = \"api\"\nmain = \"src/index.ts\"\n",
            MigrateOptions::default(),
            "[alchemy.run.ts env/api.ts MIGRATION.md] stages [production], 1 workers, exit 1; \
             info[AM0716] error[AM0515]",
        );
        // Not adopting: no preflight to run before the first deploy.
        check(
            STAGED,
            MigrateOptions {
                adopt: false,
                ..MigrateOptions::default()
            },
            &format!(
                "[{all_files}] stages [production staging], 2 workers, exit 0; \
                 info[AM0408] info[AM0408]"
            ),
        );
        check(
            STAGED,
            MigrateOptions {
                default_stage: Some("staging".into()),
                ..MigrateOptions::default()
            },
            "[] stages [], 0 workers, exit 2; error[AM0510]",
        );
        check(
            "//- /r/a/wrangler.json\n{}",
            MigrateOptions::default(),
            "[] stages [], 0 workers, exit 0; ",
        );
    }
}
