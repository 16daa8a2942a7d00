//! The routes' problem responses, and the routes that are not in the document.

/// Routes registered in the application that are not part of the API document: the HTML
/// pages, their assets, and the document's viewer. (method, path) as registered.
pub const NOT_IN_DOCUMENT: &[(&str, &str)] = &[
    ("GET", "/"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("POST", "/logout"),
    ("GET", "/e/{id}"),
    ("GET", "/e/{id}/status.json"),
    ("GET", "/e/{id}/certificate.pdf"),
    ("GET", "/e/{id}/{file}"),
    ("GET", "/verify"),
    ("POST", "/verify"),
    ("GET", "/blocks"),
    ("GET", "/blocks/{height}"),
    ("GET", "/invoices"),
    ("POST", "/invoices/void"),
    ("GET", "/invoices/check"),
    ("POST", "/invoices/check"),
    ("POST", "/invoices/claim"),
    ("GET", "/register"),
    ("POST", "/register/upload"),
    ("GET", "/search"),
    ("POST", "/search"),
    ("GET", "/public/style.css"),
    ("GET", "/public/register.js"),
    ("GET", "/docs"),
    ("GET", "/docs/swagger-ui.css"),
    ("GET", "/docs/swagger-ui-bundle.js"),
    ("GET", "/docs/init.js"),
];

/// Routes of the witness process (`notarium witness serve`, `src/witness/server.rs`): another
/// server with its own credentials, not served by this application (docs/formats.md §5).
pub const WITNESS_PROCESS: &[(&str, &str)] =
    &[("POST", "/witness/v1/cosign"), ("GET", "/witness/v1/state"), ("GET", "/witness/v1/head")];

const AUTH: StatusCodes = (401, &["missing_api_key", "invalid_api_key", "invalid_client_certificate"]);
/// Over a tenant's quota, or an anonymous route's per-IP limit (`src/http/limits.rs`).
/// A route for another tenant role (`http::invoices::require_role`).
const ROLE: StatusCodes = (403, &["role_not_allowed"]);
/// An invoice record whose content the hospital erased: no new receipt.
const GONE: StatusCodes = (410, &["content_erased"]);
const LIMITED: StatusCodes = (429, &["rate_limited"]);
/// The picture routes: the rate limits, and the decode queue's refusals.
const DECODE_BUSY: StatusCodes = (429, &["rate_limited", "decode_busy"]);
/// [`UNAVAILABLE`]'s codes (given to every route that can fail inside) and the full queue's.
const DECODE_FULL: StatusCodes = (503, &["storage_unavailable", "storage_full", "log_halted", "decode_queue_full"]);
const INTERNAL: StatusCodes = (500, &["internal_error"]);
/// The storage cannot be used for a moment (`Problem::internal` of a storage fault), or, on the
/// routes that register evidence, the log is halted by a fork: given to every route that has
/// [`INTERNAL`] when the document is built.
pub const UNAVAILABLE: StatusCodes = (503, &["storage_unavailable", "storage_full", "log_halted"]);
const NOT_FOUND: StatusCodes = (404, &["not_found"]);
const BODY: [StatusCodes; 3] = [(413, &["too_large"]), (415, &["unsupported_media_type"]), (422, &["invalid_field"])];

/// A JSON write on one invoice (a claim, a void): the problems each has, and its own conflicts.
macro_rules! invoice_write {
    ($conflicts:expr) => {
        &[
            (400, &["malformed_body"]),
            AUTH,
            ROLE,
            NOT_FOUND,
            (409, $conflicts),
            LIMITED,
            BODY[0],
            BODY[1],
            BODY[2],
            INTERNAL,
        ]
    };
}

/// The routes that create records (one, or a batch).
const CREATES: &[StatusCodes] = &[
    (400, &["malformed_body", "invalid_idempotency_key"]),
    AUTH,
    LIMITED,
    (409, &["idempotency_key_reused"]),
    BODY[0],
    BODY[1],
    BODY[2],
    INTERNAL,
];

/// A problem status and the codes a route can answer with it.
pub type StatusCodes = (u16, &'static [&'static str]);

