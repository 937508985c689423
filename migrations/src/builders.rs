//! Statement builders the migrations share, so that each migration says only what differs: which
//! tables, which columns.

use sea_orm_migration::prelude::*;

/// A foreign key from `from` (table, column) to `to` (table, column); the row goes when the row it
/// points to goes.
pub(crate) fn cascade(
    from: (impl IntoIden + 'static, impl IntoIden + 'static),
    to: (impl IntoIden + 'static, impl IntoIden + 'static),
) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(from.0, from.1).to(to.0, to.1).on_delete(ForeignKeyAction::Cascade).to_owned()
}

/// An index called `name` on `table` over `columns`, in that order (add `.unique()` for a unique one).
pub(crate) fn index<C: IntoIndexColumn>(
    name: &str,
    table: impl IntoIden + 'static,
    columns: impl IntoIterator<Item = C>,
) -> IndexCreateStatement {
    let mut index = Index::create().name(name).table(table).to_owned();
    for column in columns {
        index.col(column);
    }
    index
}

/// Gives the built-in owner and administrator roles a new `permission` (they hold every permission),
/// once: a workspace whose roles already have it is left as it is.
pub(crate) async fn grant_to_owners_and_admins(manager: &SchemaManager<'_>, permission: &str) -> Result<(), DbErr> {
    let sql = format!(
        "UPDATE roles SET permissions = permissions || ',{permission}' \
         WHERE builtin = true AND key IN ('owner', 'admin') AND permissions NOT LIKE '%{permission}%'"
    );
    manager.get_connection().execute_unprepared(&sql).await?;
    Ok(())
}
