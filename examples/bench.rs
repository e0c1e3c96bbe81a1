//! Benchmark harness (figures, never a pass/fail test). In one run, for N = 100, 1 000 and 10 000
//! workers of a synthetic monorepo, it measures `migrate --discover` end to end (discover, parse,
//! analyse, emit, write), `check --discover`, the same two through the library in a process of
//! their own (`read::read_inputs`, then `pipeline::migrate` or `pipeline::check`: everything but
//! writing and printing), and the I/O floor: a plain program that reads the same files and writes
//! the same number of bytes (in as many files, of the same sizes). Prints wall time, CPU time and
//! peak memory of each, the ratio migrate / floor and the ratio time(10 000) / time(1 000).
//!
//! ```sh
//! cargo run --release --example bench                 # N = 100, 1000, 10000; best of 5 runs
//! BENCH_DIR=/dev/shm/bench cargo run --release --example bench -- 1000 10000   # on tmpfs
//! cargo run --release --example bench -- 100 1000     # other sizes
//! cargo run --release --example bench -- gen 500 DIR  # only generate a monorepo (seed 42)
//! cargo run --release --example bench -- lib migrate DIR   # one library run (`check` too)
//! ```
//!
//! The monorepo generator is deterministic for a seed: nested folders, mixed TOML/JSON/JSONC,
//! 5–15 bindings per worker, 1–3 service bindings (cycles, self-bindings, external workers, named
//! entrypoints), shared KV namespaces, D1 databases and queues, two environments on a fifth.

use alchemy_migrator::pipeline::{self, CheckOptions, MigrateOptions};
use alchemy_migrator::read::{InputPaths, read_inputs};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The binary's allocator and settings, so that the library runs compare with it.
#[path = "../src/allocator.rs"]
mod allocator;

/// xorshift64*: a tiny deterministic generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// One worker's bindings, rendered in the chosen format.
fn worker_config(i: usize, n: usize, rng: &mut Rng, format: usize) -> String {
    let name = format!("svc-{i}");
    let mut vars = Vec::new();
    for v in 0..(2 + rng.below(4)) {
        vars.push((format!("VAR_{v}"), format!("value-{i}-{v}")));
    }
    let kv = format!("{:032x}", rng.below(50));
    let db = format!("db-{}", rng.below(20));
    let queue = format!("queue-{}", rng.below(30));
    let consumes = rng.below(4) == 0;
    // 1–3 service bindings: mostly to workers created earlier (layers, as in real monorepos),
    // sometimes to the next worker (which binds back: a two-worker cycle), itself, or an external
    // worker; sometimes a named entrypoint.
    let mut services = Vec::new();
    for s in 0..(1 + rng.below(3)) {
        let roll = rng.below(20);
        let target = match roll {
            0 => name.clone(),
            1 => format!("external-{}", rng.below(10)),
            2 => format!("svc-{}", (i + 1) % n),
            _ if i == 0 => format!("svc-{}", rng.below(n as u64)),
            _ => format!("svc-{}", rng.below(i as u64)),
        };
        let entrypoint = (rng.below(10) == 0).then(|| "AdminApi".to_string());
        services.push((format!("SVC_{s}"), target, entrypoint));
    }
    let staging = rng.below(5) == 0;
    let w = Spec {
        name,
        vars,
        kv,
        db,
        queue,
        consumes,
        services,
        staging,
    };
    match format {
        0 => toml_config(&w),
        _ => json_config(&w, format),
    }
}

/// One worker's settings, drawn from the generator.
struct Spec {
    name: String,
    vars: Vec<(String, String)>,
    kv: String,
    db: String,
    queue: String,
    consumes: bool,
    /// `(binding, service, entrypoint)`.
    services: Vec<(String, String, Option<String>)>,
    staging: bool,
}

