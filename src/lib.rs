//! alchemy-migrator turns the wrangler configs of a Cloudflare Workers monorepo into one Alchemy
//! program. It is built like a small compiler:
//!
//! [`read`] (with [`discover`]) → `syntax` → `config` (schema, environments, typed model) →
//! `graph` → `plan` → `emit`, with [`diagnostics`] flowing out of every stage. [`pipeline`] runs
//! the stages (`check`, `migrate`, `graph` as functions of options); [`cli`] parses arguments,
//! writes the files and renders.
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod cli;
pub mod config;
pub mod diagnostics;
pub mod discover;
pub mod emit;
pub mod fuzzing;
pub mod graph;
pub mod pipeline;
pub mod plan;
pub mod preflight;
pub mod read;
pub mod scan;
pub mod syntax;
