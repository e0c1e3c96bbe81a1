//! Replays every input in `fuzz/regressions/` (crashes the fuzzer found, and hand-made hostile
//! inputs) and every real config in `tests/corpus` through the fuzz target's entry point.

mod common;

use std::path::PathBuf;

fn files_under(dir: PathBuf) -> Vec<PathBuf> {
    common::files_under(&dir)
}

#[test]
fn fuzz_regressions_do_not_panic() {
    let files = files_under(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions"));
    assert!(files.len() >= 4, "the regression inputs are missing");
    for f in files {
        let data = std::fs::read(&f).unwrap();
        let out = alchemy_migrator::fuzzing::run(&data);
        assert!(
            out.iter().all(|o| !o.path.contains("..")),
            "{}",
            f.display()
        );
    }
}

#[test]
fn corpus_configs_through_the_fuzz_entry_point() {
    let files: Vec<PathBuf> =
        files_under(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus"))
            .into_iter()
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("wrangler"))
            })
            .collect();
    assert!(files.len() > 90);
    for f in files {
        alchemy_migrator::fuzzing::run(&std::fs::read(&f).unwrap());
    }
}
