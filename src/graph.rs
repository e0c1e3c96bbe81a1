//! Graph: the workers in scope and how they reference each other (service bindings, Durable
//! Objects and workflows hosted by another worker, tail consumers, dispatch outbound), the order
//! in which they must be created, and the cycles that must be broken.
//!
//! All algorithms are iterative (no recursion on input size) and deterministic: ties are broken
//! by discovery order, so unrelated changes never reorder the output.

use crate::HashMap;
use crate::config::model::{Binding, BindingKind, S, Worker};
use crate::diagnostics::{Diagnostic, Span, codes};
use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap};

/// What kind of reference an edge is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum EdgeKind {
    Service {
        entrypoint: Option<String>,
    },
    DurableObject {
        class: String,
    },
    Workflow {
        class: String,
    },
    TailConsumer,
    Outbound,
    /// The worker sends to a queue (shown, never ordered).
    Queue {
        queue: String,
    },
    /// The worker consumes a queue.
    Consumes {
        queue: String,
    },
}

impl EdgeKind {
    /// Whether the target must exist before the source is created.
    pub fn orders(&self) -> bool {
        matches!(
            self,
            EdgeKind::Service { .. }
                | EdgeKind::DurableObject { .. }
                | EdgeKind::Workflow { .. }
                | EdgeKind::TailConsumer
        )
    }

    /// How costly it is to break this edge in a cycle (service bindings have a placeholder
    /// pattern; the others only a name).
    fn weight(&self) -> u32 {
        match self {
            EdgeKind::Service { .. } => 1,
            _ => 4,
        }
    }

