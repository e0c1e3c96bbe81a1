//! The steps of `migrate` after the stages are known: every stage's workers, their graphs and the
//! union of them (one creation order for all), the worker sources scanned, every stage planned
//! with shared names, resources unified across stages, then `alchemy.run.ts`, the env modules,
//! `.env.example` and `MIGRATION.md` emitted.

use super::stages::{self, Resolved, StagePlan};
use super::{Inputs, MigrateOptions};
use crate::diagnostics::{Diagnostic, SourceMap, codes};
use crate::emit::OutputFile;
use crate::emit::alchemy_v1::StageProgram;
use crate::graph::{EnvNames, Graph};
use crate::plan::{Origin, Program};
use crate::read::FileSystem;
use crate::scan::Exports;
use crate::{HashMap, HashSet};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// Every stage's workers.
pub struct StageWorkers {
    /// What stages that are not wrangler environments deploy: the top level, or `--env`'s
    /// environment.
    pub template: Resolved,
    /// Per stage, its own workers; `None` for a stage that deploys the template's environment
    /// (it shares the template's workers, graph and program).
    pub own: Vec<Option<Resolved>>,
}

impl StageWorkers {
    /// Resolves the template and every stage that does not deploy `template_env`, config by
    /// config, dropping the parsed trees (see [`stages::resolve_envs`]).
    pub fn resolve_all(
        inputs: &mut Inputs,
        plan: &StagePlan,
        template_env: Option<&str>,
        diags: &mut Vec<Diagnostic>,
    ) -> StageWorkers {
        let own_envs: Vec<Option<&str>> = plan
            .stages
            .iter()
            .map(|(_, env)| env.as_deref())
            .filter(|env| *env != template_env)
            .collect();
        let envs: Vec<Option<&str>> = std::iter::once(template_env).chain(own_envs).collect();
        let mut resolved = stages::resolve_envs(inputs, &envs, diags).into_iter();
        let template = resolved.next().unwrap_or_default();
        let own = plan
            .stages
            .iter()
            .map(|(_, env)| {
                (env.as_deref() != template_env)
                    .then(|| resolved.next())
                    .flatten()
            })
            .collect();
        StageWorkers { template, own }
    }

    /// The workers of each stage, in stage order.
    pub fn per_stage(&self) -> Vec<&Resolved> {
        self.own
            .iter()
            .map(|r| r.as_ref().unwrap_or(&self.template))
            .collect()
    }
}

/// The template's graph and every stage's, all in the creation order of their union.
pub struct StageGraphs {
    pub template: Graph,
    pub stages: Vec<Graph>,
    /// Script names of every worker the migration deploys in some stage.
    pub migration_names: HashSet<String>,
}

/// Builds each stage's graph, their union (whose order every graph adopts: one creation order
/// that suits all stages) and the cross-stage report.
pub fn build_graphs(
    workers: &StageWorkers,
    plan: &StagePlan,
    env_names: &EnvNames,
    diags: &mut Vec<Diagnostic>,
) -> StageGraphs {
    // The template's graph and the graph of each stage with workers of its own, built in
    // parallel (their diagnostics kept in that order); a stage that deploys the template's
    // workers has the template's graph.
    let resolved: Vec<&Resolved> = std::iter::once(&workers.template)
        .chain(workers.own.iter().flatten())
        .collect();
    let built: Vec<(Graph, Vec<Diagnostic>)> = resolved
        .par_iter()
        .map(|r| {
            let mut d = Vec::new();
            let g = crate::graph::edges(&r.workers, &r.absent, env_names, &mut d);
            (g, d)
        })
        .collect();
    let mut graphs = Vec::with_capacity(built.len());
    for (g, d) in built {
        diags.extend(d);
        graphs.push(g);
    }
    let mut graphs = graphs.into_iter();
    let mut template = graphs.next().unwrap_or_default();
    let mut own_graphs = graphs;
    let union = {
        let mut all: Vec<&Graph> = vec![&template];
        all.extend(own_graphs.as_slice());
        Graph::union(&all, diags)
    };
    let mut stage_graphs: Vec<Graph> = workers
        .own
        .iter()
        .map(|own| match own {
            Some(_) => own_graphs.next().unwrap_or_default(),
            None => template.clone(),
        })
        .collect();
    let migration_names = stages::report_cross_stage(&plan.stages, &stage_graphs, &template, diags);
    template.adopt_order(&union);
    for g in &mut stage_graphs {
        g.adopt_order(&union);
    }
    StageGraphs {
        template,
        stages: stage_graphs,
        migration_names,
    }
}

/// What each main module exports, by path.
pub type Scanned = HashMap<PathBuf, Exports>;

