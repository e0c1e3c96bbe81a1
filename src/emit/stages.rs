//! Stages: one program for every wrangler environment. The per-stage versions of an expression
//! are merged into one: parts that are the same everywhere are written once, parts that differ
//! are written side by side, indexed by the stage (`{ production: "a", staging: "b" }[stage]`).
//!
//! `stage` in the generated program is the Alchemy stage when it is a wrangler environment, and
//! `undefined` for every other stage ("other": a developer's or a pull request's stage).
//! Expressions with side effects (`await`) are never evaluated for another stage: they are
//! chosen with conditionals.

use super::ts::{Js, Prop, Text};

/// The mapped stages, in order, and the one whose configuration "other" stages start from.
pub struct Stages {
    pub mapped: Vec<String>,
    /// A mapped stage whose values "other" stages share (the top level's stage), if any.
    pub default: Option<String>,
}

fn has_await<'a>(js: &Js<'a>) -> bool {
    match js {
        Js::Raw(_) | Js::Str(_) => false,
        Js::Await(_) => true,
        Js::Obj { props, .. } => props.iter().any(|p| match p {
            Prop::KeyValue(_, v) | Prop::Spread(v) => has_await(v),
            Prop::Comment(_) => false,
        }),
        Js::Arr(items) => items.iter().any(has_await),
        Js::Call { args, .. } => args.iter().any(has_await),
        Js::Cond(a, b, c) => has_await(a) || has_await(b) || has_await(c),
        Js::As(e, _) | Js::Index(e, _) | Js::NonNull(e) => has_await(e),
    }
}

fn undefined<'a>() -> Js<'a> {
    Js::raw("undefined")
}

/// `stage === "s"`.
fn is_stage<'a>(s: &str) -> Js<'a> {
    Js::raw(["stage === ", &super::ts::string_literal(s)].concat())
}

/// What stages that are not wrangler environments ("other" stages, "the rest") have of an
/// expression; owned, as merging takes the values apart.
#[derive(Debug, Clone, PartialEq)]
pub enum Rest<'a> {
    /// Nothing to say: the context already knows `stage` is set (other stages never get here).
    Excluded,
    /// Other stages lack it.
    Absent,
    Present(Js<'a>),
}

impl<'a> Rest<'a> {
    /// What other stages have, `None` standing for "lack it".
    pub fn new(value: Option<Js<'a>>) -> Rest<'a> {
        value.map_or(Rest::Absent, Rest::Present)
    }

    fn included(&self) -> bool {
        *self != Rest::Excluded
    }

    fn value(&self) -> Option<&Js<'a>> {
        match self {
            Rest::Present(v) => Some(v),
            Rest::Excluded | Rest::Absent => None,
        }
    }

    fn into_value(self) -> Option<Js<'a>> {
        match self {
            Rest::Present(v) => Some(v),
            Rest::Excluded | Rest::Absent => None,
        }
    }
}

/// What a value missing from some stage becomes: `undefined` there, or, among a worker's
/// bindings, nothing (the member is spread in only where it exists).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Missing {
    Undefined,
    LeftOut,
}

/// One object's members: keys in order of first appearance, the comments before each key (key
/// `""`: after the last one), and each stage's value per key (by the key's place in `keys`).
struct Members<'a> {
    keys: indexmap::IndexSet<Text<'a>, rustc_hash::FxBuildHasher>,
    comments: crate::HashMap<String, Vec<String>>,
    tables: Vec<Vec<Option<Js<'a>>>>,
}

impl Stages {
    /// Merges one expression. `vals` has one entry per mapped stage (`None`: absent there);
    /// `other` is what other stages have. The values are taken apart: the parts that end up in
    /// the result are moved there, not copied.
    pub fn merge<'a>(&self, vals: Vec<Option<Js<'a>>>, other: Rest<'a>) -> Js<'a> {
        self.merge_in(vals, other, Missing::Undefined)
    }

