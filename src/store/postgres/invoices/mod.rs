//! Invoices, their claims and the insurers' checks: the operations the writer applies, and the
//! reads.

pub(super) mod ops;
mod reads;
