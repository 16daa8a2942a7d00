//! The OpenAPI document: it covers exactly the routes registered in `src/`, it equals the
//! committed `docs/openapi.json`, it is served with its viewer, and `docs/errors.md` lists
//! every problem code the code base can emit.
//!
//! Routes are found by reading `src/`: every registration must be
//! `.route("<literal path>", web::<method>())` (other forms fail the test), so adding a route
//! without documenting it, or listing it in `NOT_IN_DOCUMENT`, fails here.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use notarium::http::api_doc::{ERRORS, NOT_IN_DOCUMENT, WITNESS_PROCESS, document, json_text};
use serde_json::Value;

use crate::support::TestApp;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `dir`, sorted, with its text.
fn sources(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                out.push((path, text));
            }
        }
    }
    out.sort();
    out
}

/// The top-level arguments of the call whose `(` is at `open`, as source text.
fn call_args(text: &str, open: usize) -> Vec<String> {
    let (mut depth, mut args, mut current, mut in_str, mut escaped) = (0usize, Vec::new(), String::new(), false, false);
    for c in text[open..].chars() {
        if in_str {
            current.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_str = true;
                current.push(c);
            }
            '(' | '[' | '{' => {
                depth += 1;
                if depth > 1 {
                    current.push(c);
                }
            }
            ')' | ']' | '}' => {
                depth -= 1;
                if depth == 0 {
                    args.push(current.trim().to_owned());
                    return args;
                }
                current.push(c);
            }
            ',' if depth == 1 => args.push(std::mem::take(&mut current).trim().to_owned()),
            _ => current.push(c),
        }
    }
    panic!("unbalanced call at byte {open}");
}

/// The text of a string literal argument (`"..."`), if it is one.
fn literal(arg: &str) -> Option<&str> {
    arg.strip_prefix('"')?.strip_suffix('"').filter(|s| !s.contains('"'))
}

/// (method, path) of every route registered anywhere in `src/`.
fn registered_routes() -> BTreeSet<(String, String)> {
    let mut routes = BTreeSet::new();
    for (file, text) in sources(&root().join("src")) {
        let name = file.strip_prefix(root()).unwrap().display().to_string();
        for other in ["web::resource(", "web::scope(", ".service(", "#[get(", "#[post(", "#[route(", "web::route()"] {
            assert!(
                !text.contains(other),
                "{name} registers a route with {other}: register every route as \
                 cfg.route(\"/literal/path\", web::<method>().to(handler)) so tests/api/openapi.rs can see it"
            );
        }
        for (at, _) in text.match_indices(".route(") {
            let args = call_args(&text, at + ".route".len());
            let path = args
                .first()
                .and_then(|a| literal(a))
                .unwrap_or_else(|| panic!("{name}: .route({}) does not take a literal path", args.join(", ")));
            let method = args
                .get(1)
                .and_then(|a| a.strip_prefix("web::"))
                .and_then(|a| a.split_once("()"))
                .map(|(m, _)| m.to_ascii_uppercase())
                .filter(|m| ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"].contains(&m.as_str()))
                .unwrap_or_else(|| panic!("{name}: .route({path:?}, …) does not name its method as web::<method>()"));
            routes.insert((method, path.to_owned()));
        }
    }
    routes
}

fn documented_routes() -> BTreeSet<(String, String)> {
    let doc = serde_json::to_value(document()).unwrap();
    let mut routes = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            routes.insert((method.to_ascii_uppercase(), path.clone()));
        }
    }
    routes
}

fn set(list: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    list.iter().map(|(m, p)| (m.to_string(), p.to_string())).collect()
}

#[test]
fn openapi_documents_exactly_the_registered_routes() {
    let registered = registered_routes();
    let documented = documented_routes();
    let excluded = set(NOT_IN_DOCUMENT);
    let witness = set(WITNESS_PROCESS);
    assert!(documented.len() >= 15 && excluded.len() >= 10, "the scan found too little: {registered:?}");
    let overlap: Vec<_> = documented.intersection(&excluded).collect();
    assert!(overlap.is_empty(), "documented and also listed in NOT_IN_DOCUMENT: {overlap:?}");
    let known: BTreeSet<_> = documented.iter().chain(&excluded).chain(&witness).cloned().collect();
    let undocumented: Vec<_> = registered.difference(&known).collect();
    assert!(
        undocumented.is_empty(),
        "routes registered in src/ but neither in the OpenAPI document (add #[utoipa::path] to the handler, \
         list it in ApiDoc's paths(...), src/http/api_doc.rs, and in ERRORS, src/http/api_doc/errors.rs) nor in NOT_IN_DOCUMENT: {undocumented:?}"
    );
    let stale: Vec<_> = known.difference(&registered).collect();
    assert!(stale.is_empty(), "documented or listed, but not registered in src/: {stale:?}");
    let with_errors: BTreeSet<_> = ERRORS.iter().map(|(m, p, _)| (m.to_string(), p.to_string())).collect();
    assert_eq!(with_errors, documented, "ERRORS (src/http/api_doc/errors.rs) must name every documented route once");
    assert_eq!(with_errors.len(), ERRORS.len(), "a route is twice in ERRORS");
}