    /// The values of every stage in play: the mapped stages', then other stages' when included.
    fn all<'a, 'v>(vals: &'v [Option<Js<'a>>], other: &'v Rest<'a>) -> Vec<Option<&'v Js<'a>>> {
        let mut all: Vec<Option<&Js<'a>>> = vals.iter().map(Option::as_ref).collect();
        if other.included() {
            all.push(other.value());
        }
        all
    }

    fn merge_in<'a>(
        &self,
        mut vals: Vec<Option<Js<'a>>>,
        other: Rest<'a>,
        missing: Missing,
    ) -> Js<'a> {
        let (same_everywhere, same_shape) = {
            let all = Stages::all(&vals, &other);
            // (Each compared with the first: a tree compared with itself is walked whole.)
            let same = matches!(all[0], Some(first) if all[1..].iter().all(|v| *v == Some(first)));
            let present: Option<Vec<&Js<'a>>> = all.into_iter().collect();
            (same, present.is_some_and(|p| mergeable(&p)))
        };
        if same_everywhere {
            return vals.swap_remove(0).unwrap_or_else(undefined);
        }
        // Same shape everywhere: merge inside.
        if same_shape {
            let mut all: Vec<Js<'a>> = vals.into_iter().flatten().collect();
            let n_mapped = all.len();
            all.extend(other.into_value());
            return self.merge_shape(all, n_mapped, missing);
        }
        // The mapped stages agree on a shape but other stages differ: `stage ? mapped : other`.
        if other.included() {
            // (Unless other stages share the default stage's value: then the leaf's
            // `{ … }[stage ?? "default"]` says it more simply.)
            let default_value = self.default_value(&vals);
            let shares_default = default_value.is_some()
                && default_value == other.value()
                && !vals.iter().flatten().any(has_await);
            if vals.iter().all(Option::is_some) && !shares_default {
                let o = other.into_value().unwrap_or_else(undefined);
                let m = self.merge_in(vals, Rest::Excluded, Missing::Undefined);
                return stage_cond(m, o);
            }
        }
        self.leaf(vals, other)
    }

    /// The place of the default stage among the mapped ones, when there is one.
    fn default_index(&self) -> Option<usize> {
        let d = self.default.as_ref()?;
        self.mapped.iter().position(|s| s == d)
    }

    /// The default stage's value, when there is a default stage that has one.
    fn default_value<'a, 'v>(&self, vals: &'v [Option<Js<'a>>]) -> Option<&'v Js<'a>> {
        vals[self.default_index()?].as_ref()
    }

    /// Merges one part of values of the same kind: `parts` holds each stage's (the mapped
    /// stages' first, then other stages' when there are more than `n_mapped`).
    fn merge_parts<'a>(&self, mut parts: Vec<Js<'a>>, n_mapped: usize) -> Js<'a> {
        let other = if parts.len() > n_mapped {
            parts.pop().map_or(Rest::Absent, Rest::Present)
        } else {
            Rest::Excluded
        };
        self.merge(parts.into_iter().map(Some).collect(), other)
    }

    /// Merges values of the same kind node by node (what [`mergeable`] accepts).
    fn merge_shape<'a>(&self, all: Vec<Js<'a>>, n_mapped: usize, missing: Missing) -> Js<'a> {
        match &all[0] {
            Js::Await(_) => {
                let inner = all.into_iter().map(|j| match j {
                    Js::Await(e) => *e,
                    other => other,
                });
                Js::await_(self.merge_parts(inner.collect(), n_mapped))
            }
            Js::Call { callee, args } => {
                let (callee, n_args) = (callee.clone(), args.len());
                // (Every value is a call with as many arguments: checked by `mergeable`.)
                let mut per_stage: Vec<std::vec::IntoIter<Js<'a>>> = all
                    .into_iter()
                    .map(|j| match j {
                        Js::Call { args, .. } => args.into_iter(),
                        _ => Vec::new().into_iter(),
                    })
                    .collect();
                let merged = (0..n_args)
                    .map(|_| {
                        let parts = per_stage.iter_mut().filter_map(Iterator::next).collect();
                        self.merge_parts(parts, n_mapped)
                    })
                    .collect();
                Js::call(callee, merged)
            }
            Js::As(_, ty) => {
                let ty = ty.clone();
                let inner = all.into_iter().map(|j| match j {
                    Js::As(e, _) => *e,
                    other => other,
                });
                Js::As(Box::new(self.merge_parts(inner.collect(), n_mapped)), ty)
            }
            Js::Cond(..) => {
                let mut test = None;
                let (t, f): (Vec<Js<'a>>, Vec<Js<'a>>) = all
                    .into_iter()
                    .filter_map(|j| match j {
                        Js::Cond(c, t, f) => {
                            test.get_or_insert(c);
                            Some((*t, *f))
                        }
                        _ => None,
                    })
                    .unzip();
                let t = self.merge_parts(t, n_mapped);
                let f = self.merge_parts(f, n_mapped);
                cond(test.map_or_else(undefined, |c| *c), t, f)
            }
            Js::Obj { expand, .. } => {
                let expand = *expand;
                self.merge_obj(all, n_mapped, expand, missing)
            }
            Js::Arr(_) | Js::Raw(_) | Js::Str(_) | Js::Index(..) | Js::NonNull(_) => {
                unreachable!("not merged inside: `mergeable` refuses it")
            }
        }
    }

    /// Merges objects key by key. A key missing in some stages is `undefined` there, except in
    /// `bindings` (expanded objects), where it is spread in only where it exists.
    fn merge_obj<'a>(
        &self,
        all: Vec<Js<'a>>,
        n_mapped: usize,
        expand: bool,
        missing: Missing,
    ) -> Js<'a> {
        let Members {
            keys,
            mut comments,
            mut tables,
        } = members(all);
        let mut props = Vec::new();
        for (place, k) in keys.into_iter().enumerate() {
            props.extend(
                comments
                    .remove(&*k)
                    .into_iter()
                    .flatten()
                    .map(Prop::Comment),
            );
            let mut per: Vec<Option<Js<'a>>> = tables
                .iter_mut()
                .map(|t| t.get_mut(place).and_then(Option::take))
                .collect();
            if k == "bindings" {
                // No bindings in some stage: an empty set, so the others merge binding by binding.
                for v in per.iter_mut().filter(|v| v.is_none()) {
                    *v = Some(Js::expanded(Vec::new()));
                }
            }
            props.push(self.merge_member(k, per, n_mapped, missing));
        }
        props.extend(comments.remove("").into_iter().flatten().map(Prop::Comment));
        Js::Obj { props, expand }
    }

    /// One member of merged objects, from each stage's value (`None`: the stage lacks it).
    fn merge_member<'a>(
        &self,
        k: Text<'a>,
        mut per: Vec<Option<Js<'a>>>,
        n_mapped: usize,
        missing: Missing,
    ) -> Prop<'a> {
        if k.starts_with("...") {
            return Prop::Spread(per.into_iter().flatten().next().unwrap_or_else(undefined));
        }
        let everywhere = per.iter().all(Option::is_some);
        let other = if per.len() > n_mapped {
            per.pop().flatten().map_or(Rest::Absent, Rest::Present)
        } else {
            Rest::Excluded
        };
        let mapped = per;
        if everywhere || missing == Missing::Undefined {
            let inner = if k == "bindings" {
                Missing::LeftOut
            } else {
                Missing::Undefined
            };
            return Prop::KeyValue(k, self.merge_in(mapped, other, inner));
        }
        // A binding some stages do not have: spread it in where it exists.
        let present_mapped: Vec<bool> = mapped.iter().map(Option::is_some).collect();
        let test = self.presence_test(&present_mapped, &other);
        let same = {
            let values: Vec<&Js<'a>> = mapped.iter().flatten().chain(other.value()).collect();
            values
                .split_first()
                .is_none_or(|(first, rest)| rest.iter().all(|v| v == first))
        };
        let value = if same {
            mapped
                .into_iter()
                .flatten()
                .chain(other.into_value())
                .next()
                .unwrap_or_else(undefined)
        } else {
            Js::NonNull(Box::new(self.merge(mapped, other)))
        };
        let obj = Js::obj(vec![Prop::KeyValue(k, value)]);
        Prop::Spread(cond(test, obj, Js::obj(vec![])))
    }

    /// A test that is true in exactly the stages where something is present (`other`: whether
    /// other stages have it, when they take part).
    fn presence_test<'a>(&self, mapped: &[bool], other: &Rest<'a>) -> Js<'a> {
        let stages = |present: bool| -> Vec<&str> {
            self.mapped
                .iter()
                .zip(mapped)
                .filter(|(_, p)| **p == present)
                .map(|(s, _)| s.as_str())
                .collect()
        };
        let (present, absent) = (stages(true), stages(false));
        let joined = |stages: &[&str], op: &str, glue: &str| {
            let tests: Vec<String> = stages
                .iter()
                .map(|s| format!("stage {op} {}", super::ts::string_literal(s)))
                .collect();
            Js::raw(tests.join(glue))
        };
        match other {
            Rest::Present(_) if present.is_empty() => Js::raw("stage === undefined"),
            Rest::Present(_) => joined(&absent, "!==", " && "),
            Rest::Absent if absent.is_empty() => Js::raw("stage !== undefined"),
            _ => joined(&present, "===", " || "),
        }
    }

    /// Values that differ and cannot be merged inside.
    fn leaf<'a>(&self, vals: Vec<Option<Js<'a>>>, other: Rest<'a>) -> Js<'a> {
        let present: Vec<usize> = (0..vals.len()).filter(|&i| vals[i].is_some()).collect();
        let mut mapped: Vec<Js<'a>> = vals
            .into_iter()
            .map(|v| v.unwrap_or_else(undefined))
            .collect();
        let absent = other == Rest::Absent;
        let other_v = other
            .included()
            .then(|| other.into_value().unwrap_or_else(undefined));
        // Booleans that only tell wrangler environments from other stages.
        if mapped[1..].iter().all(|v| *v == mapped[0]) {
            let first = mapped.swap_remove(0);
            return match other_v {
                Some(o) => stage_cond(first, o),
                None => first,
            };
        }
        let impure = mapped.iter().any(has_await) || other_v.as_ref().is_some_and(has_await);
        if impure {
            return self.chosen(&present, absent, mapped, other_v);
        }
        let index = match (&other_v, self.default_index(), &self.default) {
            (Some(o), Some(i), Some(d)) if mapped[i] == *o => {
                format!("stage ?? {}", super::ts::string_literal(d))
            }
            _ => "stage".into(),
        };
        let by_default = index != "stage";
        let table = Js::obj(
            self.mapped
                .iter()
                .zip(mapped)
                .map(|(s, v)| Prop::kv(s.clone(), v))
                .collect(),
        );
        match other_v {
            Some(o) if !by_default => cond(
                Js::raw("stage"),
                Js::Index(Box::new(table), "stage".into()),
                o,
            ),
            _ => Js::Index(Box::new(table), index),
        }
    }

    /// Values with side effects: only the chosen stage's is evaluated, behind conditionals.
    /// `present`: the mapped stages that have a value; `absent`: other stages lack it.
    fn chosen<'a>(
        &self,
        present: &[usize],
        absent: bool,
        mut mapped: Vec<Js<'a>>,
        other_v: Option<Js<'a>>,
    ) -> Js<'a> {
        // Something that exists in one stage only: `stage === "s" ? value : undefined`.
        if let ([only], true) = (present, absent) {
            return cond(
                is_stage(&self.mapped[*only]),
                mapped.swap_remove(*only),
                undefined(),
            );
        }
        let n = if other_v.is_some() {
            mapped.len()
        } else {
            mapped.len() - 1
        };
        let mut tail = match other_v {
            Some(o) => o,
            None => mapped.pop().unwrap_or_else(undefined),
        };
        for (s, v) in self.mapped.iter().zip(mapped).take(n).rev() {
            tail = cond(is_stage(s), v, tail);
        }
        tail
    }
}