    /// The label in the text graph.
    pub fn label(&self) -> String {
        match self {
            EdgeKind::Service { entrypoint: None } => "calls".into(),
            EdgeKind::Service {
                entrypoint: Some(e),
            } => format!("calls entrypoint {e} of"),
            EdgeKind::DurableObject { class } => format!("uses Durable Object {class} of"),
            EdgeKind::Workflow { class } => format!("uses workflow {class} of"),
            EdgeKind::TailConsumer => "sends traces to".into(),
            EdgeKind::Outbound => "dispatches outbound to".into(),
            EdgeKind::Queue { .. } => "sends to".into(),
            EdgeKind::Consumes { .. } => "consumes".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Worker(usize),
    /// The worker binds itself.
    SelfRef,
    /// A script name outside the migration.
    External(String),
    /// A queue, by name: producers and consumers meet there.
    Queue(String),
}

#[derive(Debug, Clone)]
pub struct Edge {
    pub from: usize,
    pub to: Target,
    pub kind: EdgeKind,
    /// The binding name, when the edge is a binding.
    pub binding: Option<String>,
    pub span: Span,
    /// The script name the config asked for.
    pub service: String,
    /// The deprecated service `environment` the config gave, if any.
    pub environment: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Graph {
    /// Script name of each worker (or a label for unnamed ones), by worker index.
    pub names: Vec<String>,
    pub edges: Vec<Edge>,
    /// Worker indices in creation order.
    pub order: Vec<usize>,
    /// Indices into `edges` of the edges broken to make the order possible.
    pub broken: BTreeSet<usize>,
    /// Strongly connected components with more than one worker, members in discovery order.
    pub cycles: Vec<Vec<usize>>,
    /// Script names referenced but not in scope.
    pub externals: BTreeSet<String>,
    /// Workers whose script name an earlier worker already has (not migrated).
    pub duplicates: BTreeSet<usize>,
    /// Workers that are not part of this graph's stage (their config does not define its
    /// environment): they keep their index, but have no edges and nothing targets them.
    pub absent: BTreeSet<usize>,
}

/// Maps `(top-level name, environment)` to the script name of that environment's worker, for
/// every config in scope (used to resolve deprecated service `environment`s).
pub type EnvNames = HashMap<(String, String), String>;

/// Builds the graph of `workers` (indices are discovery order).
pub fn build(
    workers: &[Worker],
    absent: &BTreeSet<usize>,
    env_names: &EnvNames,
    diags: &mut Vec<Diagnostic>,
) -> Graph {
    let mut g = edges(workers, absent, env_names, diags);
    g.compute_order(workers.len(), diags);
    g
}

/// The graph without an order: workers, edges, externals, duplicates. Workers in `absent` keep
/// their index but take no part (no edges, not a target).
pub fn edges(
    workers: &[Worker],
    absent: &BTreeSet<usize>,
    env_names: &EnvNames,
    diags: &mut Vec<Diagnostic>,
) -> Graph {
    let names: Vec<String> = workers
        .iter()
        .enumerate()
        .map(|(i, w)| {
            w.name
                .as_ref()
                .map(|n| n.v.clone())
                .unwrap_or_else(|| format!("<unnamed #{}>", i + 1))
        })
        .collect();
    let (by_name, duplicates) = index_by_name(workers, absent, diags);
    let mut edges = Vec::new();
    for (i, w) in workers.iter().enumerate() {
        if absent.contains(&i) {
            continue;
        }
        for b in &w.bindings {
            edges.extend(binding_edge(i, b, &by_name, env_names, diags));
        }
        edges.extend(w.consumers.iter().map(|c| Edge {
            from: i,
            to: Target::Queue(c.queue.v.clone()),
            kind: EdgeKind::Consumes {
                queue: c.queue.v.clone(),
            },
            binding: None,
            span: c.span,
            service: c.queue.v.clone(),
            environment: None,
        }));
        edges.extend(w.tail_consumers.iter().map(|t| Edge {
            from: i,
            to: target(&by_name, i, &t.service.v),
            kind: EdgeKind::TailConsumer,
            binding: None,
            span: t.span,
            service: t.service.v.clone(),
            environment: t.environment.as_ref().map(|e| e.v.clone()),
        }));
    }
    // (Extended binding by binding, the list has up to twice the room it needs.)
    edges.shrink_to_fit();
    let externals = edges
        .iter()
        .filter_map(|e| match &e.to {
            Target::External(n) if e.kind.orders() || e.kind == EdgeKind::Outbound => {
                Some(n.clone())
            }
            _ => None,
        })
        .collect();
    Graph {
        names,
        edges,
        order: Vec::new(),
        broken: BTreeSet::new(),
        cycles: Vec::new(),
        externals,
        duplicates,
        absent: absent.clone(),
    }
}

/// The first present worker of each script name, and the later ones with a name already taken
/// (reported).
fn index_by_name<'w>(
    workers: &'w [Worker],
    absent: &BTreeSet<usize>,
    diags: &mut Vec<Diagnostic>,
) -> (HashMap<&'w str, usize>, BTreeSet<usize>) {
    let mut by_name: HashMap<&str, usize> = HashMap::default();
    let mut duplicates = BTreeSet::new();
    for (i, w) in workers.iter().enumerate() {
        let Some(n) = w.name.as_ref().filter(|_| !absent.contains(&i)) else {
            continue;
        };
        match by_name.get(n.v.as_str()) {
            Some(&first) => {
                duplicates.insert(i);
                let first_span = workers[first].name.as_ref().map(|x| x.span);
                diags.push(codes::duplicate_worker(
                    n.span,
                    first_span.unwrap_or(n.span),
                    &n.v,
                ));
            }
            None => {
                by_name.insert(&n.v, i);
            }
        }
    }
    (by_name, duplicates)
}

/// What worker `from` means by the script name `name`.
fn target(by_name: &HashMap<&str, usize>, from: usize, name: &str) -> Target {
    match by_name.get(name) {
        Some(&i) if i == from => Target::SelfRef,
        Some(&i) => Target::Worker(i),
        None => Target::External(name.to_string()),
    }
}

/// The edge a binding of worker `i` makes, if it reaches another script or a queue.
fn binding_edge(
    i: usize,
    b: &Binding,
    by_name: &HashMap<&str, usize>,
    env_names: &EnvNames,
    diags: &mut Vec<Diagnostic>,
) -> Option<Edge> {
    let (service, kind, environment) = match &b.kind {
        BindingKind::Service {
            service,
            entrypoint,
            environment,
            ..
        } => (
            service_script(b, service, environment.as_ref(), env_names, diags),
            EdgeKind::Service {
                entrypoint: entrypoint.as_ref().map(|e| e.v.clone()),
            },
            environment.as_ref().map(|e| e.v.clone()),
        ),
        BindingKind::DurableObject {
            class_name,
            script_name: Some(s),
            environment,
        } => (
            s.v.clone(),
            EdgeKind::DurableObject {
                class: class_name.v.clone(),
            },
            environment.as_ref().map(|e| e.v.clone()),
        ),
        BindingKind::Workflow {
            class_name,
            script_name: Some(s),
            ..
        } => (
            s.v.clone(),
            EdgeKind::Workflow {
                class: class_name.v.clone(),
            },
            None,
        ),
        BindingKind::DispatchNamespace {
            outbound: Some(o), ..
        } => {
            let s = o.v.get("service").and_then(|s| s.as_str())?;
            (s.to_string(), EdgeKind::Outbound, None)
        }
        // Producer → queue → consumer: linear in the number of bindings.
        BindingKind::QueueProducer { queue, .. } => {
            return Some(Edge {
                from: i,
                to: Target::Queue(queue.v.clone()),
                kind: EdgeKind::Queue {
                    queue: queue.v.clone(),
                },
                binding: Some(b.name.v.clone()),
                span: b.span,
                service: queue.v.clone(),
                environment: None,
            });
        }
        _ => return None,
    };
    Some(Edge {
        from: i,
        to: target(by_name, i, &service),
        kind,
        binding: Some(b.name.v.clone()),
        span: b.span,
        service,
        environment,
    })
}

/// The script a service binding calls: with a deprecated service `environment` other than
/// `production`, that environment's worker (reported when the migration does not know it).
fn service_script(
    b: &Binding,
    service: &S<String>,
    environment: Option<&S<String>>,
    env_names: &EnvNames,
    diags: &mut Vec<Diagnostic>,
) -> String {
    let Some(env) = environment.filter(|e| e.v != "production") else {
        return service.v.clone();
    };
    match env_names.get(&(service.v.clone(), env.v.clone())) {
        Some(resolved) => resolved.clone(),
        None => {
            diags.push(codes::unresolved_service_environment(
                env.span, &b.name.v, &service.v, &env.v,
            ));
            service.v.clone()
        }
    }
}

impl Graph {
    /// Whether worker `i` takes part in this graph's stage.
    pub fn is_present(&self, i: usize) -> bool {
        !self.absent.contains(&i)
    }

    /// Ordering edges as `(from, to, edge index)`.
    fn ordering_edges(&self) -> impl Iterator<Item = (usize, usize, usize)> + '_ {
        self.edges
            .iter()
            .enumerate()
            .filter_map(|(k, e)| match e.to {
                Target::Worker(t) if e.kind.orders() => Some((e.from, t, k)),
                _ => None,
            })
    }

    /// Takes the creation order from a graph over the same workers (the union of every stage's
    /// edges): an edge is broken when its target is created after its source.
    pub fn adopt_order(&mut self, union: &Graph) {
        self.order = union.order.clone();
        // A cycle through a worker this stage does not deploy is no cycle here.
        self.cycles = union
            .cycles
            .iter()
            .filter(|c| c.iter().all(|m| !self.absent.contains(m)))
            .cloned()
            .collect();
        let pos: HashMap<usize, usize> = self
            .order
            .iter()
            .enumerate()
            .map(|(p, &w)| (w, p))
            .collect();
        self.broken = self
            .edges
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                e.kind.orders() && matches!(e.to, Target::Worker(t) if pos[&t] > pos[&e.from])
            })
            .map(|(k, _)| k)
            .collect();
    }

    /// A graph over the same workers whose edges are those of all `graphs` (for one creation
    /// order that suits every stage).
    pub fn union(graphs: &[&Graph], diags: &mut Vec<Diagnostic>) -> Graph {
        let first = graphs[0];
        let mut g = Graph {
            names: first.names.clone(),
            duplicates: first.duplicates.clone(),
            ..Graph::default()
        };
        let mut seen: crate::HashSet<(usize, usize, &EdgeKind)> = crate::HashSet::default();
        for gr in graphs {
            g.externals.extend(gr.externals.iter().cloned());
            for e in &gr.edges {
                if let Target::Worker(t) = e.to
                    && e.kind.orders()
                    && seen.insert((e.from, t, &e.kind))
                {
                    g.edges.push(e.clone());
                }
            }
        }
        g.compute_order(first.names.len(), diags);
        g
    }

    fn compute_order(&mut self, n: usize, diags: &mut Vec<Diagnostic>) {
        let mut adj: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (from, to, _) in self.ordering_edges() {
            adj[from].push(to);
        }
        for list in &mut adj {
            list.sort_unstable();
            list.dedup();
        }
        let sccs = tarjan(&adj);
        let mut comp_of = vec![usize::MAX; n];
        for (c, members) in sccs.iter().enumerate() {
            for &m in members {
                comp_of[m] = c;
            }
        }
        // Edges inside each component, grouped once (linear).
        let mut inner_of: HashMap<usize, Vec<(usize, usize, usize)>> = HashMap::default();
        for (f, t, k) in self.ordering_edges() {
            if comp_of[f] == comp_of[t] {
                inner_of.entry(comp_of[f]).or_default().push((f, t, k));
            }
        }
        let mut multi: Vec<&Vec<usize>> = sccs.iter().filter(|m| m.len() > 1).collect();
        multi.sort_by_key(|m| m[0]);
        for members in multi {
            let members = members.clone();
            let inner = inner_of.remove(&comp_of[members[0]]).unwrap_or_default();
            let order = best_order(&members, &inner, &self.edges);
            let pos: HashMap<usize, usize> =
                order.iter().enumerate().map(|(p, &w)| (w, p)).collect();
            let cycle_text = cycle_text(&self.names, &order);
            for &(f, t, k) in &inner {
                // `f` needs `t` first; if `t` comes later in the chosen order, the edge is broken.
                if pos[&t] > pos[&f] {
                    self.broken.insert(k);
                    diags.push(codes::cycle(
                        self.edges[k].span,
                        &cycle_text,
                        &self.names[f],
                        &self.names[t],
                    ));
                }
            }
            self.cycles.push(members);
        }
        // Kahn's algorithm over the unbroken ordering edges, smallest discovery index first.
        let mut indegree = vec![0usize; n];
        let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut pairs: BTreeSet<(usize, usize)> = BTreeSet::new();
        for (from, to, k) in self.ordering_edges() {
            if !self.broken.contains(&k) && pairs.insert((from, to)) {
                indegree[from] += 1;
                dependents[to].push(from);
            }
        }
        let mut ready: BinaryHeap<Reverse<usize>> =
            (0..n).filter(|&i| indegree[i] == 0).map(Reverse).collect();
        while let Some(Reverse(i)) = ready.pop() {
            self.order.push(i);
            for &d in &dependents[i] {
                indegree[d] -= 1;
                if indegree[d] == 0 {
                    ready.push(Reverse(d));
                }
            }
        }
        debug_assert_eq!(self.order.len(), n, "broken edges leave a DAG");
        // Defensive: never lose a worker even if the invariant above were violated.
        if self.order.len() < n {
            let placed: BTreeSet<usize> = self.order.iter().copied().collect();
            self.order.extend((0..n).filter(|i| !placed.contains(i)));
        }
    }

    pub fn is_broken(&self, edge: usize) -> bool {
        self.broken.contains(&edge)
    }
}

