//! [`crate::store::sql::Sql`] on PostgreSQL: the shared operations of `store::sql` run on the
//! pool. Lists go in as arrays (`bigint[]`, `text[]`), read with `unnest`.

crate::store::sql_on_sqlx::impl_sql!(
    super::PgStore,
    sqlx::Postgres,
    sqlx::PgConnection,
    sqlx::postgres::PgRow,
    begin: "BEGIN",
    lock: " FOR UPDATE",
    list: "(SELECT unnest(${}) AS value)",
    bind_list: std::convert::identity
);
