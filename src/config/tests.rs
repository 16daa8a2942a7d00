use toml::Value;

use super::*;
use crate::layered::field_names;

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[test]
fn layers_apply_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("n.toml");
    std::fs::write(&file, "seal_interval_ms = 200\nmax_batch = 10\n").unwrap();
    let mut flags = Table::new();
    flags.insert("max_batch".into(), Value::Integer(7));
    let s = Settings::load(
        Some(&file),
        env(&[("NOTARIUM_MAX_BATCH", "9"), ("NOTARIUM_DEMO", "false"), ("OTHER", "x")]),
        flags,
    )
    .unwrap();
    assert_eq!(s.seal_interval_ms, 200);
    assert_eq!(s.max_batch, 7);
    assert!(!s.demo);
    assert_eq!(s.listen.port(), 8080);
}

#[test]
fn rate_limits_take_partial_tables() {
    let vars = env(&[("NOTARIUM_RATE_LIMITS", "{ merchant = { requests_per_second = 0 } }")]);
    let s = Settings::load(None, vars, Table::new()).unwrap();
    assert_eq!(s.rate_limits.merchant.requests_per_second, 0);
    assert_eq!(s.rate_limits.merchant.burst_requests, Quota::default().burst_requests);
    assert_eq!(s.rate_limits.hospital, Quota::default());
    let vars = env(&[("NOTARIUM_RATE_LIMITS", "{ merchant = { requests_per_secnd = 0 } }")]);
    let err = format!("{:#}", Settings::load(None, vars, Table::new()).unwrap_err());
    assert!(err.contains("requests_per_secnd"), "{err}");
}

#[test]
fn unknown_keys_and_bad_values_name_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("n.toml");
    std::fs::write(&file, "seal_intervall_ms = 200\n").unwrap();
    let err = Settings::load(Some(&file), env(&[]), Table::new()).unwrap_err().to_string();
    assert!(err.contains("seal_intervall_ms"), "{err}");
    let err = format!("{:#}", Settings::load(None, env(&[("NOTARIUM_LISTEN", "nowhere")]), Table::new()).unwrap_err());
    assert!(err.contains("listen") || err.contains("address"), "{err}");
}

#[test]
fn the_quorum_must_be_reachable_with_the_configured_witnesses() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("n.toml");
    let witness = |name: &str, role: &str| {
        format!(
            "[[witnesses]]\nname = \"{name}\"\nurl = \"http://127.0.0.1:1\"\nrole = \"{role}\"\ncredential = \"t\"\n"
        )
    };
    let twice = [witness("c1", "court"), witness("c1", "notary")].concat();
    std::fs::write(&file, twice).unwrap();
    let err = format!("{:#}", Settings::load(Some(&file), env(&[]), Table::new()).unwrap_err());
    assert!(err.contains("\"c1\" is used twice"), "{err}");

    let three = [witness("c1", "court"), witness("c2", "court"), witness("n1", "notary")].concat();
    std::fs::write(&file, format!("quorum = {{ court = 0, notary = 0, distinct_keys = 2 }}\n{three}")).unwrap();
    let s = Settings::load(Some(&file), env(&[]), Table::new()).unwrap();
    assert_eq!(s.quorum, QuorumPolicy::new(0, 0, 2).unwrap());

    std::fs::write(&file, format!("quorum = {{ court = 1, notary = 2, distinct_keys = 3 }}\n{three}")).unwrap();
    let err = format!("{:#}", Settings::load(Some(&file), env(&[]), Table::new()).unwrap_err());
    assert!(err.contains("quorum") && err.contains("notary"), "{err}");

    let err = format!(
        "{:#}",
        Settings::load(None, env(&[("NOTARIUM_QUORUM", "{ court = 1, notary = 1, distinct_keys = 1 }")]), Table::new())
            .unwrap_err()
    );
    assert!(err.contains("less than court + notary"), "{err}");
    let err = format!(
        "{:#}",
        Settings::load(None, env(&[("NOTARIUM_QUORUM", "{ court = 1, notary = 1, quorate = 2 }")]), Table::new())
            .unwrap_err()
    );
    assert!(err.contains("quorate"), "{err}");
}

