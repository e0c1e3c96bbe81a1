//! The catalogue of diagnostic codes. Each constructor's doc comment is the user documentation of
//! its code; `docs/diagnostics.md` lists them all. Codes are stable: never renumber one.
//!
//! * `AM01xx` reading and parsing files
//! * `AM02xx` the wrangler schema: unknown keys, types, values wrangler rejects
//! * `AM03xx` environments
//! * `AM04xx` service bindings and the worker graph
//! * `AM05xx` migration to Alchemy
//! * `AM07xx` preflight: the program compared with the live Cloudflare account

use super::{Diagnostic, LISTED_OCCURRENCES, Label, Span};

/// A short title per code, for headings (`MIGRATION.md` groups its items by code).
pub fn title(code: &str) -> &'static str {
    match code {
        "AM0100" => "a file or folder could not be read",
        "AM0101" => "invalid TOML",
        "AM0102" => "invalid JSON",
        "AM0103" => "not UTF-8 text",
        "AM0104" => "nesting too deep",
        "AM0105" => "empty config",
        "AM0106" => "not an object at the top level",
        "AM0107" => "config ignored in favour of another in its folder",
        "AM0108" => "no config found",
        "AM0109" => "duplicate key",
        "AM0110" => "output could not be written",
        "AM0200" => "unknown key",
        "AM0201" => "wrong type",
        "AM0202" => "missing required field",
        "AM0203" => "TOML date",
        "AM0204" => "key removed in wrangler v4",
        "AM0205" => "removed key, ignored",
        "AM0206" => "deprecated key",
        "AM0207" => "invalid value",
        "AM0208" => "`route` and `routes` together",
        "AM0209" => "binding name used twice",
        "AM0210" => "experimental `unsafe`",
        "AM0211" => "Pages project",
        "AM0300" => "keys environments do not inherit",
        "AM0301" => "top-level-only key in an environment",
        "AM0302" => "environment not defined",
        "AM0303" => "worker without a name",
        "AM0304" => "inherited custom domains",
        "AM0305" => "not part of some stages",
        "AM0400" => "deprecated service environment",
        "AM0401" => "service environment not found",
        "AM0402" => "worker outside the migration",
        "AM0403" => "cycle of bindings",
        "AM0404" => "named entrypoint not exported",
        "AM0405" => "named entrypoint in local dev",
        "AM0406" => "external service binding left out",
        "AM0407" => "script name deployed twice",
        "AM0408" => "untyped service binding",
        "AM0409" => "service binding across stages",
        "AM0500" => "not expressible in Alchemy 0.94",
        "AM0501" => "resource declared twice with different settings",
        "AM0502" => "worker without `main`",
        "AM0503" => "not translated",
        "AM0504" => "needs your action",
        "AM0505" => "output file exists",
        "AM0507" => "secret read from the environment",
        "AM0509" => "not in offline local dev",
        "AM0510" => "`--default-stage` names an environment",
        "AM0511" => "the top level is only a template",
        "AM0512" => "service-worker syntax",
        "AM0513" => "Pages Functions need a build step",
        "AM0700" => "worker created by the first deploy",
        "AM0701" => "binding re-pointed by the deploy",
        "AM0702" => "adopted resource does not exist",
        "AM0703" => "live binding removed by the deploy",
        "AM0704" => "live var removed by the deploy",
        "AM0705" => "live cron replaced by the deploy",
        "AM0706" => "live custom domain not in the program",
        "AM0707" => "live secret overwritten by the deploy",
        "AM0708" => "live secret not in the worker's types",
        "AM0709" => "compatibility settings change",
        "AM0710" => "no API token",
        "AM0711" => "no account",
        "AM0712" => "accounts disagree",
        "AM0713" => "request to Cloudflare failed",
        "AM0714" => "unreadable answer from Cloudflare",
        "AM0715" => "stage adopts no existing workers",
        "AM0716" => "check with preflight before the first deploy",
        "AM0514" => "resource created as wrangler provisions it",
        _ => "other",
    }
}

// ---- AM01xx: files and syntax -------------------------------------------------------------

/// AM0100: a file or folder could not be read.
pub fn unreadable(path: &str, err: &str) -> Diagnostic {
    Diagnostic::error("AM0100", format!("cannot read `{path}`: {err}"))
        .in_file(path)
        .with_help("check that the path exists and is readable")
}

/// AM0101: the TOML is not valid.
pub fn invalid_toml(span: Span, message: &str) -> Diagnostic {
    Diagnostic::error("AM0101", format!("invalid TOML: {message}"))
        .at(span)
        .with_help("fix the syntax; wrangler would refuse this file too")
}

/// AM0102: the JSON/JSONC is not valid.
pub fn invalid_json(span: Span, message: &str) -> Diagnostic {
    Diagnostic::error("AM0102", format!("invalid JSON: {message}"))
        .at(span)
        .with_help("fix the syntax; comments and trailing commas are allowed, nothing else")
}

