//! [`Sql`](super::sql::Sql) for a store on a sqlx pool, written once for both backends as a
//! macro: sqlx's generic executor bounds make a generic implementation harder to read than the
//! same twenty lines stamped for `Sqlite` and `Postgres`.
//!
//! It implements `Sql` for the store, `SqlConn` for the backend's connection type and
//! `StoredRow` for its row type. The store
//! must have `fn pool(&self) -> &Pool<DB>` and a field `credentials`; `begin` opens a
//! transaction, `list` is [`Sql::list`](super::sql::Sql::list)'s subquery (`{}` for the parameter's
//! number), `bind_list` turns a list into what that subquery reads, and `lock` is
//! [`SqlConn::LOCK`](super::sql::SqlConn::LOCK).

macro_rules! impl_sql {
    (
        $store:ty,
        $db:ty,
        $conn:ty,
        $row:ty,
        begin: $begin:literal,
        lock: $lock:literal,
        list: $list:literal,
        bind_list: $bind_list:path
    ) => {
        /// The statement with its values bound. The text is always this crate's own (see `Sql`).
        fn bound<'q>(
            sql: &'q str,
            args: Vec<$crate::store::sql::Arg>,
        ) -> sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments> {
            use $crate::store::sql::Arg;
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for a in args {
                q = match a {
                    Arg::Int(v) => q.bind(v),
                    Arg::Bytes(v) => q.bind(v),
                    Arg::Text(v) => q.bind(v),
                    Arg::Flag(v) => q.bind(v),
                    Arg::Ints(v) => q.bind($bind_list(v)),
                    Arg::Texts(v) => q.bind($bind_list(v)),
                };
            }
            q
        }

        /// A column's value, named in the error.
        fn column<T>(row: &$row, col: &str) -> anyhow::Result<T>
        where
            T: for<'r> sqlx::Decode<'r, $db> + sqlx::Type<$db>,
        {
            use anyhow::Context;
            sqlx::Row::try_get(row, col).with_context(|| format!("column {col}"))
        }

        impl $crate::store::rows::StoredRow for $row {
            fn maybe_int(&self, col: &str) -> anyhow::Result<Option<i64>> {
                column(self, col)
            }

            fn maybe_bytes(&self, col: &str) -> anyhow::Result<Option<Vec<u8>>> {
                column(self, col)
            }

            fn maybe_string(&self, col: &str) -> anyhow::Result<Option<String>> {
                column(self, col)
            }

            /// `boolean` on PostgreSQL; on SQLite, an integer sqlx reads as a flag.
            fn flag(&self, col: &str) -> anyhow::Result<bool> {
                column(self, col)
            }
        }

        #[async_trait::async_trait]
        impl $crate::store::sql::Sql for $store {
            type Row = <$db as sqlx::Database>::Row;

            async fn fetch_all(&self, sql: &str, args: Vec<$crate::store::sql::Arg>) -> anyhow::Result<Vec<Self::Row>> {
                Ok(bound(sql, args).fetch_all(self.pool()).await?)
            }

            async fn fetch_optional(
                &self,
                sql: &str,
                args: Vec<$crate::store::sql::Arg>,
            ) -> anyhow::Result<Option<Self::Row>> {
                // Read to the end, not only the first row: on SQLite a statement stopped at a
                // row stays active on its pooled connection, which then holds its read (and the
                // next autocommit write, uncommitted, with the write lock) until it runs the
                // same statement again; `notarium admin` beside a server waited 10 s for it.
                Ok(bound(sql, args).fetch_all(self.pool()).await?.into_iter().next())
            }

            async fn for_each(
                &self,
                sql: &str,
                args: Vec<$crate::store::sql::Arg>,
                each: &mut (dyn for<'r> FnMut(&'r Self::Row) -> anyhow::Result<()> + Send),
            ) -> anyhow::Result<()> {
                use futures_util::TryStreamExt;
                let mut rows = bound(sql, args).fetch(self.pool());
                while let Some(row) = rows.try_next().await? {
                    each(&row)?;
                }
                Ok(())
            }

            async fn execute(&self, sql: &str, args: Vec<$crate::store::sql::Arg>) -> anyhow::Result<u64> {
                Ok(bound(sql, args).execute(self.pool()).await?.rows_affected())
            }

            async fn transaction(
                &self,
                statements: Vec<$crate::store::sql::Statement<'_>>,
            ) -> anyhow::Result<Vec<u64>> {
                let mut tx = self.pool().begin_with($begin).await?;
                let mut changed = Vec::with_capacity(statements.len());
                for (sql, args) in statements {
                    changed.push(bound(sql, args).execute(&mut *tx).await?.rows_affected());
                }
                tx.commit().await?;
                Ok(changed)
            }

            fn list(&self, param: usize) -> String {
                format!($list, param)
            }

            async fn close_pool(&self) {
                self.pool().close().await;
            }

            fn credentials(&self) -> &$crate::store::credential_cache::CredentialCache {
                &self.credentials
            }
        }

        #[async_trait::async_trait]
        impl $crate::store::sql::SqlConn for $conn {
            type Row = <$db as sqlx::Database>::Row;
            const LOCK: &'static str = $lock;

            async fn fetch_optional(
                &mut self,
                sql: &str,
                args: Vec<$crate::store::sql::Arg>,
            ) -> anyhow::Result<Option<Self::Row>> {
                // Read to the end, as `Sql::fetch_optional` does (a statement stopped at its
                // first row stays active on the connection).
                Ok(bound(sql, args).fetch_all(&mut *self).await?.into_iter().next())
            }

            async fn execute(&mut self, sql: &str, args: Vec<$crate::store::sql::Arg>) -> anyhow::Result<u64> {
                Ok(bound(sql, args).execute(&mut *self).await?.rows_affected())
            }
        }
    };
}

pub(crate) use impl_sql;
