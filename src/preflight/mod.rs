//! Preflight: the program of one stage compared with the live Cloudflare account, before the first
//! deploy. `migrate` proves the program matches the configs; the account is where a first
//! `alchemy deploy` of adopted workers loses data (vars set in the dashboard removed, crons
//! replaced, D1 databases adopted by a name that is not theirs re-pointed to new, empty ones).
//!
//! The pipeline: plan the stage exactly as `migrate` does ([`expected`]), read every worker the
//! stage deploys under a wrangler script name ([`api`], `GET` only, answers parsed by [`live`]),
//! look up the resources the comparison needs, and compare ([`compare`], pure). This module is the
//! command's edge: it reads the environment, calls the API and prints, like `cli`.

pub mod api;
pub mod compare;
pub mod expected;
pub mod live;

use crate::cli::{self, EXIT_INPUT_ERRORS, EXIT_OK, EXIT_USAGE, Format};
use crate::diagnostics::{Code, Diagnostic, SourceMap, codes};
use crate::plan::Program;
use crate::read::InputPaths;
use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use compare::compare;

/// The default API, as wrangler's.
pub const DEFAULT_BASE_URL: &str = "https://api.cloudflare.com/client/v4";

/// Diagnostics that mean the check could not be made (exit 2), not findings about the program.
const ACCESS_CODES: &[Code] = &[
    Code::DefaultStageIsEnv,
    Code::NoApiToken,
    Code::NoAccount,
    Code::AccountsDiffer,
    Code::ApiRequestFailed,
    Code::ApiAnswerUnexpected,
    Code::UnknownStage,
];

