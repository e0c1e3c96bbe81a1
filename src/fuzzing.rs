//! The fuzzing entry point, shared by the `cargo fuzz` target and the regression tests that replay
//! every input the fuzzer ever found (`fuzz/regressions/`).

use crate::pipeline::{self, CheckOptions, EXIT_INPUT_ERRORS, EXIT_OK, EXIT_USAGE, MigrateOptions};
use crate::read::inputs_from_memory;

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
    let c = pipeline::check(inputs_from_memory(&files), &CheckOptions::default());
    assert!([EXIT_OK, EXIT_INPUT_ERRORS].contains(&c.exit_code()));
    // migrate: the whole pipeline, every stage.
    let options = MigrateOptions {
        out: "/fuzz/out".into(),
        app: Some("fuzz".into()),
        ..MigrateOptions::default()
    };
    let m = pipeline::migrate(inputs_from_memory(&files), &options);
    assert!([EXIT_OK, EXIT_INPUT_ERRORS, EXIT_USAGE].contains(&m.exit_code()));
    // Rendering every diagnostic must not panic either.
    for d in c.diagnostics.iter().chain(&m.diagnostics) {
        let _ = crate::diagnostics::render_human(d, &m.sources, false);
        let _ = crate::diagnostics::to_json(d, &m.sources);
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
