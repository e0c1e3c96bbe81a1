//! CLI: parses the arguments into the pipeline's options, reads the inputs (through
//! [`read`](crate::read)), runs the [`pipeline`](crate::pipeline), writes the files and renders
//! the results. With `preflight`, the only module that prints or writes files.

use crate::diagnostics::{self, Diagnostic, Severity, SourceMap, codes};
use crate::pipeline::{self, CheckOptions, GraphOptions, MigrateOptions, Migration};
use crate::read::{InputPaths, display_path, read_inputs};
use clap::{Args, Parser, Subcommand, ValueEnum};
use rayon::prelude::*;
use serde_json::value::RawValue;
use std::io::Write as _;
use std::path::{Path, PathBuf};

pub use crate::pipeline::{EXIT_INPUT_ERRORS, EXIT_OK, EXIT_USAGE};

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

impl InputArgs {
    /// Where the configs are.
    pub fn paths(&self) -> InputPaths {
        InputPaths {
            paths: self.paths.clone(),
            discover: self.discover.clone(),
        }
    }
}

impl MigrateArgs {
    /// The folder to write to: `--out`, else the `--discover` folder, else the current folder.
    pub fn out(&self) -> PathBuf {
        self.out
            .clone()
            .or_else(|| self.input.discover.clone())
            .unwrap_or_else(|| PathBuf::from("."))
    }

    pub fn options(&self) -> MigrateOptions {
        MigrateOptions {
            input: self.input.paths(),
            env: self.input.env.clone(),
            out: self.out(),
            app: self.app.clone(),
            default_stage: self.default_stage.clone(),
            adopt: !self.no_adopt,
            skip_external_services: self.skip_external_services,
        }
    }
}

/// Runs the CLI; returns the exit code.
pub fn run(cli: Cli) -> i32 {
    run_with(cli, || {})
}

/// [`run`], calling `between_stages` at the end of each stage of a migration (the binary hands
/// freed memory back to the system there).
pub fn run_with(cli: Cli, between_stages: fn()) -> i32 {
    match cli.command {
        Command::Check(args) => check(&args),
        Command::Migrate(args) => migrate(&args, between_stages),
        Command::Graph(args) => graph(&args),
        Command::Preflight(args) => crate::preflight::run(&args),
    }
}

fn check(args: &CheckArgs) -> i32 {
    let options = CheckOptions {
        env: args.input.env.clone(),
    };
    let c = pipeline::check(read_inputs(&args.input.paths()), &options);
    let summary = format!(
        "checked {} config file(s), {} worker(s)",
        c.configs, c.workers
    );
    emit_diagnostics(&c.diagnostics, &c.sources, args.format, &summary, None);
    c.exit_code()
}

/// The JSON output of a run: `diagnostics`, `summary` and the command's own fields, keys in
/// sorted order (as a JSON object map prints them).
struct JsonReport<'a> {
    diags: &'a [Diagnostic],
    sources: &'a SourceMap,
    /// The first diagnostics already turned into JSON.
    rendered: &'a [Option<Box<RawValue>>],
    summary: serde_json::Value,
    extra: serde_json::Map<String, serde_json::Value>,
    /// `migrate`'s graphs (`graph`: the template's, `stages`: each stage's), streamed.
    graphs: Option<MigrationGraphs<'a>>,
}

/// The graphs of a migration, as `migrate --format json` prints them.
#[derive(Clone, Copy)]
pub struct MigrationGraphs<'a> {
    pub graph: &'a crate::graph::Graph,
    pub stages: &'a [(String, crate::graph::Graph)],
}

/// One stage's graph in the JSON output (keys in sorted order).
#[derive(serde::Serialize)]
struct StageGraphJson<'a> {
    graph: crate::emit::report::GraphJson<'a>,
    stage: &'a str,
}

