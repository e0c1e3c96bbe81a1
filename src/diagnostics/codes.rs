//! The catalogue of diagnostic codes, and one constructor per diagnostic.
//!
//! [`Code`] is the catalogue: each code's stable identifier, title, default severity, default help
//! and documentation, declared once in the table below. The doc comment of each code is its user
//! documentation. Codes are stable: never renumber one.
//!
//! * `AM01xx` reading and parsing files
//! * `AM02xx` the wrangler schema: unknown keys, types, values wrangler rejects
//! * `AM03xx` environments
//! * `AM04xx` service bindings and the worker graph
//! * `AM05xx` migration to Alchemy
//! * `AM07xx` preflight: the program compared with the live Cloudflare account
//!
//! The constructors below hold the wording of each diagnostic. They start from the catalogue
//! ([`Diagnostic::new`]: the code's default severity and help) and override either only where the
//! case calls for it.

use super::{Diagnostic, LISTED_OCCURRENCES, Label, Severity, Span};
use std::fmt::Write as _;

/// One row of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub code: Code,
    /// The stable identifier, `AM` and four digits.
    pub id: &'static str,
    /// A short title, for headings (`MIGRATION.md` groups its items by code).
    pub title: &'static str,
    /// The severity of most diagnostics of this code; a constructor may choose another for one
    /// case, and the documentation then says when.
    pub severity: Severity,
    /// What to do, when it is the same for every diagnostic of this code; a constructor may
    /// give a more precise one.
    pub help: Option<&'static str>,
    /// The user documentation (the code's doc comment, one string per line).
    pub doc: &'static [&'static str],
}

/// Declares [`Code`] and the catalogue from one table, so that a code cannot exist without its
/// title, severity and documentation.
macro_rules! catalogue {
    (@help) => { None };
    (@help $help:literal) => { Some($help) };
    ($(
        $(#[doc = $doc:literal])+
        $variant:ident {
            id: $id:literal,
            severity: $severity:ident,
            title: $title:literal
            $(, help: $help:literal)?
            $(,)?
        }
    )+) => {
        /// A diagnostic code. Serialized (JSON) and displayed as its identifier, e.g. `AM0100`;
        /// ordered as its identifier.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $( $(#[doc = $doc])+ $variant, )+
        }

        /// Every code, in code order (the order of [`Code`]'s variants).
        pub const CATALOGUE: &[Entry] = &[
            $(Entry {
                code: Code::$variant,
                id: $id,
                title: $title,
                severity: Severity::$severity,
                help: catalogue!(@help $($help)?),
                doc: &[$($doc),+],
            },)+
        ];
    };
}