fn toml_config(w: &Spec) -> String {
    let Spec {
        name,
        vars,
        kv,
        db,
        queue,
        consumes,
        services,
        staging,
    } = w;
    let (consumes, staging) = (*consumes, *staging);
    let mut t = String::new();
    let _ = writeln!(
        t,
        "name = \"{name}\"\nmain = \"src/index.ts\"\ncompatibility_date = \"2025-09-01\"\n"
    );
    let _ = writeln!(t, "[vars]");
    for (k, v) in vars {
        let _ = writeln!(t, "{k} = \"{v}\"");
    }
    let _ = writeln!(
        t,
        "\n[[kv_namespaces]]\nbinding = \"CACHE\"\nid = \"{kv}\"\n\n[[d1_databases]]\nbinding = \"DB\"\ndatabase_name = \"{db}\"\ndatabase_id = \"{db}-id\"\n"
    );
    let _ = writeln!(
        t,
        "[[queues.producers]]\nbinding = \"JOBS\"\nqueue = \"{queue}\"\n"
    );
    if consumes {
        let _ = writeln!(
            t,
            "[[queues.consumers]]\nqueue = \"{queue}\"\nmax_batch_timeout = 2\n"
        );
    }
    let _ = writeln!(
        t,
        "[[durable_objects.bindings]]\nname = \"COUNTER\"\nclass_name = \"Counter\"\n\n[[migrations]]\ntag = \"v1\"\nnew_sqlite_classes = [\"Counter\"]\n"
    );
    for (b, s, e) in services {
        let _ = writeln!(t, "[[services]]\nbinding = \"{b}\"\nservice = \"{s}\"");
        if let Some(e) = e {
            let _ = writeln!(t, "entrypoint = \"{e}\"");
        }
        t.push('\n');
    }
    if staging {
        let _ = writeln!(
            t,
            "[env.staging]\nname = \"{name}-staging\"\n[env.staging.vars]\nVAR_0 = \"staging\"\n[[env.staging.kv_namespaces]]\nbinding = \"CACHE\"\nid = \"{kv}ff\""
        );
        for (b, s, _) in services {
            let _ = writeln!(
                t,
                "[[env.staging.services]]\nbinding = \"{b}\"\nservice = \"{s}-staging\""
            );
        }
    }
    t
}

/// JSON (`format` 1) or JSONC (`format` 2, with a comment and a trailing comma).
fn json_config(w: &Spec, format: usize) -> String {
    let Spec {
        name,
        vars,
        kv,
        db,
        queue,
        consumes,
        services,
        staging,
    } = w;
    let (consumes, staging) = (*consumes, *staging);
    let vars_json: Vec<String> = vars
        .iter()
        .map(|(k, v)| format!("\"{k}\": \"{v}\""))
        .collect();
    let svc: Vec<String> = services
        .iter()
        .map(|(b, s, e)| match e {
            Some(e) => {
                format!("{{ \"binding\": \"{b}\", \"service\": \"{s}\", \"entrypoint\": \"{e}\" }}")
            }
            None => format!("{{ \"binding\": \"{b}\", \"service\": \"{s}\" }}"),
        })
        .collect();
    let comment = if format == 2 {
        "  // generated for the benchmark\n"
    } else {
        ""
    };
    let consumers = if consumes {
        format!(", \"consumers\": [{{ \"queue\": \"{queue}\", \"max_batch_timeout\": 2 }}]")
    } else {
        String::new()
    };
    let env = if staging {
        let ssvc: Vec<String> = services
            .iter()
            .map(|(b, s, _)| format!("{{ \"binding\": \"{b}\", \"service\": \"{s}-staging\" }}"))
            .collect();
        format!(
            ",\n  \"env\": {{ \"staging\": {{ \"name\": \"{name}-staging\", \"vars\": {{ \"VAR_0\": \"staging\" }}, \"kv_namespaces\": [{{ \"binding\": \"CACHE\", \"id\": \"{kv}ff\" }}], \"services\": [{}] }} }}",
            ssvc.join(", ")
        )
    } else {
        String::new()
    };
    format!(
        "{{\n{comment}  \"name\": \"{name}\",\n  \"main\": \"src/index.ts\",\n  \"compatibility_date\": \"2025-09-01\",\n  \"vars\": {{ {} }},\n  \"kv_namespaces\": [{{ \"binding\": \"CACHE\", \"id\": \"{kv}\" }}],\n  \"d1_databases\": [{{ \"binding\": \"DB\", \"database_name\": \"{db}\", \"database_id\": \"{db}-id\" }}],\n  \"queues\": {{ \"producers\": [{{ \"binding\": \"JOBS\", \"queue\": \"{queue}\" }}]{consumers} }},\n  \"durable_objects\": {{ \"bindings\": [{{ \"name\": \"COUNTER\", \"class_name\": \"Counter\" }}] }},\n  \"migrations\": [{{ \"tag\": \"v1\", \"new_sqlite_classes\": [\"Counter\"] }}],\n  \"services\": [{}]{env}{}\n}}\n",
        vars_json.join(", "),
        svc.join(", "),
        if format == 2 { "," } else { "" },
    )
}