/// AM0103: the file is not UTF-8 text.
pub fn not_utf8(path: &str, offset: usize) -> Diagnostic {
    Diagnostic::error(
        "AM0103",
        format!("the file is not valid UTF-8 text (first bad byte at offset {offset})"),
    )
    .in_file(path)
    .with_help("save the file as UTF-8")
}

/// AM0104: arrays/objects nested deeper than any real config.
pub fn nesting_too_deep(span: Span) -> Diagnostic {
    Diagnostic::error(
        "AM0104",
        format!("nesting deeper than {} levels", crate::syntax::MAX_DEPTH),
    )
    .at(span)
    .with_help(
        "a wrangler config never needs this; check that the file is what you meant to migrate",
    )
}

/// AM0105: the file is empty or holds only comments. In TOML that is a config without a worker
/// (wrangler reads it as an empty configuration): a warning.
pub fn empty_config(path: &str) -> Diagnostic {
    Diagnostic::warning(
        "AM0105",
        "the file is empty (or holds only comments): a config without a worker, nothing to check or migrate",
    )
    .in_file(path)
    .with_help("add at least `name`, `main` and `compatibility_date`, or remove the file")
}

/// AM0105 as well: an empty (or comments-only) `wrangler.json`/`wrangler.jsonc` is an error, as in
/// wrangler, whose JSON parser expects a value (`ValueExpected`). `end` is the end of the file.
pub fn empty_json_config(end: Span) -> Diagnostic {
    Diagnostic::error(
        "AM0105",
        "the file is empty (or holds only comments): wrangler refuses it, its JSON parser expects a value (ValueExpected)",
    )
    .at(end)
    .with_help("write the settings as one object, at least `{ \"name\": …, \"main\": …, \"compatibility_date\": … }`, or remove the file")
}

/// AM0106: the document is not a table/object at the top.
pub fn root_not_object(span: Span, kind: &str) -> Diagnostic {
    let article = if kind.starts_with(['a', 'o']) {
        "an"
    } else {
        "a"
    };
    Diagnostic::error(
        "AM0106",
        format!(
            "a wrangler config must be an object at the top level, but this is {article} {kind}"
        ),
    )
    .at(span)
    .with_help("wrap the settings in `{ ... }`")
}

/// AM0107: two wrangler configs in one folder; wrangler reads only one of them.
pub fn shadowed_config(path: &str, winner: &str) -> Diagnostic {
    let winner = std::path::Path::new(winner)
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    Diagnostic::warning(
        "AM0107",
        format!("this config is ignored: wrangler reads `{winner}` in the same folder first"),
    )
    .in_file(path)
    .with_help("delete the stale file, or pass it explicitly to migrate it instead")
}

/// AM0108: nothing to work on.
pub fn no_configs(dir: &str) -> Diagnostic {
    Diagnostic::error(
        "AM0108",
        format!("no wrangler.toml, wrangler.json or wrangler.jsonc found under `{dir}`"),
    )
    .in_file(dir)
    .with_help(
        "point --discover at the folder that holds your workers, or pass config files as arguments",
    )
}

/// AM0109: a key appears twice in a JSON object; the last one wins, as in wrangler.
pub fn duplicate_key(span: Span, first: Span, key: &str) -> Diagnostic {
    Diagnostic::warning(
        "AM0109",
        format!("key `{key}` appears twice; the last value is used"),
    )
    .at(span)
    .with_label(first, "first defined here")
    .with_help("remove one of them")
}

// ---- AM02xx: schema ------------------------------------------------------------------------

/// AM0200: a key wrangler does not know (wrangler warns and ignores it).
pub fn unknown_key(span: Span, key: &str, path: &str, suggestion: Option<&str>) -> Diagnostic {
    let d = Diagnostic::warning(
        "AM0200",
        format!(
            "unexpected field `{key}` in {path}; wrangler ignores it and so does the migration"
        ),
    )
    .at(span);
    match suggestion {
        Some(s) => d.with_help(format!("did you mean `{s}`?")),
        None => d.with_help(
            "remove it, or check the spelling against the wrangler configuration reference",
        ),
    }
}

/// AM0201: a value has the wrong type (wrangler refuses the config).
pub fn wrong_type(span: Span, path: &str, expected: &str, got: &str) -> Diagnostic {
    Diagnostic::error(
        "AM0201",
        format!("expected `{path}` to be {expected} but got {got}"),
    )
    .at(span)
    .with_help(format!("change the value to {expected}"))
}

/// AM0202: a required field of a binding is missing.
pub fn missing_field(span: Span, path: &str, field: &str) -> Diagnostic {
    Diagnostic::error("AM0202", format!("`{path}` must have a `{field}` field"))
        .at(span)
        .with_help(format!("add `{field}`"))
}

/// AM0203: a TOML date where wrangler wants a string.
pub fn toml_date(span: Span, path: &str, date: &str) -> Diagnostic {
    Diagnostic::error(
        "AM0203",
        format!("`{path}` is a TOML date, which wrangler does not support"),
    )
    .at(span)
    .with_help(format!("quote it: \"{date}\""))
}