/// Whether values of every stage (all present) can be merged node by node: awaits of the same
/// call, calls of one callee with as many arguments, `as` one type, conditionals on one test,
/// objects.
fn mergeable<'a>(all: &[&Js<'a>]) -> bool {
    match all[0] {
        Js::Await(first) => {
            // Only one call is merged inside `await`; different calls are chosen with
            // conditionals, or every stage's call would run.
            let same_call = |e: &Js<'a>| match (e, &**first) {
                (Js::Call { callee: c, args: a }, Js::Call { callee, args }) => {
                    c == callee && a.len() == args.len()
                }
                _ => false,
            };
            all.iter()
                .all(|j| matches!(j, Js::Await(e) if same_call(e)))
        }
        Js::Call { callee, args } => all.iter().all(
            |j| matches!(j, Js::Call { callee: c, args: a } if c == callee && a.len() == args.len()),
        ),
        Js::As(_, ty) => all.iter().all(|j| matches!(j, Js::As(_, t) if t == ty)),
        Js::Cond(c, _, _) => all.iter().all(|j| matches!(j, Js::Cond(test, _, _) if test == c)),
        Js::Obj { .. } => all.iter().all(|j| matches!(j, Js::Obj { .. })),
        Js::Arr(_) | Js::Raw(_) | Js::Str(_) | Js::Index(..) | Js::NonNull(_) => false,
    }
}