const MAIN: &str = "import { DurableObject, WorkerEntrypoint } from \"cloudflare:workers\";\n\nexport class Counter extends DurableObject {}\n\nexport class AdminApi extends WorkerEntrypoint {\n  ping(): string {\n    return \"pong\";\n  }\n}\n\nexport default class extends WorkerEntrypoint {\n  async fetch(): Promise<Response> {\n    return new Response(\"ok\");\n  }\n}\n";

/// Writes a monorepo of `n` workers under `dir` (deterministic for `seed`).
pub fn generate(n: usize, dir: &Path, seed: u64) {
    let _ = std::fs::remove_dir_all(dir);
    let mut rng = Rng(seed.max(1));
    for i in 0..n {
        let folder = dir
            .join(format!("group-{}", i % 10))
            .join(format!("team-{}", (i / 10) % 10))
            .join(format!("svc-{i}"));
        std::fs::create_dir_all(folder.join("src")).unwrap();
        let format = (rng.below(3)) as usize;
        let file = ["wrangler.toml", "wrangler.json", "wrangler.jsonc"][format];
        std::fs::write(folder.join(file), worker_config(i, n, &mut rng, format)).unwrap();
        std::fs::write(folder.join("src/index.ts"), MAIN).unwrap();
    }
}

/// The I/O floor: read every file under `dir`, then write the same number of bytes, in as many
/// files of the same sizes as the migration wrote (listed one size per line in `sizes`).
fn floor(dir: &Path, out: &Path, sizes: &Path) {
    let mut stack = vec![dir.to_path_buf()];
    let mut read = 0usize;
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if e.file_type().unwrap().is_dir() {
                stack.push(p);
            } else {
                read += std::fs::read(&p).unwrap().len();
            }
        }
    }
    std::fs::create_dir_all(out).unwrap();
    let sizes: Vec<usize> = std::fs::read_to_string(sizes)
        .unwrap()
        .lines()
        .filter_map(|l| l.parse().ok())
        .collect();
    let max = sizes.iter().copied().max().unwrap_or(0);
    let data = vec![b'x'; max];
    for (k, n) in sizes.iter().enumerate() {
        std::fs::write(out.join(format!("f{k}")), &data[..*n]).unwrap();
    }
    std::hint::black_box(read);
}

/// One run through the library: read the configs under `dir`, then `check` or `migrate` (every
/// file planned and emitted in memory, nothing written or printed).
fn library(what: &str, dir: &Path) {
    let input = InputPaths {
        discover: Some(dir.to_path_buf()),
        ..InputPaths::default()
    };
    let inputs = read_inputs(&input);
    match what {
        "check" => {
            let c = pipeline::check(inputs, &CheckOptions::default());
            std::hint::black_box(c.workers);
        }
        "migrate" => {
            let options = MigrateOptions {
                input,
                out: dir.to_path_buf(),
                ..MigrateOptions::default()
            };
            let m = pipeline::migrate_observed(inputs, &options, &mut |_| allocator::hand_back());
            std::hint::black_box(m.files.len());
        }
        other => panic!("lib {other}: `check` or `migrate`"),
    }
}

/// Every file under `dir` with its size.
fn file_sizes(dir: &Path) -> Vec<(PathBuf, usize)> {
    let mut sizes = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            if e.path().is_dir() {
                stack.push(e.path())
            } else {
                let len = e.metadata().map(|m| m.len() as usize).unwrap_or(0);
                sizes.push((e.path(), len))
            }
        }
    }
    sizes
}

