//! CLI: argument parsing, reading and writing files, rendering diagnostics. The only module that
//! touches the file system or prints.

use crate::config::{self, ConfigFile, EnvSelection};
use crate::diagnostics::{self, Diagnostic, Severity, SourceFile, SourceMap, Span, codes};
use crate::discover;
use clap::{Args, Parser, Subcommand, ValueEnum};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

#[derive(Parser, Debug)]
#[command(
    name = "alchemy-migrator",
    version,
    about = "Migrate Cloudflare wrangler configs to one Alchemy program"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Parse and validate wrangler configs, reporting every problem with its location.
    Check(CheckArgs),
    /// Generate one alchemy.run.ts (plus env types, MIGRATION.md, .env.example) for all workers.
    Migrate(MigrateArgs),
    /// Print the graph of workers and the bindings between them.
    Graph(GraphArgs),
    /// Compare one stage of the program with the live Cloudflare account before the first deploy
    /// (read-only; needs CLOUDFLARE_API_TOKEN).
    Preflight(crate::preflight::PreflightArgs),
}

#[derive(Args, Debug)]
pub struct MigrateArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Where to write (default: the --discover folder, else the current folder).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// The Alchemy app name (default: the `name` in package.json of the migrated folder, without
    /// its @scope, else that folder's name; the migrated folder is --discover's, else the one
    /// holding every given config).
    #[arg(long, value_name = "NAME")]
    pub app: Option<String>,
    /// Print what would be written; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// For CI: exit 0 when the files in --out are exactly what the migration produces now, exit 1
    /// with a diff when they are not. Writes nothing.
    #[arg(long, conflicts_with_all = ["dry_run", "force"])]
    pub check: bool,
    /// Replace existing files that differ.
    #[arg(long)]
    pub force: bool,
    /// Do not adopt existing workers and resources (they are still never deleted).
    #[arg(long)]
    pub no_adopt: bool,
    /// Leave out service bindings to workers outside the migration (a comment marks each).
    #[arg(long)]
    pub skip_external_services: bool,
    /// The stage the top-level configuration deploys as (default: production).
    #[arg(long, value_name = "NAME")]
    pub default_stage: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Text,
    Dot,
    Mermaid,
    Json,
}

#[derive(Args, Debug)]
pub struct GraphArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[arg(long, value_enum, default_value_t = GraphFormat::Text)]
    pub format: GraphFormat,
}

