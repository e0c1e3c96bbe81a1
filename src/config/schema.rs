//! The wrangler configuration schema (wrangler 4.164): every key, its scope (top-level only,
//! inheritable, non-inheritable) and the shape of its value, as data. [`check_config`] walks a
//! parsed file against it and reports unknown keys, wrong types, removed keys and values wrangler
//! rejects, in every environment.

use crate::diagnostics::{Diagnostic, codes};
use crate::syntax::{Node, Value};

/// Where a key may appear and how environments treat it (wrangler-config.md §3, §6.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Only at the top level; ignored (with a warning) inside `env.X`.
    TopOnly,
    /// An environment gets the top-level value unless it sets its own (whole-value replacement).
    Inheritable,
    /// An environment gets nothing from the top level.
    NonInheritable,
    /// `$schema`, `env` and the computed fields of redirected configs.
    Meta,
}

/// The shape of a value.
#[derive(Debug)]
pub enum Ty {
    Str,
    Bool,
    Num,
    /// Any JSON value (no TOML dates inside).
    Any,
    /// A `YYYY-MM-DD` string.
    Date,
    /// A worker name: `^[a-z0-9_][a-z0-9-_]*$` or empty.
    Name,
    Enum(&'static [&'static str]),
    Arr(&'static Ty),
    /// An object whose unknown keys are reported.
    Obj(&'static [F]),
    /// An object whose unknown keys are kept silently (wrangler does not check them).
    Open(&'static [F]),
    /// A record from free-form names to values.
    Map(&'static Ty),
    /// One of several shapes, chosen by the kind of the value.
    Either(&'static [Ty]),
}

/// A field of an object.
#[derive(Debug)]
pub struct F {
    pub name: &'static str,
    pub ty: Ty,
    pub required: bool,
}

const fn f(name: &'static str, ty: Ty) -> F {
    F {
        name,
        ty,
        required: false,
    }
}
const fn req(name: &'static str, ty: Ty) -> F {
    F {
        name,
        ty,
        required: true,
    }
}

const STR_ARR: Ty = Ty::Arr(&Ty::Str);
const REMOTE: F = f("remote", Ty::Bool);
const EXP_REMOTE: F = f("experimental_remote", Ty::Bool);

/// A field that only carries a `binding` (+ `remote`).
const SIMPLE_BINDING: &[F] = &[req("binding", Ty::Str), REMOTE, EXP_REMOTE];

pub const ROUTE_OBJ: &[F] = &[
    req("pattern", Ty::Str),
    f("zone_id", Ty::Str),
    f("zone_name", Ty::Str),
    f("custom_domain", Ty::Bool),
    f("enabled", Ty::Bool),
    f("previews_enabled", Ty::Bool),
];
const ROUTE: Ty = Ty::Either(&[Ty::Str, Ty::Obj(ROUTE_OBJ)]);

const OBS_PART: &[F] = &[
    f("enabled", Ty::Bool),
    f("head_sampling_rate", Ty::Num),
    f("invocation_logs", Ty::Bool),
    f("persist", Ty::Bool),
    f("destinations", STR_ARR),
];

/// Every key of a wrangler config (top level and `env.X`).
pub const KEYS: &[(F, Scope)] = &[
    // meta
    (f("$schema", Ty::Str), Scope::Meta),
    (f("topLevelName", Ty::Str), Scope::Meta),
    (f("definedEnvironments", STR_ARR), Scope::Meta),
    (f("targetEnvironment", Ty::Str), Scope::Meta),
    (f("configPath", Ty::Str), Scope::Meta),
    (f("userConfigPath", Ty::Str), Scope::Meta),
    // top-level only
    (f("addresses", STR_ARR), Scope::TopOnly),
    (f("alias", Ty::Map(&Ty::Str)), Scope::TopOnly),
    (f("data_blobs", Ty::Map(&Ty::Str)), Scope::TopOnly),
    (
        f(
            "dependencies_instrumentation",
            Ty::Obj(&[req("enabled", Ty::Bool), f("exclude_packages", STR_ARR)]),
        ),
        Scope::TopOnly,
    ),
    (
        f(
            "dev",
            Ty::Obj(&[
                f("ip", Ty::Str),
                f("port", Ty::Num),
                f("inspector_port", Ty::Num),
                f("inspector_ip", Ty::Str),
                f("local_protocol", Ty::Enum(&["http", "https"])),
                f("upstream_protocol", Ty::Enum(&["http", "https"])),
                f("host", Ty::Str),
                f("enable_containers", Ty::Bool),
                f("container_engine", Ty::Any),
                f("generate_types", Ty::Bool),
            ]),
        ),
        Scope::TopOnly,
    ),
    (f("keep_vars", Ty::Bool), Scope::TopOnly),
    (f("pages_build_output_dir", Ty::Str), Scope::TopOnly),
    (f("send_metrics", Ty::Bool), Scope::TopOnly),
    (
        f(
            "site",
            Ty::Obj(&[
                req("bucket", Ty::Str),
                f("entry-point", Ty::Str),
                f("include", STR_ARR),
                f("exclude", STR_ARR),
            ]),
        ),
        Scope::TopOnly,
    ),
    (f("text_blobs", Ty::Map(&Ty::Str)), Scope::TopOnly),
    (f("wasm_modules", Ty::Map(&Ty::Str)), Scope::TopOnly),
    // inheritable
    (f("name", Ty::Name), Scope::Inheritable),
    (f("access", Ty::Any), Scope::Inheritable),
    (f("account_id", Ty::Str), Scope::Inheritable),
    (
        f(
            "assets",
            Ty::Obj(&[
                f("directory", Ty::Str),
                f("binding", Ty::Str),
                f(
                    "html_handling",
                    Ty::Enum(&[
                        "auto-trailing-slash",
                        "force-trailing-slash",
                        "drop-trailing-slash",
                        "none",
                    ]),
                ),
                f(
                    "not_found_handling",
                    Ty::Enum(&["single-page-application", "404-page", "none"]),
                ),
                f("base_path", Ty::Str),
                f("run_worker_first", Ty::Either(&[Ty::Bool, STR_ARR])),
                f("experimental_serve_directly", Ty::Bool),
            ]),
        ),
        Scope::Inheritable,
    ),
    (f("base_dir", Ty::Str), Scope::Inheritable),
    (
        f(
            "build",
            Ty::Obj(&[
                f("command", Ty::Str),
                f("cwd", Ty::Str),
                f("watch_dir", Ty::Either(&[Ty::Str, STR_ARR])),
                f("upload", Ty::Any),
            ]),
        ),
        Scope::Inheritable,
    ),
    (
        f(
            "cache",
            Ty::Obj(&[f("enabled", Ty::Bool), f("cross_version_cache", Ty::Bool)]),
        ),
        Scope::Inheritable,
    ),
    (f("compatibility_date", Ty::Date), Scope::Inheritable),
    (f("compatibility_flags", STR_ARR), Scope::Inheritable),
    (
        f("compliance_region", Ty::Enum(&["public", "fedramp_high"])),
        Scope::Inheritable,
    ),
    (f("exports", Ty::Map(&Ty::Any)), Scope::Inheritable),
    (f("find_additional_modules", Ty::Bool), Scope::Inheritable),
    (f("first_party_worker", Ty::Bool), Scope::Inheritable),
    (f("jsx_factory", Ty::Str), Scope::Inheritable),
    (f("jsx_fragment", Ty::Str), Scope::Inheritable),
    (f("keep_names", Ty::Bool), Scope::Inheritable),
    (
        f(
            "limits",
            Ty::Obj(&[f("cpu_ms", Ty::Num), f("subrequests", Ty::Num)]),
        ),
        Scope::Inheritable,
    ),
    (
        f(
            "logfwdr",
            Ty::Obj(&[f(
                "bindings",
                Ty::Arr(&Ty::Obj(&[
                    req("name", Ty::Str),
                    req("destination", Ty::Str),
                ])),
            )]),
        ),
        Scope::Inheritable,
    ),
    (f("logpush", Ty::Bool), Scope::Inheritable),
    (f("main", Ty::Str), Scope::Inheritable),
    (
        f(
            "migrations",
            Ty::Arr(&Ty::Obj(&[
                req("tag", Ty::Str),
                f("new_classes", STR_ARR),
                f("new_sqlite_classes", STR_ARR),
                f(
                    "renamed_classes",
                    Ty::Arr(&Ty::Obj(&[req("from", Ty::Str), req("to", Ty::Str)])),
                ),
                f(
                    "transferred_classes",
                    Ty::Arr(&Ty::Obj(&[
                        req("from", Ty::Str),
                        req("from_script", Ty::Str),
                        req("to", Ty::Str),
                    ])),
                ),
                f("deleted_classes", STR_ARR),
            ])),
        ),
        Scope::Inheritable,
    ),
    (f("minify", Ty::Bool), Scope::Inheritable),
    (f("no_bundle", Ty::Bool), Scope::Inheritable),
    (
        f(
            "observability",
            Ty::Obj(&[
                f("enabled", Ty::Bool),
                f("head_sampling_rate", Ty::Num),
                f("redact_query_string", Ty::Bool),
                f("issues", Ty::Obj(&[f("enabled", Ty::Bool)])),
                f("logs", Ty::Obj(OBS_PART)),
                f("traces", Ty::Obj(OBS_PART)),
            ]),
        ),
        Scope::Inheritable,
    ),
    (
        f(
            "placement",
            Ty::Obj(&[
                f("mode", Ty::Enum(&["off", "smart", "targeted"])),
                f("hint", Ty::Str),
                f("region", Ty::Str),
                f("host", Ty::Str),
                f("hostname", Ty::Str),
            ]),
        ),
        Scope::Inheritable,
    ),
    (f("preserve_file_names", Ty::Bool), Scope::Inheritable),
    (f("preview_urls", Ty::Bool), Scope::Inheritable),
    (f("previews", Ty::Any), Scope::Inheritable),
    (
        f("python_modules", Ty::Obj(&[f("exclude", STR_ARR)])),
        Scope::Inheritable,
    ),
    (f("route", ROUTE), Scope::Inheritable),
    (f("routes", Ty::Arr(&ROUTE)), Scope::Inheritable),
    (
        f(
            "rules",
            Ty::Arr(&Ty::Obj(&[
                req(
                    "type",
                    Ty::Enum(&[
                        "ESModule",
                        "CommonJS",
                        "CompiledWasm",
                        "Text",
                        "Data",
                        "PythonModule",
                        "PythonRequirement",
                    ]),
                ),
                req("globs", STR_ARR),
                f("fallthrough", Ty::Bool),
            ])),
        ),
        Scope::Inheritable,
    ),
    (
        f(
            "triggers",
            Ty::Obj(&[f("crons", STR_ARR), f("events", Ty::Any)]),
        ),
        Scope::Inheritable,
    ),
    (f("tsconfig", Ty::Str), Scope::Inheritable),
    (f("upload_source_maps", Ty::Bool), Scope::Inheritable),
    (f("workers_dev", Ty::Bool), Scope::Inheritable),
    // non-inheritable
    (f("vars", Ty::Map(&Ty::Any)), Scope::NonInheritable),
    (f("define", Ty::Map(&Ty::Str)), Scope::NonInheritable),
    (
        f("secrets", Ty::Obj(&[f("required", STR_ARR)])),
        Scope::NonInheritable,
    ),
    (
        f(
            "durable_objects",
            Ty::Obj(&[
                f(
                    "bindings",
                    Ty::Arr(&Ty::Obj(&[
                        req("name", Ty::Str),
                        req("class_name", Ty::Str),
                        f("script_name", Ty::Str),
                        f("environment", Ty::Str),
                    ])),
                ),
                f(
                    "code_update_strategy",
                    Ty::Obj(&[
                        f("mode", Ty::Enum(&["immediate", "deferred"])),
                        f("max_delay", Ty::Num),
                    ]),
                ),
            ]),
        ),
        Scope::NonInheritable,
    ),
    (
        f(
            "workflows",
            Ty::Arr(&Ty::Obj(&[
                req("binding", Ty::Str),
                req("name", Ty::Str),
                req("class_name", Ty::Str),
                f("script_name", Ty::Str),
                f("limits", Ty::Obj(&[f("steps", Ty::Num)])),
                f("concurrency", Ty::Obj(&[f("limit", Ty::Num)])),
                f("schedules", Ty::Either(&[Ty::Str, STR_ARR])),
                f("default_retention", Ty::Any),
                f("jurisdiction", Ty::Str),
                REMOTE,
                EXP_REMOTE,
            ])),
        ),
        Scope::NonInheritable,
    ),
    (
        f(
            "kv_namespaces",
            Ty::Arr(&Ty::Obj(&[
                req("binding", Ty::Str),
                f("id", Ty::Str),
                f("preview_id", Ty::Str),
                REMOTE,
                EXP_REMOTE,
            ])),
        ),
        Scope::NonInheritable,
    ),
    (
        f(
            "r2_buckets",
            Ty::Arr(&Ty::Obj(&[
                req("binding", Ty::Str),
                f("bucket_name", Ty::Str),
                f("preview_bucket_name", Ty::Str),
                f("jurisdiction", Ty::Str),
                f("local_dev", Ty::Any),
                REMOTE,
                EXP_REMOTE,
            ])),
        ),
        Scope::NonInheritable,
    ),
    (
        f(
            "d1_databases",
            Ty::Arr(&Ty::Obj(&[
                req("binding", Ty::Str),
                f("database_name", Ty::Str),
                f("database_id", Ty::Str),
                f("preview_database_id", Ty::Str),
                f("jurisdiction", Ty::Str),
                f("migrations_table", Ty::Str),
                f("migrations_dir", Ty::Str),
                f("migrations_pattern", Ty::Str),
                f("database_internal_env", Ty::Str),
                REMOTE,
                EXP_REMOTE,
            ])),
        ),
        Scope::NonInheritable,
    ),
    (
        f(
            "queues",
            Ty::Obj(&[
                f(
                    "producers",
                    Ty::Arr(&Ty::Obj(&[
                        req("binding", Ty::Str),
                        req("queue", Ty::Str),
                        f("delivery_delay", Ty::Num),
                        REMOTE,
                        EXP_REMOTE,
                    ])),
                ),
                f(
                    "consumers",
                    Ty::Arr(&Ty::Obj(&[
                        req("queue", Ty::Str),
                        f("type", Ty::Enum(&["worker", "http_pull"])),
                        f("max_batch_size", Ty::Num),
                        f("max_batch_timeout", Ty::Num),
                        f("max_retries", Ty::Num),
                        f("dead_letter_queue", Ty::Str),
                        f("max_concurrency", Ty::Any),
                        f("visibility_timeout_ms", Ty::Num),
                        f("retry_delay", Ty::Num),
                    ])),
                ),
            ]),
        ),
        Scope::NonInheritable,
    ),
    (
        f(
            "services",
            Ty::Arr(&Ty::Open(&[
                req("binding", Ty::Str),
                req("service", Ty::Str),
                f("entrypoint", Ty::Str),
                f("props", Ty::Any),
                f("environment", Ty::Str),
                f("dev", Ty::Any),
                f("cross_account_grant", Ty::Any),
                REMOTE,
                EXP_REMOTE,
            ])),
        ),
        Scope::NonInheritable,
    ),
    (
        f(
            "analytics_engine_datasets",
            Ty::Arr(&Ty::Obj(&[
                req("binding", Ty::Str),
                f("dataset", Ty::Str),
                REMOTE,
            ])),
        ),
        Scope::NonInheritable,
    ),
    (
        f(
            "ai",
            Ty::Obj(&[
                req("binding", Ty::Str),
                f("staging", Ty::Bool),
                REMOTE,
                EXP_REMOTE,
            ]),
        ),
        Scope::NonInheritable,
    ),
    (f("browser", Ty::Obj(SIMPLE_BINDING)), Scope::NonInheritable),
    (f("images", Ty::Obj(SIMPLE_BINDING)), Scope::NonInheritable),
    (f("media", Ty::Obj(SIMPLE_BINDING)), Scope::NonInheritable),
    (f("stream", Ty::Obj(SIMPLE_BINDING)), Scope::NonInheritable),
    (
        f("analytics", Ty::Obj(SIMPLE_BINDING)),
        Scope::NonInheritable,
    ),
    (
        f("version_metadata", Ty::Obj(&[req("binding", Ty::Str)])),
        Scope::NonInheritable,
    ),
    (
        f(
            "vectorize",
            Ty::Arr(&Ty::Obj(&[
                req("binding", Ty::Str),
                req("index_name", Ty::Str),
                REMOTE,
                EXP_REMOTE,
            ])),
        ),
        Scope::NonInheritable,
    ),
    (
        f(
            "hyperdrive",
            Ty::Arr(&Ty::Obj(&[
                req("binding", Ty::Str),
                req("id", Ty::Str),
                f("localConnectionString", Ty::Str),
                REMOTE,
            ])),
        ),
        Scope::NonInheritable,
    ),
    (
        f(
            "mtls_certificates",
            Ty::Arr(&Ty::Obj(&[
                req("binding", Ty::Str),
                req("certificate_id", Ty::Str),
                REMOTE,
                EXP_REMOTE,
            ])),
        ),
        Scope::NonInheritable,
    ),
    (
        f(
            "send_email",
            Ty::Arr(&Ty::Obj(&[
                req("name", Ty::Str),
                f("destination_address", Ty::Str),
                f("allowed_destination_addresses", STR_ARR),
                f("allowed_sender_addresses", STR_ARR),
                REMOTE,
                EXP_REMOTE,
            ])),
        ),
        Scope::NonInheritable,
    ),
    (
        f(
            "dispatch_namespaces",
            Ty::Arr(&Ty::Obj(&[
                req("binding", Ty::Str),
                req("namespace", Ty::Str),
                f(
                    "outbound",
                    Ty::Obj(&[
                        req("service", Ty::Str),
                        f("environment", Ty::Str),
                        f("parameters", STR_ARR),
                    ]),
                ),
                REMOTE,
                EXP_REMOTE,
            ])),
        ),
        Scope::NonInheritable,
    ),
    (
        f(
            "tail_consumers",
            Ty::Arr(&Ty::Open(&[
                req("service", Ty::Str),
                f("environment", Ty::Str),
            ])),
        ),
        Scope::NonInheritable,
    ),
    (
        f(
            "streaming_tail_consumers",
            Ty::Arr(&Ty::Open(&[req("service", Ty::Str)])),
        ),
        Scope::NonInheritable,
    ),
    (
        f(
            "pipelines",
            Ty::Arr(&Ty::Obj(&[
                req("binding", Ty::Str),
                f("stream", Ty::Str),
                f("pipeline", Ty::Str),
                REMOTE,
                EXP_REMOTE,
            ])),
        ),
        Scope::NonInheritable,
    ),
    (
        f(
            "secrets_store_secrets",
            Ty::Arr(&Ty::Obj(&[
                req("binding", Ty::Str),
                req("store_id", Ty::Str),
                req("secret_name", Ty::Str),
            ])),
        ),
        Scope::NonInheritable,
    ),
    (
        f(
            "ratelimits",
            Ty::Arr(&Ty::Obj(&[
                req("name", Ty::Str),
                req("namespace_id", Ty::Str),
                req(
                    "simple",
                    Ty::Obj(&[req("limit", Ty::Num), req("period", Ty::Num)]),
                ),
            ])),
        ),
        Scope::NonInheritable,
    ),
    (
        f(
            "unsafe",
            Ty::Obj(&[
                f(
                    "bindings",
                    Ty::Arr(&Ty::Open(&[
                        req("name", Ty::Str),
                        req("type", Ty::Str),
                        f("dev", Ty::Any),
                    ])),
                ),
                f("metadata", Ty::Any),
                f("capnp", Ty::Any),
            ]),
        ),
        Scope::NonInheritable,
    ),
    (
        f(
            "unsafe_hello_world",
            Ty::Arr(&Ty::Open(&[req("binding", Ty::Str)])),
        ),
        Scope::NonInheritable,
    ),
    (
        f(
            "containers",
            Ty::Arr(&Ty::Open(&[
                f("name", Ty::Str),
                f("class_name", Ty::Str),
                f("image", Ty::Str),
                f("max_instances", Ty::Num),
            ])),
        ),
        Scope::NonInheritable,
    ),
    (f("cloudchamber", Ty::Open(&[])), Scope::NonInheritable),
    (f("connect", Ty::Any), Scope::NonInheritable),
    (
        f(
            "vpc_services",
            Ty::Arr(&Ty::Obj(&[
                req("binding", Ty::Str),
                req("service_id", Ty::Str),
                REMOTE,
            ])),
        ),
        Scope::NonInheritable,
    ),
    (
        f(
            "vpc_networks",
            Ty::Arr(&Ty::Open(&[
                req("binding", Ty::Str),
                f("tunnel_id", Ty::Str),
                f("network_id", Ty::Str),
                REMOTE,
            ])),
        ),
        Scope::NonInheritable,
    ),
    (
        f(
            "worker_loaders",
            Ty::Arr(&Ty::Obj(&[req("binding", Ty::Str)])),
        ),
        Scope::NonInheritable,
    ),
    (
        f("ai_search", Ty::Arr(&Ty::Open(&[req("binding", Ty::Str)]))),
        Scope::NonInheritable,
    ),
    (
        f(
            "ai_search_namespaces",
            Ty::Arr(&Ty::Open(&[req("binding", Ty::Str)])),
        ),
        Scope::NonInheritable,
    ),
    (
        f(
            "agent_memory",
            Ty::Arr(&Ty::Open(&[req("binding", Ty::Str)])),
        ),
        Scope::NonInheritable,
    ),
    (
        f("artifacts", Ty::Arr(&Ty::Open(&[req("binding", Ty::Str)]))),
        Scope::NonInheritable,
    ),
    (
        f("flagship", Ty::Arr(&Ty::Open(&[req("binding", Ty::Str)]))),
        Scope::NonInheritable,
    ),
    (
        f("k2", Ty::Arr(&Ty::Open(&[req("binding", Ty::Str)]))),
        Scope::NonInheritable,
    ),
];

/// Keys wrangler v4 removed: `(key, is_error, help)`.
const REMOVED: &[(&str, bool, &str)] = &[
    (
        "node_compat",
        true,
        "use `compatibility_flags = [\"nodejs_compat\"]` instead",
    ),
    (
        "legacy_env",
        true,
        "remove it: every `[env.X]` is now its own worker named `<name>-<X>`",
    ),
    (
        "type",
        false,
        "remove it: wrangler v4 infers the worker format from `main`",
    ),
    (
        "webpack_config",
        false,
        "remove it and bundle with wrangler's built-in esbuild (or set `main` to the built file)",
    ),
    (
        "zone_id",
        false,
        "move the zone into `routes` (`{ pattern = \"…\", zone_id = \"…\" }`)",
    ),
    (
        "usage_model",
        false,
        "remove it: the usage model is an account setting now",
    ),
    ("kv-namespaces", false, "rename it to `kv_namespaces`"),
    (
        "experimental_services",
        false,
        "rename it to `services` (`binding`, `service`)",
    ),
    (
        "miniflare",
        false,
        "remove it: local development settings live in `dev`",
    ),
    ("legacy_assets", false, "use `assets` instead"),
];

pub fn lookup(key: &str) -> Option<&'static (F, Scope)> {
    key_index(key).map(|i| &KEYS[i])
}

/// The place of `key` in [`KEYS`] (the first one of that name). Looked up for every key of
/// every config: by a table of the names, not a search.
fn key_index(key: &str) -> Option<usize> {
    static INDEX: std::sync::OnceLock<crate::HashMap<&'static str, usize>> =
        std::sync::OnceLock::new();
    let index = INDEX.get_or_init(|| {
        let mut index = crate::HashMap::default();
        for (i, (f, _)) in KEYS.iter().enumerate() {
            index.entry(f.name).or_insert(i);
        }
        index
    });
    index.get(key).copied()
}

/// Checks a whole config file: the top level and every environment.
pub fn check_config(root: &Node, diags: &mut Vec<Diagnostic>) {
    check_table(root, None, diags);
    if let Some(env) = root.entry("env") {
        match &env.value.value {
            Value::Object(envs) => {
                for e in envs {
                    if e.value.is_object() {
                        check_table(&e.value, Some(&e.key), diags);
                    } else {
                        diags.push(codes::wrong_type(
                            e.value.span,
                            &format!("env.{}", e.key),
                            "an object",
                            &describe(&e.value),
                        ));
                    }
                }
            }
            _ => diags.push(codes::wrong_type(
                env.value.span,
                "env",
                "an object",
                &describe(&env.value),
            )),
        }
    }
}

fn check_table(table: &Node, env: Option<&str>, diags: &mut Vec<Diagnostic>) {
    let prefix = env.map(|e| format!("env.{e}.")).unwrap_or_default();
    let where_ = env
        .map(|e| format!("`env.{e}`"))
        .unwrap_or_else(|| "the top level".to_string());
    for entry in table.entries() {
        let key = entry.key.as_str();
        if key == "env" && env.is_none() {
            continue;
        }
        if let Some((_, is_error, help)) = REMOVED.iter().find(|(k, _, _)| *k == key) {
            diags.push(if *is_error {
                codes::removed_key_error(entry.key_span, key, help)
            } else {
                codes::removed_key_ignored(entry.key_span, key, help)
            });
            continue;
        }
        match lookup(key) {
            Some((field, scope)) => {
                if env.is_some() && matches!(scope, Scope::TopOnly | Scope::Meta) {
                    diags.push(codes::top_level_only_in_env(
                        entry.key_span,
                        key,
                        env.unwrap_or_default(),
                    ));
                    continue;
                }
                check_value(&entry.value, &field.ty, &KeyPath::Top(&prefix, key), diags);
                extra_checks(entry, &prefix, diags);
            }
            None => {
                let suggestion = suggest(key, KEYS.iter().map(|(f, _)| f.name));
                diags.push(codes::unknown_key(entry.key_span, key, &where_, suggestion));
            }
        }
    }
    if let (Some(route), Some(routes)) = (table.entry("route"), table.entry("routes")) {
        diags.push(codes::route_and_routes(routes.key_span, route.key_span));
    }
}

/// Checks wrangler makes beyond the shape of a value.
fn extra_checks(entry: &crate::syntax::Entry, prefix: &str, diags: &mut Vec<Diagnostic>) {
    match entry.key.as_str() {
        "unsafe" => diags.push(codes::unsafe_experimental(entry.key_span)),
        "site" => {
            if let Some(ep) = entry.value.entry("entry-point") {
                diags.push(codes::deprecated_key(
                    ep.key_span,
                    "site.entry-point",
                    "set `main` to the worker's entry module instead",
                ));
            }
        }
        "build" => {
            if let Some(up) = entry.value.entry("upload") {
                diags.push(codes::removed_key_ignored(
                    up.key_span,
                    "build.upload",
                    "set `main` (and `rules`) instead of `[build.upload]`",
                ));
            }
        }
        "pipelines" => {
            for (i, p) in entry
                .value
                .as_array()
                .unwrap_or_default()
                .iter()
                .enumerate()
            {
                if let Some(old) = p.entry("pipeline") {
                    diags.push(codes::deprecated_key(
                        old.key_span,
                        &format!("{prefix}pipelines[{i}].pipeline"),
                        "use `stream` instead",
                    ));
                }
            }
        }
        "services" => {
            for s in entry.value.as_array().unwrap_or_default() {
                if let (Some(env), Some(service)) = (
                    s.get("environment"),
                    s.get("service").and_then(Node::as_str),
                ) && let Some(e) = env.as_str()
                {
                    let binding = s.get("binding").and_then(Node::as_str).unwrap_or("?");
                    diags.push(codes::service_environment(env.span, binding, service, e));
                }
            }
        }
        _ => {}
    }
}

/// Describes a value for a type error, the way wrangler quotes it.
pub fn describe(node: &Node) -> String {
    match &node.value {
        Value::Str(s) => format!("\"{}\"", truncate(s)),
        Value::Date(d) => format!("the TOML date {d}"),
        _ => {
            let json = node.to_json().to_string();
            format!("{} `{}`", article(node.kind_name()), truncate(&json))
        }
    }
}

fn article(kind: &str) -> String {
    if kind.starts_with(['a', 'o']) {
        format!("an {kind}")
    } else {
        format!("a {kind}")
    }
}

fn truncate(s: &str) -> String {
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s.to_string()
    }
}

fn expected(ty: &Ty) -> String {
    match ty {
        Ty::Str | Ty::Name => "a string".into(),
        Ty::Date => "a date string (\"YYYY-MM-DD\")".into(),
        Ty::Bool => "a boolean".into(),
        Ty::Num => "a number".into(),
        Ty::Any => "a JSON value".into(),
        Ty::Enum(values) => format!(
            "one of {}",
            values
                .iter()
                .map(|v| format!("\"{v}\""))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Ty::Arr(inner) => format!("an array of {}", plural(inner)),
        Ty::Obj(_) | Ty::Open(_) | Ty::Map(_) => "an object".into(),
        Ty::Either(tys) => tys.iter().map(expected).collect::<Vec<_>>().join(" or "),
    }
}

fn plural(ty: &Ty) -> String {
    match ty {
        Ty::Str => "strings".into(),
        Ty::Num => "numbers".into(),
        Ty::Obj(_) | Ty::Open(_) => "objects".into(),
        other => format!("({})", expected(other)),
    }
}

/// Checks `node` against `ty`; returns whether it matched.
/// Where a value is in the config (`env.staging.services[0].binding`): built as the checks
/// descend, written out only when a diagnostic names it.
#[derive(Clone, Copy)]
pub enum KeyPath<'a> {
    /// A key of a table, after the table's prefix (`env.staging.`, or nothing at the top).
    Top(&'a str, &'a str),
    Key(&'a KeyPath<'a>, &'a str),
    Index(&'a KeyPath<'a>, usize),
}

impl std::fmt::Display for KeyPath<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyPath::Top(prefix, key) => write!(f, "{prefix}{key}"),
            KeyPath::Key(parent, key) => write!(f, "{parent}.{key}"),
            KeyPath::Index(parent, i) => write!(f, "{parent}[{i}]"),
        }
    }
}

