//! `notarium serve`, `admin` and `audit` on a PostgreSQL `database_url`, as an operator runs
//! them: a database that cannot be used at start is one line on stderr that names the setting
//! (never the password) and exit 2; `--database-url` takes the CLI to the service's database.

use std::process::Stdio;
use std::time::Duration;

use notarium::domain::Hash;
use serde_json::{Value, json};

use crate::support::backend::database_url;
use crate::support::postgres::fresh_database;
use crate::support::process::{Proc, notarium};
use crate::support::real_server::RealServer;
use crate::support::wait_until;

/// The password every refused start is given (in a password file, or in the URL).
const PASSWORD: &str = "Pw-must-not-show-9f3";

#[tokio::test]
async fn serve_refuses_an_unusable_database_in_one_line_naming_database_url_without_the_password() {
    let Some(database) = fresh_database().await else { return };
    let dir = tempfile::tempdir().unwrap();
    let password_file = dir.path().join("pg-password");
    std::fs::write(&password_file, format!("{PASSWORD}\n")).unwrap();
    let password_file = password_file.to_str().unwrap();
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let cases = [
        ("nothing listens", format!("postgresql://postgres@127.0.0.1:{closed_port}/notarium"), Some(password_file)),
        ("an unknown role", database.url.replacen("postgres@", "intruder@", 1), Some(password_file)),
        ("a password in the URL", database.url.replacen("postgres@", &format!("postgres:{PASSWORD}@"), 1), None),
    ];
    for (case, url, password_file) in cases {
        let data = dir.path().join(case.replace(' ', "-"));
        let stderr = dir.path().join(format!("{case}.stderr"));
        let mut cmd = notarium();
        cmd.args(["serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(&data)
            .env("NOTARIUM_DEMO", "false")
            .env("NOTARIUM_DATABASE_URL", &url)
            .env_remove("RUST_LOG")
            .stdout(Stdio::null())
            .stderr(Stdio::from(std::fs::File::create(&stderr).unwrap()));
        if let Some(file) = password_file {
            cmd.env("NOTARIUM_DATABASE_PASSWORD_FILE", file);
        }
        let exit = Proc::spawn(&mut cmd).exit_within(Duration::from_secs(30)).await;
        let text = std::fs::read_to_string(&stderr).unwrap();
        assert_eq!(exit.code(), Some(2), "{case}: {text}");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 1, "{case}: one line: {text}");
        assert!(lines[0].contains("database_url"), "{case}: {text}");
        assert!(!text.contains(PASSWORD), "{case}: the password shows: {text}");
        if case == "nothing listens" {
            assert!(text.contains("refused"), "the cause, not a pool's timeout: {text}");
        }
        assert!(!data.join("listen-addr").exists(), "{case}: it listened");
    }
}

#[tokio::test]
async fn admin_and_audit_work_on_the_services_postgres_database_with_database_url() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let url = database_url(&data).expect("this binary runs on PostgreSQL");
    let cli = |args: &[&str]| {
        let out = notarium().args(args).arg("--data").arg(&data).arg("--database-url").arg(&url).output().unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        (out.status.code(), stdout, String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (code, key, err) = cli(&["admin", "tenant", "create", "--name", "Harbour Shop", "--role", "merchant"]);
    assert_eq!(code, Some(0), "{err}");
    let key = key.trim().to_owned();
    let (code, list, err) = cli(&["admin", "tenant", "list"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(list.contains("Harbour Shop"), "{list}");

    // The service on the same database (NOTARIUM_DATABASE_URL) knows the tenant.
    let server = RealServer::start(dir.path(), &data).await;
    let http = reqwest::Client::new();
    let body = json!({"kind": "document", "content_hash": Hash::of(b"harbour"), "metadata": {"title": "t"}});
    let res = http.post(format!("{}/v1/evidence", server.base)).bearer_auth(&key).json(&body).send().await.unwrap();
    assert_eq!(res.status(), 201);
    let id = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    let receipt = format!("{}/v1/evidence/{id}/receipt?wait=5", server.base);
    wait_until(Duration::from_secs(30), async || match http.get(&receipt).bearer_auth(&key).send().await {
        Ok(res) if res.status() == 200 => Ok(()),
        other => Err(format!("not anchored: {other:?}")),
    })
    .await;

    // The audit, beside the running service, reads everything anchored and finds it sound.
    let (code, report, err) = cli(&["audit"]);
    assert_eq!(code, Some(0), "{report}{err}");
    server.stop().await;
    assert!(!data.join(notarium::store::DB_FILE).exists(), "no SQLite file: everything went to PostgreSQL");
}