#[derive(Args, Debug, Clone)]
pub struct InputArgs {
    /// Config files (any name, e.g. wrangler.staging.jsonc) or folders holding one.
    pub paths: Vec<PathBuf>,
    /// Find every wrangler.toml/json/jsonc under DIR.
    #[arg(long, value_name = "DIR")]
    pub discover: Option<PathBuf>,
    /// Only this wrangler environment (default: the top level and every environment).
    #[arg(long, value_name = "NAME")]
    pub env: Option<String>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Github,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// Exit codes.
pub const EXIT_OK: i32 = 0;
pub const EXIT_INPUT_ERRORS: i32 = 1;
pub const EXIT_USAGE: i32 = 2;

/// Everything read from disk for one run.
pub struct Inputs {
    pub sources: SourceMap,
    pub configs: Vec<ConfigFile>,
    pub diagnostics: Vec<Diagnostic>,
    /// A file or folder could not be read, or there was nothing to read.
    pub io_failed: bool,
}

/// Shows a path the way the user typed it, without a leading `./`.
pub fn display_path(p: &Path) -> String {
    let s = p.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

/// Finds, reads and parses the configs named by the arguments, in parallel.
pub fn read_inputs(args: &InputArgs) -> Inputs {
    let mut diags = Vec::new();
    let mut io_failed = false;
    let mut paths: Vec<PathBuf> = Vec::new();
    if let Some(dir) = &args.discover {
        let (found, d) = discover::discover(dir);
        io_failed |= d.iter().any(|x| x.code == "AM0100");
        if found.is_empty() && !io_failed {
            diags.push(codes::no_configs(&display_path(dir)));
            io_failed = true;
        }
        diags.extend(d);
        paths.extend(found);
    }
    for p in &args.paths {
        match discover::explicit(p) {
            Ok(f) => paths.push(f),
            Err(d) => {
                io_failed = true;
                diags.push(d);
            }
        }
    }
    if args.discover.is_none() && args.paths.is_empty() {
        match discover::explicit(Path::new(".")) {
            Ok(f) => paths.push(f),
            Err(d) => {
                io_failed = true;
                diags.push(d);
            }
        }
    }
    paths.sort();
    paths.dedup();
    // Read and parse in parallel; file ids follow the sorted order, so output is identical to a
    // single-threaded run.
    let results: Vec<(SourceFile, ConfigFile, bool)> = paths
        .par_iter()
        .enumerate()
        .map(|(i, path)| read_one(u32::try_from(i).unwrap_or(u32::MAX), path))
        .collect();
    let mut sources = SourceMap::default();
    let mut configs = Vec::new();
    for (source, config, failed) in results {
        io_failed |= failed;
        sources.files.push(source);
        configs.push(config);
    }
    Inputs {
        sources,
        configs,
        diagnostics: diags,
        io_failed,
    }
}

fn read_one(id: u32, path: &Path) -> (SourceFile, ConfigFile, bool) {
    let shown = display_path(path);
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    match std::fs::read(path) {
        Ok(bytes) => {
            let (source, mut config) = config_from_bytes(id, shown, dir.clone(), bytes);
            if config.root.is_some() {
                config.dev_vars = read_dev_vars(&dir, &config.env_names());
            }
            (source, config, false)
        }
        Err(e) => {
            let d = codes::unreadable(&shown, &e.to_string());
            (
                SourceFile::new(shown.clone(), String::new()),
                failed_config(id, &shown, dir, d),
                true,
            )
        }
    }
}

/// Decodes and parses one config file's bytes (without `.dev.vars`).
fn config_from_bytes(
    id: u32,
    shown: String,
    dir: PathBuf,
    bytes: Vec<u8>,
) -> (SourceFile, ConfigFile) {
    match String::from_utf8(bytes) {
        Ok(text) => {
            let config = config::load(id, &shown, dir, &text, BTreeMap::new());
            (SourceFile::new(shown, text), config)
        }
        Err(e) => {
            let d = codes::not_utf8(&shown, e.utf8_error().valid_up_to());
            (
                SourceFile::new(shown.clone(), String::new()),
                failed_config(id, &shown, dir, d),
            )
        }
    }
}

/// A config that could not be read at all: no document, one diagnostic.
fn failed_config(id: u32, shown: &str, dir: PathBuf, diagnostic: Diagnostic) -> ConfigFile {
    let mut c = config::load(id, shown, dir, "", BTreeMap::new());
    c.root = None;
    c.diagnostics = vec![diagnostic];
    c
}

/// The diagnostics of reading: discovery's, then each file's (parse and schema check).
fn input_diagnostics(inputs: &Inputs) -> Vec<Diagnostic> {
    let mut diags = inputs.diagnostics.clone();
    for c in &inputs.configs {
        diags.extend(c.diagnostics.iter().cloned());
    }
    diags
}

/// Secret names from `.dev.vars` and `.dev.vars.<env>` beside a config (one `stat` per
/// candidate file: no directory listing).
fn read_dev_vars(dir: &Path, envs: &[String]) -> BTreeMap<Option<String>, Vec<String>> {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let mut out = BTreeMap::new();
    for env in std::iter::once(None).chain(envs.iter().map(Some)) {
        let file = match env {
            None => dir.join(".dev.vars"),
            Some(e) => dir.join(format!(".dev.vars.{e}")),
        };
        if let Ok(text) = std::fs::read_to_string(file) {
            out.insert(env.cloned(), discover::dotenv_names(&text));
        }
    }
    out
}

/// Runs the CLI; returns the exit code.
pub fn run(cli: Cli) -> i32 {
    match cli.command {
        Command::Check(args) => check(&args),
        Command::Migrate(args) => migrate(&args),
        Command::Graph(args) => graph(&args),
        Command::Preflight(args) => crate::preflight::run(&args),
    }
}

fn selection(env: &Option<String>) -> EnvSelection {
    match env {
        Some(e) => EnvSelection::Named(e.clone()),
        None => EnvSelection::All,
    }
}

fn check(args: &CheckArgs) -> i32 {
    let (inputs, diags, worker_count, code) = run_check(&args.input);
    let summary = format!(
        "checked {} config file(s), {} worker(s)",
        inputs.configs.len(),
        worker_count
    );
    emit_diagnostics(&diags, &inputs.sources, args.format, &summary, None);
    code
}

/// `check` without printing: the inputs, sorted diagnostics, number of workers, exit code.
pub fn run_check(input: &InputArgs) -> (Inputs, Vec<Diagnostic>, usize, i32) {
    let args = input;
    let inputs = read_inputs(args);
    let mut diags = inputs.diagnostics.clone();
    let sel = selection(&args.env);
    let per_file: Vec<(usize, Vec<Diagnostic>)> = inputs
        .configs
        .par_iter()
        .map(|c| {
            let (workers, d) = c.workers(&sel);
            let mut all = c.diagnostics.clone();
            all.extend(d);
            (workers.len(), all)
        })
        .collect();
    let mut worker_count = 0;
    for (n, d) in per_file {
        worker_count += n;
        diags.extend(d);
    }
    diagnostics::sort(&mut diags, &inputs.sources);
    let code = exit_code(&diags, inputs.io_failed);
    (inputs, diags, worker_count, code)
}

pub fn exit_code(diags: &[Diagnostic], io_failed: bool) -> i32 {
    if io_failed {
        EXIT_USAGE
    } else if diags.iter().any(Diagnostic::is_error) {
        EXIT_INPUT_ERRORS
    } else {
        EXIT_OK
    }
}

/// Prints diagnostics in the chosen format. JSON goes to stdout as one object (with `extra`
/// fields merged in); human and GitHub output go to stderr and stdout respectively. The human
/// output ends with the summary line and the number of diagnostics per code.
pub fn emit_diagnostics(
    diags: &[Diagnostic],
    sources: &SourceMap,
    format: Format,
    summary: &str,
    extra: Option<serde_json::Value>,
) {
    let count = |s: Severity| diags.iter().filter(|d| d.severity == s).count();
    let (errors, warnings, infos) = (
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info),
    );
    match format {
        Format::Json => {
            let mut obj = serde_json::json!({
                "diagnostics": diags.iter().map(|d| diagnostics::to_json(d, sources)).collect::<Vec<_>>(),
                "summary": { "errors": errors, "warnings": warnings, "infos": infos },
            });
            if let (Some(serde_json::Value::Object(extra)), Some(map)) =
                (extra, obj.as_object_mut())
            {
                map.extend(extra);
            }
            let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            let _ = writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&obj).unwrap_or_default()
            );
        }
        Format::Github => {
            let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            for d in diags {
                let _ = writeln!(out, "{}", diagnostics::render_github(d, sources));
            }
            let mut err = std::io::BufWriter::with_capacity(1 << 16, std::io::stderr().lock());
            let _ = writeln!(
                err,
                "{summary}: {errors} error(s), {warnings} warning(s), {infos} info"
            );
        }
        Format::Human => {
            let color = std::env::var_os("NO_COLOR").is_none()
                && std::io::IsTerminal::is_terminal(&std::io::stderr());
            let mut err = std::io::BufWriter::with_capacity(1 << 16, std::io::stderr().lock());
            for d in diags {
                let _ = writeln!(err, "{}", diagnostics::render_human(d, sources, color));
            }
            let _ = writeln!(
                err,
                "{summary}: {errors} error(s), {warnings} warning(s), {infos} info"
            );
            if !diags.is_empty() {
                let _ = writeln!(err, "{}", diagnostics::count_by_code(diags));
            }
        }
    }
}