pub fn check_value(node: &Node, ty: &Ty, path: &KeyPath<'_>, diags: &mut Vec<Diagnostic>) -> bool {
    if let Value::Date(d) = &node.value {
        diags.push(codes::toml_date(node.span, &path.to_string(), d));
        return false;
    }
    let matched = match ty {
        Ty::Str => node.as_str().is_some(),
        Ty::Bool => node.as_bool().is_some(),
        Ty::Num => node.as_f64().is_some(),
        Ty::Any => {
            check_no_dates(node, path, diags);
            true
        }
        Ty::Date | Ty::Name => match node.as_str() {
            Some(s) => return check_text(node, s, ty, path, diags),
            None => false,
        },
        Ty::Enum(values) => node.as_str().is_some_and(|s| values.contains(&s)),
        Ty::Arr(inner) => match node.as_array() {
            Some(items) => {
                let mut ok = true;
                for (i, item) in items.iter().enumerate() {
                    ok &= check_value(item, inner, &KeyPath::Index(path, i), diags);
                }
                return ok;
            }
            None => false,
        },
        Ty::Obj(fields) | Ty::Open(fields) if node.is_object() => {
            return check_object(node, fields, matches!(ty, Ty::Open(_)), path, diags);
        }
        Ty::Map(inner) if node.is_object() => {
            let mut ok = true;
            for entry in node.entries() {
                ok &= check_value(&entry.value, inner, &KeyPath::Key(path, &entry.key), diags);
            }
            return ok;
        }
        Ty::Obj(_) | Ty::Open(_) | Ty::Map(_) => false,
        Ty::Either(options) => match options.iter().find(|t| shape_matches(node, t)) {
            Some(t) => return check_value(node, t, path, diags),
            None => false,
        },
    };
    if !matched {
        diags.push(codes::wrong_type(
            node.span,
            &path.to_string(),
            &expected(ty),
            &describe(node),
        ));
    }
    matched
}