/// AM0204: a key wrangler v4 removed and refuses.
pub fn removed_key_error(span: Span, key: &str, help: &str) -> Diagnostic {
    Diagnostic::error(
        "AM0204",
        format!("`{key}` is no longer supported by wrangler v4"),
    )
    .at(span)
    .with_help(help.to_string())
}

/// AM0205: a removed key that wrangler v4 ignores with a warning.
pub fn removed_key_ignored(span: Span, key: &str, help: &str) -> Diagnostic {
    Diagnostic::warning(
        "AM0205",
        format!("`{key}` was removed in wrangler v4 and is ignored"),
    )
    .at(span)
    .with_help(help.to_string())
}

/// AM0206: a deprecated key that still works.
pub fn deprecated_key(span: Span, key: &str, help: &str) -> Diagnostic {
    Diagnostic::warning("AM0206", format!("`{key}` is deprecated"))
        .at(span)
        .with_help(help.to_string())
}

/// AM0207: a value wrangler rejects (bad name, unknown enum value, bad date).
pub fn invalid_value(span: Span, path: &str, why: &str, help: &str) -> Diagnostic {
    Diagnostic::error("AM0207", format!("invalid value for `{path}`: {why}"))
        .at(span)
        .with_help(help.to_string())
}

/// AM0208: `route` and `routes` together.
pub fn route_and_routes(span: Span, other: Span) -> Diagnostic {
    Diagnostic::error("AM0208", "`route` and `routes` cannot both be set")
        .at(span)
        .with_label(other, "`route` is also set here")
        .with_help("move the single `route` into the `routes` list")
}

/// AM0209: one binding name used twice (wrangler refuses it).
pub fn duplicate_binding(span: Span, first: Span, name: &str, kinds: &str) -> Diagnostic {
    Diagnostic::error(
        "AM0209",
        format!("binding name `{name}` is used by more than one binding ({kinds})"),
    )
    .at(span)
    .with_label(first, "first used here")
    .with_help("binding names must be unique within a worker: rename one of them")
}

/// AM0210: `unsafe` is experimental.
pub fn unsafe_experimental(span: Span) -> Diagnostic {
    Diagnostic::warning(
        "AM0210",
        "`unsafe` fields are experimental and may change or break at any time",
    )
    .at(span)
    .with_help("prefer the first-class binding (e.g. `ratelimits`) where one exists")
}

/// AM0211: a Cloudflare Pages project, not a Worker.
pub fn pages_project(span: Span) -> Diagnostic {
    Diagnostic::warning("AM0211", "this is a Pages project (`pages_build_output_dir`): `migrate` turns it into a new Worker with static assets, which does not adopt the project")
        .at(span)
        .with_help("after the first deploy, move the project's custom domains to the Worker, then delete the Pages project (it stays live until then); see MIGRATION.md")
}

// ---- AM03xx: environments --------------------------------------------------------------------

/// AM0300: non-inheritable keys set at the top level but not in an environment. One diagnostic
/// per environment of a file, at the environment's table; every key is an occurrence, and the
/// keys are named in source order.
pub fn not_inherited(span: Span, env: &str, keys: &[(&str, Span)]) -> Diagnostic {
    let mut keys = keys.to_vec();
    keys.sort_by_key(|(_, s)| (s.file, s.start));
    let names: Vec<String> = keys.iter().map(|(k, _)| format!("`{k}`")).collect();
    let (message, help) = match names.as_slice() {
        [one] => (
            format!(
                "`env.{env}` does not redeclare {one}, which is set at the top level; environments do not inherit it, so `{env}` has none"
            ),
            format!(
                "add {one} to `env.{env}` if the `{env}` worker needs it (this is what wrangler deploys)"
            ),
        ),
        _ => (
            format!(
                "`env.{env}` redeclares none of {}, which are set at the top level; environments do not inherit them, so `{env}` has none of them",
                list(&names)
            ),
            format!(
                "add to `env.{env}` the ones the `{env}` worker needs (this is what wrangler deploys)"
            ),
        ),
    };
    Diagnostic::warning("AM0300", message)
        .at(span)
        .grouped(
            keys.iter()
                .map(|(k, s)| Label::new(*s, format!("`{k}` is set at the top level here"))),
        )
        .with_help(help)
}

/// AM0300 as well: entries of a redeclared non-inheritable key (a var, a named binding) that the
/// environment leaves out. One diagnostic per environment of a file; every entry is an
/// occurrence. `entries` are `(what, span)`, e.g. ``("var `LEVEL`", span)``.
pub fn entries_not_inherited(span: Span, env: &str, entries: &[(String, Span)]) -> Diagnostic {
    let mut entries: Vec<&(String, Span)> = entries.iter().collect();
    entries.sort_by_key(|(_, s)| (s.file, s.start));
    let names: Vec<String> = entries.iter().map(|(w, _)| w.clone()).collect();
    let (verb, pronoun) = if names.len() == 1 {
        ("exists", "it")
    } else {
        ("exist", "them")
    };
    Diagnostic::warning(
        "AM0300",
        format!(
            "{} {verb} at the top level, but not in `env.{env}`; environments do not inherit {pronoun}",
            list(&names)
        ),
    )
    .at(span)
    .grouped(
        entries
            .iter()
            .map(|(w, s)| Label::new(*s, format!("{w} is declared at the top level here"))),
    )
    .with_help(format!(
        "add {pronoun} to `env.{env}` if the `{env}` worker needs {pronoun}"
    ))
}