/// Names a cycle for people: `a → b → a`, or its first few members and its size when long.
pub fn cycle_text(names: &[String], members: &[usize]) -> String {
    const SHOWN: usize = 6;
    let mut parts: Vec<&str> = members
        .iter()
        .take(SHOWN)
        .map(|&w| names[w].as_str())
        .collect();
    if members.len() > SHOWN {
        return format!(
            "{} → … ({} workers in all)",
            parts.join(" → "),
            members.len()
        );
    }
    parts.push(names[members[0]].as_str());
    parts.join(" → ")
}

/// Chooses an order of a cycle's members that breaks as little as possible: exhaustive for small
/// cycles (≤ 7 workers), a depth-first heuristic beyond. Deterministic.
fn best_order(members: &[usize], inner: &[(usize, usize, usize)], edges: &[Edge]) -> Vec<usize> {
    let cost = |order: &[usize]| -> u32 {
        let pos: HashMap<usize, usize> = order.iter().enumerate().map(|(p, &w)| (w, p)).collect();
        inner
            .iter()
            .filter(|(f, t, _)| pos[t] > pos[f])
            .map(|(_, _, k)| edges[*k].kind.weight())
            .sum()
    };
    if members.len() <= 7 {
        let mut perm = members.to_vec();
        let mut best = perm.clone();
        let mut best_cost = cost(&perm);
        while next_permutation(&mut perm) {
            let c = cost(&perm);
            if c < best_cost {
                best_cost = c;
                best = perm.clone();
            }
        }
        return best;
    }
    // Large cycles: depth-first post-order (a worker is placed after everything it needs that the
    // search reached first); only back edges break. Linear, and one break for a plain ring.
    let mut needs: HashMap<usize, Vec<usize>> = HashMap::default();
    for &(f, t, _) in inner {
        needs.entry(f).or_default().push(t);
    }
    for list in needs.values_mut() {
        list.sort_unstable();
        list.dedup();
    }
    let mut visited: BTreeSet<usize> = BTreeSet::new();
    let mut order = Vec::with_capacity(members.len());
    for &root in members {
        if !visited.insert(root) {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        while let Some(&mut (v, ref mut i)) = stack.last_mut() {
            let next = needs.get(&v).and_then(|l| l.get(*i)).copied();
            *i += 1;
            match next {
                Some(w) => {
                    if visited.insert(w) {
                        stack.push((w, 0));
                    }
                }
                None => {
                    order.push(v);
                    stack.pop();
                }
            }
        }
    }
    order
}

fn next_permutation(v: &mut [usize]) -> bool {
    if v.len() < 2 {
        return false;
    }
    let mut i = v.len() - 1;
    while i > 0 && v[i - 1] >= v[i] {
        i -= 1;
    }
    if i == 0 {
        return false;
    }
    let mut j = v.len() - 1;
    while v[j] <= v[i - 1] {
        j -= 1;
    }
    v.swap(i - 1, j);
    v[i..].reverse();
    true
}

/// Tarjan's strongly connected components, iteratively (no recursion on graph size).
pub fn tarjan(adj: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let n = adj.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0usize; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut out = Vec::new();
    let mut next = 0usize;
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        let mut call: Vec<(usize, usize)> = vec![(root, 0)];
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut i)) = call.last_mut() {
            if *i < adj[v].len() {
                let w = adj[v][*i];
                *i += 1;
                if index[w] == usize::MAX {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    call.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
            } else {
                call.pop();
                if let Some(&(parent, _)) = call.last() {
                    low[parent] = low[parent].min(low[v]);
                }
                if low[v] == index[v] {
                    let mut comp = Vec::new();
                    while let Some(w) = stack.pop() {
                        on_stack[w] = false;
                        comp.push(w);
                        if w == v {
                            break;
                        }
                    }
                    comp.sort_unstable();
                    out.push(comp);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{EnvSelection, load};

    /// Workers from a spec, one per line: `name: target…`, a target being a worker called by a
    /// service binding, `do:x` (a Durable Object hosted by `x`), `tail:x` or `queue:x`; a line
    /// `-` is a worker without a name.
    fn workers(spec: &str) -> Vec<Worker> {
        let mut out = Vec::new();
        for (k, line) in spec
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .enumerate()
        {
            let (name, targets) = line.split_once(':').unwrap_or((line, ""));
            let mut toml = String::from("main = \"index.ts\"\n");
            if name != "-" {
                toml.push_str(&format!("name = \"{name}\"\n"));
            }
            for (i, t) in targets.split_whitespace().enumerate() {
                let entry = match t.split_once(':') {
                    Some(("do", host)) => format!(
                        "[[durable_objects.bindings]]\nname = \"D{i}\"\nclass_name = \"C{i}\"\nscript_name = \"{host}\"\n"
                    ),
                    Some(("tail", to)) => format!("[[tail_consumers]]\nservice = \"{to}\"\n"),
                    Some(("queue", q)) => {
                        format!("[[queues.producers]]\nbinding = \"Q{i}\"\nqueue = \"{q}\"\n")
                    }
                    _ => format!("[[services]]\nbinding = \"S{i}\"\nservice = \"{t}\"\n"),
                };
                toml.push_str(&entry);
            }
            let c = load(
                k as u32,
                "wrangler.toml",
                Default::default(),
                &toml,
                Default::default(),
            );
            out.extend(c.workers(&EnvSelection::TopLevel).0);
        }
        out
    }

    /// The graph in a few lines: creation order, broken edges, cycles, externals, duplicates.
    fn summary(g: &Graph) -> String {
        let name = |i: &usize| g.names[*i].clone();
        let edge = |k: &usize| {
            let e = &g.edges[*k];
            match &e.to {
                Target::Worker(t) => format!("{}->{}", name(&e.from), name(t)),
                other => format!("{}->{other:?}", name(&e.from)),
            }
        };
        let mut lines = vec![format!(
            "order {}",
            g.order.iter().map(name).collect::<Vec<_>>().join(" ")
        )];
        let list = |label: &str, items: Vec<String>| {
            (!items.is_empty()).then(|| format!("{label} {}", items.join(" ")))
        };
        lines.extend(list("broken", g.broken.iter().map(edge).collect()));
        lines.extend(list(
            "cycles",
            g.cycles
                .iter()
                .map(|c| format!("[{}]", c.iter().map(name).collect::<Vec<_>>().join(" ")))
                .collect(),
        ));
        lines.extend(list("externals", g.externals.iter().cloned().collect()));
        lines.extend(list("duplicates", g.duplicates.iter().map(name).collect()));
        lines.join("\n")
    }

    fn check(cases: &[(&str, &str)]) {
        for (spec, want) in cases {
            let mut diags = Vec::new();
            let g = build(
                &workers(spec),
                &BTreeSet::new(),
                &EnvNames::default(),
                &mut diags,
            );
            assert_eq!(summary(&g), want.trim(), "spec:\n{spec}");
            let broken_reported = diags.iter().filter(|d| d.message.contains("cycle")).count();
            assert_eq!(
                broken_reported,
                g.broken.len(),
                "one diagnostic per broken edge"
            );
        }
    }

    #[test]
    fn creation_order_puts_dependencies_first_and_keeps_discovery_order() {
        check(&[
            ("a\nb\nc", "order a b c"),
            ("a: c\nb\nc", "order b c a"),
            ("a: b\nb: c\nc", "order c b a"),
            ("a: c\nb: c\nc: d\nd", "order d c a b"),
            ("a: do:b\nb: tail:c\nc", "order c b a"),
            // A queue between workers orders nothing; a self-binding is no dependency.
            ("a: queue:q\nb: a b", "order a b"),
        ]);
    }

    #[test]
    fn cycles_are_broken_at_the_fewest_and_cheapest_edges() {
        check(&[
            ("a: b\nb: a", "order a b\nbroken a->b\ncycles [a b]"),
            (
                "a: b\nb: c\nc: a",
                "order a c b\nbroken a->b\ncycles [a b c]",
            ),
            // Breaking a service binding (a placeholder stands in) costs less than breaking a
            // Durable Object's host.
            ("a: do:b\nb: a", "order b a\nbroken b->a\ncycles [a b]"),
            ("a: b\nb: do:a", "order a b\nbroken a->b\ncycles [a b]"),
            // Two edges either way: the first order, in discovery order, wins the tie.
            (
                "a: b c\nb: a\nc: a",
                "order a b c\nbroken a->b a->c\ncycles [a b c]",
            ),
            // Two cycles (a→b→c→a, a→c→a): one edge breaks both; every other order breaks two or more.
            (
                "a: b c\nb: c\nc: a",
                "order c b a\nbroken c->a\ncycles [a b c]",
            ),
            (
                "x\na: b\nb: a\nc: d\nd: c",
                "order x a b c d\nbroken a->b c->d\ncycles [a b] [c d]",
            ),
        ]);
    }

    #[test]
    fn a_long_ring_breaks_once() {
        let names: Vec<String> = (0..10).map(|i| format!("w{i}")).collect();
        let spec: String = names
            .iter()
            .enumerate()
            .map(|(i, n)| format!("{n}: {}\n", names[(i + 1) % names.len()]))
            .collect();
        let mut diags = Vec::new();
        let g = build(
            &workers(&spec),
            &BTreeSet::new(),
            &EnvNames::default(),
            &mut diags,
        );
        assert_eq!(g.broken.len(), 1);
        assert_eq!(g.cycles.len(), 1);
        assert_eq!(g.cycles[0].len(), 10);
        assert_eq!(g.order.len(), 10);
        assert!(diags[0].message.contains("(10 workers in all)"));
    }

    #[test]
    fn externals_duplicates_and_unnamed_workers() {
        check(&[
            (
                "a: elsewhere do:host tail:logs",
                "order a\nexternals elsewhere host logs",
            ),
            ("a\na: b\nb", "order a b a\nduplicates a"),
            ("-: a\na", "order a <unnamed #1>"),
        ]);
    }

    #[test]
    fn absent_workers_have_no_edges_and_are_not_targets() {
        let ws = workers("a: b\nb: a c\nc");
        let absent: BTreeSet<usize> = [1].into();
        let mut diags = Vec::new();
        let g = build(&ws, &absent, &EnvNames::default(), &mut diags);
        assert!(g.edges.iter().all(|e| e.from != 1));
        assert!(g.edges.iter().all(|e| e.to != Target::Worker(1)));
        assert_eq!(summary(&g), "order a b c\nexternals b");
        assert!(!g.is_present(1) && g.is_present(0));
    }

    #[test]
    fn stages_share_the_union_order() {
        // Stage one: a calls b. Stage two: b calls a. The union has the cycle; each stage breaks
        // only the edges it has that point forward in the shared order.
        let mut diags = Vec::new();
        let none = BTreeSet::new();
        let one = edges(&workers("a: b\nb"), &none, &EnvNames::default(), &mut diags);
        let two = edges(&workers("a\nb: a"), &none, &EnvNames::default(), &mut diags);
        let union = Graph::union(&[&one, &two], &mut diags);
        assert_eq!(summary(&union), "order a b\nbroken a->b\ncycles [a b]");
        let (mut one, mut two) = (one, two);
        one.adopt_order(&union);
        two.adopt_order(&union);
        assert_eq!(summary(&one), "order a b\nbroken a->b\ncycles [a b]");
        assert_eq!(summary(&two), "order a b\ncycles [a b]");
        // A stage without one of the cycle's workers has no cycle.
        let three = edges(
            &workers("a: b\nb"),
            &[1].into(),
            &EnvNames::default(),
            &mut diags,
        );
        let mut three = three;
        three.adopt_order(&union);
        assert_eq!(summary(&three), "order a b\nexternals b");
    }

    #[test]
    fn strongly_connected_components() {
        type Adjacency<'a> = &'a [&'a [usize]];
        let cases: [(Adjacency, Adjacency); 4] = [
            (&[&[], &[]], &[&[0], &[1]]),
            (&[&[1], &[0]], &[&[0, 1]]),
            (&[&[1], &[2], &[0, 3], &[]], &[&[3], &[0, 1, 2]]),
            (&[&[0]], &[&[0]]),
        ];
        for (adj, want) in cases {
            let adj: Vec<Vec<usize>> = adj.iter().map(|l| l.to_vec()).collect();
            let want: Vec<Vec<usize>> = want.iter().map(|c| c.to_vec()).collect();
            assert_eq!(tarjan(&adj), want, "{adj:?}");
        }
    }

    #[test]
    fn permutations_in_lexicographic_order() {
        let mut v = vec![1, 2, 3];
        let mut seen = vec![v.clone()];
        while next_permutation(&mut v) {
            seen.push(v.clone());
        }
        assert_eq!(
            seen,
            [
                [1, 2, 3],
                [1, 3, 2],
                [2, 1, 3],
                [2, 3, 1],
                [3, 1, 2],
                [3, 2, 1]
            ]
        );
        assert!(!next_permutation(&mut [7]));
        assert!(!next_permutation(&mut []));
    }

    #[test]
    fn cycles_are_named_for_people() {
        let names: Vec<String> = (0..8).map(|i| format!("w{i}")).collect();
        assert_eq!(cycle_text(&names, &[0, 1]), "w0 → w1 → w0");
        assert_eq!(
            cycle_text(&names, &[0, 1, 2, 3, 4, 5, 6]),
            "w0 → w1 → w2 → w3 → w4 → w5 → … (7 workers in all)"
        );
    }
}
