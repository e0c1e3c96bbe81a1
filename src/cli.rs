//! CLI: argument parsing, reading and writing files, rendering diagnostics. The only module that
//! touches the file system or prints.

use crate::config::{self, ConfigFile, EnvSelection};
use crate::diagnostics::{self, Diagnostic, Severity, SourceFile, SourceMap, codes};
use crate::discover;
use clap::{Args, Parser, Subcommand, ValueEnum};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

#[derive(Parser, Debug)]
#[command(name = "alchemy-migrator", version, about = "Migrate Cloudflare wrangler configs to one Alchemy program")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Parse and validate wrangler configs, reporting every problem with its location.
    Check(CheckArgs),
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
    Inputs { sources, configs, diagnostics: diags, io_failed }
}

fn read_one(id: u32, path: &Path) -> (SourceFile, ConfigFile, bool) {
    let shown = display_path(path);
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            let mut c = config::load(id, &shown, dir, "", BTreeMap::new());
            c.root = None;
            c.diagnostics = vec![codes::unreadable(&shown, &e.to_string())];
            return (SourceFile::new(shown, String::new()), c, true);
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let mut c = config::load(id, &shown, dir, "", BTreeMap::new());
            c.root = None;
            c.diagnostics = vec![codes::not_utf8(&shown, offset)];
            return (SourceFile::new(shown, String::new()), c, false);
        }
    };
    let dev_vars = read_dev_vars(&dir);
    let config = config::load(id, &shown, dir, &text, dev_vars);
    (SourceFile::new(shown, text), config, false)
}

/// Secret names from `.dev.vars` and `.dev.vars.<env>` beside a config.
fn read_dev_vars(dir: &Path) -> BTreeMap<Option<String>, Vec<String>> {
    let mut out = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(if dir.as_os_str().is_empty() { Path::new(".") } else { dir }) else { return out };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        let env = if name == ".dev.vars" {
            None
        } else if let Some(env) = name.strip_prefix(".dev.vars.") {
            Some(env.to_string())
        } else {
            continue;
        };
        if let Ok(text) = std::fs::read_to_string(e.path()) {
            out.insert(env, discover::dotenv_names(&text));
        }
    }
    out
}

/// Runs the CLI; returns the exit code.
pub fn run(cli: Cli) -> i32 {
    match cli.command {
        Command::Check(args) => check(&args),
    }
}

fn selection(env: &Option<String>) -> EnvSelection {
    match env {
        Some(e) => EnvSelection::Named(e.clone()),
        None => EnvSelection::All,
    }
}

fn check(args: &CheckArgs) -> i32 {
    let inputs = read_inputs(&args.input);
    let mut diags = inputs.diagnostics.clone();
    let sel = selection(&args.input.env);
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
    let summary = format!("checked {} config file(s), {} worker(s)", inputs.configs.len(), worker_count);
    emit_diagnostics(&diags, &inputs.sources, args.format, &summary, None);
    exit_code(&diags, inputs.io_failed)
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
/// fields merged in); human and GitHub output go to stderr and stdout respectively.
pub fn emit_diagnostics(diags: &[Diagnostic], sources: &SourceMap, format: Format, summary: &str, extra: Option<serde_json::Value>) {
    let count = |s: Severity| diags.iter().filter(|d| d.severity == s).count();
    let (errors, warnings, infos) = (count(Severity::Error), count(Severity::Warning), count(Severity::Info));
    match format {
        Format::Json => {
            let mut obj = serde_json::json!({
                "diagnostics": diags.iter().map(|d| diagnostics::to_json(d, sources)).collect::<Vec<_>>(),
                "summary": { "errors": errors, "warnings": warnings, "infos": infos },
            });
            if let (Some(serde_json::Value::Object(extra)), Some(map)) = (extra, obj.as_object_mut()) {
                map.extend(extra);
            }
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{}", serde_json::to_string_pretty(&obj).unwrap_or_default());
        }
        Format::Github => {
            let mut out = std::io::stdout().lock();
            for d in diags {
                let _ = writeln!(out, "{}", diagnostics::render_github(d, sources));
            }
            let mut err = std::io::stderr().lock();
            let _ = writeln!(err, "{summary}: {errors} error(s), {warnings} warning(s), {infos} info");
        }
        Format::Human => {
            let color = std::env::var_os("NO_COLOR").is_none() && std::io::IsTerminal::is_terminal(&std::io::stderr());
            let mut err = std::io::stderr().lock();
            for d in diags {
                let _ = writeln!(err, "{}", diagnostics::render_human(d, sources, color));
            }
            let _ = writeln!(err, "{summary}: {errors} error(s), {warnings} warning(s), {infos} info");
        }
    }
}
