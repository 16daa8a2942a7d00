//! `/login` (an API key → a session cookie) and `/logout`.

use actix_web::cookie::time::Duration as CookieDuration;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::visitor::SESSION_COOKIE;
use super::{Frame, PageError, SESSION_LIFETIME, Visitor, render};
use crate::service::access::{self, AuthError};
use crate::store::Store;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/login", web::get().to(form))
        .route("/login", web::post().to(login))
        .route("/logout", web::post().to(logout));
}

#[derive(Template)]
#[template(path = "login.html")]
struct Login {
    frame: Frame,
    next: String,
    failed: bool,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

#[derive(Deserialize)]
struct LoginForm {
    csrf: Option<String>,
    api_key: Option<String>,
    next: Option<String>,
}

#[derive(Deserialize)]
struct LogoutForm {
    csrf: Option<String>,
}

/// Where to go after logging in: a path on this site, else the home page.
fn local_path(next: Option<&str>) -> String {
    match next {
        // Visible ASCII only: browsers drop tabs and newlines, so `/\t/host` would become `//host`.
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p.contains('\\')
                && p.len() <= 512
                && p.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            p.to_owned()
        }
        _ => "/".to_owned(),
    }
}

async fn form(visitor: Visitor, query: web::Query<NextQuery>) -> Result<HttpResponse, PageError> {
    let next = local_path(query.next.as_deref());
    render(&visitor, StatusCode::OK, &Login { frame: Frame::of(&visitor, "/login"), next, failed: false })
}

async fn login(
    visitor: Visitor,
    form: web::Form<LoginForm>,
    store: web::Data<Store>,
) -> Result<HttpResponse, PageError> {
    visitor.check_csrf(form.csrf.as_deref())?;
    let next = local_path(form.next.as_deref());
    let key = form.api_key.as_deref().unwrap_or_default();
    // A new login replaces the session this browser had.
    let token = match access::log_in(&store, key, visitor.session_token.as_deref(), SESSION_LIFETIME).await {
        Ok(token) => token,
        Err(AuthError::UnknownKey | AuthError::UnmappedCertificate) => {
            let page = Login { frame: Frame::of(&visitor, "/login"), next, failed: true };
            return render(&visitor, StatusCode::UNAUTHORIZED, &page);
        }
        Err(AuthError::Internal(e)) => return Err(PageError::internal(visitor.lang, &e)),
    };
    let age = CookieDuration::seconds(SESSION_LIFETIME.as_secs() as i64);
    Ok(visitor.redirect(&next).cookie(visitor.cookie(SESSION_COOKIE, token, Some(age))).finish())
}

async fn logout(
    visitor: Visitor,
    form: web::Form<LogoutForm>,
    store: web::Data<Store>,
) -> Result<HttpResponse, PageError> {
    visitor.check_csrf(form.csrf.as_deref())?;
    if let Some(token) = &visitor.session_token {
        access::log_out(&store, token).await.map_err(|e| PageError::internal(visitor.lang, &e))?;
    }
    let mut gone = visitor.cookie(SESSION_COOKIE, String::new(), Some(CookieDuration::ZERO));
    gone.make_removal();
    Ok(visitor.redirect("/").cookie(gone).finish())
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(local_path(Some("/e/abc")), "/e/abc");
        for outside in [
            "//evil.example/",
            "https://evil.example/",
            "evil",
            "/\\evil.example",
            "/a\r\nSet-Cookie: x",
            "/\t/evil.example",
            "/ /evil",
        ] {
            assert_eq!(local_path(Some(outside)), "/", "{outside:?}");
        }
        assert_eq!(local_path(None), "/");
    }
}