catalogue! {
    // ---- AM01xx: files and syntax ----
    /// a file or folder could not be read.
    Unreadable {
        id: "AM0100",
        severity: Error,
        title: "a file or folder could not be read",
        help: "check that the path exists and is readable",
    }
    /// the TOML is not valid.
    InvalidToml {
        id: "AM0101",
        severity: Error,
        title: "invalid TOML",
        help: "fix the syntax; wrangler would refuse this file too",
    }
    /// the JSON/JSONC is not valid.
    InvalidJson {
        id: "AM0102",
        severity: Error,
        title: "invalid JSON",
        help: "fix the syntax; comments and trailing commas are allowed, nothing else",
    }
    /// the file is not UTF-8 text.
    NotUtf8 {
        id: "AM0103",
        severity: Error,
        title: "not UTF-8 text",
        help: "save the file as UTF-8",
    }
    /// arrays/objects nested deeper than any real config.
    NestingTooDeep {
        id: "AM0104",
        severity: Error,
        title: "nesting too deep",
        help: "a wrangler config never needs this; check that the file is what you meant to migrate",
    }
    /// the file is empty or holds only comments: an error for `wrangler.json`/`.jsonc` (wrangler
    /// refuses it), a warning for `wrangler.toml` (a config without a worker).
    EmptyConfig {
        id: "AM0105",
        severity: Warning,
        title: "empty config",
        help: "add at least `name`, `main` and `compatibility_date`, or remove the file",
    }
    /// the document is not a table/object at the top.
    RootNotObject {
        id: "AM0106",
        severity: Error,
        title: "not an object at the top level",
        help: "wrap the settings in `{ ... }`",
    }
    /// two wrangler configs in one folder; wrangler reads only one of them.
    ShadowedConfig {
        id: "AM0107",
        severity: Warning,
        title: "config ignored in favour of another in its folder",
        help: "delete the stale file, or pass it explicitly to migrate it instead",
    }
    /// nothing to work on.
    NoConfigs {
        id: "AM0108",
        severity: Error,
        title: "no config found",
        help: "point --discover at the folder that holds your workers, or pass config files as arguments",
    }
    /// a key appears twice in a JSON object; the last one wins, as in wrangler.
    DuplicateKey {
        id: "AM0109",
        severity: Warning,
        title: "duplicate key",
        help: "remove one of them",
    }
    /// an output file or folder could not be written.
    Unwritable {
        id: "AM0110",
        severity: Error,
        title: "output could not be written",
        help: "check that --out names a folder you can write to (not a file) and that the disk has space; a file is never left half-written",
    }

    // ---- AM02xx: the wrangler schema ----
    /// a key wrangler does not know (wrangler warns and ignores it).
    UnknownKey {
        id: "AM0200",
        severity: Warning,
        title: "unknown key",
        help: "remove it, or check the spelling against the wrangler configuration reference",
    }
    /// a value has the wrong type (wrangler refuses the config).
    WrongType {
        id: "AM0201",
        severity: Error,
        title: "wrong type",
    }
    /// a required field of a binding is missing.
    MissingField {
        id: "AM0202",
        severity: Error,
        title: "missing required field",
    }
    /// a TOML date where wrangler wants a string.
    TomlDate {
        id: "AM0203",
        severity: Error,
        title: "TOML date",
    }
    /// a key wrangler v4 removed and refuses.
    RemovedKey {
        id: "AM0204",
        severity: Error,
        title: "key removed in wrangler v4",
    }
    /// a removed key that wrangler v4 ignores with a warning.
    RemovedKeyIgnored {
        id: "AM0205",
        severity: Warning,
        title: "removed key, ignored",
    }
    /// a deprecated key that still works.
    DeprecatedKey {
        id: "AM0206",
        severity: Warning,
        title: "deprecated key",
    }
    /// a value wrangler rejects (bad name, unknown enum value, bad date).
    InvalidValue {
        id: "AM0207",
        severity: Error,
        title: "invalid value",
    }
    /// `route` and `routes` together.
    RouteAndRoutes {
        id: "AM0208",
        severity: Error,
        title: "`route` and `routes` together",
        help: "move the single `route` into the `routes` list",
    }
    /// one binding name used twice (wrangler refuses it).
    DuplicateBinding {
        id: "AM0209",
        severity: Error,
        title: "binding name used twice",
        help: "binding names must be unique within a worker: rename one of them",
    }
    /// `unsafe` is experimental.
    UnsafeExperimental {
        id: "AM0210",
        severity: Warning,
        title: "experimental `unsafe`",
        help: "prefer the first-class binding (e.g. `ratelimits`) where one exists",
    }
    /// a Cloudflare Pages project: migrated as a new Worker with static assets.
    PagesProject {
        id: "AM0211",
        severity: Warning,
        title: "Pages project",
        help: "after the first deploy, move the project's custom domains to the Worker, then delete the Pages project (it stays live until then); see MIGRATION.md",
    }

    // ---- AM03xx: environments ----
    /// non-inheritable keys (or some of their vars and bindings) set at the top level but not in
    /// an environment; one diagnostic per environment of a file, every key as an occurrence.
    NotInherited {
        id: "AM0300",
        severity: Warning,
        title: "keys environments do not inherit",
    }
    /// a top-level-only key inside an environment.
    TopLevelOnlyInEnv {
        id: "AM0301",
        severity: Warning,
        title: "top-level-only key in an environment",
    }
    /// `--env NAME` names an environment the file does not define (a warning when the file
    /// defines no environments: like wrangler, the top level is used).
    EnvNotFound {
        id: "AM0302",
        severity: Error,
        title: "environment not defined",
    }
    /// a worker without a name.
    NoWorkerName {
        id: "AM0303",
        severity: Warning,
        title: "worker without a name",
        help: "add `name` so the migrated worker keeps a stable script name",
    }
    /// an environment inherits routes that contain custom domains.
    InheritedCustomDomains {
        id: "AM0304",
        severity: Warning,
        title: "inherited custom domains",
    }
    /// a config does not define the environments of some stages, so those stages do not deploy
    /// its worker.
    AbsentFromStages {
        id: "AM0305",
        severity: Info,
        title: "not part of some stages",
        help: "nothing to do if that is intended; to deploy it in such a stage, add that environment to its config",
    }

    // ---- AM04xx: service bindings and the worker graph ----
    /// `environment` on a service binding (deprecated service environments); an info when it is
    /// `production`, which has no effect.
    ServiceEnvironment {
        id: "AM0400",
        severity: Warning,
        title: "deprecated service environment",
    }
    /// a service binding's legacy `environment` names an environment the target does not define.
    UnresolvedServiceEnvironment {
        id: "AM0401",
        severity: Warning,
        title: "service environment not found",
    }
    /// a service binding to a worker that is not part of the migration.
    ExternalService {
        id: "AM0402",
        severity: Info,
        title: "worker outside the migration",
    }
    /// a cycle of worker bindings; one edge binds a placeholder.
    Cycle {
        id: "AM0403",
        severity: Warning,
        title: "cycle of bindings",
    }
    /// a named entrypoint that the target's main module does not export.
    MissingEntrypoint {
        id: "AM0404",
        severity: Warning,
        title: "named entrypoint not exported",
    }
    /// Alchemy's local dev binds the default entrypoint instead of a named one.
    EntrypointLocalDev {
        id: "AM0405",
        severity: Info,
        title: "named entrypoint in local dev",
        help: "test calls to this entrypoint against a deployed stage, or with `wrangler dev`",
    }
    /// external service bindings left out with `--skip-external-services`.
    SkippedExternal {
        id: "AM0406",
        severity: Warning,
        title: "external service binding left out",
        help: "the generated code has a comment where it was; add it back once the target is migrated",
    }
    /// two configs deploy a worker with the same script name.
    DuplicateWorker {
        id: "AM0407",
        severity: Error,
        title: "script name deployed twice",
        help: "give each worker a unique `name`, or migrate the configs separately",
    }
    /// a worker's RPC types could not be read; its bindings are untyped.
    UntypedService {
        id: "AM0408",
        severity: Info,
        title: "untyped service binding",
        help: "the binding still works; type it by hand with `WorkerRef<YourRpc>` if you need RPC types",
    }
    /// a service binding in one stage targets a worker of another stage.
    CrossStageService {
        id: "AM0409",
        severity: Warning,
        title: "service binding across stages",
        help: "if a stage should use its own worker, give that worker the stage's environment and bind its script name",
    }

    // ---- AM05xx: migration to Alchemy ----
    /// something Alchemy 0.94 cannot express; a TODO marks the spot in the generated code.
    Unsupported {
        id: "AM0500",
        severity: Warning,
        title: "not expressible in Alchemy 0.94",
    }
    /// one resource declared twice with different settings.
    ConflictingResource {
        id: "AM0501",
        severity: Warning,
        title: "resource declared twice with different settings",
        help: "make the declarations agree, or give the resources different names",
    }
    /// a config without `main` (and not a Pages project) deploys no worker; the resources it
    /// declares are declared in the program.
    NoMain {
        id: "AM0502",
        severity: Info,
        title: "worker without `main`",
        help: "nothing to do if the config only keeps resources; if it is a worker, set `main` to its entry module",
    }
    /// a key that needs no translation or is handled differently by Alchemy.
    NotTranslated {
        id: "AM0503",
        severity: Info,
        title: "not translated",
    }
    /// a key that changes behaviour and that the user must act on.
    ActionNeeded {
        id: "AM0504",
        severity: Warning,
        title: "needs your action",
    }
    /// an output file exists and `--force` was not given.
    OutputExists {
        id: "AM0505",
        severity: Error,
        title: "output file exists",
        help: "pass --force to replace it, or choose another --out folder",
    }
    /// a secret the program reads from the environment at deploy time.
    SecretFromEnv {
        id: "AM0507",
        severity: Info,
        title: "secret read from the environment",
    }
    /// a binding that deploys correctly but does not run in Alchemy 0.94's offline local dev.
    LocalDevLimit {
        id: "AM0509",
        severity: Info,
        title: "not in offline local dev",
        help: "test this binding against a deployed stage",
    }
    /// `--default-stage` names a wrangler environment.
    DefaultStageIsEnv {
        id: "AM0510",
        severity: Error,
        title: "`--default-stage` names an environment",
    }
    /// an environment named `production` exists, so the top level gets no stage of its own.
    TopLevelIsTemplate {
        id: "AM0511",
        severity: Info,
        title: "the top level is only a template",
        help: "pass --default-stage NAME to give the top level a stage of its own",
    }
    /// the worker is written in the service-worker syntax.
    ServiceWorkerFormat {
        id: "AM0512",
        severity: Info,
        title: "service-worker syntax",
        help: "nothing to do; moving to ES modules (`export default { fetch }`) would let it use newer features",
    }
    /// a Pages project's `functions/` folder must be built into `_worker.js` before deploying.
    PagesFunctions {
        id: "AM0513",
        severity: Warning,
        title: "Pages Functions need a build step",
    }
    /// a D1 database or R2 bucket without a name or id: the program creates one, as wrangler
    /// provisions it.
    Provisioned {
        id: "AM0514",
        severity: Warning,
        title: "resource created as wrangler provisions it",
    }
    /// a worker whose config names no entry module (`main`): wrangler is given it on the command
    /// line, so the migration cannot know it and the worker is not migrated.
    NoEntry {
        id: "AM0515",
        severity: Error,
        title: "worker without an entry module",
        help: "set `main` to the worker's entry module (relative to its config, as in `wrangler deploy src/index.ts`) and migrate again",
    }

    // ---- AM07xx: preflight (the program against the live account) ----
    /// the worker does not exist in the account yet; the first deploy creates it.
    WorkerCreated {
        id: "AM0700",
        severity: Info,
        title: "worker created by the first deploy",
        help: "nothing to do if this is a new worker; otherwise check the script name and the account",
    }
    /// the deploy re-points a live binding to another target (another KV namespace, D1
    /// database, R2 bucket, queue, service, Durable Object class or script), or changes its kind.
    BindingRepointed {
        id: "AM0701",
        severity: Error,
        title: "binding re-pointed by the deploy",
    }
    /// the program adopts a resource by name that does not exist, while the live worker binds
    /// an existing one: the deploy creates a new, empty resource and binds it instead.
    NewEmptyResource {
        id: "AM0702",
        severity: Error,
        title: "adopted resource does not exist",
    }
    /// a live binding the program does not declare (or cannot express): the deploy removes it.
    LiveBindingRemoved {
        id: "AM0703",
        severity: Error,
        title: "live binding removed by the deploy",
    }
    /// a live var the program does not set; the deploy removes it (an error when the config
    /// has `keep_vars = true`).
    LiveVarRemoved {
        id: "AM0704",
        severity: Warning,
        title: "live var removed by the deploy",
    }
    /// a live cron trigger the program does not have; the deploy replaces the worker's crons.
    LiveCronReplaced {
        id: "AM0705",
        severity: Warning,
        title: "live cron replaced by the deploy",
    }
    /// a live custom domain the program does not have.
    LiveDomainUnmanaged {
        id: "AM0706",
        severity: Warning,
        title: "live custom domain not in the program",
    }
    /// a live secret the program declares: its value is replaced by the deployer's environment
    /// variable.
    DeclaredSecretOverwritten {
        id: "AM0707",
        severity: Warning,
        title: "live secret overwritten by the deploy",
    }
    /// a live secret no config names: Cloudflare keeps it, but the worker's `Env` type does
    /// not have it.
    UndeclaredLiveSecret {
        id: "AM0708",
        severity: Info,
        title: "live secret not in the worker's types",
    }
    /// the deploy changes the worker's compatibility date or flags.
    CompatibilityChanges {
        id: "AM0709",
        severity: Info,
        title: "compatibility settings change",
        help: "check the runtime changes between the two settings in Cloudflare's compatibility dates and flags",
    }
    /// no API token (`CLOUDFLARE_API_TOKEN`); exit 2.
    NoApiToken {
        id: "AM0710",
        severity: Error,
        title: "no API token",
        help: "export CLOUDFLARE_API_TOKEN with a token that can read Workers scripts, D1, R2, KV and Queues of the account",
    }
    /// no account to read; exit 2.
    NoAccount {
        id: "AM0711",
        severity: Error,
        title: "no account",
        help: "export CLOUDFLARE_ACCOUNT_ID, or pass --account-id ID",
    }
    /// the configs of one stage name different accounts, or
    /// `CLOUDFLARE_ACCOUNT_ID`/`--account-id` is not the account they deploy to; exit 2.
    AccountsDiffer {
        id: "AM0712",
        severity: Error,
        title: "accounts disagree",
    }
    /// a request to Cloudflare's API failed (unreachable, timed out, refused, rate limited);
    /// exit 2.
    ApiRequestFailed {
        id: "AM0713",
        severity: Error,
        title: "request to Cloudflare failed",
    }
    /// Cloudflare's API answered something preflight cannot read; exit 2.
    ApiAnswerUnexpected {
        id: "AM0714",
        severity: Error,
        title: "unreadable answer from Cloudflare",
        help: "check CLOUDFLARE_API_BASE_URL; the comparison is incomplete until this request succeeds",
    }
    /// `--stage` names a stage that adopts no existing workers; exit 2.
    UnknownStage {
        id: "AM0715",
        severity: Error,
        title: "stage adopts no existing workers",
    }
    /// `migrate`: the program adopts existing workers; compare it with the live account
    /// (`preflight`) before the first deploy.
    PreflightBeforeDeploy {
        id: "AM0716",
        severity: Info,
        title: "check with preflight before the first deploy",
        help: "it compares the program with the live account (read-only) and reports bindings, vars, crons and secrets the deploy would change; MIGRATION.md has the commands",
    }
}