/// Scans the main modules of every stage's workers in parallel (each module once).
pub fn scan_mains(workers: &StageWorkers, fs: &dyn FileSystem) -> Scanned {
    let origins = workers
        .template
        .origins
        .iter()
        .chain(workers.own.iter().flatten().flat_map(|r| r.origins.iter()));
    scan_origins(origins, fs)
}

/// Scans the main modules of `origins` in parallel (each module once).
pub fn scan_origins<'a>(origins: impl Iterator<Item = &'a Origin>, fs: &dyn FileSystem) -> Scanned {
    let mut mains: Vec<PathBuf> = origins.filter_map(|o| o.main.clone()).collect();
    crate::discover::sort_paths(&mut mains);
    mains.dedup();
    mains
        .par_iter()
        .filter_map(|p| {
            let text = fs.read_to_string(p)?;
            Some((p.clone(), crate::scan::scan(&p.to_string_lossy(), &text)))
        })
        .collect()
}

/// What each worker's main module exports (`None`: not readable or not scanned).
pub fn exports_of<'s>(origins: &[Origin], scanned: &'s Scanned) -> Vec<Option<&'s Exports>> {
    origins
        .par_iter()
        .map(|o| o.main.as_ref().and_then(|m| scanned.get(m)))
        .collect()
}

/// Stable names per worker: the template's script names (else the config's folder).
fn labels(template: &Resolved) -> Vec<String> {
    template
        .workers
        .par_iter()
        .zip(&template.origins)
        .map(|(w, o)| crate::plan::label(w, o))
        .collect()
}

/// The programs of a migration.
pub struct Programs {
    /// The template's program: what stages that are not wrangler environments deploy.
    pub template: Program,
    /// Per stage: its program, `None` when it is the template's (the same workers, graph and
    /// names: planned once).
    pub stages: Vec<(String, Option<Program>)>,
    /// The names given out, shared by every program.
    pub shared: crate::plan::Shared,
}

impl Programs {
    /// Each stage's program, in stage order.
    pub fn per_stage(&self) -> impl Iterator<Item = (&str, &Program)> {
        self.stages
            .iter()
            .map(|(s, p)| (s.as_str(), p.as_ref().unwrap_or(&self.template)))
    }

    /// The programs planned (the template's first: its names are the ones a reader knows).
    pub fn planned_mut(&mut self) -> Vec<&mut Program> {
        let mut all: Vec<&mut Program> = vec![&mut self.template];
        all.extend(self.stages.iter_mut().filter_map(|(_, p)| p.as_mut()));
        all
    }
}

/// Plans the template first (its names are the ones a reader knows), then every stage, one after
/// the other: they share the names given out so far. Each stage's typed workers are dropped as
/// soon as its program is planned.
pub fn plan_stages(
    workers: StageWorkers,
    graphs: &StageGraphs,
    plan: &StagePlan,
    scanned: &Scanned,
    app: String,
    options: &MigrateOptions,
    diags: &mut Vec<Diagnostic>,
) -> Programs {
    let out_abs = absolute_out(&options.out);
    let labels = labels(&workers.template);
    let opts = crate::plan::Options {
        app,
        out_dir: &out_abs,
        adopt: options.adopt,
        skip_external: options.skip_external_services,
        migration_names: &graphs.migration_names,
        labels: &labels,
        reserved: crate::emit::alchemy_v1::RESERVED,
    };
    let mut shared = crate::plan::Shared::default();
    // (Each stage's typed workers are consumed by its planning, one by one.)
    let mut plan_one = |mut r: Resolved, g: &Graph, diags: &mut Vec<Diagnostic>| {
        let exports = exports_of(&r.origins, scanned);
        rebase_origins(&mut r.origins, &out_abs);
        let program = crate::plan::build(
            r.workers,
            &r.origins,
            &exports,
            g,
            &opts,
            &mut shared,
            diags,
        );
        // (Let go of on every core: ten thousand origins are many small paths.)
        r.origins.into_par_iter().for_each(drop);
        program
    };
    let StageWorkers {
        template: template_workers,
        own,
    } = workers;
    let template = plan_one(template_workers, &graphs.template, diags);
    let mut stages = Vec::new();
    for (((stage, _), own), g) in plan.stages.iter().zip(own).zip(&graphs.stages) {
        let program = own.map(|r| plan_one(r, g, diags));
        stages.push((stage.clone(), program));
    }
    Programs {
        template,
        stages,
        shared,
    }
}

/// The output folder, absolute and without `.`/`..`: paths in generated files are relative to it.
pub fn absolute_out(out: &Path) -> PathBuf {
    crate::plan::normalize(&std::path::absolute(out).unwrap_or_else(|_| out.to_path_buf()))
}

/// Makes the config paths of `origins` relative to the output folder.
fn rebase_origins(origins: &mut [Origin], out_abs: &Path) {
    origins
        .par_iter_mut()
        .for_each(|o| o.path = crate::plan::relative(out_abs, Path::new(&o.path)));
}

