//! Customers and sales orders made over HTTP, and looks behind the application's back at a workspace's
//! own database (its rows, or the bytes of its SQLite file).

use super::fixture::Team;
use crate::harness::{Browser, TestApp};
use domain::ids::TenantId;
use sea_orm::{ConnectionTrait as _, DatabaseConnection, Statement};
use serde_json::Value;

/// Contact data that must never appear in clear outside an intentional reveal.
pub struct Secrets {
    pub email: &'static str,
    pub phone: &'static str,
    pub address: &'static str,
    pub notes: &'static str,
}

pub const SECRETS: Secrets = Secrets {
    email: "ottilie.quandt@private-mail.example",
    phone: "+49 170 5550199",
    address: "Zwetschgenweg 17, 04109 Leipzig",
    notes: "prefers deliveries before noon, gate code 4711",
};

/// Adds a customer (as `browser`); returns (status, body).
pub async fn add_customer(browser: &Browser, slug: &str, name: &str, email: &str, phone: &str) -> (u16, Value) {
    let response = browser
        .call(
            "sales/customers/add",
            &[
                ("slug", slug),
                ("name", name),
                ("email", email),
                ("phone", phone),
                ("address", SECRETS.address),
                ("notes", SECRETS.notes),
            ],
        )
        .await;
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

/// A customer with all of [`SECRETS`], as the owner; returns its id.
pub async fn secret_customer(team: &Team) -> String {
    let (status, body) = add_customer(&team.owner, &team.slug, "Ottilie Quandt", SECRETS.email, SECRETS.phone).await;
    assert_eq!(status, 200, "{body}");
    body["id"].as_str().unwrap().to_owned()
}

/// A draft sales order of one line for `customer`; returns (status, body).
pub async fn add_order(browser: &Browser, slug: &str, customer: &str, quantity: &str, price: &str) -> (u16, Value) {
    let response = browser
        .call(
            "sales/orders/create",
            &[
                ("slug", slug),
                ("customer", customer),
                ("notes", SECRETS.notes),
                ("lines[0][description]", "Plum jam"),
                ("lines[0][quantity]", quantity),
                ("lines[0][unit_price]", price),
            ],
        )
        .await;
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

pub async fn tenant(app: &TestApp, slug: &str) -> TenantId {
    app.platform.tenancy().find_by_slug(&model::WorkspaceSlug::parse(slug).unwrap()).await.unwrap().id
}

pub async fn tenant_db(app: &TestApp, slug: &str) -> DatabaseConnection {
    app.platform.tenancy().tenant_db(tenant(app, slug).await).await.unwrap()
}

fn statement(db: &DatabaseConnection, sql: &str, values: Vec<sea_orm::Value>) -> Statement {
    let backend = db.get_database_backend();
    let sql = if backend == sea_orm::DbBackend::Sqlite { sql.replace('$', "?") } else { sql.to_owned() };
    Statement::from_sql_and_values(backend, sql, values)
}

/// Runs a statement on a workspace database, written for both backends with `$1`-style parameters.
pub async fn execute(db: &DatabaseConnection, sql: &str, values: Vec<sea_orm::Value>) {
    db.execute_raw(statement(db, sql, values)).await.unwrap();
}

/// One text column of every row of `sql` (with `$1`-style parameters).
pub async fn texts_with(db: &DatabaseConnection, sql: &str, values: Vec<sea_orm::Value>) -> Vec<Option<String>> {
    let rows = db.query_all_raw(statement(db, sql, values)).await.unwrap();
    rows.iter().map(|r| r.try_get_by_index::<Option<String>>(0).unwrap()).collect()
}

pub async fn texts(db: &DatabaseConnection, sql: &str) -> Vec<Option<String>> {
    texts_with(db, sql, Vec::new()).await
}

/// A row id as a statement value.
pub fn id_value(id: &str) -> sea_orm::Value {
    uuid::Uuid::parse_str(id).unwrap().into()
}

/// Everything a copy of the workspace database would hold, as text: the SQLite file's bytes (with its
/// write-ahead log), or every row of every table on PostgreSQL.
pub async fn database_copy(app: &TestApp, slug: &str) -> Vec<u8> {
    let db = tenant_db(app, slug).await;
    if app.on_postgres() {
        let tables =
            texts(&db, "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'").await;
        let mut copy = Vec::new();
        for table in tables.into_iter().flatten() {
            for row in texts(&db, &format!("SELECT t::text FROM \"{table}\" t")).await.into_iter().flatten() {
                copy.extend_from_slice(row.as_bytes());
                copy.push(b'\n');
            }
        }
        copy
    } else {
        let file =
            app.data_dir.path().join("tenants").join(format!("{}.db", tenant(app, slug).await.as_uuid().simple()));
        let mut copy = std::fs::read(&file).unwrap();
        copy.extend(std::fs::read(file.with_extension("db-wal")).unwrap_or_default());
        copy
    }
}

pub fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}
