//! The crate read as modules: each file's `use` trees and inline paths, resolved to the module
//! they name (through `use` re-exports of the module they pass).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::lex::{Tok, Token, strip_tests, tokenize};

/// A module path from the crate root (`["http", "openapi"]`); the root is empty.
pub type ModPath = Vec<String>;

/// One path named in a file, as written, with where it points.
#[derive(Debug, Clone)]
pub struct Reference {
    pub file: PathBuf,
    pub line: usize,
    pub written: String,
    pub target: Target,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// An item of this module of the crate (or the module itself).
    Module(ModPath),
    /// A path into another crate (`sqlx::SqlitePool`).
    External(Vec<String>),
}

/// One source file: its module and what it names.
pub struct SourceFile {
    pub path: PathBuf,
    pub module: ModPath,
    pub references: Vec<Reference>,
}

/// Every non-test `.rs` file of the library under `src`, parsed.
pub struct Crate {
    pub files: Vec<SourceFile>,
}

struct Use {
    scope: ModPath,
    path: Vec<String>,
    binding: Option<String>,
    line: usize,
}

impl Crate {
    pub fn read(src: &Path) -> Crate {
        let mut paths = Vec::new();
        collect(src, &mut paths);
        let mut modules = BTreeSet::new();
        let mut parsed = Vec::new();
        let mut test_modules = BTreeSet::new();
        for path in paths {
            let rel = path.strip_prefix(src).unwrap();
            if rel == Path::new("main.rs") || rel.to_string_lossy().ends_with("tests.rs") {
                continue;
            }
            let module = module_of(rel);
            let text = std::fs::read_to_string(&path).unwrap();
            let (tokens, tests) = strip_tests(tokenize(&text));
            test_modules.extend(tests.into_iter().map(|t| [module.clone(), vec![t]].concat()));
            modules.insert(module.clone());
            parsed.push((path, module, tokens));
        }
        parsed.retain(|(_, m, _)| !test_modules.iter().any(|t| m.starts_with(t)));
        let mut uses = Vec::new();
        let mut scopes: BTreeMap<ModPath, BTreeMap<String, Vec<String>>> = BTreeMap::new();
        for (_, module, tokens) in &parsed {
            let file_uses = uses_of(module, tokens);
            for u in &file_uses {
                if let Some(name) = &u.binding {
                    let absolute = absolute(&u.scope, &u.path, scopes.get(&u.scope), &modules);
                    scopes.entry(u.scope.clone()).or_default().insert(name.clone(), absolute);
                }
            }
            uses.push(file_uses);
        }
        let resolver = Resolver { modules, scopes };
        let files = parsed
            .into_iter()
            .zip(uses)
            .map(|((path, module, tokens), uses)| {
                let mut references = Vec::new();
                let mut add = |line, scope: &ModPath, written: &[String]| {
                    let abs = absolute(scope, written, resolver.scopes.get(scope), &resolver.modules);
                    if let Some(target) = resolver.locate(&abs, 0) {
                        references.push(Reference { file: path.clone(), line, written: written.join("::"), target });
                    }
                };
                for u in &uses {
                    add(u.line, &u.scope, &u.path);
                }
                for (line, scope, written) in inline_paths(&module, &tokens) {
                    add(line, &scope, &written);
                }
                SourceFile { path, module, references }
            })
            .collect();
        Crate { files }
    }
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// `http/openapi.rs` and `http/openapi/mod.rs` are `["http", "openapi"]`; `lib.rs` is the root.
fn module_of(rel: &Path) -> ModPath {
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let last = parts.pop().unwrap();
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" {
        parts.push(stem.to_owned());
    }
    parts
}

/// A path as written in `scope` made absolute: `["crate", …]` for the crate, otherwise the
/// external crate's path. Names bound by a `use` in the scope and child modules are followed.
fn absolute(
    scope: &ModPath,
    path: &[String],
    bound: Option<&BTreeMap<String, Vec<String>>>,
    modules: &BTreeSet<ModPath>,
) -> Vec<String> {
    let mut base: Vec<String> = vec!["crate".into()];
    let mut rest = path;
    match path.first().map(String::as_str) {
        Some("crate") => rest = &path[1..],
        Some("self") | Some("super") => {
            base.extend(scope.iter().cloned());
            while let Some(first) = rest.first() {
                match first.as_str() {
                    "self" => {}
                    "super" => {
                        base.pop();
                    }
                    _ => break,
                }
                rest = &rest[1..];
            }
        }
        Some(first) => match bound.and_then(|b| b.get(first)) {
            Some(target) => {
                base = target.clone();
                rest = &path[1..];
            }
            None if modules.contains(&[scope.clone(), vec![first.to_owned()]].concat()) => {
                base.extend(scope.iter().cloned())
            }
            None => return path.to_vec(),
        },
        None => {}
    }
    base.extend(rest.iter().cloned());
    base
}

struct Resolver {
    modules: BTreeSet<ModPath>,
    scopes: BTreeMap<ModPath, BTreeMap<String, Vec<String>>>,
}