#[test]
fn audit_cron_takes_six_fields_with_seconds_and_a_bad_one_names_the_key() {
    let s = Settings::load(None, env(&[("NOTARIUM_AUDIT_CRON", "*/10 * * * * *")]), Table::new()).unwrap();
    assert_eq!(s.audit_cron, "*/10 * * * * *");
    for good in ["@daily", "0 30 2 * * Sun", "0 0 3 1 * * 2099"] {
        validate_cron(good).unwrap();
    }
    assert_eq!(Settings::default().audit_cron, "0 0 3 * * *");
    for bad in ["0 3 * * *", "every night", "0 0 25 * * *", "0 0 3 * * * 2001"] {
        let err =
            format!("{:#}", Settings::load(None, env(&[("NOTARIUM_AUDIT_CRON", bad)]), Table::new()).unwrap_err());
        assert!(err.contains("audit_cron"), "{bad}: {err}");
    }
}

#[test]
fn a_witness_credential_is_a_token_or_a_client_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("n.toml");
    let witness = |credential: &str| {
        format!(
            "[[witnesses]]\nname = \"court\"\nurl = \"https://127.0.0.1:1\"\nrole = \"court\"\nca = \"ca.pem\"\ncredential = {credential}\n"
        )
    };
    let notary =
        "[[witnesses]]\nname = \"notary\"\nurl = \"http://127.0.0.1:2\"\nrole = \"notary\"\ncredential = \"tok\"\n";
    std::fs::write(&file, witness("{ cert = \"op.pem\", key = \"op.key\" }") + notary).unwrap();
    let s = Settings::load(Some(&file), env(&[]), Table::new()).unwrap();
    assert!(
        matches!(&s.witnesses[0].credential, CredentialSettings::Certificate { cert, .. } if cert == Path::new("op.pem"))
    );
    assert_eq!(s.witnesses[0].ca.as_deref(), Some(Path::new("ca.pem")));
    let shown = s.redacted_toml();
    assert!(shown.contains("op.pem") && !shown.contains("\"tok\""), "{shown}");

    std::fs::write(&file, witness("{ cert = \"op.pem\", key = \"op.key\", pin = 1 }") + notary).unwrap();
    assert!(Settings::load(Some(&file), env(&[]), Table::new()).is_err());
}

#[test]
fn credentials_are_redacted() {
    let mut s = Settings::default();
    s.witnesses.push(WitnessSettings {
        name: "court".parse().unwrap(),
        url: "http://127.0.0.1:1".into(),
        role: Role::Court,
        credential: CredentialSettings::Token("s3cret".into()),
        ca: None,
    });
    let shown = s.redacted_toml();
    assert!(!shown.contains("s3cret") && shown.contains("<redacted>"), "{shown}");
    assert!(!format!("{s:?}").contains("s3cret"));
}

/// Every key path of a TOML value: `a`, `a.b`, and `list[].key` for arrays of tables.
fn key_paths(prefix: &str, value: &Value, into: &mut std::collections::BTreeSet<String>) {
    match value {
        Value::Table(t) => {
            for (k, v) in t {
                let path = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                into.insert(path.clone());
                key_paths(&path, v, into);
            }
        }
        Value::Array(items) => {
            for item in items.iter().filter(|i| i.is_table()) {
                key_paths(&format!("{prefix}[]"), item, into);
            }
        }
        _ => {}
    }
}