#[test]
fn openapi_document_matches_docs_openapi_json() {
    let path = root().join("docs/openapi.json");
    let generated = json_text();
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != generated {
        let line = committed.lines().zip(generated.lines()).position(|(a, b)| a != b).map_or(0, |i| i + 1);
        panic!(
            "docs/openapi.json differs from the document the code generates (first at line {line}).\n\
             If the change is intended, update it with: UPDATE_OPENAPI=1 cargo test --test api openapi\n\
             and commit docs/openapi.json."
        );
    }
}

#[test]
fn openapi_document_is_3_1_with_examples_security_and_problem_codes() {
    let doc = serde_json::to_value(document()).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["components"]["securitySchemes"]["api_key"]["scheme"], "bearer");
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            let has_example = responses
                .values()
                .any(|r| r["content"].as_object().is_some_and(|c| c.values().any(|m| m.get("example").is_some())));
            assert!(has_example, "{method} {path} has no example");
            for (status, r) in responses {
                if status.starts_with('4') || r["content"].get("application/problem+json").is_some() {
                    let schema = &r["content"]["application/problem+json"]["schema"];
                    assert!(schema["allOf"][1]["properties"]["code"]["enum"].is_array(), "{method} {path} {status}");
                }
            }
        }
    }
}

/// The codes `src/` can emit: problem codes of the service, of the witness process, and the
/// field codes of `422 invalid_field`.
#[derive(Default, Debug)]
struct Codes {
    service: BTreeSet<String>,
    witness: BTreeSet<String>,
    field: BTreeSet<String>,
}

fn emitted_codes() -> Codes {
    let mut codes = Codes::default();
    for (file, text) in sources(&root().join("src")) {
        let name = file.strip_prefix(root()).unwrap().display().to_string();
        let problems = if name.starts_with("src/witness/") { &mut codes.witness } else { &mut codes.service };
        // `StatusCode::X, "code"`: Problem::new and (status, code) tables.
        for (at, _) in text.match_indices("StatusCode::") {
            let rest = &text[at + "StatusCode::".len()..];
            let rest = rest.trim_start_matches(|c: char| c.is_ascii_uppercase() || c == '_');
            if let Some(rest) = rest.strip_prefix(',') {
                let rest = rest.trim_start();
                if let Some(code) = rest.strip_prefix('"').and_then(|r| r.split_once('"')).map(|(c, _)| c) {
                    problems.insert(code.to_owned());
                }
            }
        }
        for call in ["Problem::new(", "Self::new("] {
            if call == "Self::new(" && name != "src/problem.rs" {
                continue;
            }
            for (at, _) in text.match_indices(call) {
                let args = call_args(&text, at + call.len() - 1);
                let Some(code) = args.get(1) else { continue };
                assert!(
                    literal(code).is_some() || code == "code",
                    "{name}: {call}{}) takes its code from an expression; use a literal so the code list can be checked",
                    args.join(", ")
                );
            }
        }
        for (at, _) in text.match_indices("invalid_field(") {
            let args = call_args(&text, at + "invalid_field".len());
            if args.len() < 3 || args[1].starts_with("code") {
                continue; // the definition
            }
            let code = literal(&args[1])
                .unwrap_or_else(|| panic!("{name}: invalid_field({}) takes a non-literal code", args.join(", ")));
            codes.field.insert(code.to_owned());
        }
        // `FieldError::new(pointer, "code", message)`.
        for (at, _) in text.match_indices("FieldError::new(") {
            let args = call_args(&text, at + "FieldError::new".len());
            if let Some(code) = args.get(1).and_then(|a| literal(a)) {
                codes.field.insert(code.to_owned());
            }
        }
        // The invoice model's reader: `r.fail(pointer, "code", message)`.
        for (at, _) in text.match_indices(".fail(") {
            let args = call_args(&text, at + ".fail".len());
            if let Some(code) = args.get(1).and_then(|a| literal(a)) {
                codes.field.insert(code.to_owned());
            }
        }
        if text.contains("FieldError {") {
            for (at, _) in text.match_indices("code: \"") {
                let rest = &text[at + "code: \"".len()..];
                codes.field.insert(rest.split('"').next().unwrap().to_owned());
            }
        }
        // `let code = if … { "a" } else { "b" };` (body.rs's serde errors).
        for (at, _) in text.match_indices("let code = ") {
            let statement = text[at..].split(';').next().unwrap();
            for (i, piece) in statement.split('"').enumerate() {
                if i % 2 == 1 && !piece.is_empty() && piece.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
                    codes.field.insert(piece.to_owned());
                }
            }
        }
    }
    codes
}