/// The most of MIGRATION.md the I/O floor writes: a report a person reads is at most this big.
const REPORT_BUDGET: usize = 5_000_000;

/// One run of `migrate --format json` with `ALCHEMY_MIGRATOR_TIMINGS=1`: the share of the run
/// spent printing the diagnostics, and how many there were.
fn json_print_share(bin: &Path, apps: &Path, out: &Path) -> (f64, usize) {
    // The JSON goes to a file, read line by line: held in this process, it would count in the
    // peak memory of every child spawned after it.
    let json_file = out.with_extension("json");
    let o = Command::new(bin)
        .args(["migrate", "--format", "json", "--discover"])
        .arg(apps)
        .arg("--out")
        .arg(out)
        .env("ALCHEMY_MIGRATOR_TIMINGS", "1")
        .stdout(std::fs::File::create(&json_file).expect("create the JSON file"))
        .output()
        .expect("run migrate");
    let err = String::from_utf8_lossy(&o.stderr);
    // (`timing: <stage> <time> ms  cpu <cpu time> ms   rss …`: the number before the first `ms`.)
    let ms = |line: &str| -> f64 {
        let words: Vec<&str> = line.split_whitespace().collect();
        words
            .iter()
            .position(|w| *w == "ms")
            .and_then(|i| words.get(i.checked_sub(1)?))
            .and_then(|x| x.parse().ok())
            .unwrap_or(0.0)
    };
    let timings: Vec<&str> = err.lines().filter(|l| l.starts_with("timing:")).collect();
    let total: f64 = timings.iter().map(|l| ms(l)).sum();
    let print: f64 = timings
        .iter()
        .filter(|l| l.contains("print diagnostics"))
        .map(|l| ms(l))
        .sum();
    // Each diagnostic of the pretty-printed array starts its own `"code"` line, six spaces in.
    let count = std::io::BufRead::lines(std::io::BufReader::new(
        std::fs::File::open(&json_file).expect("read the JSON file"),
    ))
    .map_while(Result::ok)
    .filter(|l| l.starts_with("      \"code\": "))
    .count();
    (if total > 0.0 { print / total } else { 0.0 }, count)
}

/// The figures of one size that the summary table shows.
struct Figures {
    n: usize,
    migrate: Sample,
    json: Sample,
    floor: Sample,
    report_bytes: usize,
    json_share: f64,
    json_diagnostics: usize,
}

struct Sample {
    wall: f64,
    user: f64,
    sys: f64,
    rss_mb: f64,
}

impl Sample {
    fn cpu(&self) -> f64 {
        self.user + self.sys
    }
}

/// Runs a command and measures it with `wait4` (wall, user + system CPU, peak RSS).
#[allow(clippy::zombie_processes, reason = "wait4 reaps the child")]
#[allow(
    unsafe_code,
    reason = "wait4 is the one call that gives a child's peak memory and CPU time"
)]
fn measure(cmd: &mut Command) -> Sample {
    let start = Instant::now();
    let child = cmd
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waiting for our own child; `usage` is a valid out-pointer.
    unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed().as_secs_f64();
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    Sample {
        wall,
        user: tv(usage.ru_utime),
        sys: tv(usage.ru_stime),
        rss_mb: usage.ru_maxrss as f64 / 1024.0,
    }
}