/// A string that must be a date or a worker name.
fn check_text(
    node: &Node,
    s: &str,
    ty: &Ty,
    path: &KeyPath<'_>,
    diags: &mut Vec<Diagnostic>,
) -> bool {
    let (valid, what, help) = match ty {
        Ty::Date => (
            is_date(s),
            "a date",
            "write the date as \"YYYY-MM-DD\" with ASCII hyphens, e.g. \"2025-09-01\"",
        ),
        _ => (
            is_valid_name(s),
            "a valid worker name",
            "use lowercase letters, digits, `-` and `_` only, starting with a letter, digit or `_`",
        ),
    };
    if !valid {
        diags.push(codes::invalid_value(
            node.span,
            &path.to_string(),
            &format!("\"{}\" is not {what}", truncate(s)),
            help,
        ));
    }
    valid
}

/// An object's fields: unknown ones are reported (kept silently when `open`), required ones
/// must be there, `experimental_remote` is deprecated outside service bindings.
fn check_object(
    node: &Node,
    fields: &[F],
    open: bool,
    path: &KeyPath<'_>,
    diags: &mut Vec<Diagnostic>,
) -> bool {
    let mut ok = true;
    for entry in node.entries() {
        let at = KeyPath::Key(path, &entry.key);
        match fields.iter().find(|f| f.name == entry.key) {
            Some(field) => {
                ok &= check_value(&entry.value, &field.ty, &at, diags);
                if field.name == "experimental_remote" && !path.to_string().contains("services[") {
                    diags.push(codes::deprecated_key(
                        entry.key_span,
                        &at.to_string(),
                        "rename it to `remote`",
                    ));
                }
            }
            None if open => check_no_dates(&entry.value, &at, diags),
            None => {
                let suggestion = suggest(&entry.key, fields.iter().map(|f| f.name));
                diags.push(codes::unknown_key(
                    entry.key_span,
                    &entry.key,
                    &format!("`{path}`"),
                    suggestion,
                ));
            }
        }
    }
    for field in fields.iter().filter(|f| f.required) {
        if node.entry(field.name).is_none() {
            diags.push(codes::missing_field(
                node.span,
                &path.to_string(),
                field.name,
            ));
            ok = false;
        }
    }
    ok
}