impl Resolver {
    /// The module an absolute path ends in, following names a module binds with `use`.
    fn locate(&self, abs: &[String], depth: usize) -> Option<Target> {
        if abs.first().map(String::as_str) != Some("crate") {
            return abs.first().map(|_| Target::External(abs.to_vec()));
        }
        let mut current: ModPath = Vec::new();
        for (k, seg) in abs.iter().enumerate().skip(1) {
            let mut child = current.clone();
            child.push(seg.clone());
            if self.modules.contains(&child) {
                current = child;
            } else if let Some(target) = self.scopes.get(&current).and_then(|s| s.get(seg)) {
                if depth > 16 || target.as_slice() == abs {
                    return None;
                }
                return self.locate(&[target.clone(), abs[k + 1..].to_vec()].concat(), depth + 1);
            } else {
                break;
            }
        }
        Some(Target::Module(current))
    }
}

/// Every `use` of a file with the (inline) module it is written in.
fn uses_of(module: &ModPath, tokens: &[Token]) -> Vec<Use> {
    let mut out = Vec::new();
    walk(module, tokens, |i, scope| {
        if tokens[i].ident() == Some("use") && !tokens.get(i + 1).is_some_and(|t| t.is('<')) {
            let mut j = i + 1;
            let mut leaves = Vec::new();
            use_tree(tokens, &mut j, Vec::new(), &mut leaves);
            for (path, binding) in leaves {
                out.push(Use { scope: scope.clone(), path, binding, line: tokens[i].line });
            }
        }
    });
    out
}

/// Calls `f` with each token index and the module it is in, entering inline `mod x { … }`.
fn walk(module: &ModPath, tokens: &[Token], mut f: impl FnMut(usize, &ModPath)) {
    let mut scope = module.clone();
    let mut opened: Vec<usize> = Vec::new();
    let mut depth = 0;
    for i in 0..tokens.len() {
        f(i, &scope);
        if tokens[i].is('{') {
            depth += 1;
            if i >= 2 && tokens[i - 2].ident() == Some("mod") {
                scope.push(tokens[i - 1].ident().unwrap_or("?").to_owned());
                opened.push(depth);
            }
        } else if tokens[i].is('}') {
            if opened.last() == Some(&depth) {
                opened.pop();
                scope.pop();
            }
            depth -= 1;
        }
    }
}

/// Reads one use tree at `*i` into leaves: the full path and the name it binds (none for `*`).
fn use_tree(t: &[Token], i: &mut usize, mut path: Vec<String>, out: &mut Vec<(Vec<String>, Option<String>)>) {
    while let Some(tok) = t.get(*i) {
        *i += 1;
        match &tok.tok {
            Tok::Colons => {}
            Tok::Ident(s) => {
                path.push(s.clone());
                if t.get(*i).is_some_and(|n| n.tok == Tok::Colons) {
                    continue;
                }
                if path.last().is_some_and(|l| l == "self") && path.len() > 1 {
                    path.pop();
                }
                let mut binding = path.last().cloned();
                if t.get(*i).and_then(Token::ident) == Some("as") {
                    binding = t.get(*i + 1).and_then(Token::ident).map(str::to_owned).filter(|b| b != "_");
                    *i += 2;
                }
                out.push((path, binding));
                return;
            }
            Tok::Punct('*') => {
                out.push((path, None));
                return;
            }
            Tok::Punct('{') => {
                while t.get(*i).is_some_and(|n| !n.is('}')) {
                    use_tree(t, i, path.clone(), out);
                    if t.get(*i).is_some_and(|n| n.is(',')) {
                        *i += 1;
                    }
                }
                *i += 1;
                return;
            }
            Tok::Punct(_) => return,
        }
    }
}

/// Paths outside `use` that start with `crate`, `self`, `super` or a name the file binds:
/// `crate::store::record_status(..)`. Each with its line and inline module.
fn inline_paths(module: &ModPath, tokens: &[Token]) -> Vec<(usize, ModPath, Vec<String>)> {
    let mut in_use = false;
    let mut out = Vec::new();
    walk(module, tokens, |i, scope| {
        let t = &tokens[i];
        if t.ident() == Some("use") && !tokens.get(i + 1).is_some_and(|n| n.is('<')) {
            in_use = true;
        } else if t.is(';') {
            in_use = false;
        }
        let starts = !in_use
            && t.ident().is_some()
            && tokens.get(i + 1).is_some_and(|n| n.tok == Tok::Colons)
            && (i == 0 || tokens[i - 1].tok != Tok::Colons);
        if !starts {
            return;
        }
        let mut path = vec![t.ident().unwrap().to_owned()];
        let mut j = i + 1;
        while tokens.get(j).is_some_and(|n| n.tok == Tok::Colons) {
            match tokens.get(j + 1).and_then(Token::ident) {
                Some(s) => path.push(s.to_owned()),
                None => break,
            }
            j += 2;
        }
        out.push((t.line, scope.clone(), path));
    });
    out
}