/// The fastest run (the issue's "best of N": what the program costs when the machine and its
/// file system do not get in the way), with the highest peak memory of all the runs.
fn best(mut v: Vec<Sample>) -> Sample {
    v.sort_by(|a, b| a.wall.total_cmp(&b.wall));
    let peak = v.iter().map(|s| s.rss_mb).fold(0.0, f64::max);
    let mut fastest = v.swap_remove(0);
    fastest.rss_mb = peak;
    fastest
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let me = std::env::current_exe().unwrap();
    match args.first().map(String::as_str) {
        Some("gen") => {
            return generate(
                args[1].parse().unwrap(),
                Path::new(&args[2]),
                args.get(3).map(|s| s.parse().unwrap()).unwrap_or(42),
            );
        }
        Some("lib") => return library(&args[1], Path::new(&args[2])),
        Some("floor") => {
            return floor(
                Path::new(&args[1]),
                Path::new(&args[2]),
                Path::new(&args[3]),
            );
        }
        _ => {}
    }
    let sizes: Vec<usize> = if args.is_empty() {
        vec![100, 1000, 10_000]
    } else {
        args.iter().map(|a| a.parse().expect("sizes")).collect()
    };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let status = Command::new("cargo")
        .args(["build", "--release", "--quiet", "--bin", "alchemy-migrator"])
        .current_dir(&root)
        .status()
        .unwrap();
    assert!(status.success());
    let bin = root.join("target/release/alchemy-migrator");
    // Where the monorepos are generated and the runs write (`BENCH_DIR`: another file system,
    // a tmpfs such as /dev/shm for figures that do not drift with the disk).
    let work = std::env::var_os("BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/bench"));
    let runs = 5;
    println!(
        "alchemy-migrator benchmark: {} cores, best of {runs} runs (peak memory: the highest), warm page cache, in {}",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        work.display()
    );
    println!(
        "{:>6}  {:<24} {:>9} {:>9} {:>9}",
        "N", "what", "wall ms", "cpu ms", "peak MB"
    );
    let figures: Vec<Figures> = sizes
        .iter()
        .map(|&n| bench_size(n, &bin, &me, &work, runs))
        .collect();
    print_summary(&figures);
}

/// Generates a monorepo of `n` workers and prints the figures of every measurement (best of
/// `runs`); returns them for the summary table.
fn bench_size(n: usize, bin: &Path, me: &Path, work: &Path, runs: usize) -> Figures {
    let apps = work.join(format!("n{n}/apps"));
    // Generated in a child process: a child's peak memory counts its parent's at the time of the
    // spawn (exec carries the old address space's high-water mark), so the parent stays small.
    let status = Command::new(me)
        .args(["gen", &n.to_string()])
        .arg(&apps)
        .status()
        .expect("run the generator");
    assert!(status.success());
    // Every run writes into a folder never used before, and all of them are removed only at the
    // end: deleting thousands of files right before a run slows file creation down (ext4
    // skips recently freed inodes), which would measure the file system, not the program.
    let runs_dir = work.join(format!("n{n}/runs"));
    let _ = std::fs::remove_dir_all(&runs_dir);
    let mut k = 0;
    let mut fresh = |what: &str| {
        k += 1;
        runs_dir.join(format!("{what}-{k}"))
    };
    let out = fresh("migrate");
    let migrate_cmd = |out: &Path| {
        let mut c = Command::new(bin);
        c.args(["migrate", "--discover"])
            .arg(&apps)
            .arg("--out")
            .arg(out);
        c
    };
    let _ = measure(&mut migrate_cmd(&out)); // warm-up (page cache)
    let sizes_file = work.join(format!("n{n}/sizes.txt"));
    let files = file_sizes(&out);
    let report_bytes = files
        .iter()
        .find(|(p, _)| p.ends_with("MIGRATION.md"))
        .map_or(0, |f| f.1);
    // The floor writes what a migration must write: every file, the report at most its budget.
    let sizes: Vec<usize> = files
        .iter()
        .map(|(p, len)| {
            if p.ends_with("MIGRATION.md") {
                (*len).min(REPORT_BUDGET)
            } else {
                *len
            }
        })
        .collect();
    let bytes: usize = sizes.iter().sum();
    std::fs::write(
        &sizes_file,
        sizes.iter().map(|s| format!("{s}\n")).collect::<String>(),
    )
    .unwrap();
    // The runs that write (migrate in both formats, the floor) take turns, round after round:
    // all three meet the same file system (its speed at creating files drifts from minute to
    // minute), instead of the first ones paying for the generator's writes.
    let (mut ms, mut jsons, mut floors) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        ms.push(measure(&mut migrate_cmd(&fresh("migrate"))));
        let mut c = migrate_cmd(&fresh("json"));
        c.args(["--format", "json"]);
        jsons.push(measure(&mut c));
        floors.push(measure(
            Command::new(me)
                .arg("floor")
                .arg(&apps)
                .arg(fresh("floor"))
                .arg(&sizes_file),
        ));
    }
    let (m, json, f) = (best(ms), best(jsons), best(floors));
    // (One run's share swings with the machine: the median of three.)
    let mut shares: Vec<(f64, usize)> = (0..3)
        .map(|_| json_print_share(bin, &apps, &fresh("timings")))
        .collect();
    shares.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (json_share, json_diagnostics) = shares[1];
    let c = best(
        (0..runs)
            .map(|_| measure(Command::new(bin).args(["check", "--discover"]).arg(&apps)))
            .collect(),
    );
    let lib = |what: &str| {
        best(
            (0..runs)
                .map(|_| measure(Command::new(me).args(["lib", what]).arg(&apps)))
                .collect(),
        )
    };
    let (lm, lc) = (lib("migrate"), lib("check"));
    for (what, s) in [
        ("migrate --discover", &m),
        ("migrate --format json", &json),
        ("check --discover", &c),
        ("library: migrate", &lm),
        ("library: check", &lc),
        ("I/O floor", &f),
    ] {
        println!(
            "{n:>6}  {what:<24} {:>9.1} {:>9.1} {:>9.1}",
            s.wall * 1e3,
            s.cpu() * 1e3,
            s.rss_mb
        );
    }
    println!(
        "{n:>6}  migrate / floor = {:.2}   ({} files read, {} files and {:.1} MB written)",
        m.wall / f.wall,
        n * 2,
        sizes.len(),
        bytes as f64 / 1e6
    );
    let _ = std::fs::remove_dir_all(&runs_dir);
    Figures {
        n,
        migrate: m,
        json,
        floor: f,
        report_bytes,
        json_share,
        json_diagnostics,
    }
}

