//! Values bound to a shared statement's parameters.

use crate::domain::Timestamp;

/// One parameter's value. `None` binds NULL of the variant's type.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Arg {
    Int(Option<i64>),
    Bytes(Option<Vec<u8>>),
    Text(Option<String>),
    Flag(bool),
    /// A list, read in SQL through [`super::Sql::list`].
    Ints(Vec<i64>),
    Texts(Vec<String>),
}

/// A statement's parameters: `args![a, b]` is `vec![Arg::from(a), Arg::from(b)]`.
macro_rules! args {
    ($($v:expr),* $(,)?) => { vec![$($crate::store::sql::Arg::from($v)),*] };
}
pub(crate) use args;

impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Arg::Int(Some(v))
    }
}

/// Sequence numbers, heights and counts are stored signed; none reaches `i64::MAX`.
impl From<u64> for Arg {
    fn from(v: u64) -> Self {
        Arg::Int(Some(i64::try_from(v).unwrap_or(i64::MAX)))
    }
}

impl From<Option<u64>> for Arg {
    fn from(v: Option<u64>) -> Self {
        Arg::Int(v.map(|v| i64::try_from(v).unwrap_or(i64::MAX)))
    }
}

impl From<u32> for Arg {
    fn from(v: u32) -> Self {
        Arg::Int(Some(i64::from(v)))
    }
}

impl From<Timestamp> for Arg {
    fn from(t: Timestamp) -> Self {
        Arg::Int(Some(t.unix_millis()))
    }
}

impl From<bool> for Arg {
    fn from(v: bool) -> Self {
        Arg::Flag(v)
    }
}

impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg::Text(Some(v.to_owned()))
    }
}

impl From<&String> for Arg {
    fn from(v: &String) -> Self {
        Arg::Text(Some(v.clone()))
    }
}

impl From<Option<&str>> for Arg {
    fn from(v: Option<&str>) -> Self {
        Arg::Text(v.map(str::to_owned))
    }
}

impl From<Option<String>> for Arg {
    fn from(v: Option<String>) -> Self {
        Arg::Text(v)
    }
}

impl From<Option<Vec<u8>>> for Arg {
    fn from(v: Option<Vec<u8>>) -> Self {
        Arg::Bytes(v)
    }
}

impl From<Vec<u8>> for Arg {
    fn from(v: Vec<u8>) -> Self {
        Arg::Bytes(Some(v))
    }
}

impl From<&[u8]> for Arg {
    fn from(v: &[u8]) -> Self {
        Arg::Bytes(Some(v.to_vec()))
    }
}

impl From<&[u64]> for Arg {
    fn from(v: &[u64]) -> Self {
        Arg::Ints(v.iter().map(|&v| i64::try_from(v).unwrap_or(i64::MAX)).collect())
    }
}

impl From<Vec<String>> for Arg {
    fn from(v: Vec<String>) -> Self {
        Arg::Texts(v)
    }
}

impl From<&[u8; 32]> for Arg {
    fn from(v: &[u8; 32]) -> Self {
        Arg::Bytes(Some(v.to_vec()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_bind_as_their_stored_types() {
        assert_eq!(
            args![7u64, u64::MAX, "a", Option::<&str>::None, true],
            vec![
                Arg::Int(Some(7)),
                Arg::Int(Some(i64::MAX)),
                Arg::Text(Some("a".into())),
                Arg::Text(None),
                Arg::Flag(true),
            ]
        );
    }
}