impl serde::Serialize for JsonReport<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let mut keys: Vec<&str> = vec!["diagnostics", "summary"];
        keys.extend(self.extra.keys().map(String::as_str));
        if self.graphs.is_some() {
            keys.extend(["graph", "stages"]);
        }
        keys.sort_unstable();
        keys.dedup();
        let mut map = s.serialize_map(Some(keys.len()))?;
        for key in keys {
            match key {
                "diagnostics" => {
                    let diagnostics = JsonDiagnostics {
                        diags: self.diags,
                        sources: self.sources,
                        rendered: self.rendered,
                    };
                    map.serialize_entry(key, &diagnostics)?
                }
                "summary" => map.serialize_entry(key, &self.summary)?,
                "graph" | "stages" => match self.graphs {
                    Some(g) if key == "graph" => {
                        map.serialize_entry(key, &crate::emit::report::GraphJson(g.graph))?
                    }
                    Some(g) => {
                        let stages: Vec<StageGraphJson<'_>> = g
                            .stages
                            .iter()
                            .map(|(stage, graph)| StageGraphJson {
                                graph: crate::emit::report::GraphJson(graph),
                                stage,
                            })
                            .collect();
                        map.serialize_entry(key, &stages)?
                    }
                    None => map.serialize_entry(key, &self.extra[key])?,
                },
                other => map.serialize_entry(other, &self.extra[other])?,
            }
        }
        map.end()
    }
}

/// The diagnostics as a JSON array, each converted as it is written (unless it was already:
/// `rendered`, in order, for as many as there are).
struct JsonDiagnostics<'a> {
    diags: &'a [Diagnostic],
    sources: &'a SourceMap,
    rendered: &'a [Option<Box<RawValue>>],
}

impl serde::Serialize for JsonDiagnostics<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq as _;
        let mut seq = s.serialize_seq(Some(self.diags.len()))?;
        for (k, d) in self.diags.iter().enumerate() {
            match self.rendered.get(k) {
                Some(Some(raw)) => seq.serialize_element(raw)?,
                _ => seq.serialize_element(&diagnostics::to_json(d, self.sources))?,
            }
        }
        seq.end()
    }
}

/// `value` as pretty JSON text, indented for where it sits in [`print_json`]'s output: `indent`
/// before each of its lines but the first.
fn raw_json<T: serde::Serialize>(value: &T, indent: &str) -> Option<Box<RawValue>> {
    let text = serde_json::to_string_pretty(value).ok()?;
    // (A line break in JSON text is never inside a string.)
    RawValue::from_string(text.replace('\n', &format!("\n{indent}"))).ok()
}

/// `diags` as [`print_json`] prints them, turned into JSON in parallel beforehand (`None`: left
/// to be converted as it is written).
fn render_all_json(diags: &[Diagnostic], sources: &SourceMap) -> Vec<Option<Box<RawValue>>> {
    diags
        .par_iter()
        // (In an array in the top object.)
        .map(|d| raw_json(&diagnostics::to_json(d, sources), "    "))
        .collect()
}

/// How many errors, warnings and infos.
fn severity_counts(diags: &[Diagnostic]) -> (usize, usize, usize) {
    let count = |s: Severity| diags.iter().filter(|d| d.severity == s).count();
    (
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info),
    )
}

/// Prints the JSON output of a run on stdout: the diagnostics, their summary, the command's own
/// fields and (for `migrate`) its graphs. Streamed: each part is turned into JSON as it is
/// written.
pub fn print_json(
    diags: &[Diagnostic],
    sources: &SourceMap,
    extra: serde_json::Map<String, serde_json::Value>,
    graphs: Option<MigrationGraphs<'_>>,
) {
    print_json_rendered(diags, sources, &[], extra, graphs);
}

