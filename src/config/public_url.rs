//! The `public_url` setting.

use std::net::SocketAddr;

use anyhow::{Context, bail};

/// The base of every absolute URL the service prints (setting `public_url`): scheme, host,
/// port and an optional path prefix, without a trailing slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl(String);

impl PublicUrl {
    /// An `http` or `https` URL with a host and no query, fragment or credentials.
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let url = url::Url::parse(text).with_context(|| format!("{text:?} is not a URL"))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            bail!("{text:?}: an http:// or https:// URL with a host is expected");
        }
        if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() || url.password().is_some() {
            bail!("{text:?}: no query, fragment or credentials");
        }
        Ok(Self(url.as_str().trim_end_matches('/').to_owned()))
    }

    /// The setting, or `http(s)://` and the bound address of the API.
    pub fn of(setting: Option<&str>, https: bool, bound: SocketAddr) -> anyhow::Result<Self> {
        match setting {
            Some(text) => Self::parse(text),
            None => Self::parse(&format!("{}://{bound}", if https { "https" } else { "http" })),
        }
    }

    /// Whether visitors reach the service over HTTPS (cookies are then marked `Secure`).
    pub fn is_https(&self) -> bool {
        self.0.starts_with("https://")
    }

    /// The absolute URL of `path` (which starts with `/`).
    pub fn join(&self, path: &str) -> String {
        format!("{}{path}", self.0)
    }
}