/// The summary table of the largest size (and the growth from 1 000 to 10 000 workers).
fn print_summary(figures: &[Figures]) {
    let Some(big) = figures.iter().max_by_key(|f| f.n) else {
        return;
    };
    let wall = |n: usize| figures.iter().find(|f| f.n == n).map(|f| f.migrate.wall);
    let growth = match (wall(1000), wall(10_000)) {
        (Some(a), Some(b)) => format!("{:.1}", b / a),
        _ => "(needs N = 1000 and 10000)".into(),
    };
    let ms = |s: f64| format!("{:.0} ms", s * 1e3);
    let rows = [
        (
            "`migrate` wall time",
            ms(big.migrate.wall),
            "≤ 2x the floor",
        ),
        (
            "I/O floor (MIGRATION.md counted at most 5 MB)",
            ms(big.floor.wall),
            "—",
        ),
        (
            "ratio",
            format!("{:.2}x", big.migrate.wall / big.floor.wall),
            "≤ 2x",
        ),
        ("time(10k) / time(1k)", growth, "≤ 11"),
        (
            "peak RSS, human format",
            format!("{:.0} MB", big.migrate.rss_mb),
            "≤ 200 MB",
        ),
        (
            "peak RSS, `--format json`",
            format!("{:.0} MB", big.json.rss_mb),
            "≤ 200 MB",
        ),
        (
            "MIGRATION.md",
            format!("{:.1} MB", big.report_bytes as f64 / 1e6),
            "≤ 5 MB",
        ),
        (
            "printing the diagnostics as JSON",
            format!(
                "{:.1}% of the run ({} diagnostics)",
                big.json_share * 100.0,
                big.json_diagnostics
            ),
            "≤ 10% of the run",
        ),
        (
            "system time",
            format!(
                "{} user time ({:.2} s vs {:.2} s)",
                if big.migrate.sys < big.migrate.user {
                    "below"
                } else {
                    "above"
                },
                big.migrate.sys,
                big.migrate.user
            ),
            "below user time",
        ),
    ];
    println!("\n{} workers:\n", big.n);
    println!("| figure | now | goal |\n|---|---|---|");
    for (figure, now, goal) in rows {
        println!("| {figure} | {now} | {goal} |");
    }
}