/// Whether the program adopts workers that already exist (then `preflight` is advised, and a
/// diagnostic says so).
pub fn adopts(programs: &Programs, diags: &mut Vec<Diagnostic>) -> bool {
    let adopts = crate::preflight::adopts_existing_workers(programs.per_stage().map(|(_, p)| p));
    if adopts {
        diags.push(codes::preflight_before_deploy());
    }
    adopts
}

/// Gives a resource of several stages one identifier (see [`crate::plan::unify_resources`]).
pub fn unify(programs: &mut Programs) {
    let mut shared = std::mem::take(&mut programs.shared);
    crate::plan::unify_resources(&mut programs.planned_mut(), &mut shared);
    programs.shared = shared;
}

/// How the stages map onto the program's stages (for the report and the generated file).
pub fn stage_mapping(programs: &Programs, plan: &StagePlan) -> Vec<String> {
    let all = programs.template.workers.len();
    let deployed: Vec<(usize, usize)> = programs
        .per_stage()
        .map(|(_, p)| (p.workers.len(), all))
        .collect();
    stages::stage_mapping(&plan.stages, &deployed, plan.top.as_deref())
}

/// `alchemy.run.ts`, the env modules and `.env.example`.
pub fn emit_program(
    programs: &Programs,
    plan: &StagePlan,
    template_env: Option<&str>,
    mapping: &[String],
) -> Vec<OutputFile> {
    let stage_programs: Vec<StageProgram<'_>> = programs
        .per_stage()
        .map(|(stage, program)| StageProgram {
            stage: stage.to_string(),
            program,
        })
        .collect();
    let default_stage = if template_env.is_some() {
        plan.stages.first().map(|s| s.0.clone())
    } else {
        plan.top.clone()
    };
    let mut files = crate::emit::alchemy_v1::emit(
        &stage_programs,
        &programs.template,
        default_stage.as_deref(),
        mapping,
    );
    let planned = programs.stages.iter().filter_map(|(_, p)| p.as_ref());
    if let Some(f) = crate::emit::report::env_example(&programs.template, planned) {
        files.push(f);
    }
    files
}

/// What `MIGRATION.md` is written from.
pub struct Report<'a> {
    pub template: &'a Program,
    pub mapping: &'a [String],
    pub graphs: &'a [(String, Graph)],
    pub template_graph: &'a Graph,
    /// Every diagnostic, sorted.
    pub diagnostics: &'a [Diagnostic],
    pub sources: &'a SourceMap,
    /// Whether a stage adopts an existing worker: then the `preflight` command of each stage.
    pub adopts: bool,
}

/// `MIGRATION.md`: the stages, the workers, everything left to do (with the config paths
/// relative to the output folder) and the `preflight` commands.
pub fn migration_md(report: &Report<'_>, options: &MigrateOptions) -> OutputFile {
    let out_abs = absolute_out(&options.out);
    let rebased = super::rebase_sources(report.sources, &out_abs);
    let preflight = if report.adopts {
        crate::preflight::commands(
            &options.input,
            options.default_stage.as_deref(),
            &out_abs,
            report.graphs.iter().map(|s| s.0.as_str()),
        )
    } else {
        Vec::new()
    };
    crate::emit::report::migration_md(
        report.template,
        report.mapping,
        report.graphs,
        report.template_graph,
        report.diagnostics,
        &rebased,
        &preflight,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::fixture;

    const CONFIGS: &str = r#"
        //- /r/api/wrangler.toml
        name = "api"
        main = "src/index.ts"
        [env.staging]
        //- /r/unnamed/wrangler.toml
        main = "src/index.ts"
    "#;

    /// `(configs, --env) → per stage, whether it has workers of its own or shares the
    /// template's; and the template's labels`.
    #[test]
    fn stages_share_the_template_s_workers() {
        let check = |env: Option<&str>, expect: &str| {
            let mut inputs = fixture(CONFIGS);
            let mut diags = Vec::new();
            let plan = stages::plan(&inputs, env, None, &mut diags).expect("a plan");
            let w = StageWorkers::resolve_all(&mut inputs, &plan, env, &mut diags);
            let per_stage: Vec<String> = plan
                .stages
                .iter()
                .zip(&w.own)
                .map(|((stage, _), own)| {
                    let whose = if own.is_some() { "own" } else { "template's" };
                    format!("{stage}: {whose}")
                })
                .collect();
            let got = format!(
                "{}; labels {}",
                per_stage.join(", "),
                labels(&w.template).join(" ")
            );
            assert_eq!(got, expect, "{env:?}");
            assert_eq!(w.per_stage().len(), plan.stages.len());
        };
        check(
            None,
            "production: template's, staging: own; labels api unnamed",
        );
        check(
            Some("staging"),
            "staging: template's; labels api-staging unnamed",
        );
    }
}
