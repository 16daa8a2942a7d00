//! The layering rules of DESIGN.md §9–10, checked on the source (issue 18):
//! - no import circle among the direct children of any directory under `src/`;
//! - the service layer, the domain and the storage trait name no `actix_web`, `askama` or `sqlx`
//!   path (re-exports included);
//! - no source file under `src/` or `tests/` is over 400 lines.
//!
//! A module is a file or a directory; `mod.rs`/`lib.rs` count as their directory itself. For every
//! directory there is an edge A -> B between two of its children when a file under A names an
//! item under B (in a `use` tree or inline, like `crate::store::record_status(..)`), following
//! `use` re-exports. `#[cfg(test)]` items and `*tests.rs` files are left out.

mod cycles;
mod lex;
mod model;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use model::{Crate, Target};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn no_import_circles() {
    let krate = Crate::read(&root().join("src"));
    let found = cycles::find(&krate);
    let report: Vec<String> = found.iter().map(|c| c.describe(&root())).collect();
    assert!(report.is_empty(), "{} import circle(s) among modules of src/:\n\n{}", report.len(), report.join("\n"));
}

/// Directories of the service layer, the domain and the storage trait (the SQLite and PostgreSQL
/// implementations, and the macro implementing `store::sql::Sql` for both, may name sqlx).
const FRAMEWORK_FREE: &[&str] = &["src/service/", "src/domain/", "src/store/"];
const FRAMEWORK_ALLOWED: &[&str] = &["src/store/sqlite/", "src/store/postgres/", "src/store/sql_on_sqlx.rs"];
const FRAMEWORKS: &[&str] = &["actix_web", "askama", "sqlx"];

#[test]
fn service_domain_and_storage_trait_name_no_framework() {
    let krate = Crate::read(&root().join("src"));
    let mut offenders = Vec::new();
    for file in &krate.files {
        let rel = relative(&file.path);
        if !FRAMEWORK_FREE.iter().any(|d| rel.starts_with(d)) || FRAMEWORK_ALLOWED.iter().any(|d| rel.starts_with(d)) {
            continue;
        }
        for r in &file.references {
            let Target::External(path) = &r.target else { continue };
            if FRAMEWORKS.contains(&path[0].as_str()) {
                let via = if r.written.split("::").next() == Some(&path[0]) { "" } else { " (through a use)" };
                offenders.push(format!("{rel}:{} names {}{via}", r.line, r.written));
            }
        }
    }
    assert!(offenders.is_empty(), "framework paths below the edge:\n{}", offenders.join("\n"));
}

const MAX_LINES: usize = 400;
const SOURCE_EXTENSIONS: &[&str] = &["rs", "py", "mjs", "js", "sh"];
/// Files that must stay whole: the receipt's `verify.sh` is one constant script a court checks
/// by its published SHA-256 (docs/formats.md §10.4) and reads from top to bottom; split, it
/// would be several files to compare and to trust.
const WHOLE_FILES: &[&str] = &["src/bundle/verify.sh"];

#[test]
fn no_source_file_over_400_lines() {
    let mut files = Vec::new();
    for dir in ["src", "tests"] {
        sources(&root().join(dir), &mut files);
    }
    let long: BTreeMap<String, usize> = files
        .iter()
        .map(|p| (relative(p), std::fs::read_to_string(p).unwrap().lines().count()))
        .filter(|(p, n)| *n > MAX_LINES && !WHOLE_FILES.contains(&p.as_str()))
        .collect();
    let list: Vec<String> = long.iter().map(|(p, n)| format!("{p}: {n} lines")).collect();
    assert!(list.is_empty(), "source files over {MAX_LINES} lines:\n{}", list.join("\n"));
}

/// Folders of installed or generated files, not the project's sources.
const NOT_SOURCES: &[&str] = &["node_modules", "target"];

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let installed = path.file_name().is_some_and(|n| NOT_SOURCES.iter().any(|x| n == *x));
        if path.is_dir() && !installed {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| SOURCE_EXTENSIONS.iter().any(|x| e == *x)) {
            out.push(path);
        }
    }
}

fn relative(path: &Path) -> String {
    path.strip_prefix(root()).unwrap_or(path).to_string_lossy().into_owned()
}

/// The checker itself, on small pieces of source.
mod checker {
    use crate::lex::{strip_tests, tokenize};

    fn idents(src: &str) -> Vec<String> {
        strip_tests(tokenize(src)).0.iter().filter_map(|t| t.ident().map(str::to_owned)).collect()
    }

    #[test]
    fn comments_strings_and_test_items_are_not_code() {
        let src = r##"
            // use crate::a;
            /* crate::b /* nested */ crate::c */
            let s = "crate::d \" crate::e"; let r = r#"crate::f "quoted""#; let c = '"'; let l: &'static str;
            #[cfg(test)] mod tests { use crate::g; }
            #[cfg(test)] mod more;
            use crate::h;
        "##;
        assert_eq!(idents(src), ["let", "s", "let", "r", "let", "c", "let", "l", "str", "use", "crate", "h"]);
        assert_eq!(strip_tests(tokenize(src)).1, ["more"]);
    }

    #[test]
    fn grouped_uses_inline_paths_and_re_exports_make_edges() {
        let dir = std::env::temp_dir().join(format!("layers-checker-{}", std::process::id()));
        let files = [
            ("lib.rs", "mod a; mod b; mod c;"),
            ("a.rs", "use crate::{b::{self, inner::Z}, c};\nfn f() { crate::c::g(); }"),
            ("b/mod.rs", "mod inner;\npub use inner::Y;"),
            ("b/inner.rs", "pub struct Y; pub struct Z;\n// super::super::a::f()\nfn h() { super::super::c::g(); }"),
            ("c.rs", "fn g() { let _ = \"crate::a\"; }\nfn k() { let _ = crate::b::Y; }"),
        ];
        for (name, text) in files {
            let path = dir.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let krate = crate::model::Crate::read(&dir);
        let circles: Vec<String> = crate::cycles::find(&krate).iter().map(|c| c.describe(&dir)).collect();
        std::fs::remove_dir_all(&dir).unwrap();
        // a -> b, a -> c, b -> c, and c -> b through the re-export of b::inner::Y.
        assert_eq!(
            circles,
            ["in src/: b -> c -> b\n    b -> c: b/inner.rs:3 `super::super::c::g`\n    c -> b: c.rs:2 `crate::b::Y`\n"]
        );
    }
}