/// Whether the kind of `node` is the kind `ty` describes (without checking inside).
fn shape_matches(node: &Node, ty: &Ty) -> bool {
    match ty {
        Ty::Str | Ty::Name | Ty::Date | Ty::Enum(_) => node.as_str().is_some(),
        Ty::Bool => node.as_bool().is_some(),
        Ty::Num => node.as_f64().is_some(),
        Ty::Any => true,
        Ty::Arr(_) => node.as_array().is_some(),
        Ty::Obj(_) | Ty::Open(_) | Ty::Map(_) => node.is_object(),
        Ty::Either(tys) => tys.iter().any(|t| shape_matches(node, t)),
    }
}

/// Reports TOML dates anywhere inside a free-form value (wrangler cannot send them).
fn check_no_dates(node: &Node, path: &KeyPath<'_>, diags: &mut Vec<Diagnostic>) {
    match &node.value {
        Value::Date(d) => diags.push(codes::toml_date(node.span, &path.to_string(), d)),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check_no_dates(item, &KeyPath::Index(path, i), diags);
            }
        }
        Value::Object(entries) => {
            for e in entries {
                check_no_dates(&e.value, &KeyPath::Key(path, &e.key), diags);
            }
        }
        _ => {}
    }
}

pub fn is_valid_name(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        None => true,
        Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' => {
            chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
        }
        _ => false,
    }
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && matches!(s[5..7].parse::<u8>(), Ok(1..=12))
        && matches!(s[8..10].parse::<u8>(), Ok(1..=31))
}

