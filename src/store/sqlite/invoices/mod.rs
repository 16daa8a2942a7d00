//! Invoices, their claims and the insurers' checks (migration 0006): the operations the writer
//! applies, and the reads.

pub(super) mod ops;
mod reads;