/// The workers in scope, their origins, the graph, and every diagnostic so far.
pub struct Analysis {
    pub inputs: Inputs,
    pub workers: Vec<crate::config::model::Worker>,
    pub origins: Vec<crate::plan::Origin>,
    pub graph: crate::graph::Graph,
    /// What each worker's main module exports (`None`: not readable or not scanned).
    pub exports: Vec<Option<crate::scan::Exports>>,
    pub diagnostics: Vec<Diagnostic>,
}

/// One environment's workers (one per config in scope, aligned across environments).
pub struct Resolved {
    pub workers: Vec<crate::config::model::Worker>,
    pub origins: Vec<crate::plan::Origin>,
    /// Workers whose config does not define the environment: not part of its stage (their slot
    /// holds an empty worker, so indices stay aligned across environments).
    pub absent: std::collections::BTreeSet<usize>,
}

/// The configs that describe workers, Pages projects or resources (parsed, not empty).
fn in_scope(c: &ConfigFile) -> bool {
    c.root.as_ref().is_some_and(|r| !r.entries().is_empty())
}

/// Whether a config takes part in environment `env`'s stage: it defines `[env.X]`. A Pages
/// project's top level is its production configuration, so it also takes part in `production`.
fn member_of(c: &ConfigFile, env: &str) -> bool {
    c.env_names().iter().any(|n| n == env) || (c.is_pages() && env == "production")
}

/// What a Pages project's folders hold (the only file-system look-ups of a Pages project).
fn pages_layout(config_dir: &Path, output_dir: &str) -> crate::plan::PagesLayout {
    let output_dir = crate::plan::normalize(&config_dir.join(output_dir));
    let worker = output_dir.join("_worker.js");
    let worker = if worker.is_file() {
        Some(worker)
    } else if worker.is_dir() {
        Some(worker.join("index.js"))
    } else {
        None
    };
    crate::plan::PagesLayout {
        worker,
        functions: config_dir.join("functions").is_dir(),
        output_dir,
    }
}