/// `a`, `b` and `c`; past [`LISTED_OCCURRENCES`] names, the rest are counted.
fn list(names: &[String]) -> String {
    if names.len() > LISTED_OCCURRENCES {
        let more = names.len() - LISTED_OCCURRENCES;
        return format!("{} and {more} more", names[..LISTED_OCCURRENCES].join(", "));
    }
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

/// AM0301: a top-level-only key inside an environment.
pub fn top_level_only_in_env(span: Span, key: &str, env: &str) -> Diagnostic {
    Diagnostic::warning(
        "AM0301",
        format!("`{key}` is only allowed at the top level; wrangler ignores it inside `env.{env}`"),
    )
    .at(span)
    .with_help(format!("move `{key}` to the top level"))
}

/// AM0302: `--env NAME` names an environment the file does not define.
pub fn env_not_found(span: Span, env: &str, defined: &[String]) -> Diagnostic {
    let severity_error = !defined.is_empty();
    let msg = format!("no environment `{env}` in this configuration");
    let d = if severity_error {
        Diagnostic::error("AM0302", msg)
    } else {
        Diagnostic::warning("AM0302", msg)
    };
    let help = if defined.is_empty() {
        format!(
            "the file defines no environments; like wrangler, the top level is used with the name suffixed `-{env}`"
        )
    } else {
        format!("defined environments: {}", defined.join(", "))
    };
    d.at(span).with_help(help)
}

/// AM0303: a worker without a name.
pub fn no_worker_name(span: Span, env: Option<&str>) -> Diagnostic {
    let where_ = env
        .map(|e| format!(" in environment `{e}`"))
        .unwrap_or_default();
    Diagnostic::warning(
        "AM0303",
        format!("the worker has no `name`{where_}; wrangler needs `--name` to deploy it"),
    )
    .at(span)
    .with_help("add `name` so the migrated worker keeps a stable script name")
}

/// AM0304: an environment inherits routes that contain custom domains.
pub fn inherited_custom_domains(span: Span, env: &str) -> Diagnostic {
    Diagnostic::warning("AM0304", format!("`env.{env}` inherits top-level `routes` that contain custom domains"))
        .at(span)
        .with_help(format!("a custom domain can point at one worker only; set `routes = []` (or its own routes) in `env.{env}`"))
}

/// AM0305: a config does not define the environments of some stages, so those stages do not
/// deploy its worker.
pub fn absent_from_stages(span: Span, worker: &str, stages: &[String]) -> Diagnostic {
    let list = stages
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let envs = stages
        .iter()
        .map(|s| format!("`[env.{s}]`"))
        .collect::<Vec<_>>()
        .join(", ");
    Diagnostic::info(
        "AM0305",
        format!("`{worker}` is not part of stage(s) {list}: its config defines no {envs}"),
    )
    .at(span)
    .with_help("nothing to do if that is intended; to deploy it in such a stage, add that environment to its config")
}

// ---- AM04xx: service bindings and the worker graph ------------------------------------------

/// AM0400: `environment` on a service binding (deprecated service environments).
pub fn service_environment(span: Span, binding: &str, service: &str, env: &str) -> Diagnostic {
    if env == "production" {
        Diagnostic::info("AM0400", format!("service binding `{binding}` sets `environment = \"production\"`, which is deprecated and has no effect"))
            .at(span)
            .with_help(format!("remove `environment`; the binding targets the worker `{service}`"))
    } else {
        Diagnostic::warning("AM0400", format!("service binding `{binding}` uses the deprecated service environment `{env}` of `{service}`"))
            .at(span)
            .with_help(format!("service environments are gone; bind the environment's own worker instead: `service = \"{service}-{env}\"`"))
    }
}

/// AM0401: a service binding's legacy `environment` names an environment the target does not define.
pub fn unresolved_service_environment(
    span: Span,
    binding: &str,
    service: &str,
    env: &str,
) -> Diagnostic {
    Diagnostic::warning("AM0401", format!("service binding `{binding}` asks for environment `{env}` of `{service}`, but no config in scope defines it; it is bound to `{service}`"))
        .at(span)
        .with_help(format!("bind the environment's worker by its script name (`service = \"{service}-{env}\"`, or that environment's `name`), or add the target's config to the migration"))
}

/// AM0402: a service binding to a worker that is not part of the migration.
pub fn external_service(span: Span, binding: &str, service: &str) -> Diagnostic {
    Diagnostic::info("AM0402", format!("service binding `{binding}` targets `{service}`, a worker outside the migration; it is bound by name with `WorkerRef`"))
        .at(span)
        .with_help(format!("add `{service}`'s wrangler config to the migration to manage it too, or keep deploying it separately"))
}

/// AM0403: a cycle of worker bindings; one edge binds a placeholder.
pub fn cycle(span: Span, cycle: &str, from: &str, to: &str) -> Diagnostic {
    Diagnostic::warning("AM0403", format!("workers bind each other in a cycle ({cycle}); `{from}` binds a placeholder for `{to}`, which is created later"))
        .at(span)
        .with_help(format!("nothing to do: on deploy a `WorkerStub` creates `{to}` first and the real `{to}` adopts it; locally it is bound by name"))
}

/// AM0404: a named entrypoint that the target's main module does not export.
pub fn missing_entrypoint(
    span: Span,
    binding: &str,
    entrypoint: &str,
    target: &str,
    main: &str,
) -> Diagnostic {
    Diagnostic::warning("AM0404", format!("service binding `{binding}` uses entrypoint `{entrypoint}`, but `{main}` (the main module of `{target}`) does not export it"))
        .at(span)
        .with_help(format!("export `class {entrypoint} extends WorkerEntrypoint` from `{main}`, or fix the entrypoint name; calls fail at run time otherwise"))
}

/// AM0405: Alchemy's local dev binds the default entrypoint instead of a named one.
pub fn entrypoint_local_dev(span: Span, binding: &str, entrypoint: &str) -> Diagnostic {
    Diagnostic::info("AM0405", format!("service binding `{binding}` uses the named entrypoint `{entrypoint}`: it deploys correctly, but Alchemy 0.94's local dev binds the default entrypoint instead"))
        .at(span)
        .with_help("test calls to this entrypoint against a deployed stage, or with `wrangler dev`")
}

/// AM0406: external service bindings left out with `--skip-external-services`.
pub fn skipped_external(span: Span, binding: &str, service: &str) -> Diagnostic {
    Diagnostic::warning("AM0406", format!("service binding `{binding}` to the external worker `{service}` is left out (--skip-external-services)"))
        .at(span)
        .with_help("the generated code has a comment where it was; add it back once the target is migrated")
}

/// AM0407: two configs deploy a worker with the same script name.
pub fn duplicate_worker(span: Span, first: Span, name: &str) -> Diagnostic {
    Diagnostic::error(
        "AM0407",
        format!("two configs deploy a worker named `{name}`; only the first is migrated"),
    )
    .at(span)
    .with_label(first, "first declared here")
    .with_help("give each worker a unique `name`, or migrate the configs separately")
}

/// AM0408: a worker's RPC types could not be read; its bindings are untyped.
pub fn untyped_service(span: Span, binding: &str, target: &str, why: &str) -> Diagnostic {
    Diagnostic::info(
        "AM0408",
        format!("service binding `{binding}` to `{target}` is untyped: {why}"),
    )
    .at(span)
    .with_help(
        "the binding still works; type it by hand with `WorkerRef<YourRpc>` if you need RPC types",
    )
}

// ---- AM05xx: migration ---------------------------------------------------------------------

/// AM0500: something Alchemy 0.94 cannot express; a TODO marks the spot in the generated code.
pub fn unsupported(span: Span, what: &str, help: &str) -> Diagnostic {
    Diagnostic::warning(
        "AM0500",
        format!(
            "{what} cannot be expressed in Alchemy 0.94; a TODO marks the spot in alchemy.run.ts"
        ),
    )
    .at(span)
    .with_help(help.to_string())
}

/// AM0501: one resource declared twice with different settings.
pub fn conflicting_resource(span: Span, first: Span, what: &str, detail: &str) -> Diagnostic {
    Diagnostic::warning("AM0501", format!("{what} is declared again with different settings ({detail}); the first declaration is used"))
        .at(span)
        .with_label(first, "first declared here")
        .with_help("make the declarations agree, or give the resources different names")
}

/// AM0502: a config without `main` (and not a Pages project) deploys no worker; the resources it
/// declares (a D1 database kept for `wrangler d1 migrations`, say) are declared in the program.
pub fn no_main(span: Span, worker: &str, resources: usize) -> Diagnostic {
    let what = match resources {
        0 => "it declares no resource either".to_string(),
        1 => "its one resource is declared in the program and shared with the workers that bind it"
            .to_string(),
        n => format!(
            "its {n} resources are declared in the program and shared with the workers that bind them"
        ),
    };
    Diagnostic::info(
        "AM0502",
        format!("`{worker}` has no `main`: it deploys no worker; {what}"),
    )
    .at(span)
    .with_help("nothing to do if the config only keeps resources; if it is a worker, set `main` to its entry module")
}

/// AM0503: a key that needs no translation or is handled differently by Alchemy.
pub fn not_translated(span: Span, key: &str, why: &str) -> Diagnostic {
    Diagnostic::info("AM0503", format!("`{key}` is not translated: {why}")).at(span)
}

/// AM0504: a key that changes behaviour and that the user must act on.
pub fn action_needed(span: Span, key: &str, what: &str, help: &str) -> Diagnostic {
    Diagnostic::warning("AM0504", format!("`{key}`: {what}"))
        .at(span)
        .with_help(help.to_string())
}

/// AM0505: an output file exists and `--force` was not given.
pub fn output_exists(path: &str) -> Diagnostic {
    Diagnostic::error(
        "AM0505",
        format!("`{path}` already exists and was not overwritten"),
    )
    .in_file(path)
    .with_help("pass --force to replace it, or choose another --out folder")
}

/// AM0110: an output file or folder could not be written.
pub fn unwritable(path: &str, err: &str) -> Diagnostic {
    Diagnostic::error("AM0110", format!("cannot write `{path}`: {err}"))
        .in_file(path)
        .with_help("check that --out names a folder you can write to (not a file) and that the disk has space; a file is never left half-written")
}

/// AM0507: a secret the program reads from the environment at deploy time.
pub fn secret_from_env(span: Span, name: &str) -> Diagnostic {
    Diagnostic::info("AM0507", format!("secret `{name}` is read from the environment variable `{name}` at deploy time (alchemy.secret.env.{name})"))
        .at(span)
        .with_help(format!("set `{name}` (see .env.example) before running alchemy; its value is never written to the generated files"))
}

/// AM0509: a binding that deploys correctly but does not run in Alchemy 0.94's offline local dev.
pub fn local_dev_limit(span: Span, binding: &str, why: &str) -> Diagnostic {
    Diagnostic::info("AM0509", format!("binding `{binding}`: {why}"))
        .at(span)
        .with_help("test this binding against a deployed stage")
}

/// AM0510: `--default-stage` names a wrangler environment.
pub fn default_stage_is_env(stage: &str) -> Diagnostic {
    Diagnostic::error("AM0510", format!("--default-stage {stage} is also the name of a wrangler environment"))
        .with_help(format!("the environment `{stage}` already deploys as stage `{stage}`: choose another name for the top level, or leave the flag out"))
}

/// AM0511: an environment named `production` exists, so the top level gets no stage of its own.
pub fn top_level_is_template() -> Diagnostic {
    Diagnostic::info("AM0511", "a wrangler environment is named `production`: it deploys as stage `production`, and the top level only serves as the template of other stages")
        .with_help("pass --default-stage NAME to give the top level a stage of its own")
}

/// AM0409: a service binding in one stage targets a worker of another stage.
pub fn cross_stage_service(
    bindings: &[(Span, String, String, String, Option<String>)],
) -> Diagnostic {
    let describe = |(_, binding, service, stage, home): &(
        Span,
        String,
        String,
        String,
        Option<String>,
    )| match home {
        Some(home) => {
            format!("`{binding}` → `{service}` in stage `{stage}` (the worker of stage `{home}`)")
        }
        None => format!(
            "`{binding}` → `{service}` in stage `{stage}` (a worker that stage does not deploy)"
        ),
    };
    let list = bindings.iter().map(describe).collect::<Vec<_>>().join(", ");
    let places = bindings
        .iter()
        .map(|b| super::Label::new(b.0, format!("`{}` in stage `{}`", b.1, b.3)));
    Diagnostic::warning("AM0409", format!("service bindings that cross stages are bound by script name, as wrangler does: {list}"))
        .grouped(places)
        .with_help("if a stage should use its own worker, give that worker the stage's environment and bind its script name")
}

/// AM0514: a D1 database or R2 bucket without a name or id: wrangler provisions one on deploy;
/// the program creates it.
pub fn provisioned(span: Span, section: &str, field: &str, what: &str, name: &str) -> Diagnostic {
    Diagnostic::warning(
        "AM0514",
        format!("this `{section}` binding names no {what}: like wrangler's provisioning, the program creates the {what} `{name}`"),
    )
    .at(span)
    .with_help(format!("if wrangler already provisioned one for this binding, set `{field}` to its name so it is adopted instead"))
}

/// AM0513: a Pages project's `functions/` folder must be built into `_worker.js` first.
pub fn pages_functions(span: Span, outfile: &str) -> Diagnostic {
    Diagnostic::warning(
        "AM0513",
        format!("this Pages project has Pages Functions (`functions/`): the Worker's entry is their build output `{outfile}`, which does not exist yet"),
    )
    .at(span)
    .with_help(format!("run `npx wrangler pages functions build --outfile {outfile}` in the project folder before `alchemy deploy` (add it to the build)"))
}

/// AM0512: the worker is written in the service-worker syntax.
pub fn service_worker_format(span: Span, main: &str) -> Diagnostic {
    Diagnostic::info("AM0512", format!("`{main}` uses the service-worker syntax (no `import`/`export`): it is uploaded with `format: \"cjs\"`"))
        .at(span)
        .with_help("nothing to do; moving to ES modules (`export default { fetch }`) would let it use newer features")
}

// ---- AM07xx: preflight (the program against the live account) -------------------------------

/// AM0700: the worker does not exist in the account yet; the first deploy creates it.
pub fn worker_created(span: Option<Span>, script: &str, account: &str) -> Diagnostic {
    let d = Diagnostic::info(
        "AM0700",
        format!("worker `{script}` does not exist in account `{account}` yet: the first deploy creates it"),
    )
    .with_help("nothing to do if this is a new worker; otherwise check the script name and the account");
    at_opt(d, span)
}

/// AM0701: the deploy re-points a live binding to another target (another KV namespace, D1
/// database, R2 bucket, queue, service, Durable Object class or script), or changes its kind.
pub fn binding_repointed(
    span: Option<Span>,
    script: &str,
    binding: &str,
    live: &str,
    program: &str,
    help: &str,
) -> Diagnostic {
    let d = Diagnostic::error(
        "AM0701",
        format!(
            "binding `{binding}` of `{script}`: the deploy re-points it from {live} to {program}"
        ),
    )
    .with_help(help.to_string());
    at_opt(d, span)
}

/// AM0702: the program adopts a resource by name that does not exist, while the live worker binds
/// an existing one: the deploy creates a new, empty resource and binds it instead.
pub fn new_empty_resource(
    span: Option<Span>,
    script: &str,
    binding: &str,
    program: &str,
    live: &str,
    help: &str,
) -> Diagnostic {
    let d = Diagnostic::error(
        "AM0702",
        format!("binding `{binding}` of `{script}`: {program} does not exist, so the deploy creates a new, empty one and binds it instead of {live}"),
    )
    .with_help(help.to_string());
    at_opt(d, span)
}

/// AM0703: a live binding the program does not declare (or cannot express): the deploy removes it.
pub fn live_binding_removed(
    span: Option<Span>,
    script: &str,
    binding: &str,
    live: &str,
    why: &str,
) -> Diagnostic {
    let d = Diagnostic::error(
        "AM0703",
        format!("live binding `{binding}` of `{script}` ({live}) is not in the program: the deploy removes it"),
    )
    .with_help(why.to_string());
    at_opt(d, span)
}

/// AM0704: a live var (set in the dashboard or by an earlier deploy) the program does not set; the
/// deploy removes it. An error when the config asks wrangler to keep vars (`keep_vars = true`).
pub fn live_var_removed(
    span: Option<Span>,
    script: &str,
    var: &str,
    keep_vars: bool,
) -> Diagnostic {
    let message =
        format!("live var `{var}` of `{script}` is not set by the program: the deploy removes it");
    let d = if keep_vars {
        Diagnostic::error(
            "AM0704",
            format!("{message} (the config has `keep_vars = true`)"),
        )
    } else {
        Diagnostic::warning("AM0704", message)
    };
    at_opt(
        d.with_help(format!(
            "add `{var}` to the config's `vars` if the worker still needs it"
        )),
        span,
    )
}

/// AM0705: a live cron trigger the program does not have; the deploy replaces the worker's crons.
pub fn live_cron_replaced(span: Option<Span>, script: &str, cron: &str) -> Diagnostic {
    let d = Diagnostic::warning(
        "AM0705",
        format!("live cron `{cron}` of `{script}` is not in the program: the deploy replaces the worker's cron triggers"),
    )
    .with_help(format!("add \"{cron}\" to `triggers.crons` if the worker should keep running on it"));
    at_opt(d, span)
}

/// AM0706: a live custom domain the program does not have.
pub fn live_domain_unmanaged(span: Option<Span>, script: &str, hostname: &str) -> Diagnostic {
    let d = Diagnostic::warning(
        "AM0706",
        format!("live custom domain `{hostname}` of `{script}` is not in the program"),
    )
    .with_help(format!("add `{{ pattern = \"{hostname}\", custom_domain = true }}` to `routes` so the program manages it, or remove it if it is no longer needed"));
    at_opt(d, span)
}

/// AM0707: a live secret the program declares: its value is replaced by the deployer's
/// environment variable of the same name.
pub fn declared_secret_overwritten(span: Option<Span>, script: &str, name: &str) -> Diagnostic {
    let d = Diagnostic::warning(
        "AM0707",
        format!("live secret `{name}` of `{script}` is declared by the program: the deploy replaces its value with the environment variable `{name}`"),
    )
    .with_help(format!("set `{name}` to the live value before deploying (secret values cannot be read back), or remove it from the config to keep the live one"));
    at_opt(d, span)
}

/// AM0708: a live secret no config names: Cloudflare keeps it, but the worker's `Env` type does
/// not have it.
pub fn undeclared_live_secret(span: Option<Span>, script: &str, name: &str) -> Diagnostic {
    let d = Diagnostic::info(
        "AM0708",
        format!("live secret `{name}` of `{script}` is not named by any config: Cloudflare keeps it, but it is not in the worker's `Env` type"),
    )
    .with_help(format!("add `{name}` to `secrets.required` (or `.dev.vars`) to type it; the program then sets its value from the environment"));
    at_opt(d, span)
}

/// AM0709: the deploy changes the worker's compatibility date or flags.
pub fn compatibility_changes(span: Option<Span>, script: &str, what: &str) -> Diagnostic {
    let d = Diagnostic::info(
        "AM0709",
        format!("the deploy changes the compatibility settings of `{script}`: {what}"),
    )
    .with_help("check the runtime changes between the two settings in Cloudflare's compatibility dates and flags");
    at_opt(d, span)
}

/// AM0710: no API token.
pub fn no_api_token() -> Diagnostic {
    Diagnostic::error("AM0710", "`CLOUDFLARE_API_TOKEN` is not set: preflight reads the live account through Cloudflare's API")
        .with_help("export CLOUDFLARE_API_TOKEN with a token that can read Workers scripts, D1, R2, KV and Queues of the account")
}

/// AM0711: no account to read.
pub fn no_account() -> Diagnostic {
    Diagnostic::error("AM0711", "no Cloudflare account: neither `CLOUDFLARE_ACCOUNT_ID`, an `account_id` in the configs, nor --account-id is set")
        .with_help("export CLOUDFLARE_ACCOUNT_ID, or pass --account-id ID")
}

/// AM0712: the configs of one stage name different accounts.
pub fn accounts_differ(span: Span, first: Span, account: &str, other: &str) -> Diagnostic {
    Diagnostic::error(
        "AM0712",
        format!("the configs name different accounts (`{account}` and `{other}`): one preflight reads one account"),
    )
    .at(span)
    .with_label(first, format!("`{other}` here"))
    .with_help("give every worker of the stage the same `account_id`, or check the configs of each account separately")
}

/// AM0712: the account given by the environment or `--account-id` is not the one the configs
/// deploy to (the program sets each worker's `accountId` from its config).
pub fn account_not_the_configs(span: Span, source: &str, given: &str, config: &str) -> Diagnostic {
    Diagnostic::error(
        "AM0712",
        format!("{source} is `{given}`, but the configs deploy to account `{config}`: preflight would read an account the deploy does not touch"),
    )
    .at(span)
    .with_help(format!("the program sets `accountId: \"{config}\"` from `account_id`: unset {source}, or fix the configs' `account_id`"))
}

/// AM0713: a request to Cloudflare's API failed (unreachable, timed out, refused, rate limited).
pub fn api_request_failed(request: &str, why: &str, help: &str) -> Diagnostic {
    Diagnostic::error("AM0713", format!("{request}: {why}")).with_help(help.to_string())
}

/// AM0714: Cloudflare's API answered something preflight cannot read.
pub fn api_answer_unexpected(request: &str, why: &str) -> Diagnostic {
    Diagnostic::error("AM0714", format!("{request}: unexpected answer ({why})")).with_help(
        "check CLOUDFLARE_API_BASE_URL; the comparison is incomplete until this request succeeds",
    )
}

/// AM0715: `--stage` names a stage that adopts no existing workers.
pub fn unknown_stage(stage: &str, stages: &[String]) -> Diagnostic {
    Diagnostic::error(
        "AM0715",
        format!("no stage `{stage}` adopts existing workers"),
    )
    .with_help(format!(
        "the stages that deploy wrangler's workers are: {}; other stages deploy fresh workers and resources",
        stages.join(", ")
    ))
}

/// AM0716: `migrate`: the program adopts existing workers; compare it with the live account
/// before the first deploy.
pub fn preflight_before_deploy() -> Diagnostic {
    Diagnostic::info(
        "AM0716",
        "the program adopts existing workers: run `alchemy-migrator preflight` for each stage before its first deploy",
    )
    .with_help("it compares the program with the live account (read-only) and reports bindings, vars, crons and secrets the deploy would change; MIGRATION.md has the commands")
}

fn at_opt(d: Diagnostic, span: Option<Span>) -> Diagnostic {
    match span {
        Some(s) => d.at(s),
        None => d,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every code this file produces, found in its source.
    fn codes() -> Vec<String> {
        let source = include_str!("codes.rs");
        let mut out: Vec<String> = source
            .split("Diagnostic::")
            .skip(1)
            .filter_map(|part| part.split('"').nth(1))
            .filter(|c| c.starts_with("AM") && c.len() == 6)
            .map(str::to_string)
            .collect();
        out.sort();
        out.dedup();
        out
    }

    #[test]
    fn every_code_has_a_title() {
        let codes = codes();
        assert!(codes.len() > 40);
        for code in codes {
            assert_ne!(title(&code), "other", "{code} has no title");
        }
    }

    #[test]
    fn lists_name_the_last_item_with_and_and_count_the_rest() {
        let names = |n: usize| (0..n).map(|i| format!("`k{i}`")).collect::<Vec<_>>();
        assert_eq!(list(&names(1)), "`k0`");
        assert_eq!(list(&names(3)), "`k0`, `k1` and `k2`");
        assert_eq!(
            list(&names(12)),
            "`k0`, `k1`, `k2`, `k3`, `k4`, `k5`, `k6`, `k7`, `k8`, `k9` and 2 more"
        );
    }
}