/// Per route (method, path): the problem statuses it can answer and the codes of each.
pub const ERRORS: &[(&str, &str, &[StatusCodes])] = &[
    ("POST", "/v1/evidence", CREATES),
    ("POST", "/v1/evidence/batch", CREATES),
    ("GET", "/v1/evidence", &[(400, &["invalid_query", "invalid_limit", "invalid_cursor"]), AUTH, LIMITED, INTERNAL]),
    ("POST", "/v1/evidence/lookup", &[(400, &["malformed_body"]), AUTH, LIMITED, BODY[0], BODY[1], BODY[2], INTERNAL]),
    ("GET", "/v1/evidence/{id}", &[AUTH, LIMITED, NOT_FOUND, INTERNAL]),
    (
        "GET",
        "/v1/evidence/{id}/receipt",
        &[(400, &["invalid_query", "invalid_wait", "invalid_disclose"]), AUTH, LIMITED, NOT_FOUND, GONE, INTERNAL],
    ),
    (
        "GET",
        "/v1/evidence/{id}/receipt.zip",
        &[(400, &["invalid_query", "invalid_wait", "invalid_disclose"]), AUTH, LIMITED, NOT_FOUND, GONE, INTERNAL],
    ),
    (
        "POST",
        "/v1/invoices",
        &[
            (400, &["malformed_body"]),
            AUTH,
            (403, &["role_not_allowed", "issuer_not_yours"]),
            (409, &["invoice_exists"]),
            LIMITED,
            BODY[0],
            BODY[1],
            (422, &["invalid_field", "invalid_signature", "signer_key_usage", "signer_untrusted"]),
            INTERNAL,
        ],
    ),
    (
        "GET",
        "/v1/invoices",
        &[(400, &["invalid_query", "invalid_limit", "invalid_cursor"]), AUTH, ROLE, LIMITED, INTERNAL],
    ),
    ("GET", "/v1/invoices/{issuer}/{code}/{number}", &[AUTH, ROLE, NOT_FOUND, LIMITED, INTERNAL]),
    ("DELETE", "/v1/invoices/{issuer}/{code}/{number}/content", &[AUTH, ROLE, NOT_FOUND, LIMITED, INTERNAL]),
    (
        "POST",
        "/v1/invoices/check",
        &[(400, &["malformed_body"]), AUTH, ROLE, LIMITED, BODY[0], BODY[1], BODY[2], INTERNAL],
    ),
    (
        "POST",
        "/v1/invoices/{issuer}/{code}/{number}/claims",
        invoice_write!(&["invoice_voided", "amount_exceeds_remaining", "claim_reference_reused"]),
    ),
    (
        "POST",
        "/v1/invoices/{issuer}/{code}/{number}/claims/{claim_id}/withdraw",
        &[AUTH, ROLE, NOT_FOUND, (409, &["claim_withdrawn"]), LIMITED, INTERNAL],
    ),
    ("POST", "/v1/invoices/{issuer}/{code}/{number}/void", invoice_write!(&["invoice_voided", "invoice_claimed"])),
    (
        "POST",
        "/v1/images",
        &[
            (400, &["malformed_body", "invalid_idempotency_key"]),
            AUTH,
            ROLE,
            (409, &["idempotency_key_reused"]),
            BODY[0],
            BODY[1],
            (422, &["invalid_field", "empty_file", "image_too_large", "image_corrupt"]),
            DECODE_BUSY,
            INTERNAL,
            DECODE_FULL,
        ],
    ),
    (
        "POST",
        "/v1/images/search",
        &[
            (400, &["malformed_body"]),
            BODY[0],
            BODY[1],
            (422, &["invalid_field", "empty_file", "image_too_large", "image_corrupt"]),
            DECODE_BUSY,
            INTERNAL,
            DECODE_FULL,
        ],
    ),
    ("GET", "/v1/images/{id}/original", &[AUTH, LIMITED, NOT_FOUND, INTERNAL]),
    ("POST", "/v1/verify", &[(400, &["malformed_body"]), BODY[0], BODY[1], BODY[2], LIMITED, INTERNAL]),
    // Anyone may call these; a request that also sends a tenant's key is counted against that
    // tenant's quota, hence 429 (and 500 if the key cannot be looked up).
    ("GET", "/v1/blocks", &[(400, &["invalid_query", "invalid_limit"]), LIMITED, INTERNAL]),
    ("GET", "/v1/blocks/latest", &[NOT_FOUND, LIMITED, INTERNAL]),
    ("GET", "/v1/blocks/{height}", &[NOT_FOUND, LIMITED, INTERNAL]),
    ("GET", "/v1/witnesses", &[LIMITED, INTERNAL]),
    ("GET", "/healthz", &[LIMITED, INTERNAL]),
    ("GET", "/readyz", &[LIMITED, INTERNAL]),
    ("GET", "/metrics", &[AUTH, ROLE, NOT_FOUND, LIMITED, INTERNAL]),
    ("GET", "/openapi.json", &[LIMITED, INTERNAL]),
];