impl Code {
    /// This code's row of the catalogue.
    pub fn entry(self) -> &'static Entry {
        &CATALOGUE[self as usize]
    }
    /// The stable identifier, e.g. `AM0100`.
    pub fn as_str(self) -> &'static str {
        self.entry().id
    }
    /// A short title, for headings.
    pub fn title(self) -> &'static str {
        self.entry().title
    }
    /// The severity of most diagnostics of this code.
    pub fn severity(self) -> Severity {
        self.entry().severity
    }
    /// The help shared by every diagnostic of this code, if there is one.
    pub fn help(self) -> Option<&'static str> {
        self.entry().help
    }
    /// The user documentation, on one line.
    pub fn doc(self) -> String {
        let lines: Vec<&str> = self.entry().doc.iter().map(|l| l.trim()).collect();
        lines.join(" ")
    }
    /// The code of an identifier (`AM0100`), if the catalogue has it.
    pub fn parse(id: &str) -> Option<Code> {
        CATALOGUE.iter().find(|e| e.id == id).map(|e| e.code)
    }
    /// A `TODO(AMxxxx): …` comment for the generated code, marking the spot of a diagnostic of
    /// this code.
    pub fn todo(self, detail: impl std::fmt::Display) -> String {
        format!("TODO({}): {detail}", self.as_str())
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// The TODO comment for something Alchemy 0.94 cannot express ([`Code::Unsupported`], reported
/// by [`unsupported`]): `TODO(AM0500): {what} is not expressible in Alchemy 0.94`.
pub fn not_expressible_todo(what: impl std::fmt::Display) -> String {
    Code::Unsupported.todo(format_args!("{what} is not expressible in Alchemy 0.94"))
}

/// The opening of `docs/diagnostics.md`, before the table of codes.
const DOC_INTRO: &str = "\
# Diagnostic codes

Every diagnostic has a stable code. `AM01xx`: reading and parsing files; `AM02xx`: the wrangler
schema; `AM03xx`: environments; `AM04xx`: service bindings and the worker graph; `AM05xx`: migration
to Alchemy; `AM07xx`: `preflight`, the program compared with the live Cloudflare account. The wording of each lives in `src/diagnostics/codes.rs`.

A fact that holds in many places is reported once: the diagnostic points at one place and lists
the others as occurrences (`occurrences` in `--format json`, every one of them with `file`, `line`,
`column`; the human output shows the first few and counts the rest). The human output ends with the
number of diagnostics per code.
";

/// `docs/diagnostics.md`: the catalogue as a table (code, title, default severity, meaning).
pub fn markdown() -> String {
    let mut s = String::from(DOC_INTRO);
    s.push_str(
        "\nThis file is generated from the catalogue in `src/diagnostics/codes.rs`: \
         `UPDATE_EXPECT=1 cargo test --lib docs_are_current`\nrewrites it. A code's severity is \
         that of most of its diagnostics; the meaning says when one has another.\n",
    );
    s.push_str("\n| code | title | severity | meaning |\n|---|---|---|---|\n");
    for e in CATALOGUE {
        let _ = writeln!(
            s,
            "| `{}` | {} | {} | {} |",
            e.id,
            e.title,
            e.severity.as_str(),
            e.code.doc()
        );
    }
    s
}

// ---- AM01xx: files and syntax -------------------------------------------------------------

/// AM0100: a file or folder could not be read.
pub fn unreadable(path: &str, err: &str) -> Diagnostic {
    Diagnostic::new(Code::Unreadable, format!("cannot read `{path}`: {err}")).in_file(path)
}

/// AM0101: the TOML is not valid.
pub fn invalid_toml(span: Span, message: &str) -> Diagnostic {
    Diagnostic::new(Code::InvalidToml, format!("invalid TOML: {message}")).at(span)
}

/// AM0102: the JSON/JSONC is not valid.
pub fn invalid_json(span: Span, message: &str) -> Diagnostic {
    Diagnostic::new(Code::InvalidJson, format!("invalid JSON: {message}")).at(span)
}

/// AM0103: the file is not UTF-8 text.
pub fn not_utf8(path: &str, offset: usize) -> Diagnostic {
    Diagnostic::new(
        Code::NotUtf8,
        format!("the file is not valid UTF-8 text (first bad byte at offset {offset})"),
    )
    .in_file(path)
}

/// AM0104: arrays/objects nested deeper than any real config.
pub fn nesting_too_deep(span: Span, max_depth: usize) -> Diagnostic {
    Diagnostic::new(
        Code::NestingTooDeep,
        format!("nesting deeper than {max_depth} levels"),
    )
    .at(span)
}

/// AM0105: the file is empty or holds only comments. In TOML that is a config without a worker
/// (wrangler reads it as an empty configuration): a warning.
pub fn empty_config(path: &str) -> Diagnostic {
    Diagnostic::new(
        Code::EmptyConfig,
        "the file is empty (or holds only comments): a config without a worker, nothing to check or migrate",
    )
    .in_file(path)
}

/// AM0105 as well: an empty (or comments-only) `wrangler.json`/`wrangler.jsonc` is an error, as in
/// wrangler, whose JSON parser expects a value (`ValueExpected`). `end` is the end of the file.
pub fn empty_json_config(end: Span) -> Diagnostic {
    Diagnostic::new(
        Code::EmptyConfig,
        "the file is empty (or holds only comments): wrangler refuses it, its JSON parser expects a value (ValueExpected)",
    )
    .with_severity(Severity::Error)
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
    Diagnostic::new(
        Code::RootNotObject,
        format!(
            "a wrangler config must be an object at the top level, but this is {article} {kind}"
        ),
    )
    .at(span)
}

/// AM0107: two wrangler configs in one folder; wrangler reads only one of them.
pub fn shadowed_config(path: &str, winner: &str) -> Diagnostic {
    let winner = std::path::Path::new(winner)
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    Diagnostic::new(
        Code::ShadowedConfig,
        format!("this config is ignored: wrangler reads `{winner}` in the same folder first"),
    )
    .in_file(path)
}

/// AM0108: nothing to work on.
pub fn no_configs(dir: &str) -> Diagnostic {
    Diagnostic::new(
        Code::NoConfigs,
        format!("no wrangler.toml, wrangler.json or wrangler.jsonc found under `{dir}`"),
    )
    .in_file(dir)
}

/// AM0109: a key appears twice in a JSON object; the last one wins, as in wrangler.
pub fn duplicate_key(span: Span, first: Span, key: &str) -> Diagnostic {
    Diagnostic::new(
        Code::DuplicateKey,
        format!("key `{key}` appears twice; the last value is used"),
    )
    .at(span)
    .with_label(first, "first defined here")
}

// ---- AM02xx: schema ------------------------------------------------------------------------

/// AM0200: a key wrangler does not know (wrangler warns and ignores it).
pub fn unknown_key(span: Span, key: &str, path: &str, suggestion: Option<&str>) -> Diagnostic {
    let d = Diagnostic::new(
        Code::UnknownKey,
        format!(
            "unexpected field `{key}` in {path}; wrangler ignores it and so does the migration"
        ),
    )
    .at(span);
    match suggestion {
        Some(s) => d.with_help(format!("did you mean `{s}`?")),
        None => d,
    }
}

/// AM0201: a value has the wrong type (wrangler refuses the config).
pub fn wrong_type(span: Span, path: &str, expected: &str, got: &str) -> Diagnostic {
    Diagnostic::new(
        Code::WrongType,
        format!("expected `{path}` to be {expected} but got {got}"),
    )
    .at(span)
    .with_help(format!("change the value to {expected}"))
}

/// AM0202: a required field of a binding is missing.
pub fn missing_field(span: Span, path: &str, field: &str) -> Diagnostic {
    Diagnostic::new(
        Code::MissingField,
        format!("`{path}` must have a `{field}` field"),
    )
    .at(span)
    .with_help(format!("add `{field}`"))
}

/// AM0203: a TOML date where wrangler wants a string.
pub fn toml_date(span: Span, path: &str, date: &str) -> Diagnostic {
    Diagnostic::new(
        Code::TomlDate,
        format!("`{path}` is a TOML date, which wrangler does not support"),
    )
    .at(span)
    .with_help(format!("quote it: \"{date}\""))
}

/// AM0204: a key wrangler v4 removed and refuses.
pub fn removed_key_error(span: Span, key: &str, help: &str) -> Diagnostic {
    Diagnostic::new(
        Code::RemovedKey,
        format!("`{key}` is no longer supported by wrangler v4"),
    )
    .at(span)
    .with_help(help.to_string())
}

/// AM0205: a removed key that wrangler v4 ignores with a warning.
pub fn removed_key_ignored(span: Span, key: &str, help: &str) -> Diagnostic {
    Diagnostic::new(
        Code::RemovedKeyIgnored,
        format!("`{key}` was removed in wrangler v4 and is ignored"),
    )
    .at(span)
    .with_help(help.to_string())
}

/// AM0206: a deprecated key that still works.
pub fn deprecated_key(span: Span, key: &str, help: &str) -> Diagnostic {
    Diagnostic::new(Code::DeprecatedKey, format!("`{key}` is deprecated"))
        .at(span)
        .with_help(help.to_string())
}

/// AM0207: a value wrangler rejects (bad name, unknown enum value, bad date).
pub fn invalid_value(span: Span, path: &str, why: &str, help: &str) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidValue,
        format!("invalid value for `{path}`: {why}"),
    )
    .at(span)
    .with_help(help.to_string())
}

