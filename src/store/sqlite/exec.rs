//! [`crate::store::sql::Sql`] on SQLite: the shared operations of `store::sql` run on the pool.
//! IMMEDIATE: a transaction takes the write lock at its start, so it waits for the writer's
//! commit (busy timeout) instead of failing in the middle. Lists go in as JSON arrays, read
//! with `json_each`.

crate::store::sql_on_sqlx::impl_sql!(
    super::SqliteStore,
    sqlx::Sqlite,
    sqlx::SqliteConnection,
    sqlx::sqlite::SqliteRow,
    begin: "BEGIN IMMEDIATE",
    lock: "",
    list: "(SELECT value FROM json_each(${}))",
    bind_list: json_array
);

fn json_array<T: serde::Serialize>(values: Vec<T>) -> String {
    serde_json::to_string(&values).expect("numbers and strings serialise")
}
