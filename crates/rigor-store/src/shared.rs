//! Areas written for both engines from the start (their SQL goes through [`crate::db::Sql`]
//! only): they migrate on PostgreSQL as on SQLite, whatever the list of ported areas says.

use crate::{Migration, Result, Store, migrate, pg};

impl Store {
    /// Apply the not-yet-applied migrations of `area` on this history's engine. For areas whose
    /// every statement is written through [`Store::with_sql`] / [`Store::with_tx`] (e.g. the
    /// queue of `rigor run --queue`); the other areas use [`Store::migrate_area`].
    pub fn migrate_shared_area(&mut self, area: &str, migrations: &[Migration]) -> Result<()> {
        match &self.pg {
            None => migrate::apply(&mut self.conn, &self.path, area, migrations),
            Some(client) => pg::migrate(&mut client.borrow_mut(), &self.path, area, migrations),
        }
    }
}