#[test]
fn docs_configuration_md_lists_exactly_the_settings() {
    // Every optional field set, so that the serialised form shows every key.
    let mut s = Settings::default();
    s.witnesses.push(WitnessSettings {
        name: "court".parse().unwrap(),
        url: "https://127.0.0.1:1".into(),
        role: Role::Court,
        credential: CredentialSettings::Token("t".into()),
        ca: Some("ca.pem".into()),
    });
    s.tls = ApiTlsSettings {
        cert: Some("s.pem".into()),
        key: Some("s.key".into()),
        client_ca: Some("c.pem".into()),
        client_auth: ClientAuth::Optional,
    };
    s.metrics.listen = Some("127.0.0.1:9090".parse().unwrap());
    s.database_url = Some("postgres://notarium@db/notarium".into());
    s.database_password_file = Some("/run/secrets/pg".into());
    s.public_url = Some("https://notary.example.org".into());
    s.hospital_trust = Some("/etc/notarium/hospital-cas".into());
    s.operator_legal_name = Some("Example Evidence Co., Ltd.".into());
    s.operator_address = Some("1 Example Road".into());
    s.operator_registration = Some("91310000MA1K000000".into());
    s.operator_signing_cert = Some("operator.pem".into());
    s.operator_signing_key = Some("operator.key".into());
    let mut in_struct = std::collections::BTreeSet::new();
    key_paths("", &Value::try_from(&s).unwrap(), &mut in_struct);

    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/configuration.md")).unwrap();
    let table = doc.split("## Settings").nth(1).expect("a ## Settings section");
    let in_docs: std::collections::BTreeSet<String> = table
        .lines()
        .take_while(|l| !l.starts_with("## "))
        .filter_map(|l| l.strip_prefix("| `")?.split_once('`').map(|(key, _)| key.to_owned()))
        .collect();
    let undocumented: Vec<_> = in_struct.difference(&in_docs).collect();
    let stale: Vec<_> = in_docs.difference(&in_struct).collect();
    assert!(
        undocumented.is_empty() && stale.is_empty(),
        "docs/configuration.md is out of step with Settings: undocumented {undocumented:?}, documented but not a setting {stale:?}"
    );
}

#[test]
fn unknown_environment_variables_and_bad_flags_name_the_key_and_the_source() {
    let err = format!("{:#}", Settings::load(None, env(&[("NOTARIUM_SEAL_INTERVAL", "5")]), Table::new()).unwrap_err());
    assert!(err.contains("NOTARIUM_SEAL_INTERVAL") && err.contains("seal_interval"), "{err}");
    // The witness process's variables may share the environment.
    Settings::load(None, env(&[("NOTARIUM_WITNESS_LISTEN", "x"), ("NOTARIUM_WITNESS_NAME", "c")]), Table::new())
        .unwrap();

    let err = format!("{:#}", Settings::load(None, env(&[("NOTARIUM_MAX_BATCH", "many")]), Table::new()).unwrap_err());
    assert!(err.contains("\"max_batch\"") && err.contains("NOTARIUM_MAX_BATCH"), "{err}");

    let mut flags = Table::new();
    flags.insert("listen".into(), Value::String("nowhere".into()));
    let err = format!("{:#}", Settings::load(None, env(&[("NOTARIUM_LISTEN", "127.0.0.1:1")]), flags).unwrap_err());
    assert!(err.contains("\"listen\"") && err.contains("--listen"), "{err}");

    let mut flags = Table::new();
    flags.insert("listenn".into(), Value::String("127.0.0.1:1".into()));
    let err = format!("{:#}", Settings::load(None, env(&[]), flags).unwrap_err());
    assert!(err.contains("listenn") && err.contains("command line"), "{err}");

    let err = format!("{:#}", Settings::load(None, env(&[("NOTARIUM_LOG_FORMAT", "xml")]), Table::new()).unwrap_err());
    assert!(err.contains("log_format") && err.contains("NOTARIUM_LOG_FORMAT"), "{err}");
    let s = Settings::load(None, env(&[("NOTARIUM_LOG_FORMAT", "json")]), Table::new()).unwrap();
    assert_eq!(s.log_format, LogFormat::Json);
}

