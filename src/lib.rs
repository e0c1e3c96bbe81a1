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

/// Hash maps and sets with a fast hasher whose results do not change from run to run. Their keys
/// are names, paths and indices from the user's own configs, hashed hundreds of thousands of
/// times in a large migration; nothing iterates them where the order would reach the output.
pub type HashMap<K, V> = std::collections::HashMap<K, V, rustc_hash::FxBuildHasher>;
/// See [`HashMap`].
pub type HashSet<T> = std::collections::HashSet<T, rustc_hash::FxBuildHasher>;