/// AM0208: `route` and `routes` together.
pub fn route_and_routes(span: Span, other: Span) -> Diagnostic {
    Diagnostic::new(
        Code::RouteAndRoutes,
        "`route` and `routes` cannot both be set",
    )
    .at(span)
    .with_label(other, "`route` is also set here")
}

/// AM0209: one binding name used twice (wrangler refuses it).
pub fn duplicate_binding(span: Span, first: Span, name: &str, kinds: &str) -> Diagnostic {
    Diagnostic::new(
        Code::DuplicateBinding,
        format!("binding name `{name}` is used by more than one binding ({kinds})"),
    )
    .at(span)
    .with_label(first, "first used here")
}

/// AM0210: `unsafe` is experimental.
pub fn unsafe_experimental(span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::UnsafeExperimental,
        "`unsafe` fields are experimental and may change or break at any time",
    )
    .at(span)
}

/// AM0211: a Cloudflare Pages project, not a Worker.
pub fn pages_project(span: Span) -> Diagnostic {
    Diagnostic::new(Code::PagesProject, "this is a Pages project (`pages_build_output_dir`): `migrate` turns it into a new Worker with static assets, which does not adopt the project")
        .at(span)
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
    Diagnostic::new(Code::NotInherited, message)
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
    Diagnostic::new(
        Code::NotInherited,
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
    Diagnostic::new(
        Code::TopLevelOnlyInEnv,
        format!("`{key}` is only allowed at the top level; wrangler ignores it inside `env.{env}`"),
    )
    .at(span)
    .with_help(format!("move `{key}` to the top level"))
}

/// AM0302: `--env NAME` names an environment the file does not define.
pub fn env_not_found(span: Span, env: &str, defined: &[String]) -> Diagnostic {
    let d = Diagnostic::new(
        Code::EnvNotFound,
        format!("no environment `{env}` in this configuration"),
    );
    let d = if defined.is_empty() {
        d.with_severity(Severity::Warning)
    } else {
        d
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
    Diagnostic::new(
        Code::NoWorkerName,
        format!("the worker has no `name`{where_}; wrangler needs `--name` to deploy it"),
    )
    .at(span)
}

/// AM0304: an environment inherits routes that contain custom domains.
pub fn inherited_custom_domains(span: Span, env: &str) -> Diagnostic {
    Diagnostic::new(Code::InheritedCustomDomains, format!("`env.{env}` inherits top-level `routes` that contain custom domains"))
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
    Diagnostic::new(
        Code::AbsentFromStages,
        format!("`{worker}` is not part of stage(s) {list}: its config defines no {envs}"),
    )
    .at(span)
}

// ---- AM04xx: service bindings and the worker graph ------------------------------------------

/// AM0400: `environment` on a service binding (deprecated service environments).
pub fn service_environment(span: Span, binding: &str, service: &str, env: &str) -> Diagnostic {
    if env == "production" {
        Diagnostic::new(Code::ServiceEnvironment, format!("service binding `{binding}` sets `environment = \"production\"`, which is deprecated and has no effect"))
            .with_severity(Severity::Info)
            .at(span)
            .with_help(format!("remove `environment`; the binding targets the worker `{service}`"))
    } else {
        Diagnostic::new(Code::ServiceEnvironment, format!("service binding `{binding}` uses the deprecated service environment `{env}` of `{service}`"))
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
    Diagnostic::new(Code::UnresolvedServiceEnvironment, format!("service binding `{binding}` asks for environment `{env}` of `{service}`, but no config in scope defines it; it is bound to `{service}`"))
        .at(span)
        .with_help(format!("bind the environment's worker by its script name (`service = \"{service}-{env}\"`, or that environment's `name`), or add the target's config to the migration"))
}

/// AM0402: a service binding to a worker that is not part of the migration.
pub fn external_service(span: Span, binding: &str, service: &str) -> Diagnostic {
    Diagnostic::new(Code::ExternalService, format!("service binding `{binding}` targets `{service}`, a worker outside the migration; it is bound by name with `WorkerRef`"))
        .at(span)
        .with_help(format!("add `{service}`'s wrangler config to the migration to manage it too, or keep deploying it separately"))
}

/// AM0403: a cycle of worker bindings; one edge binds a placeholder.
pub fn cycle(span: Span, cycle: &str, from: &str, to: &str) -> Diagnostic {
    Diagnostic::new(Code::Cycle, format!("workers bind each other in a cycle ({cycle}); `{from}` binds a placeholder for `{to}`, which is created later"))
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
    Diagnostic::new(Code::MissingEntrypoint, format!("service binding `{binding}` uses entrypoint `{entrypoint}`, but `{main}` (the main module of `{target}`) does not export it"))
        .at(span)
        .with_help(format!("export `class {entrypoint} extends WorkerEntrypoint` from `{main}`, or fix the entrypoint name; calls fail at run time otherwise"))
}

/// AM0405: Alchemy's local dev binds the default entrypoint instead of a named one.
pub fn entrypoint_local_dev(span: Span, binding: &str, entrypoint: &str) -> Diagnostic {
    Diagnostic::new(Code::EntrypointLocalDev, format!("service binding `{binding}` uses the named entrypoint `{entrypoint}`: it deploys correctly, but Alchemy 0.94's local dev binds the default entrypoint instead"))
        .at(span)
}

/// AM0406: external service bindings left out with `--skip-external-services`.
pub fn skipped_external(span: Span, binding: &str, service: &str) -> Diagnostic {
    Diagnostic::new(Code::SkippedExternal, format!("service binding `{binding}` to the external worker `{service}` is left out (--skip-external-services)"))
        .at(span)
}

/// AM0407: two configs deploy a worker with the same script name.
pub fn duplicate_worker(span: Span, first: Span, name: &str) -> Diagnostic {
    Diagnostic::new(
        Code::DuplicateWorker,
        format!("two configs deploy a worker named `{name}`; only the first is migrated"),
    )
    .at(span)
    .with_label(first, "first declared here")
}

/// AM0408: a worker's RPC types could not be read; its bindings are untyped.
pub fn untyped_service(span: Span, binding: &str, target: &str, why: &str) -> Diagnostic {
    Diagnostic::new(
        Code::UntypedService,
        format!("service binding `{binding}` to `{target}` is untyped: {why}"),
    )
    .at(span)
}

// ---- AM05xx: migration ---------------------------------------------------------------------

/// AM0500: something Alchemy 0.94 cannot express; a TODO marks the spot in the generated code.
pub fn unsupported(span: Span, what: &str, help: &str) -> Diagnostic {
    Diagnostic::new(
        Code::Unsupported,
        format!(
            "{what} cannot be expressed in Alchemy 0.94; a TODO marks the spot in alchemy.run.ts"
        ),
    )
    .at(span)
    .with_help(help.to_string())
}

/// AM0501: one resource declared twice with different settings.
pub fn conflicting_resource(span: Span, first: Span, what: &str, detail: &str) -> Diagnostic {
    Diagnostic::new(Code::ConflictingResource, format!("{what} is declared again with different settings ({detail}); the first declaration is used"))
        .at(span)
        .with_label(first, "first declared here")
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
    Diagnostic::new(
        Code::NoMain,
        format!("`{worker}` has no `main`: it deploys no worker; {what}"),
    )
    .at(span)
}

/// AM0515: a worker whose config names no entry module: not migrated.
pub fn no_entry(span: Span, worker: &str) -> Diagnostic {
    Diagnostic::new(
        Code::NoEntry,
        format!("`{worker}` is a worker without `main` in its config (its entry module is given on wrangler's command line): it is not migrated"),
    )
    .at(span)
}

/// AM0503: a key that needs no translation or is handled differently by Alchemy.
pub fn not_translated(span: Span, key: &str, why: &str) -> Diagnostic {
    Diagnostic::new(
        Code::NotTranslated,
        format!("`{key}` is not translated: {why}"),
    )
    .at(span)
}

/// AM0504: a key that changes behaviour and that the user must act on.
pub fn action_needed(span: Span, key: &str, what: &str, help: &str) -> Diagnostic {
    Diagnostic::new(Code::ActionNeeded, format!("`{key}`: {what}"))
        .at(span)
        .with_help(help.to_string())
}

/// AM0505: an output file exists and `--force` was not given.
pub fn output_exists(path: &str) -> Diagnostic {
    Diagnostic::new(
        Code::OutputExists,
        format!("`{path}` already exists and was not overwritten"),
    )
    .in_file(path)
}

/// AM0110: an output file or folder could not be written.
pub fn unwritable(path: &str, err: &str) -> Diagnostic {
    Diagnostic::new(Code::Unwritable, format!("cannot write `{path}`: {err}")).in_file(path)
}

/// AM0507: a secret the program reads from the environment at deploy time.
pub fn secret_from_env(span: Span, name: &str) -> Diagnostic {
    Diagnostic::new(Code::SecretFromEnv, format!("secret `{name}` is read from the environment variable `{name}` at deploy time (alchemy.secret.env.{name})"))
        .at(span)
        .with_help(format!("set `{name}` (see .env.example) before running alchemy; its value is never written to the generated files"))
}

/// AM0509: a binding that deploys correctly but does not run in Alchemy 0.94's offline local dev.
pub fn local_dev_limit(span: Span, binding: &str, why: &str) -> Diagnostic {
    Diagnostic::new(Code::LocalDevLimit, format!("binding `{binding}`: {why}")).at(span)
}

/// AM0510: `--default-stage` names a wrangler environment.
pub fn default_stage_is_env(stage: &str) -> Diagnostic {
    Diagnostic::new(Code::DefaultStageIsEnv, format!("--default-stage {stage} is also the name of a wrangler environment"))
        .with_help(format!("the environment `{stage}` already deploys as stage `{stage}`: choose another name for the top level, or leave the flag out"))
}

/// AM0511: an environment named `production` exists, so the top level gets no stage of its own.
pub fn top_level_is_template() -> Diagnostic {
    Diagnostic::new(
        Code::TopLevelIsTemplate,
        "a wrangler environment is named `production`: it deploys as stage `production`, and the top level only serves as the template of other stages",
    )
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
    Diagnostic::new(
        Code::CrossStageService,
        format!(
            "service bindings that cross stages are bound by script name, as wrangler does: {list}"
        ),
    )
    .grouped(places)
}

/// AM0514: a D1 database or R2 bucket without a name or id: wrangler provisions one on deploy;
/// the program creates it.
pub fn provisioned(span: Span, section: &str, field: &str, what: &str, name: &str) -> Diagnostic {
    Diagnostic::new(
        Code::Provisioned,
        format!("this `{section}` binding names no {what}: like wrangler's provisioning, the program creates the {what} `{name}`"),
    )
    .at(span)
    .with_help(format!("if wrangler already provisioned one for this binding, set `{field}` to its name so it is adopted instead"))
}

/// AM0513: a Pages project's `functions/` folder must be built into `_worker.js` first.
pub fn pages_functions(span: Span, outfile: &str) -> Diagnostic {
    Diagnostic::new(
        Code::PagesFunctions,
        format!("this Pages project has Pages Functions (`functions/`): the Worker's entry is their build output `{outfile}`, which does not exist yet"),
    )
    .at(span)
    .with_help(format!("run `npx wrangler pages functions build --outfile {outfile}` in the project folder before `alchemy deploy` (add it to the build)"))
}

/// AM0512: the worker is written in the service-worker syntax.
pub fn service_worker_format(span: Span, main: &str) -> Diagnostic {
    Diagnostic::new(Code::ServiceWorkerFormat, format!("`{main}` uses the service-worker syntax (no `import`/`export`): it is uploaded with `format: \"cjs\"`"))
        .at(span)
}

// ---- AM07xx: preflight (the program against the live account) -------------------------------

/// AM0700: the worker does not exist in the account yet; the first deploy creates it.
pub fn worker_created(span: Option<Span>, script: &str, account: &str) -> Diagnostic {
    let d = Diagnostic::new(
        Code::WorkerCreated,
        format!(
            "worker `{script}` does not exist in account `{account}` yet: the first deploy creates it"
        ),
    );
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
    let d = Diagnostic::new(
        Code::BindingRepointed,
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
    let d = Diagnostic::new(
        Code::NewEmptyResource,
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
    let d = Diagnostic::new(
        Code::LiveBindingRemoved,
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
        Diagnostic::new(
            Code::LiveVarRemoved,
            format!("{message} (the config has `keep_vars = true`)"),
        )
        .with_severity(Severity::Error)
    } else {
        Diagnostic::new(Code::LiveVarRemoved, message)
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
    let d = Diagnostic::new(
        Code::LiveCronReplaced,
        format!("live cron `{cron}` of `{script}` is not in the program: the deploy replaces the worker's cron triggers"),
    )
    .with_help(format!("add \"{cron}\" to `triggers.crons` if the worker should keep running on it"));
    at_opt(d, span)
}

/// AM0706: a live custom domain the program does not have.
pub fn live_domain_unmanaged(span: Option<Span>, script: &str, hostname: &str) -> Diagnostic {
    let d = Diagnostic::new(
        Code::LiveDomainUnmanaged,
        format!("live custom domain `{hostname}` of `{script}` is not in the program"),
    )
    .with_help(format!("add `{{ pattern = \"{hostname}\", custom_domain = true }}` to `routes` so the program manages it, or remove it if it is no longer needed"));
    at_opt(d, span)
}

/// AM0707: a live secret the program declares: its value is replaced by the deployer's
/// environment variable of the same name.
pub fn declared_secret_overwritten(span: Option<Span>, script: &str, name: &str) -> Diagnostic {
    let d = Diagnostic::new(
        Code::DeclaredSecretOverwritten,
        format!("live secret `{name}` of `{script}` is declared by the program: the deploy replaces its value with the environment variable `{name}`"),
    )
    .with_help(format!("set `{name}` to the live value before deploying (secret values cannot be read back), or remove it from the config to keep the live one"));
    at_opt(d, span)
}

/// AM0708: a live secret no config names: Cloudflare keeps it, but the worker's `Env` type does
/// not have it.
pub fn undeclared_live_secret(span: Option<Span>, script: &str, name: &str) -> Diagnostic {
    let d = Diagnostic::new(
        Code::UndeclaredLiveSecret,
        format!("live secret `{name}` of `{script}` is not named by any config: Cloudflare keeps it, but it is not in the worker's `Env` type"),
    )
    .with_help(format!("add `{name}` to `secrets.required` (or `.dev.vars`) to type it; the program then sets its value from the environment"));
    at_opt(d, span)
}

/// AM0709: the deploy changes the worker's compatibility date or flags.
pub fn compatibility_changes(span: Option<Span>, script: &str, what: &str) -> Diagnostic {
    let d = Diagnostic::new(
        Code::CompatibilityChanges,
        format!("the deploy changes the compatibility settings of `{script}`: {what}"),
    );
    at_opt(d, span)
}

/// AM0710: no API token.
pub fn no_api_token() -> Diagnostic {
    Diagnostic::new(
        Code::NoApiToken,
        "`CLOUDFLARE_API_TOKEN` is not set: preflight reads the live account through Cloudflare's API",
    )
}

/// AM0711: no account to read.
pub fn no_account() -> Diagnostic {
    Diagnostic::new(
        Code::NoAccount,
        "no Cloudflare account: neither `CLOUDFLARE_ACCOUNT_ID`, an `account_id` in the configs, nor --account-id is set",
    )
}

/// AM0712: the configs of one stage name different accounts.
pub fn accounts_differ(span: Span, first: Span, account: &str, other: &str) -> Diagnostic {
    Diagnostic::new(
        Code::AccountsDiffer,
        format!("the configs name different accounts (`{account}` and `{other}`): one preflight reads one account"),
    )
    .at(span)
    .with_label(first, format!("`{other}` here"))
    .with_help("give every worker of the stage the same `account_id`, or check the configs of each account separately")
}

/// AM0712: the account given by the environment or `--account-id` is not the one the configs
/// deploy to (the program sets each worker's `accountId` from its config).
pub fn account_not_the_configs(span: Span, source: &str, given: &str, config: &str) -> Diagnostic {
    Diagnostic::new(
        Code::AccountsDiffer,
        format!("{source} is `{given}`, but the configs deploy to account `{config}`: preflight would read an account the deploy does not touch"),
    )
    .at(span)
    .with_help(format!("the program sets `accountId: \"{config}\"` from `account_id`: unset {source}, or fix the configs' `account_id`"))
}

/// AM0713: a request to Cloudflare's API failed (unreachable, timed out, refused, rate limited).
pub fn api_request_failed(request: &str, why: &str, help: &str) -> Diagnostic {
    Diagnostic::new(Code::ApiRequestFailed, format!("{request}: {why}")).with_help(help.to_string())
}

/// AM0714: Cloudflare's API answered something preflight cannot read.
pub fn api_answer_unexpected(request: &str, why: &str) -> Diagnostic {
    Diagnostic::new(
        Code::ApiAnswerUnexpected,
        format!("{request}: unexpected answer ({why})"),
    )
}

/// AM0715: `--stage` names a stage that adopts no existing workers.
pub fn unknown_stage(stage: &str, stages: &[String]) -> Diagnostic {
    Diagnostic::new(
        Code::UnknownStage,
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
    Diagnostic::new(
        Code::PreflightBeforeDeploy,
        "the program adopts existing workers: run `alchemy-migrator preflight` for each stage before its first deploy",
    )
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

    fn at(n: usize) -> Span {
        Span::new(0, n, n + 1)
    }

    /// One call of every constructor, with the code it must produce.
    #[allow(clippy::too_many_lines, reason = "one row per constructor")]
    fn every_constructor() -> Vec<(Code, Diagnostic)> {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        use Code as C;
        vec![
            (C::Unreadable, unreadable("p", "e")),
            (C::InvalidToml, invalid_toml(at(0), "m")),
            (C::InvalidJson, invalid_json(at(0), "m")),
            (C::NotUtf8, not_utf8("p", 3)),
            (C::NestingTooDeep, nesting_too_deep(at(0), 64)),
            (C::EmptyConfig, empty_config("p")),
            (C::EmptyConfig, empty_json_config(at(0))),
            (C::RootNotObject, root_not_object(at(0), "array")),
            (
                C::ShadowedConfig,
                shadowed_config("a/wrangler.json", "a/wrangler.toml"),
            ),
            (C::NoConfigs, no_configs("d")),
            (C::DuplicateKey, duplicate_key(at(2), at(0), "k")),
            (C::Unwritable, unwritable("p", "e")),
            (C::UnknownKey, unknown_key(at(0), "k", "p", None)),
            (C::UnknownKey, unknown_key(at(0), "k", "p", Some("key"))),
            (C::WrongType, wrong_type(at(0), "p", "a string", "a number")),
            (C::MissingField, missing_field(at(0), "p", "f")),
            (C::TomlDate, toml_date(at(0), "p", "2024-01-01")),
            (C::RemovedKey, removed_key_error(at(0), "k", "h")),
            (C::RemovedKeyIgnored, removed_key_ignored(at(0), "k", "h")),
            (C::DeprecatedKey, deprecated_key(at(0), "k", "h")),
            (C::InvalidValue, invalid_value(at(0), "p", "w", "h")),
            (C::RouteAndRoutes, route_and_routes(at(2), at(0))),
            (
                C::DuplicateBinding,
                duplicate_binding(at(2), at(0), "B", "kv_namespaces"),
            ),
            (C::UnsafeExperimental, unsafe_experimental(at(0))),
            (C::PagesProject, pages_project(at(0))),
            (
                C::NotInherited,
                not_inherited(at(0), "e", &[("vars", at(2))]),
            ),
            (
                C::NotInherited,
                entries_not_inherited(at(0), "e", &[("var `A`".into(), at(2))]),
            ),
            (C::TopLevelOnlyInEnv, top_level_only_in_env(at(0), "k", "e")),
            (C::EnvNotFound, env_not_found(at(0), "e", &s(&["staging"]))),
            (C::EnvNotFound, env_not_found(at(0), "e", &[])),
            (C::NoWorkerName, no_worker_name(at(0), Some("e"))),
            (
                C::InheritedCustomDomains,
                inherited_custom_domains(at(0), "e"),
            ),
            (
                C::AbsentFromStages,
                absent_from_stages(at(0), "w", &s(&["staging"])),
            ),
            (
                C::ServiceEnvironment,
                service_environment(at(0), "B", "s", "staging"),
            ),
            (
                C::ServiceEnvironment,
                service_environment(at(0), "B", "s", "production"),
            ),
            (
                C::UnresolvedServiceEnvironment,
                unresolved_service_environment(at(0), "B", "s", "e"),
            ),
            (C::ExternalService, external_service(at(0), "B", "s")),
            (C::Cycle, cycle(at(0), "a → b → a", "a", "b")),
            (
                C::MissingEntrypoint,
                missing_entrypoint(at(0), "B", "E", "t", "src/index.ts"),
            ),
            (C::EntrypointLocalDev, entrypoint_local_dev(at(0), "B", "E")),
            (C::SkippedExternal, skipped_external(at(0), "B", "s")),
            (C::DuplicateWorker, duplicate_worker(at(2), at(0), "w")),
            (C::UntypedService, untyped_service(at(0), "B", "t", "why")),
            (
                C::CrossStageService,
                cross_stage_service(&[(at(0), "B".into(), "s".into(), "st".into(), None)]),
            ),
            (C::Unsupported, unsupported(at(0), "w", "h")),
            (
                C::ConflictingResource,
                conflicting_resource(at(2), at(0), "w", "d"),
            ),
            (C::NoMain, no_main(at(0), "w", 1)),
            (C::NoEntry, no_entry(at(0), "w")),
            (C::NotTranslated, not_translated(at(0), "k", "w")),
            (C::ActionNeeded, action_needed(at(0), "k", "w", "h")),
            (C::OutputExists, output_exists("p")),
            (C::SecretFromEnv, secret_from_env(at(0), "S")),
            (C::LocalDevLimit, local_dev_limit(at(0), "B", "w")),
            (C::DefaultStageIsEnv, default_stage_is_env("s")),
            (C::TopLevelIsTemplate, top_level_is_template()),
            (C::ServiceWorkerFormat, service_worker_format(at(0), "m.js")),
            (C::PagesFunctions, pages_functions(at(0), "dist/_worker.js")),
            (
                C::Provisioned,
                provisioned(at(0), "d1_databases", "database_name", "database", "n"),
            ),
            (C::WorkerCreated, worker_created(None, "w", "a")),
            (
                C::BindingRepointed,
                binding_repointed(None, "w", "B", "l", "p", "h"),
            ),
            (
                C::NewEmptyResource,
                new_empty_resource(None, "w", "B", "p", "l", "h"),
            ),
            (
                C::LiveBindingRemoved,
                live_binding_removed(None, "w", "B", "l", "why"),
            ),
            (C::LiveVarRemoved, live_var_removed(None, "w", "V", false)),
            (C::LiveVarRemoved, live_var_removed(None, "w", "V", true)),
            (
                C::LiveCronReplaced,
                live_cron_replaced(None, "w", "* * * * *"),
            ),
            (
                C::LiveDomainUnmanaged,
                live_domain_unmanaged(None, "w", "h.example"),
            ),
            (
                C::DeclaredSecretOverwritten,
                declared_secret_overwritten(None, "w", "S"),
            ),
            (
                C::UndeclaredLiveSecret,
                undeclared_live_secret(None, "w", "S"),
            ),
            (
                C::CompatibilityChanges,
                compatibility_changes(Some(at(0)), "w", "what"),
            ),
            (C::NoApiToken, no_api_token()),
            (C::NoAccount, no_account()),
            (C::AccountsDiffer, accounts_differ(at(2), at(0), "a", "b")),
            (
                C::AccountsDiffer,
                account_not_the_configs(at(0), "--account-id", "a", "b"),
            ),
            (C::ApiRequestFailed, api_request_failed("GET x", "w", "h")),
            (C::ApiAnswerUnexpected, api_answer_unexpected("GET x", "w")),
            (C::UnknownStage, unknown_stage("s", &s(&["production"]))),
            (C::PreflightBeforeDeploy, preflight_before_deploy()),
        ]
    }

    /// The one case of each code whose severity is not the code's default (each named in the
    /// code's documentation).
    const OTHER_SEVERITY: &[(Code, Severity)] = &[
        (Code::EmptyConfig, Severity::Error),
        (Code::EnvNotFound, Severity::Warning),
        (Code::ServiceEnvironment, Severity::Info),
        (Code::LiveVarRemoved, Severity::Error),
    ];

    #[test]
    fn the_catalogue_is_in_code_order_and_complete() {
        assert!(CATALOGUE.len() > 60);
        for (i, e) in CATALOGUE.iter().enumerate() {
            assert_eq!(e.code as usize, i, "{}: variant and row out of step", e.id);
            assert_eq!(e.code.entry(), e);
            let digits = e.id.strip_prefix("AM").unwrap_or_default();
            assert!(
                digits.len() == 4 && digits.bytes().all(|b| b.is_ascii_digit()),
                "{}: not AM and four digits",
                e.id
            );
            assert!(
                !e.title.is_empty() && !e.title.ends_with('.'),
                "{}: title",
                e.id
            );
            let doc = e.code.doc();
            assert!(
                doc.ends_with('.') && !doc.contains("  "),
                "{}: doc {doc:?}",
                e.id
            );
            assert!(e.help.is_none_or(|h| !h.is_empty()), "{}: empty help", e.id);
            assert_eq!(Code::parse(e.id), Some(e.code));
            assert_eq!(e.code.to_string(), e.id);
        }
        // Unique, and ordered as the identifiers (sorting by `Code` sorts by identifier).
        assert!(CATALOGUE.windows(2).all(|w| w[0].id < w[1].id));
        assert_eq!(Code::parse("AM9999"), None);
    }

    #[test]
    fn every_code_has_a_constructor_that_agrees_with_the_catalogue() {
        let all = every_constructor();
        for (code, d) in &all {
            assert_eq!(d.code, *code, "{}", d.message);
            assert!(
                d.severity == code.severity() || OTHER_SEVERITY.contains(&(*code, d.severity)),
                "{code}: {:?} is neither the default nor a documented other severity",
                d.severity
            );
        }
        for e in CATALOGUE {
            let made: Vec<&Diagnostic> = all
                .iter()
                .filter(|(c, _)| *c == e.code)
                .map(|(_, d)| d)
                .collect();
            assert!(!made.is_empty(), "{}: no constructor", e.id);
            if let Some(help) = e.help {
                assert!(
                    made.iter().any(|d| d.help.as_deref() == Some(help)),
                    "{}: no constructor uses the default help",
                    e.id
                );
            }
        }
        for (code, severity) in OTHER_SEVERITY {
            assert!(
                all.iter()
                    .any(|(c, d)| c == code && d.severity == *severity)
            );
        }
    }

    /// Every `TODO(AM…)` comment the generated code can hold, written as its call site writes it
    /// (sample values), against the exact text of the generated code.
    #[test]
    fn todo_comments_carry_the_code_of_their_diagnostic() {
        let check = |actual: String, expect: &str| assert_eq!(actual, expect);
        let action = action_needed(at(0), "k", "w", "h");
        let (queue, svc, name, ty, key, cmd) =
            ("q", "out", "RL", "magic", "vectorize", "npm run build");
        check(
            Code::DuplicateBinding.todo(format_args!(
                "a second `{}` binding ({}) is left out: binding names must be unique",
                "B", "kv_namespaces"
            )),
            "TODO(AM0209): a second `B` binding (kv_namespaces) is left out: binding names must be unique",
        );
        check(
            not_expressible_todo(format_args!("http_pull consumer of queue {queue:?}")),
            "TODO(AM0500): http_pull consumer of queue \"q\" is not expressible in Alchemy 0.94",
        );
        check(
            not_expressible_todo(format_args!(
                "visibility_timeout_ms of the consumer of {queue:?}"
            )),
            "TODO(AM0500): visibility_timeout_ms of the consumer of \"q\" is not expressible in Alchemy 0.94",
        );
        check(
            conflicting_resource(at(2), at(0), "w", "d").todo_comment(format_args!(
                "declared elsewhere with {}; check which settings are right",
                "jurisdiction None instead of Some(\"eu\")"
            )),
            "TODO(AM0501): declared elsewhere with jurisdiction None instead of Some(\"eu\"); check which settings are right",
        );
        check(
            not_expressible_todo(format_args!("dispatch outbound worker {svc:?}")),
            "TODO(AM0500): dispatch outbound worker \"out\" is not expressible in Alchemy 0.94",
        );
        check(
            invalid_value(at(0), "p", "w", "h").todo_comment(format_args!(
                "rate limit {name} has a non-numeric namespace_id {:?}",
                "x1"
            )),
            "TODO(AM0207): rate limit RL has a non-numeric namespace_id \"x1\"",
        );
        check(
            not_expressible_todo(format_args!(
                "mtls_certificates binding (certificate_id {:?})",
                "cert-1"
            )),
            "TODO(AM0500): mtls_certificates binding (certificate_id \"cert-1\") is not expressible in Alchemy 0.94",
        );
        check(
            not_expressible_todo(format_args!("unsafe binding of type {ty:?}")),
            "TODO(AM0500): unsafe binding of type \"magic\" is not expressible in Alchemy 0.94",
        );
        check(
            not_expressible_todo(format_args!("{key} binding")),
            "TODO(AM0500): vectorize binding is not expressible in Alchemy 0.94",
        );
        check(
            pages_functions(at(0), "o/_worker.js").todo_comment(format_args!(
                "build the Pages Functions in functions/ into {0} before deploying (`npx wrangler pages functions build --outfile {0}`)",
                "o/_worker.js"
            )),
            "TODO(AM0513): build the Pages Functions in functions/ into o/_worker.js before deploying (`npx wrangler pages functions build --outfile o/_worker.js`)",
        );
        check(
            action.todo_comment("assets without a directory"),
            "TODO(AM0504): assets without a directory",
        );
        check(
            not_expressible_todo("placement.hint"),
            "TODO(AM0500): placement.hint is not expressible in Alchemy 0.94",
        );
        check(
            action.todo_comment("Durable Object renamed/transferred/deleted classes are not replayed; they must already be applied"),
            "TODO(AM0504): Durable Object renamed/transferred/deleted classes are not replayed; they must already be applied",
        );
        check(
            action.todo_comment(format_args!(
                "run the wrangler build command {cmd:?} before deploying"
            )),
            "TODO(AM0504): run the wrangler build command \"npm run build\" before deploying",
        );
        check(
            action.todo_comment("keep_vars: vars set in the dashboard are not kept by Alchemy"),
            "TODO(AM0504): keep_vars: vars set in the dashboard are not kept by Alchemy",
        );
        check(
            not_expressible_todo("wasm_modules"),
            "TODO(AM0500): wasm_modules is not expressible in Alchemy 0.94",
        );
    }

    /// `docs/diagnostics.md` is the catalogue's rendering; `UPDATE_EXPECT=1` rewrites it.
    #[test]
    fn docs_are_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/diagnostics.md");
        let actual = markdown();
        if std::env::var_os("UPDATE_EXPECT").is_some() {
            std::fs::write(&path, &actual).unwrap();
            return;
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_default();
        if expected != actual {
            let diff = similar::TextDiff::from_lines(&expected, &actual);
            panic!(
                "docs/diagnostics.md is not the catalogue's rendering (UPDATE_EXPECT=1 cargo test --lib docs_are_current rewrites it):\n{}",
                diff.unified_diff()
                    .header("docs/diagnostics.md", "codes::markdown()")
            );
        }
    }

    #[test]
    fn codes_serialize_as_their_identifier() {
        let json = serde_json::to_string(&[Code::Unreadable, Code::PreflightBeforeDeploy]);
        assert_eq!(json.unwrap(), r#"["AM0100","AM0716"]"#);
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