/// [`print_json`], with the first diagnostics already turned into JSON ([`render_all_json`]).
fn print_json_rendered(
    diags: &[Diagnostic],
    sources: &SourceMap,
    rendered: &[Option<Box<RawValue>>],
    extra: serde_json::Map<String, serde_json::Value>,
    graphs: Option<MigrationGraphs<'_>>,
) {
    let (errors, warnings, infos) = severity_counts(diags);
    let summary = serde_json::json!({ "errors": errors, "warnings": warnings, "infos": infos });
    let report = JsonReport {
        diags,
        sources,
        rendered,
        summary,
        extra,
        graphs,
    };
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let _ = serde_json::to_writer_pretty(&mut out, &report);
    let _ = writeln!(out);
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
    let (errors, warnings, infos) = severity_counts(diags);
    match format {
        Format::Json => {
            let extra = match extra {
                Some(serde_json::Value::Object(map)) => map,
                _ => serde_json::Map::new(),
            };
            print_json(diags, sources, extra, None);
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
            let color = human_color();
            // Rendered in parallel, a bounded batch at a time, and written in order.
            let batches = diags
                .chunks(1024)
                .map(|batch| render_all_human(batch, sources, color));
            print_human(batches, diags, summary);
        }
    }
}

/// Whether diagnostics for a person get colours: stderr is a terminal and `NO_COLOR` is unset.
fn human_color() -> bool {
    std::env::var_os("NO_COLOR").is_none() && std::io::IsTerminal::is_terminal(&std::io::stderr())
}

/// `diags` drawn for a person, in parallel, in order.
fn render_all_human(diags: &[Diagnostic], sources: &SourceMap, color: bool) -> Vec<String> {
    diags
        .par_iter()
        .map(|d| diagnostics::render_human(d, sources, color))
        .collect()
}

/// Prints drawn diagnostics on stderr (`rendered`: the drawings of `diags`, in batches), then
/// the summary line with the counts of `diags` and the number per code.
fn print_human<B: AsRef<[String]>>(
    rendered: impl Iterator<Item = B>,
    diags: &[Diagnostic],
    summary: &str,
) {
    let (errors, warnings, infos) = severity_counts(diags);
    let mut err = std::io::BufWriter::with_capacity(1 << 16, std::io::stderr().lock());
    for batch in rendered {
        let _ = write_lines(err.get_mut(), batch.as_ref());
    }
    let _ = writeln!(
        err,
        "{summary}: {errors} error(s), {warnings} warning(s), {infos} info"
    );
    if !diags.is_empty() {
        let _ = writeln!(err, "{}", diagnostics::count_by_code(diags));
    }
}

