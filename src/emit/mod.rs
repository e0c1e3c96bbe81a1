//! Emit: turns a [`crate::plan::Program`] into files. [`alchemy_v1`] writes the Alchemy 0.94
//! program, [`env_types`] the env type modules; [`report`] writes `MIGRATION.md` and
//! `.env.example`.
//! Pure: returns file contents, the CLI writes them.

pub mod alchemy_v1;
pub mod env_types;
pub mod report;
pub mod stages;
pub mod ts;

/// Exact versions the generated program is written and tested against.
pub const ALCHEMY_VERSION: &str = "0.94.0";
pub const WORKERS_TYPES_VERSION: &str = "5.20261117.1";
pub const TYPESCRIPT_VERSION: &str = "7.0.2";

/// One generated file, relative to the output folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub path: String,
    pub contents: String,
}
