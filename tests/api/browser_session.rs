//! A minimal cookie-keeping client for the page tests: it follows no redirects, so that
//! each test sees the status and the cookies as the server sent them.

use std::collections::BTreeMap;

use reqwest::header::{COOKIE, SET_COOKIE};

pub struct Browser {
    http: reqwest::Client,
    base: String,
    pub cookies: BTreeMap<String, String>,
    pub accept_language: Option<&'static str>,
}

/// A response as the tests look at it.
pub struct Page {
    pub status: u16,
    pub set_cookies: Vec<String>,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
    pub bytes: Vec<u8>,
}

impl Page {
    /// The value of the first hidden `csrf` field.
    pub fn csrf(&self) -> String {
        let at = self.body.find(r#"name="csrf" value=""#).expect("a form with a CSRF token") + 19;
        self.body[at..].split('"').next().unwrap().to_owned()
    }

    pub fn set_cookie(&self, name: &str) -> Option<&String> {
        self.set_cookies.iter().find(|c| c.starts_with(&format!("{name}=")))
    }
}

impl Browser {
    pub fn new(base: &str) -> Self {
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Self { http, base: base.to_owned(), cookies: BTreeMap::new(), accept_language: None }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let req = self.http.get(format!("{}{path}", self.base));
        self.send(req).await
    }

    pub async fn post_form(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let req = self.http.post(format!("{}{path}", self.base)).form(form);
        self.send(req).await
    }

    pub async fn post_multipart(&mut self, path: &str, form: reqwest::multipart::Form) -> Page {
        self.post_multipart_with(path, form, &[]).await
    }

    /// A multipart POST with extra headers (as a page's script sends it).
    pub async fn post_multipart_with(
        &mut self,
        path: &str,
        form: reqwest::multipart::Form,
        headers: &[(&str, &str)],
    ) -> Page {
        let mut req = self.http.post(format!("{}{path}", self.base)).multipart(form);
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        self.send(req).await
    }

    async fn send(&mut self, mut req: reqwest::RequestBuilder) -> Page {
        if !self.cookies.is_empty() {
            let jar = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
            req = req.header(COOKIE, jar);
        }
        if let Some(lang) = self.accept_language {
            req = req.header("accept-language", lang);
        }
        let res = req.send().await.unwrap();
        let set_cookies: Vec<String> =
            res.headers().get_all(SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_owned()).collect();
        for c in &set_cookies {
            let pair = c.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || c.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        let (status, headers) = (res.status().as_u16(), res.headers().clone());
        let bytes = res.bytes().await.unwrap().to_vec();
        Page { status, set_cookies, headers, body: String::from_utf8_lossy(&bytes).into_owned(), bytes }
    }
}