/// Writes each of `lines` and a newline after it, many lines a call, without copying them
/// (ten thousand workers' diagnostics are 12 MB of text).
fn write_lines(out: &mut impl std::io::Write, lines: &[String]) -> std::io::Result<()> {
    use std::io::IoSlice;
    for chunk in lines.chunks(512) {
        let mut slices: Vec<IoSlice<'_>> = chunk
            .iter()
            .flat_map(|l| [IoSlice::new(l.as_bytes()), IoSlice::new(b"\n")])
            .collect();
        let mut rest = &mut slices[..];
        while !rest.is_empty() {
            match out.write_vectored(rest) {
                Ok(0) => return Err(std::io::ErrorKind::WriteZero.into()),
                Ok(n) => IoSlice::advance_slices(&mut rest, n),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(())
}

fn graph(args: &GraphArgs) -> i32 {
    let options = GraphOptions {
        env: args.input.env.clone(),
    };
    let g = pipeline::graph(read_inputs(&args.input.paths()), &options);
    if g.usage_error {
        emit_diagnostics(
            &g.diagnostics,
            &g.sources,
            Format::Human,
            "nothing to show",
            None,
        );
        return g.exit_code();
    }
    let text = render_graphs(&g.stages, args.format);
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let _ = out.write_all(text.as_bytes());
    let mut err = std::io::BufWriter::with_capacity(1 << 16, std::io::stderr().lock());
    for d in g.diagnostics.iter().filter(|d| d.is_error()) {
        let _ = writeln!(err, "{}", diagnostics::render_human(d, &g.sources, false));
    }
    g.exit_code()
}

/// The graphs in the chosen format: one graph as it is, several each under the name of its
/// stage (JSON: `{ "stages": [...] }`).
pub fn render_graphs(graphs: &[pipeline::StageGraph], format: GraphFormat) -> String {
    use crate::emit::report;
    if format == GraphFormat::Json {
        let v = match graphs {
            [one] => report::graph_json(&one.graph),
            _ => {
                let all: Vec<serde_json::Value> = graphs.iter().map(|s| serde_json::json!({ "stage": s.stage, "environment": s.env, "graph": report::graph_json(&s.graph) })).collect();
                serde_json::json!({ "stages": all })
            }
        };
        return serde_json::to_string_pretty(&v).unwrap_or_default() + "\n";
    }
    let render = |g: &crate::graph::Graph| match format {
        GraphFormat::Dot => report::graph_dot(g),
        GraphFormat::Mermaid => report::graph_mermaid(g),
        _ => report::graph_text(g),
    };
    if let [one] = graphs {
        return render(&one.graph);
    }
    let comment = match format {
        GraphFormat::Text => "",
        GraphFormat::Dot => "// ",
        _ => "%% ",
    };
    let mut out = String::new();
    for s in graphs {
        let what = s
            .env
            .as_ref()
            .map(|e| format!("[env.{e}]"))
            .unwrap_or_else(|| "top level".into());
        out.push_str(&format!("{comment}Stage {} ({what}):\n", s.stage));
        out.push_str(&render(&s.graph));
        out.push('\n');
    }
    out
}

/// `ALCHEMY_MIGRATOR_TIMINGS=1`: the time of each stage of a run, the CPU time it took (on every
/// thread: more than its time when it ran on several), the resident memory after it and the peak
/// during it, on stderr.
struct Timings(Option<Clock>);

/// Where the last stage ended, and the stages so far.
struct Clock {
    at: std::time::Instant,
    cpu: f64,
    marks: Vec<Mark>,
    peak: std::sync::Arc<PeakRss>,
}

/// A stage, its time and CPU time in milliseconds, the resident memory after it and its peak
/// during it, in MiB.
type Mark = (&'static str, f64, f64, u64, u64);

/// CPU time of every thread of the process so far, in milliseconds (Linux, from each thread's
/// scheduler statistics), for the timings.
fn cpu_ms() -> f64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0.0;
    };
    let ns: u64 = tasks
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .sum();
    ns as f64 / 1e6
}

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

/// The highest resident memory seen since the last mark, sampled every millisecond by a thread
/// of its own (only when timings are asked for).
#[derive(Default)]
struct PeakRss(std::sync::atomic::AtomicU64);

impl PeakRss {
    fn start() -> std::sync::Arc<PeakRss> {
        let peak = std::sync::Arc::new(PeakRss::default());
        let sampler = std::sync::Arc::clone(&peak);
        std::thread::spawn(move || {
            loop {
                sampler
                    .0
                    .fetch_max(rss_mib(), std::sync::atomic::Ordering::Relaxed);
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
        });
        peak
    }

    /// The peak since the last call; the count starts again from the memory in use now.
    fn take(&self) -> u64 {
        let now = rss_mib();
        self.0
            .swap(now, std::sync::atomic::Ordering::Relaxed)
            .max(now)
    }
}

impl Timings {
    fn new() -> Timings {
        Timings(std::env::var_os("ALCHEMY_MIGRATOR_TIMINGS").map(|_| Clock {
            at: std::time::Instant::now(),
            cpu: cpu_ms(),
            marks: Vec::new(),
            peak: PeakRss::start(),
        }))
    }
    fn mark(&mut self, stage: &'static str) {
        if let Some(c) = &mut self.0 {
            let cpu = cpu_ms();
            c.marks.push((
                stage,
                c.at.elapsed().as_secs_f64() * 1e3,
                cpu - c.cpu,
                rss_mib(),
                c.peak.take(),
            ));
            c.at = std::time::Instant::now();
            c.cpu = cpu;
        }
    }
    fn report(&self) {
        if let Some(c) = &self.0 {
            let mut err = std::io::BufWriter::with_capacity(1 << 16, std::io::stderr().lock());
            for (stage, ms, cpu, rss, peak) in &c.marks {
                let _ = writeln!(
                    err,
                    "timing: {stage:<34} {ms:9.1} ms  cpu {cpu:7.1} ms   rss {rss} MiB, peak {peak} MiB"
                );
            }
        }
    }
}

fn migrate(args: &MigrateArgs, between_stages: fn()) -> i32 {
    let mut timings = Timings::new();
    let inputs = read_inputs(&args.input.paths());
    timings.mark("discover + read + parse");
    let options = args.options();
    let mut m = pipeline::migrate_observed(inputs, &options, &mut |stage| {
        between_stages();
        timings.mark(stage)
    });
    let mut diags = std::mem::take(&mut m.diagnostics);
    if m.usage_error || (m.io_failed && m.workers == 0) {
        emit_diagnostics(&diags, &m.sources, args.format, "nothing migrated", None);
        return EXIT_USAGE;
    }
    if args.check {
        return check_outputs(&options.out, &m.files, &diags, &m.sources, args.format);
    }
    timings.mark("return from planning");
    let mut written = Vec::new();
    let mut io_failed = m.io_failed;
    // The files are written while the diagnostics are drawn (for a person; the other formats
    // are printed as they are turned into text).
    let human = args.format == Format::Human;
    let color = human_color();
    let json = args.format == Format::Json;
    let (results, (mut drawn, graphs, mut rendered)) = rayon::join(
        || {
            if args.dry_run {
                Vec::new()
            } else {
                write_files(&options.out, &m.files, args.force)
            }
        },
        || {
            let drawn = if human {
                render_all_human(&diags, &m.sources, color)
            } else {
                Vec::new()
            };
            let graphs = if json { String::new() } else { graphs_text(&m) };
            // (For JSON, the diagnostics are turned into text while the files are written, as
            // they are drawn for a person.)
            let rendered = if json {
                render_all_json(&diags, &m.sources)
            } else {
                Vec::new()
            };
            (drawn, graphs, rendered)
        },
    );
    for (path, r) in results {
        match r {
            Ok(WriteOutcome::Written) => written.push((display_path(&path), "written")),
            Ok(WriteOutcome::Unchanged) => written.push((display_path(&path), "unchanged")),
            Err(d) => {
                io_failed = true;
                diags.push(*d);
            }
        }
    }
    // (What could not be written, last.)
    if human {
        drawn.extend(render_all_human(&diags[drawn.len()..], &m.sources, color));
    }
    if json {
        rendered.extend(render_all_json(&diags[rendered.len()..], &m.sources));
    }
    timings.mark("write files, and draw diagnostics");
    let summary = format!(
        "migrated {} worker(s) into {}",
        m.workers,
        display_path(&options.out)
    );
    if json {
        let graphs = MigrationGraphs {
            graph: &m.graph,
            stages: &m.stages,
        };
        print_json_rendered(
            &diags,
            &m.sources,
            &rendered,
            migration_json(&m, &options.out, args.dry_run),
            Some(graphs),
        );
    } else {
        print_migration(&m, &graphs, &options.out, args, &written);
        timings.mark("print graph and file list");
        if human {
            print_human(std::iter::once(&drawn), &diags, &summary);
        } else {
            emit_diagnostics(&diags, &m.sources, args.format, &summary, None);
        }
    }
    timings.mark("print diagnostics");
    timings.report();
    let code = if io_failed {
        EXIT_USAGE
    } else {
        pipeline::exit_code(&diags, false)
    };
    // The process ends here: its memory goes back to the system whole, without taking ten
    // thousand workers' files and diagnostics apart one by one first.
    std::mem::forget((m, diags, drawn, rendered, written));
    code
}

/// Writes the files into `out`: folders first, then the files of each folder one after the
/// other (each one atomically), the output folder's own beside its subfolders'; the results in
/// the files' order.
fn write_files(
    out: &Path,
    files: &[crate::emit::OutputFile],
    force: bool,
) -> Vec<(PathBuf, Result<WriteOutcome, Box<Diagnostic>>)> {
    for dir in files
        .iter()
        .filter_map(|f| out.join(&f.path).parent().map(Path::to_path_buf))
        .collect::<std::collections::BTreeSet<_>>()
    {
        let _ = std::fs::create_dir_all(dir);
    }
    // One after the other within a folder: most files go into one (`env/`), and parallel
    // creations in one folder contend for its lock (measured slower on ext4, in system time).
    // The output folder's own files (`alchemy.run.ts`: 18 MB at 10,000 workers) are left for a
    // core that has finished drawing the diagnostics.
    let (top, nested): (Vec<_>, Vec<_>) = files
        .iter()
        .enumerate()
        .partition(|(_, f)| !f.path.contains('/'));
    let write = |group: Vec<(usize, &crate::emit::OutputFile)>| {
        let mut folder: Option<(PathBuf, OutFolder)> = None;
        group
            .into_iter()
            .map(|(k, f)| {
                let path = out.join(&f.path);
                let dir = path.parent().unwrap_or(Path::new("."));
                if folder.as_ref().is_none_or(|(d, _)| d != dir) {
                    folder = Some((dir.to_path_buf(), OutFolder::open(dir)));
                }
                let within = folder.as_ref().map(|(_, o)| o);
                let r = write_pieces(&path, f.contents.as_pieces(), force, within);
                (k, (path, r))
            })
            .collect::<Vec<_>>()
    };
    let (mut written, top) = rayon::join(|| write(nested), || write(top));
    written.extend(top);
    written.sort_unstable_by_key(|(k, _)| *k);
    written.into_iter().map(|(_, r)| r).collect()
}

/// The fields `migrate --format json` adds to the diagnostics: graphs and files.
/// `migrate`'s own JSON fields besides its graphs: the files and whether they were written.
fn migration_json(
    m: &Migration,
    out: &Path,
    dry_run: bool,
) -> serde_json::Map<String, serde_json::Value> {
    let files = m.files.iter().map(|f| serde_json::json!({ "path": display_path(&out.join(&f.path)), "bytes": f.contents.len() })).collect::<Vec<_>>();
    let mut map = serde_json::Map::new();
    map.insert("files".into(), serde_json::Value::Array(files));
    map.insert("dry_run".into(), serde_json::Value::Bool(dry_run));
    map
}

/// The graph of each stage, as `migrate` prints it.
fn graphs_text(m: &Migration) -> String {
    if m.stages.len() > 1 {
        let mut out = String::new();
        for (s, g) in &m.stages {
            out.push_str(&format!("Stage {s}:\n"));
            out.push_str(&crate::emit::report::graph_text(g));
            out.push('\n');
        }
        out
    } else {
        crate::emit::report::graph_text(&m.graph)
    }
}

/// The human and GitHub output of `migrate` on stdout: the graph of each stage (`graphs`), then
/// the files written (or, with `--dry-run`, their contents).
fn print_migration(
    m: &Migration,
    graphs: &str,
    out: &Path,
    args: &MigrateArgs,
    written: &[(String, &str)],
) {
    let mut o = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    if args.format == Format::Human {
        let _ = writeln!(o, "Analyzing service dependencies...");
    }
    let _ = write!(o, "{graphs}");
    let _ = writeln!(o, "Generating alchemy.run.ts with proper ordering...");
    if args.dry_run {
        for f in &m.files {
            let _ = writeln!(
                o,
                "\n==> {} ({} bytes, not written: --dry-run) <==",
                display_path(&out.join(&f.path)),
                f.contents.len()
            );
            let _ = write!(o, "{}", f.contents);
        }
    } else {
        for (p, what) in written {
            let _ = writeln!(o, "  {what} {p}");
        }
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
            Ok(existing) if f.contents.is(existing.as_bytes()) => {}
            Ok(existing) => {
                let now = f.contents.text();
                let diff = similar::TextDiff::from_lines(existing.as_str(), &*now);
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
pub fn write_file(
    path: &Path,
    contents: &str,
    force: bool,
) -> Result<WriteOutcome, Box<Diagnostic>> {
    write_pieces(path, &[contents], force, None)
}

/// Writes `pieces` one after the other: one alone as it is, several through a buffer (a
/// program of ten thousand declarations in a few system calls).
fn write_all_pieces<S: AsRef<str>>(f: &mut std::fs::File, pieces: &[S]) -> std::io::Result<()> {
    if let [one] = pieces {
        return f.write_all(one.as_ref().as_bytes());
    }
    let mut out = std::io::BufWriter::with_capacity(1 << 20, f);
    for piece in pieces {
        out.write_all(piece.as_ref().as_bytes())?;
    }
    out.flush()
}

/// The folder new files are created in: on Linux held open, and each file created by name in
/// it (the system does not look up every folder of the path again: a tenth of the time it takes
/// to create 10,000 env modules).
struct OutFolder {
    #[cfg(target_os = "linux")]
    fd: Option<rustix::fd::OwnedFd>,
}

impl OutFolder {
    /// `dir` opened (when it cannot be, files are created by path).
    fn open(dir: &Path) -> OutFolder {
        #[cfg(target_os = "linux")]
        {
            use rustix::fs::{Mode, OFlags};
            let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
            OutFolder {
                fd: rustix::fs::open(dir, flags, Mode::empty()).ok(),
            }
        }
        #[cfg(not(target_os = "linux"))]
        {
            let _ = dir;
            OutFolder {}
        }
    }

    /// Creates the file at `path` (in this folder), failing if it exists.
    fn create_new(&self, path: &Path) -> std::io::Result<std::fs::File> {
        #[cfg(target_os = "linux")]
        if let (Some(fd), Some(name)) = (&self.fd, path.file_name()) {
            use rustix::fs::{Mode, OFlags};
            let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::CLOEXEC;
            let mode = Mode::from_raw_mode(0o666);
            return Ok(rustix::fs::openat(fd, name, flags, mode)?.into());
        }
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
    }
}

/// [`write_file`] for a text made of `pieces`, written one after the other (a new file created
/// in `folder`, when it is open: the folder of `path`).
fn write_pieces<S: AsRef<str>>(
    path: &Path,
    pieces: &[S],
    force: bool,
    folder: Option<&OutFolder>,
) -> Result<WriteOutcome, Box<Diagnostic>> {
    let shown = display_path(path);
    // A new file replaces nothing: create it in place. (`create_new` first: it never clobbers a
    // file, and it saves a failed lookup per file, which is what costs most in a large output.)
    let create = || match folder {
        Some(folder) => folder.create_new(path),
        None => std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path),
    };
    let opened = match create() {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let dir = path.parent().unwrap_or(Path::new("."));
            std::fs::create_dir_all(dir)
                .map_err(|e| Box::new(codes::unwritable(&display_path(dir), &e.to_string())))?;
            create()
        }
        other => other,
    };
    match opened {
        Ok(mut f) => {
            return match write_all_pieces(&mut f, pieces) {
                Ok(()) => Ok(WriteOutcome::Written),
                Err(e) => {
                    // Never leave half a new file behind.
                    drop(f);
                    let _ = std::fs::remove_file(path);
                    Err(Box::new(codes::unwritable(&shown, &e.to_string())))
                }
            };
        }
        Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => {
            return Err(Box::new(codes::unwritable(&shown, &e.to_string())));
        }
        Err(_) => {}
    }
    match std::fs::read(path) {
        Ok(existing) if crate::emit::pieces_are(&existing, pieces) => {
            return Ok(WriteOutcome::Unchanged);
        }
        Ok(_) if !force => return Err(Box::new(codes::output_exists(&shown))),
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
        write_all_pieces(&mut f, pieces)?;
        drop(f);
        std::fs::rename(&tmp, path)
    })();
    result.map(|()| WriteOutcome::Written).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Box::new(codes::unwritable(&shown, &e.to_string()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer that takes at most `step` bytes a call, and is interrupted every other call.
    struct Trickle {
        out: Vec<u8>,
        step: usize,
        calls: usize,
    }

    impl std::io::Write for Trickle {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.calls += 1;
            if self.calls.is_multiple_of(2) {
                return Err(std::io::ErrorKind::Interrupted.into());
            }
            let n = buf.len().min(self.step);
            self.out.extend_from_slice(&buf[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// Lines written many a call come out as written one by one, however the writer splits
    /// them (a short write, an interruption, more lines than one call takes).
    #[test]
    fn lines_are_written_whole_and_in_order() {
        let lines: Vec<String> = (0..1500)
            .map(|i| "x".repeat(i % 7) + &i.to_string())
            .collect();
        let expected: String = lines.iter().map(|l| format!("{l}\n")).collect();
        for step in [1, 3, 64, usize::MAX] {
            let mut w = Trickle {
                out: Vec::new(),
                step,
                calls: 0,
            };
            write_lines(&mut w, &lines).unwrap();
            assert_eq!(String::from_utf8(w.out).unwrap(), expected, "step {step}");
        }
    }

    /// Diagnostics turned into JSON beforehand are printed exactly as those turned into JSON as
    /// they are written, whichever of them were (a prefix, all, none).
    #[test]
    fn diagnostics_rendered_beforehand_print_alike() {
        let text = "name = \"a\"\n# the \"quoted\" line\nmain = 1\n";
        let sources = SourceMap {
            files: vec![diagnostics::SourceFile::new("w/wrangler.toml".into(), text)],
        };
        let span = |start, end| diagnostics::Span::new(0, start, end);
        let diags = vec![
            codes::duplicate_key(span(13, 20), span(0, 4), "name"),
            codes::unreadable("elsewhere/\"x\".toml", "no such file")
                .with_occurrence(span(30, 34), "and \\ here\n"),
            codes::invalid_toml(span(35, 36), "line\nbreak"),
        ];
        let print = |rendered: &[Option<Box<RawValue>>]| {
            let report = JsonReport {
                diags: &diags,
                sources: &sources,
                rendered,
                summary: serde_json::json!({ "errors": 1 }),
                extra: serde_json::Map::new(),
                graphs: None,
            };
            serde_json::to_string_pretty(&report).unwrap()
        };
        let streamed = print(&[]);
        let all = render_all_json(&diags, &sources);
        assert_eq!(print(&all), streamed);
        assert_eq!(print(&all[..1]), streamed);
        assert!(streamed.contains("\n      \"code\": \"AM0"), "{streamed}");
    }

    /// `migrate ARGS → the options the pipeline gets`.
    #[test]
    fn migrate_arguments_become_options() {
        let check = |args: &[&str], expect: MigrateOptions| {
            let argv = ["alchemy-migrator", "migrate"].iter().chain(args);
            let Command::Migrate(parsed) = Cli::try_parse_from(argv).unwrap().command else {
                unreachable!("a migrate command")
            };
            assert_eq!(parsed.options(), expect, "{args:?}");
        };
        let input = |paths: &[&str], discover: Option<&str>| InputPaths {
            paths: paths.iter().map(PathBuf::from).collect(),
            discover: discover.map(PathBuf::from),
        };
        check(&[], MigrateOptions::default());
        // The output goes into the --discover folder unless --out says otherwise.
        check(
            &["--discover", "apps"],
            MigrateOptions {
                input: input(&[], Some("apps")),
                out: "apps".into(),
                ..MigrateOptions::default()
            },
        );
        check(
            &[
                "a/wrangler.toml",
                "b",
                "--discover",
                "apps",
                "--out",
                "infra",
                "--app",
                "Shop",
                "--env",
                "staging",
                "--default-stage",
                "prod",
                "--no-adopt",
                "--skip-external-services",
                "--dry-run",
            ],
            MigrateOptions {
                input: input(&["a/wrangler.toml", "b"], Some("apps")),
                env: Some("staging".into()),
                out: "infra".into(),
                app: Some("Shop".into()),
                default_stage: Some("prod".into()),
                adopt: false,
                skip_external_services: true,
            },
        );
    }
}
