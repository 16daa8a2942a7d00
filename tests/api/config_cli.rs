//! `notarium config`: the effective settings after every layer, secrets redacted; a bad key
//! or value stops it (and `serve`) with exit 2 naming the key.

use crate::support::process::notarium;

fn config(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = notarium();
    cmd.current_dir(dir).arg("config").args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn config_prints_the_layered_settings_with_secrets_redacted() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("notarium.toml"),
        "seal_interval_ms = 200\nmax_batch = 10\nquorum = { court = 1, notary = 1, distinct_keys = 2 }\n\
         [tls]\ncert = \"server.pem\"\nkey = \"server.key\"\n\
         [[witnesses]]\nname = \"court\"\nurl = \"http://127.0.0.1:1\"\nrole = \"court\"\ncredential = \"very-secret-token\"\n\
         [[witnesses]]\nname = \"notary\"\nurl = \"https://127.0.0.1:2\"\nrole = \"notary\"\n\
         credential = { cert = \"op.pem\", key = \"op.key\" }\n",
    )
    .unwrap();
    let (code, out, err) =
        config(dir.path(), &["--log-format", "json"], &[("NOTARIUM_MAX_BATCH", "9"), ("NOTARIUM_DEMO", "false")]);
    assert_eq!(code, 0, "{err}");
    let shown: toml::Table = toml::from_str(&out).unwrap();
    assert_eq!(shown["seal_interval_ms"].as_integer(), Some(200)); // file
    assert_eq!(shown["max_batch"].as_integer(), Some(9)); // env over file
    assert_eq!(shown["demo"].as_bool(), Some(false));
    assert_eq!(shown["log_format"].as_str(), Some("json")); // flag
    assert_eq!(shown["tls"]["key"].as_str(), Some("server.key"));
    assert!(!out.contains("very-secret-token") && out.contains("<redacted>"), "{out}");
    assert!(out.contains("op.key"), "{out}");

    let (code, _, err) = config(dir.path(), &["--listen", "127.0.0.1:1"], &[("NOTARIUM_MAX_BACH", "9")]);
    assert_eq!(code, 2);
    assert!(err.contains("NOTARIUM_MAX_BACH"), "{err}");
    let (code, _, err) = config(dir.path(), &["--listen", "nowhere"], &[]);
    assert_eq!(code, 2);
    assert!(err.contains("\"listen\"") && err.contains("--listen"), "{err}");
    let (code, _, err) = config(dir.path(), &["--log-format", "xml"], &[]);
    assert_ne!(code, 0);
    assert!(err.contains("--log-format"), "{err}");

    std::fs::write(dir.path().join("other.toml"), "[tls]\nclient_auth = \"always\"\n").unwrap();
    let (code, _, err) = config(dir.path(), &["--config", "other.toml"], &[]);
    assert_eq!(code, 2);
    assert!(err.contains("tls.client_auth") && err.contains("other.toml"), "{err}");
    // serve refuses the same way, before binding anything.
    let out = notarium().current_dir(dir.path()).args(["serve", "--config", "other.toml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("tls.client_auth"));
}
