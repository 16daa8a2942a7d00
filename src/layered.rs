//! Layering settings: defaults → a TOML file → `<PREFIX>_<NAME>` environment variables →
//! flags, tables merged key by key, unknown keys refused naming the key and where it came from.
//! Used by the service's settings (`config`) and the witness process's (`witness::settings`).

use anyhow::{Context, bail};
use serde::Serialize;
use std::path::Path;
use toml::{Table, Value};

/// What to do with a `<prefix><NAME>` environment variable that names no setting.
#[derive(Debug, Clone, Copy)]
pub enum UnknownEnv<'a> {
    /// Refuse it, naming the variable, unless the lowercased name after the prefix starts with
    /// one of these (variables that belong to another process, e.g. `witness_` for
    /// `NOTARIUM_WITNESS_*`).
    RefuseExcept(&'a [&'a str]),
    /// Ignore it.
    Ignore,
}

/// Layers `defaults` → the TOML file (`file`, or `default_file` when it exists) → environment
/// variables `<env_prefix><NAME>` naming a top-level key → `flags`. Tables are merged key by
/// key, so `NOTARIUM_TLS='{ client_auth = "required" }'` keeps `tls.cert` from the file. Unknown
/// keys are refused, naming the key and where it came from; so is a bad value.
pub fn load_layered<T: Serialize + serde::de::DeserializeOwned>(
    defaults: T,
    file: Option<&Path>,
    default_file: &str,
    env_prefix: &str,
    env: impl IntoIterator<Item = (String, String)>,
    unknown_env: UnknownEnv<'_>,
    flags: Table,
) -> anyhow::Result<T> {
    let mut table = Value::try_from(defaults)?.as_table().cloned().expect("settings are a table");
    // The struct's own field names, so that an optional setting left out of the defaults
    // (an `Option` that is `None`) is still known.
    let known = field_names::<T>();
    let mut sources = std::collections::HashMap::new();
    let default_file = Path::new(default_file);
    let file = file.or_else(|| default_file.exists().then_some(default_file));
    if let Some(path) = file {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let from_file: Table = toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        let source = format!("{}", path.display());
        merge(&mut table, from_file, &known, &source, &mut sources, |_| source.clone())?;
    }
    let mut from_env = Table::new();
    let mut env_names = std::collections::HashMap::new();
    for (name, value) in env {
        let Some(key) = name.strip_prefix(env_prefix).map(str::to_ascii_lowercase) else { continue };
        if !known.contains(&key.as_str()) {
            match unknown_env {
                UnknownEnv::RefuseExcept(others) if !others.iter().any(|o| key.starts_with(o)) => {
                    bail!("unknown setting {key:?} in the environment ({name}): no such setting")
                }
                _ => continue,
            }
        }
        // A TOML literal (number, bool, array, inline table) when it parses as one, else a string.
        let parsed = toml::from_str::<Table>(&format!("v = {value}")).ok().and_then(|mut t| t.remove("v"));
        from_env.insert(key.clone(), parsed.unwrap_or(Value::String(value)));
        env_names.insert(key, name);
    }
    merge(&mut table, from_env, &known, "the environment", &mut sources, |key| {
        format!("the environment ({})", env_names.get(key).map_or("?", String::as_str))
    })?;
    merge(&mut table, flags, &known, "the command line", &mut sources, |key| {
        format!("the command line (--{})", key.replace('_', "-"))
    })?;
    serde_path_to_error::deserialize(Value::Table(table)).map_err(|e| {
        let path = e.path().to_string();
        let top = path.split(['.', '[']).next().unwrap_or_default().to_owned();
        let from = sources.get(&top).cloned().unwrap_or_else(|| "the defaults".to_owned());
        anyhow::anyhow!("invalid setting {path:?} from {from}: {}", e.into_inner().message().trim())
    })
}

/// Merges `from` into `into`: top-level keys must exist; tables are merged key by key (their
/// keys are checked when the result is deserialised). Records where each top-level key came
/// from.
fn merge(
    into: &mut Table,
    from: Table,
    known: &[&str],
    source: &str,
    sources: &mut std::collections::HashMap<String, String>,
    name: impl Fn(&str) -> String,
) -> anyhow::Result<()> {
    for (key, value) in from {
        if !known.contains(&key.as_str()) {
            bail!("unknown setting {key:?} in {source}");
        }
        sources.insert(key.clone(), name(&key));
        match into.get_mut(&key) {
            Some(existing) => merge_value(existing, value),
            None => {
                into.insert(key, value);
            }
        }
    }
    Ok(())
}

/// The field names a `#[derive(Deserialize)]` struct asks for, read by a deserializer that
/// only records them.
pub(crate) fn field_names<T: serde::de::DeserializeOwned>() -> Vec<&'static str> {
    use serde::de::{Error as _, Visitor};
    use serde::forward_to_deserialize_any;
    #[derive(Default)]
    struct Names(Vec<&'static str>);
    impl<'de> serde::Deserializer<'de> for &mut Names {
        type Error = serde::de::value::Error;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
            Err(Self::Error::custom("only field names"))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            self.0.extend(fields);
            Err(Self::Error::custom("only field names"))
        }
        forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
            unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
        }
    }
    let mut names = Names::default();
    let _ = T::deserialize(&mut names);
    names.0
}

fn merge_value(into: &mut Value, from: Value) {
    match (into, from) {
        (Value::Table(into), Value::Table(from)) => {
            for (key, value) in from {
                match into.get_mut(&key) {
                    Some(existing) => merge_value(existing, value),
                    None => {
                        into.insert(key, value);
                    }
                }
            }
        }
        (into, from) => *into = from,
    }
}