/// The members of objects of every stage, taken out of them.
fn members<'a>(all: Vec<Js<'a>>) -> Members<'a> {
    // Keys in order of first appearance; comments attach to the key that follows them.
    // (A hash index keeps this linear: a `vars` table can hold 100 000 entries.)
    let mut keys: indexmap::IndexSet<Text<'a>, rustc_hash::FxBuildHasher> = Default::default();
    let mut comments: crate::HashMap<String, Vec<String>> = crate::HashMap::default();
    let mut add_comments = |key: &str, pending: &mut Vec<String>| {
        let list = comments.entry(key.to_string()).or_default();
        for c in pending.drain(..) {
            if !list.contains(&c) {
                list.push(c);
            }
        }
    };
    let mut tables = Vec::new();
    for j in all {
        let Js::Obj { props, .. } = j else { continue };
        let mut table: Vec<Option<Js<'a>>> = Vec::new();
        let mut pending: Vec<String> = Vec::new();
        for p in props {
            let (k, v) = match p {
                Prop::Comment(c) => {
                    pending.push(c);
                    continue;
                }
                Prop::KeyValue(k, v) => (k, v),
                Prop::Spread(v) => (
                    format!("...{}", super::ts::flat(&v).unwrap_or_default()).into(),
                    v,
                ),
            };
            if !pending.is_empty() {
                add_comments(&k, &mut pending);
            }
            let place = match keys.get_index_of(&*k) {
                Some(place) => place,
                None => keys.insert_full(k).0,
            };
            if table.len() <= place {
                table.resize_with(place + 1, || None);
            }
            table[place] = Some(v);
        }
        if !pending.is_empty() {
            add_comments("", &mut pending);
        }
        tables.push(table);
    }
    Members {
        keys,
        comments,
        tables,
    }
}

