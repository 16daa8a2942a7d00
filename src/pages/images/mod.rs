//! The picture pages (issue "Merchant photo copyright"): `/register`, where a logged-in
//! merchant drops photos and gets each one's certificate link once anchored, and `/search`,
//! where anyone learns who registered a picture first. Both run the API's functions
//! (`crate::http::images`); [`picture`] is what an image's certificate shows of the picture.

mod picture;
mod register;
mod search;

use actix_web::web;
use serde_json::Value;

pub use picture::{PictureView, picture_view};

use super::i18n::Messages;
use crate::problem::Problem;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/register", web::get().to(register::page))
        .route("/register/upload", web::post().to(register::upload))
        .route("/search", web::get().to(search::form))
        .route("/search", web::post().to(search::submit));
}

/// Why a picture was refused, in words; `max_bytes` is the size limit of a picture.
fn problem_words(t: &'static Messages, p: &Problem, max_bytes: u64) -> String {
    let field = p.errors.first().map(|e| (e.pointer.as_str(), e.code.as_str()));
    match (p.code, field) {
        // The picture's content, not the request's `Content-Type` (that one carries no `accepted`).
        ("unsupported_media_type", _) if p.extra.contains_key("accepted") => t.problem_not_picture.to_owned(),
        ("too_large", _) => t.problem_file_too_large.replace("{size}", &size_words(max_bytes)),
        ("image_too_large", _) => {
            let pixels = p.extra.get("max_pixels").and_then(Value::as_u64).unwrap_or_default();
            t.problem_too_many_pixels.replace("{mp}", &format!("{}", (pixels as f64 / 1e6).round()))
        }
        ("image_corrupt", _) => t.problem_corrupt.to_owned(),
        ("empty_file", _) => t.problem_empty.to_owned(),
        ("invalid_field", Some(("/file", "missing_field"))) => t.problem_missing_file.to_owned(),
        ("invalid_field", Some(("/file", "name_too_long"))) => t.problem_file_name.to_owned(),
        ("invalid_field", Some(("/title" | "/author", _))) => t.problem_text.to_owned(),
        ("login_required", _) => t.problem_login.to_owned(),
        ("csrf_rejected", _) => t.error_csrf.to_owned(),
        ("role_not_allowed", _) => t.only_merchants.to_owned(),
        _ => p.detail.clone(),
    }
}

/// A size in words: `30 MiB`, `1.5 MiB`, `512 KiB`, `900 B`.
fn size_words(bytes: u64) -> String {
    const KIB: f64 = 1024.0;
    let b = bytes as f64;
    if b >= KIB * KIB {
        format!("{} MiB", (b / (KIB * KIB) * 10.0).round() / 10.0)
    } else if b >= KIB {
        format!("{} KiB", (b / KIB).round())
    } else {
        format!("{bytes} B")
    }
}

#[cfg(test)]
mod tests {
    use actix_web::http::StatusCode;
    use serde_json::json;

    use super::*;
    use crate::pages::i18n::Lang;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(size_words(30 << 20), "30 MiB");
        assert_eq!(size_words(3 << 19), "1.5 MiB");
        assert_eq!(size_words(512 << 10), "512 KiB");
        assert_eq!(size_words(900), "900 B");
    }

    #[test]
    fn refusals_of_a_picture_are_words_in_both_languages() {
        let not_picture = Problem::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "gif")
            .with("accepted", json!(["image/jpeg"]));
        let pixels =
            Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "image_too_large", "x").with("max_pixels", 100_000_000);
        for lang in [Lang::En, Lang::Zh] {
            let t = lang.messages();
            assert_eq!(problem_words(t, &not_picture, 1), t.problem_not_picture);
            assert!(problem_words(t, &Problem::too_large("big"), 30 << 20).contains("30 MiB"));
            assert!(problem_words(t, &pixels, 1).contains("100"));
            let title = Problem::invalid_field("/title", "too_long", "at most 200 characters");
            assert_eq!(problem_words(t, &title, 1), t.problem_text);
        }
        let content_type = Problem::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "send multipart");
        assert_eq!(problem_words(Lang::En.messages(), &content_type, 1), "send multipart");
    }
}
