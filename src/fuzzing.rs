//! The fuzzing entry point, shared by the `cargo fuzz` target and the regression tests that replay
//! every input the fuzzer ever found (`fuzz/regressions/`).

use crate::cli::{self, Cli, Command, EXIT_INPUT_ERRORS, EXIT_OK, EXIT_USAGE};
use clap::Parser;

/// Splits `data` into config files and runs `check` and `migrate` on them in memory. Returns the
/// migration's generated files (for property checks). Panics only on a bug.
pub fn run(data: &[u8]) -> Vec<crate::emit::OutputFile> {
    let names = ["wrangler.toml", "wrangler.json", "wrangler.jsonc"];
    let files: Vec<(String, Vec<u8>)> = split(data)
        .into_iter()
        .enumerate()
        .take(4)
        .map(|(i, bytes)| (format!("/fuzz/w{i}/{}", names[i % 3]), bytes.to_vec()))
        .collect();
    // check: every environment resolved.
    let inputs = cli::inputs_from_memory(&files);
    for c in &inputs.configs {
        let _ = c.workers(&crate::config::EnvSelection::All);
    }
    // migrate: the whole pipeline, every stage.
    let Ok(Cli {
        command: Command::Migrate(args),
    }) = Cli::try_parse_from([
        "alchemy-migrator",
        "migrate",
        "--out",
        "/fuzz/out",
        "--app",
        "fuzz",
    ])
    else {
        unreachable!("fixed arguments parse")
    };
    let m = cli::plan_migration_of(inputs, &args);
    let code = if m.usage_error {
        EXIT_USAGE
    } else {
        cli::exit_code(&m.diagnostics, false)
    };
    assert!([EXIT_OK, EXIT_INPUT_ERRORS, EXIT_USAGE].contains(&code));
    // Rendering every diagnostic must not panic either.
    for d in &m.diagnostics {
        let _ = crate::diagnostics::render_human(d, &m.analysis.inputs.sources, false);
        let _ = crate::diagnostics::to_json(d, &m.analysis.inputs.sources);
    }
    m.files
}

fn split(data: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i + 1 < data.len() {
        if data[i] == 0 && data[i + 1] == 0 {
            out.push(&data[start..i]);
            start = i + 2;
            i += 2;
        } else {
            i += 1;
        }
    }
    out.push(&data[start..]);
    out
}