/// `stage ? a : b`, with booleans written as the test itself.
fn stage_cond<'a>(a: Js<'a>, b: Js<'a>) -> Js<'a> {
    match (&a, &b) {
        (Js::Raw(x), Js::Raw(y)) if x == "true" && y == "false" => Js::raw("stage !== undefined"),
        (Js::Raw(x), Js::Raw(y)) if x == "false" && y == "true" => Js::raw("stage === undefined"),
        _ => cond(Js::raw("stage"), a, b),
    }
}

fn cond<'a>(c: Js<'a>, a: Js<'a>, b: Js<'a>) -> Js<'a> {
    Js::Cond(Box::new(c), Box::new(a), Box::new(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::ts::declaration;

    fn stages(default: Option<&str>) -> Stages {
        Stages {
            mapped: vec!["production".into(), "staging".into()],
            default: default.map(str::to_string),
        }
    }

    /// A value written as `s` (a string literal when quoted, an awaited call when `await f`,
    /// code otherwise; `-` when absent).
    fn js(s: &str) -> Option<Js<'_>> {
        if s == "-" {
            return None;
        }
        Some(
            if let Some(text) = s.strip_prefix('"').and_then(|x| x.strip_suffix('"')) {
                Js::str(text)
            } else if let Some(callee) = s.strip_prefix("await ") {
                Js::await_(Js::call(callee.to_string(), vec![]))
            } else {
                Js::raw(s.to_string())
            },
        )
    }

    /// Merges production's, staging's and (unless `None`) other stages' values and prints the
    /// result as a declaration.
    fn merged(st: &Stages, production: &str, staging: &str, other: Option<&str>) -> String {
        let vals = [js(production), js(staging)];
        let other = other.map_or(Rest::Excluded, |o| Rest::new(js(o)));
        let js = st.merge(vals.to_vec(), other);
        declaration(false, "x", &js)
    }

    #[test]
    fn leaves() {
        let with_default = stages(Some("production"));
        let without = stages(None);
        let cases: &[(&Stages, [&str; 2], Option<&str>, &str)] = &[
            // The same everywhere: written once.
            (
                &without,
                ["\"a\"", "\"a\""],
                Some("\"a\""),
                "const x = \"a\";\n",
            ),
            // Differing: a table indexed by the stage; other stages share the default's value.
            (
                &with_default,
                ["\"a\"", "\"b\""],
                Some("\"a\""),
                "const x = { production: \"a\", staging: \"b\" }[stage ?? \"production\"];\n",
            ),
            (
                &without,
                ["\"a\"", "\"b\""],
                Some("\"c\""),
                "const x = stage ? { production: \"a\", staging: \"b\" }[stage] : \"c\";\n",
            ),
            (
                &without,
                ["\"a\"", "\"b\""],
                None,
                "const x = { production: \"a\", staging: \"b\" }[stage];\n",
            ),
            // Mapped stages agree, other stages differ: a test of `stage` alone.
            (
                &without,
                ["\"a\"", "\"a\""],
                Some("\"c\""),
                "const x = stage ? \"a\" : \"c\";\n",
            ),
            (
                &without,
                ["true", "true"],
                Some("false"),
                "const x = stage !== undefined;\n",
            ),
            (
                &without,
                ["false", "false"],
                Some("true"),
                "const x = stage === undefined;\n",
            ),
            // Absent in a stage: `undefined` there.
            (
                &without,
                ["\"a\"", "-"],
                Some("\"a\""),
                "const x = stage ? { production: \"a\", staging: undefined }[stage] : \"a\";\n",
            ),
        ];
        for (st, [p, s], o, want) in cases {
            assert_eq!(merged(st, p, s, *o), *want, "{p} {s} {o:?}");
        }
    }

    #[test]
    fn side_effects_only_behind_conditionals() {
        let st = stages(Some("production"));
        let cases: &[([&str; 2], Option<&str>, &str)] = &[
            (
                ["await A", "-"],
                Some("-"),
                "const x = stage === \"production\" ? await A() : undefined;\n",
            ),
            (
                ["await A", "await B"],
                Some("await C"),
                "const x = stage ? stage === \"production\" ? await A() : await B() : await C();\n",
            ),
            (
                ["await A", "await B"],
                None,
                "const x = stage === \"production\" ? await A() : await B();\n",
            ),
            (
                ["await A", "await A"],
                Some("await A"),
                "const x = await A();\n",
            ),
        ];
        for ([p, s], o, want) in cases {
            assert_eq!(merged(&st, p, s, *o), *want, "{p} {s} {o:?}");
        }
    }

    #[test]
    fn calls_and_objects_merge_inside() {
        let st = stages(None);
        let worker = |name: Option<&'static str>, bindings: Vec<Prop<'static>>| {
            let mut props = Vec::new();
            if let Some(n) = name {
                props.push(Prop::kv("name", Js::str(n)));
            }
            props.push(Prop::kv("bindings", Js::expanded(bindings)));
            Js::await_(Js::call(
                "Worker",
                vec![Js::str("api"), Js::expanded(props)],
            ))
        };
        let kv = |v: &str| Prop::kv("KV", Js::raw(v.to_string()));
        let vals = [
            Some(worker(
                Some("api-production"),
                vec![kv("cache"), Prop::kv("A", Js::raw("a"))],
            )),
            Some(worker(
                Some("api-staging"),
                vec![Prop::kv("A", Js::raw("a"))],
            )),
        ];
        let other = worker(None, vec![kv("cache"), Prop::kv("A", Js::raw("a"))]);
        let got = declaration(false, "api", &st.merge(vals.to_vec(), Rest::Present(other)));
        assert_eq!(
            got,
            "const api = await Worker(\"api\", {\n  name: stage\n    ? { production: \"api-production\", staging: \"api-staging\" }[stage]\n    : undefined,\n  bindings: {\n    ...(stage !== \"staging\" ? { KV: cache } : {}),\n    A: a,\n  },\n});\n"
        );
    }

    #[test]
    fn presence_tests() {
        let st = Stages {
            mapped: vec!["a".into(), "b".into(), "c".into()],
            default: None,
        };
        let there = Js::raw("x");
        let cases: &[(&[bool], Rest<'_>, &str)] = &[
            (&[true, false, false], Rest::Excluded, "stage === \"a\""),
            (
                &[true, true, false],
                Rest::Excluded,
                "stage === \"a\" || stage === \"b\"",
            ),
            (
                &[true, false, true],
                Rest::Present(there.clone()),
                "stage !== \"b\"",
            ),
            (
                &[false, false, false],
                Rest::Present(there.clone()),
                "stage === undefined",
            ),
            (&[true, true, true], Rest::Absent, "stage !== undefined"),
            (&[false, true, false], Rest::Absent, "stage === \"b\""),
        ];
        for (mapped, other, want) in cases {
            assert_eq!(
                st.presence_test(mapped, other),
                Js::raw(*want),
                "{mapped:?} {other:?}"
            );
        }
    }
}
