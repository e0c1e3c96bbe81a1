//! Fuzz target: raw bytes → `check` and `migrate` of up to four configs (the input is split at
//! `\0\0`; the file names cycle through .toml, .json and .jsonc). Nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    alchemy_migrator::fuzzing::run(data);
});
