//! The schema of a check's answer, written out: its shape depends on the verdict, which a
//! derived schema (a flattened optional struct) cannot say. `authentic` and `voided` carry the
//! invoice's facts ([`Found`]); `altered` and `unknown` carry the key only.

use std::borrow::Cow;

use utoipa::openapi::schema::{AllOfBuilder, ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};

use super::check::{CheckOut, Found};

impl PartialSchema for CheckOut {
    fn schema() -> RefOr<Schema> {
        let with_facts = AllOfBuilder::new()
            .item(Ref::from_schema_name(Found::name()))
            .item(head(&["authentic", "voided"]))
            .description(Some("`authentic` or `voided`: the invoice's facts."));
        let bare = head(&["altered", "unknown"])
            .description(Some("`altered` or `unknown`: the key asked about, nothing more."));
        OneOfBuilder::new().item(with_facts).item(bare).description(Some("The answer to a check.")).into()
    }
}

impl ToSchema for CheckOut {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("CheckOut")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((Found::name().into_owned(), Found::schema()));
        <Found as ToSchema>::schemas(schemas);
    }
}

/// The verdict (one of `verdicts`) and the invoice's key, all required.
fn head(verdicts: &[&'static str]) -> ObjectBuilder {
    let text = || ObjectBuilder::new().schema_type(Type::String);
    ObjectBuilder::new()
        .property("verdict", text().enum_values(Some(verdicts.iter().copied())))
        .property("issuer", text())
        .property("invoice_code", text())
        .property("invoice_number", text())
        .required("verdict")
        .required("issuer")
        .required("invoice_code")
        .required("invoice_number")
}