#[derive(clap::Args, Debug)]
pub struct PreflightArgs {
    /// Config files (any name, e.g. wrangler.staging.jsonc) or folders holding one.
    pub paths: Vec<PathBuf>,
    /// Find every wrangler.toml/json/jsonc under DIR.
    #[arg(long, value_name = "DIR")]
    pub discover: Option<PathBuf>,
    /// The stage to check: a wrangler environment's name, or the default stage (the default).
    #[arg(long, value_name = "NAME")]
    pub stage: Option<String>,
    /// The stage the top-level configuration deploys as (default: production), as for `migrate`.
    #[arg(long, value_name = "NAME")]
    pub default_stage: Option<String>,
    /// The account to read when neither CLOUDFLARE_ACCOUNT_ID nor the configs' `account_id` name one.
    #[arg(long, value_name = "ID")]
    pub account_id: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn env_ms(name: &str, default: u64) -> Duration {
    Duration::from_millis(
        env_var(name)
            .and_then(|v| v.trim().parse::<u64>().ok())
            .unwrap_or(default),
    )
}

/// Runs `preflight`; returns the exit code.
pub fn run(args: &PreflightArgs) -> i32 {
    // Access first: without a token nothing is read, not even the configs.
    let Some(token) = env_var("CLOUDFLARE_API_TOKEN") else {
        cli::emit_diagnostics(
            &[codes::no_api_token()],
            &SourceMap::default(),
            args.format,
            "nothing checked",
            None,
        );
        return EXIT_USAGE;
    };
    let inputs = crate::read::read_inputs(&InputPaths {
        paths: args.paths.clone(),
        discover: args.discover.clone(),
    });
    // Reading errors matter here (a config that does not parse is not checked); warnings are
    // `check`'s business.
    let mut diags: Vec<Diagnostic> = inputs
        .diagnostics
        .iter()
        .chain(inputs.configs.iter().flat_map(|c| c.diagnostics.iter()))
        .filter(|d| d.is_error())
        .cloned()
        .collect();
    let finish = |mut diags: Vec<Diagnostic>, summary: &str, extra: Option<serde_json::Value>| {
        crate::diagnostics::sort(&mut diags, &inputs.sources);
        cli::emit_diagnostics(&diags, &inputs.sources, args.format, summary, extra);
        exit_code(&diags, inputs.io_failed)
    };
    if inputs.io_failed {
        return finish(diags, "nothing checked", None);
    }
    let (stage_name, stage) = match expected::select_stage(
        &inputs,
        args.stage.as_deref(),
        args.default_stage.as_deref(),
    ) {
        Ok(s) => s,
        Err(d) => {
            diags.push(*d);
            return finish(diags, "nothing checked", None);
        }
    };
    let mut resolution = Vec::new();
    let (workers, origins) = expected::workers_in_stage(&inputs, &stage, &mut resolution);
    diags.extend(resolution.into_iter().filter(Diagnostic::is_error));
    let account = match account(&workers, args.account_id.as_deref()) {
        Ok(a) => a,
        Err(d) => {
            diags.push(*d);
            return finish(diags, "nothing checked", None);
        }
    };
    let expected = expected::expected_workers(&inputs, &workers, &origins, &mut diags);
    drop(workers);
    let client = api::Client::new(api::Access {
        base_url: env_var("CLOUDFLARE_API_BASE_URL").unwrap_or_else(|| DEFAULT_BASE_URL.into()),
        token,
        account: account.clone(),
        timeout: env_ms("ALCHEMY_MIGRATOR_HTTP_TIMEOUT_MS", 30_000),
        backoff: env_ms("ALCHEMY_MIGRATOR_HTTP_BACKOFF_MS", 500),
    });
    let scripts: Vec<String> = expected.iter().map(|e| e.script.clone()).collect();
    let progress = Progress::new(args.format, scripts.len());
    let reads = api::read_workers(&client, &scripts, &|| progress.step());
    progress.clear();
    let mut failures: Vec<api::Failure> = Vec::new();
    for (r, e) in reads.iter().zip(&expected) {
        failures.extend(r.failures.iter().cloned());
        for p in &r.problems {
            diags.push(codes::api_answer_unexpected(
                &format!(
                    "GET /accounts/{account}/workers/scripts/{}/settings",
                    e.script
                ),
                p,
            ));
        }
    }
    // Resource lookups, until the comparison needs no more (a D1 id is looked up once its name
    // is known not to match).
    let mut resources = live::LiveResources::default();
    let mut asked: BTreeSet<live::Lookup> = BTreeSet::new();
    for _ in 0..3 {
        let mut needed: BTreeSet<live::Lookup> = BTreeSet::new();
        for (e, r) in expected.iter().zip(&reads) {
            if let Some(l) = &r.live {
                needed.extend(compare::lookups(e, l, &resources));
            }
        }
        let needed: Vec<live::Lookup> = needed.difference(&asked).cloned().collect();
        if needed.is_empty() {
            break;
        }
        asked.extend(needed.iter().cloned());
        failures.extend(api::look_up(&client, &needed, &mut resources));
    }
    diags.extend(failure_diagnostics(failures));
    let mut states = Vec::new();
    for (e, r) in expected.iter().zip(&reads) {
        let state = match &r.live {
            Some(live) => {
                diags.extend(compare(e, live, &resources, &account));
                match live {
                    live::LiveWorker::Missing => "missing",
                    live::LiveWorker::Present(_) => "present",
                }
            }
            None => "unread",
        };
        states.push(serde_json::json!({ "script": e.script, "live": state }));
    }
    let read = reads.iter().filter(|r| r.live.is_some()).count();
    let checked = if read == expected.len() {
        format!("checked {read} worker(s)")
    } else {
        format!("checked {read} of {} worker(s)", expected.len())
    };
    let summary = format!("preflight of stage `{stage_name}` in account `{account}`: {checked}");
    let extra =
        serde_json::json!({ "stage": stage_name, "account_id": account, "workers": states });
    finish(diags, &summary, Some(extra))
}

/// 2 when the check could not be made, 1 when the deploy would re-point, empty or remove
/// something, else 0.
fn exit_code(diags: &[Diagnostic], io_failed: bool) -> i32 {
    if io_failed || diags.iter().any(|d| ACCESS_CODES.contains(&d.code)) {
        EXIT_USAGE
    } else if diags.iter().any(Diagnostic::is_error) {
        EXIT_INPUT_ERRORS
    } else {
        EXIT_OK
    }
}

/// The account to read: `CLOUDFLARE_ACCOUNT_ID`, else the configs' `account_id`, else
/// `--account-id`. The configs must agree with each other and with the account given: the program
/// deploys each worker to its config's account, so reading another would check nothing.
fn account(
    workers: &[crate::config::model::Worker],
    flag: Option<&str>,
) -> Result<String, Box<Diagnostic>> {
    let mut named: Option<&crate::config::model::S<String>> = None;
    for w in workers {
        if let Some(a) = &w.account_id {
            match named {
                None => named = Some(a),
                Some(first) if first.v != a.v => {
                    return Err(Box::new(codes::accounts_differ(
                        a.span, first.span, &a.v, &first.v,
                    )));
                }
                Some(_) => {}
            }
        }
    }
    let flag = flag.filter(|f| !f.trim().is_empty());
    match (env_var("CLOUDFLARE_ACCOUNT_ID"), named, flag) {
        // The program deploys each worker to its config's account: reading another is no check.
        (Some(e), Some(c), _) if e != c.v => Err(Box::new(codes::account_not_the_configs(
            c.span,
            "`CLOUDFLARE_ACCOUNT_ID`",
            &e,
            &c.v,
        ))),
        (None, Some(c), Some(f)) if f != c.v => Err(Box::new(codes::account_not_the_configs(
            c.span,
            "--account-id",
            f,
            &c.v,
        ))),
        (Some(e), _, _) => Ok(e),
        (None, Some(c), _) => Ok(c.v.clone()),
        (None, None, Some(f)) => Ok(f.to_string()),
        (None, None, None) => Err(Box::new(codes::no_account())),
    }
}

/// Failures as diagnostics: one per distinct problem (a refused token refuses every request).
fn failure_diagnostics(failures: Vec<api::Failure>) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = Vec::new();
    let mut seen: Vec<(String, usize, usize)> = Vec::new(); // (why, index in out, count)
    for f in failures {
        match f {
            api::Failure::Request { request, why, help } => {
                if let Some(s) = seen.iter_mut().find(|s| s.0 == why) {
                    s.2 += 1;
                    continue;
                }
                seen.push((why.clone(), out.len(), 1));
                out.push(codes::api_request_failed(&request, &why, &help));
            }
            api::Failure::Unexpected { request, why } => {
                out.push(codes::api_answer_unexpected(&request, &why));
            }
            api::Failure::Skipped => {}
        }
    }
    for (_, i, n) in seen {
        if n > 1 {
            out[i]
                .message
                .push_str(&format!(" (and {} more request(s))", n - 1));
        }
    }
    out
}