/// The codes of the table under each `## ` heading of docs/errors.md: first cell, in backticks.
fn documented_codes() -> Vec<(String, BTreeSet<String>)> {
    let text = std::fs::read_to_string(root().join("docs/errors.md")).expect("docs/errors.md");
    let mut sections: Vec<(String, BTreeSet<String>)> = Vec::new();
    for line in text.lines() {
        if let Some(title) = line.strip_prefix("## ") {
            sections.push((title.to_owned(), BTreeSet::new()));
        } else if let (Some(row), Some((_, codes))) = (line.strip_prefix("| `"), sections.last_mut()) {
            codes.insert(row.split('`').next().unwrap().to_owned());
        }
    }
    sections
}

#[test]
fn openapi_errors_md_lists_every_code_emitted() {
    let emitted = emitted_codes();
    assert!(emitted.service.contains("invalid_query") && emitted.field.contains("unknown_field"), "{emitted:?}");
    let docs = documented_codes();
    let section = |prefix: &str| {
        docs.iter().find(|(t, _)| t.starts_with(prefix)).map(|(_, c)| c.clone()).unwrap_or_else(|| {
            panic!("docs/errors.md has no section '## {prefix}…'");
        })
    };
    for (what, found, listed) in [
        ("Problem codes", &emitted.service, section("Problem codes")),
        ("Witness", &emitted.witness, section("Witness")),
        ("Field codes", &emitted.field, section("Field codes")),
    ] {
        let missing: Vec<_> = found.difference(&listed).collect();
        assert!(missing.is_empty(), "docs/errors.md, section {what}: add {missing:?} (emitted in src/)");
        let stale: Vec<_> = listed.difference(found).collect();
        assert!(stale.is_empty(), "docs/errors.md, section {what}: {stale:?} are no longer emitted in src/");
    }
    for (method, path, errors) in ERRORS {
        for (_, codes) in *errors {
            for code in *codes {
                assert!(emitted.service.contains(*code), "ERRORS gives {method} {path} the code {code}, never emitted");
            }
        }
    }
}

#[tokio::test]
async fn openapi_json_and_docs_are_served_without_third_party_resources() {
    let app = TestApp::spawn().await;
    let res = app.get("/openapi.json", None).await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
    assert_eq!(res.text().await.unwrap(), json_text());

    let res = app.get("/docs", None).await;
    assert_eq!(res.status(), 200);
    let csp = res.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.contains("script-src 'self';") && !csp.contains("unsafe") && !csp.contains("http"), "{csp}");
    let page = res.text().await.unwrap();
    assert!(!page.contains("http") && !page.contains("<script>"), "external or inline script: {page}");
    for (asset, kind, size) in [
        ("/docs/swagger-ui-bundle.js", "text/javascript", 1_000_000),
        ("/docs/swagger-ui.css", "text/css", 100_000),
        ("/docs/init.js", "text/javascript", 100),
    ] {
        assert!(page.contains(asset), "{asset}");
        let res = app.get(asset, None).await;
        assert_eq!(res.status(), 200, "{asset}");
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with(kind), "{asset}");
        assert!(res.bytes().await.unwrap().len() > size, "{asset}");
    }
    let init = app.get("/docs/init.js", None).await.text().await.unwrap();
    assert!(init.contains("\"/openapi.json\""));
    app.stop().await;
}

#[tokio::test]
async fn openapi_problem_bodies_match_the_problem_schema() {
    let app = TestApp::spawn().await;
    let doc = serde_json::to_value(document()).unwrap();
    let required: Vec<&str> = doc["components"]["schemas"]["Problem"]["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let res = app.get("/v1/evidence/not-an-id", None).await;
    assert_eq!(res.status(), 401);
    let body: Value = res.json().await.unwrap();
    for field in required {
        assert!(body.get(field).is_some(), "{field} missing in {body}");
    }
    app.stop().await;
}