/// Resolves every config in scope for `env` (`None`: the top level).
fn resolve_env(inputs: &Inputs, env: Option<&str>, diags: &mut Vec<Diagnostic>) -> Resolved {
    let sel = match env {
        Some(e) => EnvSelection::Named(e.to_string()),
        None => EnvSelection::TopLevel,
    };
    let member = |c: &ConfigFile| env.is_none_or(|e| member_of(c, e));
    let per_file: Vec<(Vec<crate::config::model::Worker>, Vec<Diagnostic>, bool)> = inputs
        .configs
        .par_iter()
        .map(|c| {
            if !in_scope(c) {
                (Vec::new(), Vec::new(), false)
            } else if member(c) {
                // (A Pages project without `[env.production]` deploys its top level there.)
                let own_env = env.is_none_or(|e| c.env_names().iter().any(|n| n == e));
                let (ws, d) = c.workers(if own_env {
                    &sel
                } else {
                    &EnvSelection::TopLevel
                });
                (ws, d, false)
            } else {
                let root = c.root.as_ref();
                let span = root
                    .and_then(|r| r.entry("env").or_else(|| r.entry("name")))
                    .map(|e| e.key_span)
                    .unwrap_or_default();
                let absent = crate::config::model::Worker {
                    file: c.file,
                    env: env.map(str::to_string),
                    name: root.and_then(|r| r.get("name")).and_then(|n| {
                        n.as_str().map(|v| crate::config::model::S {
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
                (vec![absent], Vec::new(), true)
            }
        })
        .collect();
    let mut workers = Vec::new();
    let mut origins = Vec::new();
    let mut absent = std::collections::BTreeSet::new();
    for ((ws, d, is_absent), c) in per_file.into_iter().zip(&inputs.configs) {
        diags.extend(d);
        if is_absent {
            absent.insert(workers.len());
        }
        let dir = std::path::absolute(if c.dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            &c.dir
        })
        .unwrap_or_else(|_| c.dir.clone());
        let file = dir.join(Path::new(&c.path).file_name().unwrap_or_default());
        for w in ws {
            let main = w
                .main
                .as_ref()
                .map(|m| crate::plan::normalize(&dir.join(&m.v)));
            let pages = w
                .pages_build_output_dir
                .as_ref()
                .map(|p| pages_layout(&dir, &p.v));
            // A Pages project's code is its `_worker.js`.
            let main = main.or_else(|| pages.as_ref().and_then(|p| p.worker.clone()));
            let main_written = w.main.as_ref().map(|m| m.v.clone());
            origins.push(crate::plan::Origin {
                dir: dir.clone(),
                path: file.to_string_lossy().to_string(),
                main,
                main_written,
                pages,
            });
            workers.push(w);
        }
    }
    Resolved {
        workers,
        origins,
        absent,
    }
}

fn env_script_names(inputs: &Inputs) -> crate::graph::EnvNames {
    let mut env_names = crate::graph::EnvNames::new();
    for c in &inputs.configs {
        if let Some(root) = &c.root {
            for (top, env, name) in config::env_script_names(root) {
                env_names.entry((top, env)).or_insert(name);
            }
        }
    }
    env_names
}

/// Scans the main modules of the given workers in parallel (each module once).
fn scan_mains(
    origins: &[&crate::plan::Origin],
) -> std::collections::HashMap<PathBuf, crate::scan::Exports> {
    let mut mains: Vec<PathBuf> = origins.iter().filter_map(|o| o.main.clone()).collect();
    mains.sort();
    mains.dedup();
    mains
        .par_iter()
        .filter_map(|p| {
            let text = std::fs::read_to_string(p).ok()?;
            Some((p.clone(), crate::scan::scan(&p.to_string_lossy(), &text)))
        })
        .collect()
}

fn exports_of(
    origins: &[crate::plan::Origin],
    scanned: &std::collections::HashMap<PathBuf, crate::scan::Exports>,
) -> Vec<Option<crate::scan::Exports>> {
    origins
        .iter()
        .map(|o| o.main.as_ref().and_then(|m| scanned.get(m).cloned()))
        .collect()
}

/// Reads, resolves one environment (`--env`, else the top level) and builds the graph.
pub fn analyse(input: &InputArgs) -> Analysis {
    let inputs = read_inputs(input);
    let mut diags = input_diagnostics(&inputs);
    let r = resolve_env(&inputs, input.env.as_deref(), &mut diags);
    let graph = crate::graph::build(
        &r.workers,
        &r.absent,
        &env_script_names(&inputs),
        &mut diags,
    );
    let scanned = scan_mains(&r.origins.iter().collect::<Vec<_>>());
    let exports = exports_of(&r.origins, &scanned);
    Analysis {
        inputs,
        workers: r.workers,
        origins: r.origins,
        graph,
        exports,
        diagnostics: diags,
    }
}

/// Every wrangler environment of the configs in scope, in order of first appearance.
fn all_envs(inputs: &Inputs) -> Vec<String> {
    let mut envs: Vec<String> = Vec::new();
    for c in inputs.configs.iter().filter(|c| in_scope(c)) {
        for e in c.env_names() {
            if !envs.contains(&e) {
                envs.push(e);
            }
        }
    }
    envs
}

/// The Alchemy stages and the wrangler environment each deploys: `(stage, env)`, `env = None`
/// for the top level. Also the stage of the top level (if it has one).
fn stage_plan(
    inputs: &Inputs,
    env: Option<&str>,
    default_stage: Option<&str>,
    diags: &mut Vec<Diagnostic>,
) -> Result<(Vec<(String, Option<String>)>, Option<String>), ()> {
    if let Some(e) = env {
        return Ok((vec![(e.to_string(), Some(e.to_string()))], None));
    }
    let envs = all_envs(inputs);
    if let Some(d) = default_stage.filter(|d| envs.iter().any(|e| e == *d)) {
        diags.push(codes::default_stage_is_env(d));
        return Err(());
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
    Ok((stages, top))
}

fn graph(args: &GraphArgs) -> i32 {
    let inputs = read_inputs(&args.input);
    let mut diags = input_diagnostics(&inputs);
    let Ok((stages, top)) = stage_plan(&inputs, args.input.env.as_deref(), None, &mut diags) else {
        emit_diagnostics(
            &diags,
            &inputs.sources,
            Format::Human,
            "nothing to show",
            None,
        );
        return EXIT_USAGE;
    };
    let env_names = env_script_names(&inputs);
    let mut graphs = Vec::new();
    for (stage, env) in &stages {
        let r = resolve_env(&inputs, env.as_deref(), &mut diags);
        let g = crate::graph::build(&r.workers, &r.absent, &env_names, &mut diags);
        graphs.push((stage.clone(), env.clone(), g));
    }
    if stages.is_empty() || (top.is_none() && args.input.env.is_none()) {
        // The top level has no stage of its own: show it too, as the template of other stages.
        let r = resolve_env(&inputs, None, &mut diags);
        graphs.insert(
            0,
            (
                "(top level)".to_string(),
                None,
                crate::graph::build(&r.workers, &r.absent, &env_names, &mut diags),
            ),
        );
    }
    diagnostics::sort(&mut diags, &inputs.sources);
    let text = match args.format {
        GraphFormat::Json => {
            let all: Vec<serde_json::Value> = graphs.iter().map(|(s, e, g)| serde_json::json!({ "stage": s, "environment": e, "graph": crate::emit::report::graph_json(g) })).collect();
            let v = if graphs.len() == 1 {
                crate::emit::report::graph_json(&graphs[0].2)
            } else {
                serde_json::json!({ "stages": all })
            };
            serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
        }
        format => {
            let render = |g: &crate::graph::Graph| match format {
                GraphFormat::Dot => crate::emit::report::graph_dot(g),
                GraphFormat::Mermaid => crate::emit::report::graph_mermaid(g),
                _ => crate::emit::report::graph_text(g),
            };
            if graphs.len() == 1 {
                render(&graphs[0].2)
            } else {
                let mut out = String::new();
                for (stage, env, g) in &graphs {
                    let what = env
                        .as_ref()
                        .map(|e| format!("[env.{e}]"))
                        .unwrap_or_else(|| "top level".into());
                    let comment = if format == GraphFormat::Text {
                        ""
                    } else if format == GraphFormat::Dot {
                        "// "
                    } else {
                        "%% "
                    };
                    out.push_str(&format!("{comment}Stage {stage} ({what}):\n"));
                    out.push_str(&render(g));
                    out.push('\n');
                }
                out
            }
        }
    };
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let _ = out.write_all(text.as_bytes());
    let errors: Vec<&Diagnostic> = diags.iter().filter(|d| d.is_error()).collect();
    let mut err = std::io::BufWriter::with_capacity(1 << 16, std::io::stderr().lock());
    for d in &errors {
        let _ = writeln!(
            err,
            "{}",
            diagnostics::render_human(d, &inputs.sources, false)
        );
    }
    exit_code(&diags, inputs.io_failed)
}

/// A name usable as an Alchemy app name: lowercase letters, digits and `-`.
fn app_name(raw: &str) -> String {
    let s: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let s = s
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if s.is_empty() { "app".into() } else { s }
}

/// The folder being migrated: the `--discover` folder, else the deepest folder that holds every
/// config given (the current folder when none is given). Absolute, without `.`/`..`.
fn migrated_folder(input: &InputArgs) -> PathBuf {
    let abs = |p: &Path| {
        crate::plan::normalize(&std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()))
    };
    if let Some(dir) = &input.discover {
        return abs(dir);
    }
    let folders: Vec<PathBuf> = input
        .paths
        .iter()
        .map(|p| {
            let p = abs(p);
            match p.parent() {
                Some(parent) if !p.is_dir() => parent.to_path_buf(),
                _ => p,
            }
        })
        .collect();
    common_folder(&folders).unwrap_or_else(|| abs(Path::new(".")))
}

/// The longest folder path that starts every one of `folders` (`None` for none).
fn common_folder(folders: &[PathBuf]) -> Option<PathBuf> {
    let (first, rest) = folders.split_first()?;
    let mut common: Vec<std::path::Component<'_>> = first.components().collect();
    for f in rest {
        let same = common
            .iter()
            .zip(f.components())
            .take_while(|(a, b)| **a == *b)
            .count();
        common.truncate(same);
    }
    Some(common.iter().collect())
}

/// The default Alchemy app name: the `name` in the migrated folder's `package.json` (the name of
/// the monorepo), else the folder's own name.
fn default_app_name(folder: &Path) -> String {
    std::fs::read_to_string(folder.join("package.json"))
        .ok()
        .and_then(|text| package_app_name(&text))
        .unwrap_or_else(|| app_name(folder.file_name().and_then(|n| n.to_str()).unwrap_or("app")))
}

/// The app name a `package.json` gives: its `name` without an npm scope (`@acme/shop` → `shop`,
/// the scope being the same for every package of an organisation), made a valid app name.
/// `None` when there is no usable name.
fn package_app_name(text: &str) -> Option<String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let package: serde_json::Value = serde_json::from_str(text).ok()?;
    let name = package.get("name")?.as_str()?;
    let bare = name.rsplit('/').next().unwrap_or(name);
    bare.chars()
        .any(|c| c.is_ascii_alphanumeric())
        .then(|| app_name(bare))
}

/// The result of planning a migration.
pub struct Migration {
    /// The template configuration's analysis (the top level, or `--env`'s environment).
    pub analysis: Analysis,
    pub out: PathBuf,
    pub files: Vec<crate::emit::OutputFile>,
    pub diagnostics: Vec<Diagnostic>,
    /// Usage error (exit 2) found while planning.
    pub usage_error: bool,
    /// `(stage, graph)` for each stage.
    pub graphs: Vec<(String, crate::graph::Graph)>,
    /// How many workers were migrated.
    pub workers: usize,
}

/// Runs the whole pipeline for every stage; returns the files to write and every diagnostic.
pub fn plan_migration(args: &MigrateArgs) -> Migration {
    plan_migration_of(read_inputs(&args.input), args)
}

/// Config files given as text (for fuzzing and property tests): `(path, bytes)`, read as if from
/// disk, with no `.dev.vars`.
pub fn inputs_from_memory(files: &[(String, Vec<u8>)]) -> Inputs {
    let mut files: Vec<&(String, Vec<u8>)> = files.iter().collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let mut sources = SourceMap::default();
    let mut configs = Vec::new();
    for (i, (path, bytes)) in files.into_iter().enumerate() {
        let id = u32::try_from(i).unwrap_or(u32::MAX);
        let dir = Path::new(path)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let (source, config) = config_from_bytes(id, path.clone(), dir, bytes.clone());
        sources.files.push(source);
        configs.push(config);
    }
    Inputs {
        sources,
        configs,
        diagnostics: Vec::new(),
        io_failed: false,
    }
}

/// The pipeline after reading: every stage planned, merged and emitted.
pub fn plan_migration_of(inputs: Inputs, args: &MigrateArgs) -> Migration {
    plan_migration_timed(inputs, args, &mut Timings(None))
}

fn plan_migration_timed(inputs: Inputs, args: &MigrateArgs, t: &mut Timings) -> Migration {
    let mut diags = input_diagnostics(&inputs);
    let out = args
        .out
        .clone()
        .or_else(|| args.input.discover.clone())
        .unwrap_or_else(|| PathBuf::from("."));
    let out_abs =
        crate::plan::normalize(&std::path::absolute(&out).unwrap_or_else(|_| out.clone()));
    let app = args
        .app
        .as_deref()
        .map(app_name)
        .unwrap_or_else(|| default_app_name(&migrated_folder(&args.input)));
    let empty = |inputs: Inputs, diags: Vec<Diagnostic>, usage_error: bool| Migration {
        analysis: Analysis {
            inputs,
            workers: Vec::new(),
            origins: Vec::new(),
            graph: crate::graph::Graph::default(),
            exports: Vec::new(),
            diagnostics: Vec::new(),
        },
        out: out.clone(),
        files: Vec::new(),
        diagnostics: diags,
        usage_error,
        graphs: Vec::new(),
        workers: 0,
    };
    let (stages, top) = match stage_plan(
        &inputs,
        args.input.env.as_deref(),
        args.default_stage.as_deref(),
        &mut diags,
    ) {
        Ok(x) => x,
        Err(()) => return empty(inputs, diags, true),
    };
    let env_names = env_script_names(&inputs);
    // The template: what stages that are not wrangler environments deploy.
    let template_env = args.input.env.clone();
    let template = resolve_env(&inputs, template_env.as_deref(), &mut diags);
    if template.workers.is_empty() {
        diagnostics::sort(&mut diags, &inputs.sources);
        return empty(inputs, diags, false);
    }
    // Each stage's workers; a stage that deploys the template's environment shares it.
    let own: Vec<Option<Resolved>> = stages
        .iter()
        .map(|(_, env)| {
            (*env != template_env).then(|| resolve_env(&inputs, env.as_deref(), &mut diags))
        })
        .collect();
    let resolved: Vec<&Resolved> = own
        .iter()
        .map(|r| r.as_ref().unwrap_or(&template))
        .collect();
    report_absent_workers(&stages, &resolved, &mut diags);
    // The parsed trees are not needed any more: every later stage works on the typed workers.
    let mut inputs = inputs;
    for c in &mut inputs.configs {
        c.root = None;
    }
    t.mark("resolve environments");
    let mut template_graph =
        crate::graph::edges(&template.workers, &template.absent, &env_names, &mut diags);
    let mut stage_graphs: Vec<crate::graph::Graph> = resolved
        .iter()
        .map(|r| crate::graph::edges(&r.workers, &r.absent, &env_names, &mut diags))
        .collect();
    let union = {
        let mut all: Vec<&crate::graph::Graph> = vec![&template_graph];
        all.extend(stage_graphs.iter());
        crate::graph::Graph::union(&all, &mut diags)
    };
    let migration_names = report_cross_stage(&stages, &stage_graphs, &template_graph, &mut diags);
    template_graph.adopt_order(&union);
    for g in &mut stage_graphs {
        g.adopt_order(&union);
    }
    let all_origins: Vec<&crate::plan::Origin> = template
        .origins
        .iter()
        .chain(resolved.iter().flat_map(|r| r.origins.iter()))
        .collect();
    t.mark("graphs");
    let scanned = scan_mains(&all_origins);
    t.mark("scan worker sources");
    // Stable names per worker: the template's script names (else the config's folder).
    let labels: Vec<String> = template
        .workers
        .iter()
        .zip(&template.origins)
        .map(|(w, o)| {
            w.name.as_ref().map(|n| n.v.clone()).unwrap_or_else(|| {
                o.dir
                    .file_name()
                    .map(|f| f.to_string_lossy().to_string())
                    .unwrap_or_else(|| "worker".into())
            })
        })
        .collect();
    let mut shared = crate::plan::Shared::default();
    let rebase = |origins: &[crate::plan::Origin]| -> Vec<crate::plan::Origin> {
        origins
            .iter()
            .map(|o| crate::plan::Origin {
                path: crate::plan::relative(&out_abs, Path::new(&o.path)),
                ..o.clone()
            })
            .collect()
    };
    let opts = crate::plan::Options {
        app: app.clone(),
        out_dir: &out_abs,
        adopt: !args.no_adopt,
        skip_external: args.skip_external_services,
        migration_names: &migration_names,
        labels: &labels,
        reserved: crate::emit::alchemy_v1::RESERVED,
    };
    // The template first (its names are the ones a reader knows), then every stage, one after the
    // other: they share the names given out so far.
    let template_origins = rebase(&template.origins);
    let template_exports = exports_of(&template.origins, &scanned);
    let mut other = crate::plan::build(
        &template.workers,
        &template_origins,
        &template_exports,
        &template_graph,
        &opts,
        &mut shared,
        &mut diags,
    );
    // A stage that deploys the template's own environment has the template's program (the same
    // workers, graph and names): it is planned once (`None` below).
    let mut programs: Vec<(String, Option<crate::plan::Program>)> = Vec::new();
    for (((r, g), (stage, _)), is_own) in resolved
        .iter()
        .copied()
        .zip(&stage_graphs)
        .zip(&stages)
        .zip(own.iter().map(Option::is_some))
    {
        if !is_own {
            programs.push((stage.clone(), None));
            continue;
        }
        let origins = rebase(&r.origins);
        let exports = exports_of(&r.origins, &scanned);
        programs.push((
            stage.clone(),
            Some(crate::plan::build(
                &r.workers,
                &origins,
                &exports,
                g,
                &opts,
                &mut shared,
                &mut diags,
            )),
        ));
    }
    drop(resolved);
    drop(own);
    t.mark("plan every stage");
    {
        // The template first: its names are the ones a reader knows.
        let mut all: Vec<&mut crate::plan::Program> = vec![&mut other];
        all.extend(programs.iter_mut().filter_map(|(_, p)| p.as_mut()));
        crate::plan::unify_resources(&mut all, &mut shared);
    }
    let adopts = crate::preflight::adopts_existing_workers(
        programs.iter().map(|(_, p)| p.as_ref().unwrap_or(&other)),
    );
    if adopts {
        diags.push(codes::preflight_before_deploy());
    }
    diagnostics::sort(&mut diags, &inputs.sources);
    let stage_programs: Vec<crate::emit::alchemy_v1::StageProgram<'_>> = programs
        .iter()
        .map(|(s, p)| crate::emit::alchemy_v1::StageProgram {
            stage: s.clone(),
            program: p.as_ref().unwrap_or(&other),
        })
        .collect();
    let deployed: Vec<(usize, usize)> = stage_programs
        .iter()
        .map(|s| (s.program.workers.len(), other.workers.len()))
        .collect();
    let mapping = stage_mapping(&stages, &deployed, top.as_deref());
    let default_stage = if template_env.is_some() {
        stages.first().map(|s| s.0.clone())
    } else {
        top.clone()
    };
    t.mark("sort diagnostics");
    let mut files =
        crate::emit::alchemy_v1::emit(&stage_programs, &other, default_stage.as_deref(), &mapping);
    t.mark("emit alchemy.run.ts");
    if let Some(f) =
        crate::emit::report::env_example(&other, programs.iter().filter_map(|(_, p)| p.as_ref()))
    {
        files.push(f);
    }
    drop(stage_programs);
    drop(programs);
    let graphs: Vec<(String, crate::graph::Graph)> = stages
        .iter()
        .map(|s| s.0.clone())
        .zip(stage_graphs)
        .collect();
    let rebased = rebase_sources(&inputs.sources, &out_abs);
    let preflight = if adopts {
        crate::preflight::commands(
            &args.input,
            args.default_stage.as_deref(),
            &out_abs,
            stages.iter().map(|s| s.0.as_str()),
        )
    } else {
        Vec::new()
    };
    files.push(crate::emit::report::migration_md(
        &other,
        &mapping,
        &graphs,
        &template_graph,
        &diags,
        &rebased,
        &preflight,
    ));
    t.mark("emit MIGRATION.md");
    let exports = template_exports;
    let workers = template.workers.len();
    // (The typed workers are dropped here; the analysis keeps the sources for rendering.)
    Migration {
        analysis: Analysis {
            inputs,
            workers: Vec::new(),
            origins: template.origins,
            graph: template_graph,
            exports,
            diagnostics: Vec::new(),
        },
        out,
        files,
        diagnostics: diags,
        usage_error: false,
        graphs,
        workers,
    }
}

/// Bindings of a stage's worker to a worker of the migration that the stage does not deploy
/// (wrangler binds its literal script name): one warning per calling worker. Returns the script
/// names of every worker the migration deploys in some stage.
fn report_cross_stage(
    stages: &[(String, Option<String>)],
    stage_graphs: &[crate::graph::Graph],
    template: &crate::graph::Graph,
    diags: &mut Vec<Diagnostic>,
) -> std::collections::HashSet<String> {
    let present = |g: &crate::graph::Graph| -> Vec<String> {
        (0..g.names.len())
            .filter(|&i| g.is_present(i))
            .map(|i| g.names[i].clone())
            .collect()
    };
    let mut stage_of_name: std::collections::HashMap<String, &str> =
        std::collections::HashMap::new();
    for ((stage, _), g) in stages.iter().zip(stage_graphs) {
        for n in present(g) {
            stage_of_name.entry(n).or_insert(stage.as_str());
        }
    }
    let mut names: std::collections::HashSet<String> = stage_of_name.keys().cloned().collect();
    names.extend(present(template));
    // (calling worker slot) → its bindings that cross stages, in stage order.
    let mut crossing: BTreeMap<usize, Vec<(Span, String, String, String, Option<String>)>> =
        BTreeMap::new();
    for ((stage, _), g) in stages.iter().zip(stage_graphs) {
        for e in &g.edges {
            if let (crate::graph::Target::External(n), Some(b)) = (&e.to, &e.binding)
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

/// One info per worker that some stages do not deploy, naming those stages.
fn report_absent_workers(
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

/// The lines that say which wrangler environment each stage deploys.
/// `deployed`: per stage, how many workers it deploys and how many the migration has.
fn stage_mapping(
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

/// `ALCHEMY_MIGRATOR_TIMINGS=1`: time (and resident memory after) each stage of a run, on stderr.
struct Timings(Option<(std::time::Instant, Vec<(&'static str, f64, u64)>)>);

/// Resident memory in MiB (Linux), for the timings.
fn rss_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|k| k.parse::<u64>().ok())
        })
        .map(|kb| kb / 1024)
        .unwrap_or(0)
}

impl Timings {
    fn new() -> Timings {
        Timings(
            std::env::var_os("ALCHEMY_MIGRATOR_TIMINGS")
                .map(|_| (std::time::Instant::now(), Vec::new())),
        )
    }
    fn mark(&mut self, stage: &'static str) {
        if let Some((t, v)) = &mut self.0 {
            v.push((stage, t.elapsed().as_secs_f64() * 1e3, rss_mib()));
            *t = std::time::Instant::now();
        }
    }
    fn report(&self) {
        if let Some((_, v)) = &self.0 {
            let mut err = std::io::BufWriter::with_capacity(1 << 16, std::io::stderr().lock());
            for (stage, ms, rss) in v {
                let _ = writeln!(err, "timing: {stage:<28} {ms:9.1} ms   rss {rss} MiB");
            }
        }
    }
}

fn migrate(args: &MigrateArgs) -> i32 {
    let mut timings = Timings::new();
    let inputs = read_inputs(&args.input);
    timings.mark("discover + read + parse");
    let mut m = plan_migration_timed(inputs, args, &mut timings);
    let mut diags = std::mem::take(&mut m.diagnostics);
    let (a, out, files) = (&m.analysis, &m.out, &m.files);
    if m.usage_error || (a.inputs.io_failed && m.workers == 0) {
        emit_diagnostics(
            &diags,
            &a.inputs.sources,
            args.format,
            "nothing migrated",
            None,
        );
        return EXIT_USAGE;
    }
    if args.check {
        return check_outputs(out, files, &diags, &a.inputs.sources, args.format);
    }
    let mut written = Vec::new();
    let mut io_failed = a.inputs.io_failed;
    timings.mark("return from planning");
    if !args.dry_run {
        // Folders first, then the files in parallel (each one atomically); results in order.
        for dir in files
            .iter()
            .filter_map(|f| out.join(&f.path).parent().map(Path::to_path_buf))
            .collect::<std::collections::BTreeSet<_>>()
        {
            let _ = std::fs::create_dir_all(dir);
        }
        let results: Vec<(PathBuf, Result<WriteOutcome, Diagnostic>)> = files
            .par_iter()
            .map(|f| {
                let path = out.join(&f.path);
                let r = write_file(&path, &f.contents, args.force);
                (path, r)
            })
            .collect();
        for (path, r) in results {
            match r {
                Ok(WriteOutcome::Written) => written.push((display_path(&path), "written")),
                Ok(WriteOutcome::Unchanged) => written.push((display_path(&path), "unchanged")),
                Err(d) => {
                    io_failed = true;
                    diags.push(d);
                }
            }
        }
    }
    timings.mark("write files");
    let summary = format!(
        "migrated {} worker(s) into {}",
        m.workers,
        display_path(out)
    );
    match args.format {
        Format::Json => {
            let extra = serde_json::json!({
                "graph": crate::emit::report::graph_json(&a.graph),
                "stages": m.graphs.iter().map(|(s, g)| serde_json::json!({ "stage": s, "graph": crate::emit::report::graph_json(g) })).collect::<Vec<_>>(),
                "files": files.iter().map(|f| serde_json::json!({ "path": display_path(&out.join(&f.path)), "bytes": f.contents.len() })).collect::<Vec<_>>(),
                "dry_run": args.dry_run,
            });
            emit_diagnostics(
                &diags,
                &a.inputs.sources,
                args.format,
                &summary,
                Some(extra),
            );
        }
        _ => {
            let mut o = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            if args.format == Format::Human {
                let _ = writeln!(o, "Analyzing service dependencies...");
            }
            if m.graphs.len() > 1 {
                for (s, g) in &m.graphs {
                    let _ = writeln!(o, "Stage {s}:");
                    let _ = write!(o, "{}", crate::emit::report::graph_text(g));
                    let _ = writeln!(o);
                }
            } else {
                let _ = write!(o, "{}", crate::emit::report::graph_text(&a.graph));
            }
            let _ = writeln!(o, "Generating alchemy.run.ts with proper ordering...");
            if args.dry_run {
                for f in files {
                    let _ = writeln!(
                        o,
                        "\n==> {} ({} bytes, not written: --dry-run) <==",
                        display_path(&out.join(&f.path)),
                        f.contents.len()
                    );
                    let _ = write!(o, "{}", f.contents);
                }
            } else {
                for (p, what) in &written {
                    let _ = writeln!(o, "  {what} {p}");
                }
            }
            drop(o);
            timings.mark("print graph and file list");
            emit_diagnostics(&diags, &a.inputs.sources, args.format, &summary, None);
        }
    }
    timings.mark("print diagnostics");
    timings.report();
    if io_failed {
        EXIT_USAGE
    } else {
        exit_code(&diags, false)
    }
}

/// `migrate --check`: compares the generated files with those in `out`.
fn check_outputs(
    out: &Path,
    files: &[crate::emit::OutputFile],
    diags: &[Diagnostic],
    sources: &SourceMap,
    format: Format,
) -> i32 {
    let mut stale = Vec::new();
    let mut o = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    for f in files {
        let path = out.join(&f.path);
        let shown = display_path(&path);
        match std::fs::read_to_string(&path) {
            Ok(existing) if existing == f.contents => {}
            Ok(existing) => {
                let diff = similar::TextDiff::from_lines(&existing, &f.contents);
                let _ = write!(
                    o,
                    "{}",
                    diff.unified_diff()
                        .context_radius(3)
                        .header(&shown, &format!("{shown} (migration now)"))
                );
                stale.push(shown);
            }
            Err(_) => {
                let _ = writeln!(o, "missing: {shown}");
                stale.push(shown);
            }
        }
    }
    drop(o);
    let summary = if stale.is_empty() {
        "migrate --check: the output is up to date".to_string()
    } else {
        format!(
            "migrate --check: {} file(s) differ from what the migration produces now",
            stale.len()
        )
    };
    emit_diagnostics(diags, sources, format, &summary, None);
    if stale.is_empty() {
        EXIT_OK
    } else {
        EXIT_INPUT_ERRORS
    }
}

pub enum WriteOutcome {
    Written,
    Unchanged,
}

/// Writes atomically (temporary file in the same folder, then rename). Never replaces a file
/// that differs unless `force`.
pub fn write_file(path: &Path, contents: &str, force: bool) -> Result<WriteOutcome, Diagnostic> {
    let shown = display_path(path);
    // A new file replaces nothing: create it in place. (`create_new` first: it never clobbers a
    // file, and it saves a failed lookup per file, which is what costs most in a large output.)
    let create = || {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
    };
    let opened = match create() {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let dir = path.parent().unwrap_or(Path::new("."));
            std::fs::create_dir_all(dir)
                .map_err(|e| codes::unwritable(&display_path(dir), &e.to_string()))?;
            create()
        }
        other => other,
    };
    match opened {
        Ok(mut f) => {
            return match f.write_all(contents.as_bytes()) {
                Ok(()) => Ok(WriteOutcome::Written),
                Err(e) => {
                    // Never leave half a new file behind.
                    drop(f);
                    let _ = std::fs::remove_file(path);
                    Err(codes::unwritable(&shown, &e.to_string()))
                }
            };
        }
        Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => {
            return Err(codes::unwritable(&shown, &e.to_string()));
        }
        Err(_) => {}
    }
    match std::fs::read(path) {
        Ok(existing) if existing == contents.as_bytes() => return Ok(WriteOutcome::Unchanged),
        Ok(_) if !force => return Err(codes::output_exists(&shown)),
        _ => {}
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let tmp = dir.join(format!(
        ".{name}.alchemy-migrator-{}.tmp",
        std::process::id()
    ));
    let result = (|| -> std::io::Result<()> {
        // Write beside the target, then rename over it: an interrupted run leaves either the old
        // file or the new one, never half of either. (No fsync: ext4 and others flush renamed-over
        // files on their own, and 10 000 fsyncs would dominate a large migration.)
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(contents.as_bytes())?;
        drop(f);
        std::fs::rename(&tmp, path)
    })();
    result.map(|()| WriteOutcome::Written).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        codes::unwritable(&shown, &e.to_string())
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_app_name_of_a_package_json() {
        let name = |text: &str| package_app_name(text);
        assert_eq!(name(r#"{ "name": "my-shop" }"#).as_deref(), Some("my-shop"));
        assert_eq!(
            name(r#"{ "name": "@acme/Shop_Front" }"#).as_deref(),
            Some("shop-front")
        );
        assert_eq!(
            name("\u{feff}{ \"name\": \"bom\" }").as_deref(),
            Some("bom")
        );
        for unusable in [
            r#"{ "private": true }"#,
            r#"{ "name": 3 }"#,
            r#"{ "name": "@acme/" }"#,
            r#"{ "name": "---" }"#,
            "not json",
        ] {
            assert_eq!(name(unusable), None, "{unusable}");
        }
    }

    #[test]
    fn the_common_folder_of_the_given_configs() {
        let p = |s: &str| PathBuf::from(s);
        assert_eq!(
            common_folder(&[p("/r/apps/a"), p("/r/apps/b"), p("/r/apps/b/c")]),
            Some(p("/r/apps"))
        );
        assert_eq!(common_folder(&[p("/r/apps/a")]), Some(p("/r/apps/a")));
        assert_eq!(common_folder(&[p("/x"), p("/y")]), Some(p("/")));
        assert_eq!(common_folder(&[]), None);
    }

    #[test]
    fn the_default_app_name_comes_from_package_json_else_the_folder() {
        let root =
            std::env::temp_dir().join(format!("alchemy-migrator-app-name-{}", std::process::id()));
        let dir = root.join("My Monorepo");
        std::fs::create_dir_all(dir.join("apps/api")).unwrap();
        std::fs::write(dir.join("apps/api/wrangler.toml"), "name = \"api\"\n").unwrap();
        assert_eq!(default_app_name(&dir), "my-monorepo");
        std::fs::write(dir.join("package.json"), r#"{ "name": "@acme/shop" }"#).unwrap();
        assert_eq!(default_app_name(&dir), "shop");
        // The folder is --discover's, else the one holding every config given.
        let input = |discover: Option<PathBuf>, paths: Vec<PathBuf>| InputArgs {
            paths,
            discover,
            env: None,
        };
        assert_eq!(
            migrated_folder(&input(Some(dir.join("apps/../.")), vec![])),
            dir
        );
        assert_eq!(
            migrated_folder(&input(
                None,
                vec![dir.join("apps/api/wrangler.toml"), dir.join("apps")]
            )),
            dir.join("apps")
        );
        assert_eq!(
            migrated_folder(&input(
                None,
                vec![dir.join("apps/api"), root.join("other/wrangler.toml")]
            )),
            root
        );
        let _ = std::fs::remove_dir_all(&root);
    }
}