/// A progress line on a terminal when there are many workers (stderr, overwritten in place).
struct Progress {
    total: usize,
    done: std::sync::atomic::AtomicUsize,
    on: bool,
}

impl Progress {
    fn new(format: Format, total: usize) -> Progress {
        Progress {
            total,
            done: std::sync::atomic::AtomicUsize::new(0),
            on: format == Format::Human
                && total > api::MAX_IN_FLIGHT
                && std::io::IsTerminal::is_terminal(&std::io::stderr()),
        }
    }
    fn step(&self) {
        let n = self.done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        if self.on {
            let _ = write!(
                std::io::stderr(),
                "\r\x1b[Kpreflight: read {n}/{} worker(s)",
                self.total
            );
        }
    }
    fn clear(&self) {
        if self.on {
            let _ = write!(std::io::stderr(), "\r\x1b[K");
        }
    }
}

// ---- for `migrate` --------------------------------------------------------------------------

/// Whether a stage of the program adopts an existing worker (one deployed under its wrangler
/// script name): then its first deploy should be checked with `preflight`.
pub fn adopts_existing_workers<'a>(programs: impl IntoIterator<Item = &'a Program>) -> bool {
    programs
        .into_iter()
        .any(|p| p.workers.iter().any(|w| w.adopt && w.script_name.is_some()))
}

/// The `preflight` command for each stage, run from `out_dir` (where `alchemy.run.ts` is), with
/// the inputs `migrate` read.
pub fn commands<'a>(
    input: &InputPaths,
    default_stage: Option<&str>,
    out_dir: &Path,
    stages: impl IntoIterator<Item = &'a str>,
) -> Vec<String> {
    let rel = |p: &Path| {
        let abs = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        shell_word(&crate::plan::relative(out_dir, &abs))
    };
    let mut inputs: Vec<String> = input.paths.iter().map(|p| rel(p)).collect();
    if let Some(d) = &input.discover {
        inputs.push(format!("--discover {}", rel(d)));
    }
    if input.paths.is_empty() && input.discover.is_none() {
        inputs.push(rel(Path::new(".")));
    }
    if let Some(d) = default_stage {
        inputs.push(format!("--default-stage {}", shell_word(d)));
    }
    stages
        .into_iter()
        .map(|s| {
            format!(
                "alchemy-migrator preflight {} --stage {}",
                inputs.join(" "),
                shell_word(s)
            )
        })
        .collect()
}

/// A word as a POSIX shell reads it (single-quoted when it needs to be).
fn shell_word(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:@%+,".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_relative_to_the_output_folder() {
        let base = std::path::absolute("proj").unwrap();
        let input = InputPaths {
            paths: vec![base.join("apps/a b/wrangler.toml")],
            discover: Some(base.join("apps")),
        };
        let c = commands(
            &input,
            Some("prod"),
            &base.join("infra"),
            ["prod", "staging"],
        );
        assert_eq!(
            c,
            vec![
                "alchemy-migrator preflight '../apps/a b/wrangler.toml' --discover ../apps --default-stage prod --stage prod",
                "alchemy-migrator preflight '../apps/a b/wrangler.toml' --discover ../apps --default-stage prod --stage staging",
            ]
        );
    }

    #[test]
    fn shell_words() {
        assert_eq!(shell_word("../x"), "../x");
        assert_eq!(shell_word("it's"), "'it'\\''s'");
        assert_eq!(shell_word(""), "''");
    }
}