#[test]
fn tls_tables_merge_key_by_key_and_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("n.toml");
    std::fs::write(
        &file,
        "[tls]\ncert = \"s.pem\"\nkey = \"s.key\"\nclient_ca = \"c.pem\"\nclient_auth = \"optional\"\n",
    )
    .unwrap();
    let s =
        Settings::load(Some(&file), env(&[("NOTARIUM_TLS", "{ client_auth = \"required\" }")]), Table::new()).unwrap();
    assert_eq!(s.tls.cert.as_deref(), Some(Path::new("s.pem")));
    assert_eq!(s.tls.client_auth, ClientAuth::Required);
    let shown = s.redacted_toml();
    assert!(shown.contains("s.key") && shown.contains("required"), "{shown}");

    for (text, named) in [
        ("[tls]\ncert = \"s.pem\"\n", "tls.key"),
        ("[tls]\nclient_auth = \"required\"\nclient_ca = \"c.pem\"\n", "tls.client_auth"),
        ("[tls]\ncert = \"s.pem\"\nkey = \"s.key\"\nclient_auth = \"optional\"\n", "tls.client_ca"),
        ("[tls]\ncert = \"s.pem\"\nkey = \"s.key\"\nclient_auth = \"sometimes\"\n", "tls.client_auth"),
        ("[tls]\ncert = \"s.pem\"\nkey = \"s.key\"\nkey_password = \"x\"\n", "key_password"),
    ] {
        std::fs::write(&file, text).unwrap();
        let err = format!("{:#}", Settings::load(Some(&file), env(&[]), Table::new()).unwrap_err());
        assert!(err.contains(named), "{text}: {err}");
    }
}

#[test]
fn an_optional_top_level_setting_left_out_of_the_defaults_is_still_known() {
    #[derive(Debug, Default, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct S {
        listen: Option<String>,
        n: u64,
    }
    assert_eq!(field_names::<S>(), ["listen", "n"]);
    let s: S = load_layered(
        S::default(),
        None,
        "none.toml",
        "T_",
        env(&[("T_LISTEN", "a")]),
        UnknownEnv::RefuseExcept(&[]),
        Table::new(),
    )
    .unwrap();
    assert_eq!(s.listen.as_deref(), Some("a"));
    let err = load_layered(
        S::default(),
        None,
        "none.toml",
        "T_",
        env(&[("T_LISTN", "a")]),
        UnknownEnv::RefuseExcept(&[]),
        Table::new(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("T_LISTN"), "{err}");
}

#[test]
fn max_batch_is_bounded() {
    let load = |n: &str| Settings::load(None, env(&[("NOTARIUM_MAX_BATCH", n)]), Table::new());
    assert_eq!(load("1000000").unwrap().max_batch, 1_000_000);
    let err = format!("{:#}", load("1000001").unwrap_err());
    assert!(err.contains("max_batch is at most 1000000"), "{err}");
    assert!(load("0").is_err());
}

#[test]
fn public_url_is_an_http_url_without_query_and_loses_its_trailing_slash() {
    use super::PublicUrl;
    let url = PublicUrl::parse("https://notary.example.org/base/").unwrap();
    assert_eq!(url.join("/e/1"), "https://notary.example.org/base/e/1");
    for bad in [
        "ftp://x.example",
        "notary.example.org",
        "https://x.example/?a=1",
        "https://u:p@x.example",
        "mailto:a@x.example",
    ] {
        assert!(PublicUrl::parse(bad).is_err(), "{bad}");
    }
    let derived = PublicUrl::of(None, false, "127.0.0.1:8080".parse().unwrap()).unwrap();
    assert_eq!(derived.join("/e/1"), "http://127.0.0.1:8080/e/1");
}

#[test]
fn max_search_pixels_defaults_to_16_megapixels_and_must_be_positive() {
    assert_eq!(Settings::load(None, env(&[]), Table::new()).unwrap().max_search_pixels, 16_000_000);
    let s = Settings::load(None, env(&[("NOTARIUM_MAX_SEARCH_PIXELS", "2000000")]), Table::new()).unwrap();
    assert_eq!(s.max_search_pixels, 2_000_000);
    let err =
        format!("{:#}", Settings::load(None, env(&[("NOTARIUM_MAX_SEARCH_PIXELS", "0")]), Table::new()).unwrap_err());
    assert!(err.contains("max_search_pixels"), "{err}");
}