/// The known name closest to `key`, if it is a likely typo (edit distance ≤ 2).
pub fn suggest<'a>(key: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    if key.len() > 64 {
        return None;
    }
    candidates
        .map(|c| (edit_distance(key, c), c))
        .filter(|(d, c)| *d <= 2 && *d < c.len())
        .min()
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{Format, parse};

    const NUMBERS: Ty = Ty::Arr(&Ty::Num);
    const NAMES: Ty = Ty::Map(&Ty::Name);

    /// The table of names finds what a search of the keys finds, for every key and a few that
    /// are not keys.
    #[test]
    fn lookup_finds_what_a_search_finds() {
        let names = KEYS
            .iter()
            .map(|(f, _)| f.name)
            .chain(["", "nam", "names", "NAME", "env"]);
        for name in names {
            let searched = KEYS.iter().position(|(f, _)| f.name == name);
            assert_eq!(key_index(name), searched, "{name}");
        }
    }

    const ROUTE_OR_PATTERN: Ty = ROUTE;
    const SERVICE: Ty = Ty::Obj(&[req("service", Ty::Str), f("remote", Ty::Bool), EXP_REMOTE]);
    const OPEN: Ty = Ty::Open(&[f("enabled", Ty::Bool)]);
    const MODE: Ty = Ty::Enum(&["smart", "off"]);

    /// Checks the value of `v` in a one-key document against `ty`: whether it matched and the
    /// diagnostics, one line each.
    fn checked(doc: &str, format: Format, ty: &Ty) -> (bool, Vec<String>) {
        let (root, parse_diags) = parse(doc, format, 0);
        assert!(parse_diags.is_empty(), "{parse_diags:?}");
        let root = root.unwrap();
        let mut diags = Vec::new();
        let ok = check_value(
            root.get("v").unwrap(),
            ty,
            &KeyPath::Top("", "v"),
            &mut diags,
        );
        let lines = diags
            .iter()
            .map(|d| format!("{} {}", d.code, d.message))
            .collect();
        (ok, lines)
    }

    /// `(type, JSON value, diagnostics)`: no diagnostics means the value matches.
    fn check(cases: &[(&Ty, &str, &[&str])]) {
        for (ty, value, want) in cases {
            let (ok, got) = checked(&format!("{{\"v\": {value}}}"), Format::Jsonc, ty);
            assert_eq!(got, *want, "{value} as {ty:?}");
            assert_eq!(
                ok,
                want.is_empty() || got.iter().all(|l| l.contains("deprecated"))
            );
        }
    }

    #[test]
    fn scalars() {
        check(&[
            (&Ty::Str, "\"x\"", &[]),
            (
                &Ty::Str,
                "1",
                &["AM0201 expected `v` to be a string but got a number `1`"],
            ),
            (
                &Ty::Bool,
                "\"yes\"",
                &["AM0201 expected `v` to be a boolean but got \"yes\""],
            ),
            (&Ty::Num, "1.5", &[]),
            (
                &Ty::Num,
                "null",
                &["AM0201 expected `v` to be a number but got a null `null`"],
            ),
            (&Ty::Any, "{\"a\": [1, null]}", &[]),
            (&MODE, "\"smart\"", &[]),
            (
                &MODE,
                "\"fast\"",
                &["AM0201 expected `v` to be one of \"smart\", \"off\" but got \"fast\""],
            ),
        ]);
    }

    #[test]
    fn dates_and_worker_names() {
        check(&[
            (&Ty::Date, "\"2025-09-01\"", &[]),
            (
                &Ty::Date,
                "\"2025-13-01\"",
                &["AM0207 invalid value for `v`: \"2025-13-01\" is not a date"],
            ),
            (
                &Ty::Date,
                "\"2025\u{2013}09\u{2013}01\"",
                &["AM0207 invalid value for `v`: \"2025–09–01\" is not a date"],
            ),
            (
                &Ty::Date,
                "20250901",
                &[
                    "AM0201 expected `v` to be a date string (\"YYYY-MM-DD\") but got a number `20250901`",
                ],
            ),
            (&Ty::Name, "\"api-worker_2\"", &[]),
            (&Ty::Name, "\"\"", &[]),
            (
                &Ty::Name,
                "\"My Worker\"",
                &["AM0207 invalid value for `v`: \"My Worker\" is not a valid worker name"],
            ),
            (
                &Ty::Name,
                "\"-api\"",
                &["AM0207 invalid value for `v`: \"-api\" is not a valid worker name"],
            ),
        ]);
    }

    #[test]
    fn arrays_maps_and_either() {
        check(&[
            (&NUMBERS, "[1, 2]", &[]),
            (
                &NUMBERS,
                "[1, \"two\", 3, false]",
                &[
                    "AM0201 expected `v[1]` to be a number but got \"two\"",
                    "AM0201 expected `v[3]` to be a number but got a boolean `false`",
                ],
            ),
            (
                &NUMBERS,
                "1",
                &["AM0201 expected `v` to be an array of numbers but got a number `1`"],
            ),
            (
                &NAMES,
                "{\"a\": \"ok\", \"b\": \"Not OK\"}",
                &["AM0207 invalid value for `v.b`: \"Not OK\" is not a valid worker name"],
            ),
            (
                &NAMES,
                "[]",
                &["AM0201 expected `v` to be an object but got an array `[]`"],
            ),
            (&ROUTE_OR_PATTERN, "\"example.com/*\"", &[]),
            (
                &ROUTE_OR_PATTERN,
                "{\"pattern\": \"example.com\", \"zone_id\": 1}",
                &["AM0201 expected `v.zone_id` to be a string but got a number `1`"],
            ),
            (
                &ROUTE_OR_PATTERN,
                "true",
                &["AM0201 expected `v` to be a string or an object but got a boolean `true`"],
            ),
        ]);
    }

    #[test]
    fn objects() {
        check(&[
            (&SERVICE, "{\"service\": \"auth\"}", &[]),
            (
                &SERVICE,
                "{\"servce\": \"auth\"}",
                &[
                    "AM0200 unexpected field `servce` in `v`; wrangler ignores it and so does the migration",
                    "AM0202 `v` must have a `service` field",
                ],
            ),
            (
                &SERVICE,
                "{\"service\": \"auth\", \"experimental_remote\": true}",
                &["AM0206 `v.experimental_remote` is deprecated"],
            ),
            (&OPEN, "{\"enabled\": true, \"anything\": 1}", &[]),
            (
                &OPEN,
                "{\"enabled\": 1}",
                &["AM0201 expected `v.enabled` to be a boolean but got a number `1`"],
            ),
            (
                &SERVICE,
                "\"auth\"",
                &["AM0201 expected `v` to be an object but got \"auth\""],
            ),
        ]);
    }

    #[test]
    fn toml_dates_are_reported_anywhere() {
        for (doc, ty) in [
            ("v = 2025-09-01", &Ty::Date),
            ("v = { a = [1979-05-27T07:32:00Z] }", &Ty::Any),
            ("v = { enabled = true, at = 2025-09-01 }", &OPEN),
        ] {
            let (ok, got) = checked(doc, Format::Toml, ty);
            assert_eq!(got.len(), 1, "{doc}: {got:?}");
            assert!(got[0].contains("TOML date"), "{doc}: {got:?}");
            assert_eq!(ok, matches!(ty, Ty::Any | Ty::Open(_)), "{doc}");
        }
    }

    #[test]
    fn names_dates_and_suggestions() {
        for (s, valid) in [
            ("a", true),
            ("_a", true),
            ("0-a", true),
            ("", true),
            ("A", false),
            ("a b", false),
            ("-a", false),
            ("é", false),
        ] {
            assert_eq!(is_valid_name(s), valid, "{s:?}");
        }
        for (s, valid) in [
            ("2025-01-31", true),
            ("2025-00-10", false),
            ("2025-01-32", false),
            ("2025-1-01", false),
            ("25-01-01", false),
            ("2025/01/01", false),
        ] {
            assert_eq!(is_date(s), valid, "{s:?}");
        }
        let keys = ["compatibility_date", "main", "routes", "route"];
        for (typo, want) in [
            ("compatability_date", Some("compatibility_date")),
            ("mian", Some("main")),
            ("rout", Some("route")),
            ("xyz", None),
            ("m", None),
            ("route", Some("route")),
        ] {
            assert_eq!(suggest(typo, keys.into_iter()), want, "{typo}");
        }
    }

    #[test]
    fn values_are_described_as_wrangler_quotes_them() {
        let long = "x".repeat(70);
        let doc =
            format!("{{\"a\": \"s\", \"b\": 1, \"c\": [true], \"d\": {{}}, \"e\": \"{long}\"}}");
        let (root, _) = parse(&doc, Format::Jsonc, 0);
        let root = root.unwrap();
        let described: Vec<String> = ["a", "b", "c", "d", "e"]
            .iter()
            .map(|k| describe(root.get(k).unwrap()))
            .collect();
        assert_eq!(
            described,
            [
                "\"s\"".to_string(),
                "a number `1`".into(),
                "an array `[true]`".into(),
                "an object `{}`".into(),
                format!("\"{}…\"", "x".repeat(60)),
            ]
        );
    }
}
