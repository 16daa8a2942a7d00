//! A file as a download: `Content-Type` and `Content-Disposition: attachment` (the API's
//! receipt route and the owner's download on the evidence page).

use actix_web::http::header::CONTENT_DISPOSITION;
use actix_web::{HttpResponse, HttpResponseBuilder};

use crate::service::receipts::ReceiptFile;

/// `file` as an attachment, on a response whose status and other headers are set.
pub fn download(mut res: HttpResponseBuilder, file: ReceiptFile) -> HttpResponse {
    let disposition = format!("attachment; filename=\"{}\"", file.file_name);
    res.content_type(file.content_type).insert_header((CONTENT_DISPOSITION, disposition)).body(file.bytes)
}
