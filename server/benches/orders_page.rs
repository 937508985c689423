//! A page of 50 sales orders out of 100,000 in one workspace, with the visible encrypted fields
//! decrypted (the customer's email and phone, masked for display, and the order's notes), against the
//! very same query on a second workspace whose rows hold the same values in clear, not decrypted: the
//! ratio is what field encryption (DATA2) costs a list page. Both in one run (`cargo xtask bench`).
//!
//! The workspaces are made over HTTP like everywhere else; the 100,000 orders (and 1,000 customers) of
//! each are seeded directly into its database in batches of 500 rows, one transaction per batch, with
//! ciphertext made by the workspace's own keys. Pages are read by keyset (`number < cursor`) at random
//! places, the same places for both workspaces, alternating, so neither gets a warmer cache.

use base64::Engine as _;
use domain::crypto::{FieldKeys, FieldRef};
use domain::workspace::sales::mask;
use sea_orm::{ConnectionTrait as _, DatabaseConnection, Statement, TransactionTrait as _};
use server::Application;
use server::config::RawConfig;
use std::time::{Duration, Instant};

const PASSWORD: &str = "plum orchard at dusk";
const ORDERS: i64 = 100_000;
const CUSTOMERS: i64 = 1_000;
const PAGE: i64 = 50;
const BATCH: i64 = 500;

struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    async fn token(&self) -> String {
        let html = self.http.get(format!("{}/signin", self.base)).header("accept", "text/html").send().await;
        let html = html.unwrap().text().await.unwrap();
        let marker = "name=\"_csrf_token\" value=\"";
        let start = html.find(marker).unwrap() + marker.len();
        html[start..start + html[start..].find('"').unwrap()].to_owned()
    }

    async fn post(&self, endpoint: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let token = self.token().await;
        let mut all = vec![("_csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        let request = self.http.post(format!("{}/rpc/{endpoint}", self.base)).header("origin", &self.base);
        request.header("accept", "application/json").form(&all).send().await.unwrap()
    }
}

async fn mail_text(platform: &domain::Platform, to: &str, kind: &str) -> String {
    loop {
        let mails = platform.mailer().messages_to(to).await.unwrap();
        if let Some(mail) = mails.into_iter().find(|m| m.kind == kind) {
            return mail.text;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Signs up and in, and creates two workspaces; returns their addresses.
async fn workspaces(base: &str, platform: &domain::Platform) -> (String, String) {
    let client = Client { http: reqwest::Client::builder().cookie_store(true).build().unwrap(), base: base.to_owned() };
    let email = "bench-orders@example.com";
    assert_eq!(client.post("auth/sign-up", &[("email", email), ("password", PASSWORD)]).await.status(), 200);
    let text = mail_text(platform, email, "verify_address").await;
    let token: String = text.split("token=").nth(1).unwrap().chars().take_while(|c| !c.is_whitespace()).collect();
    assert_eq!(client.post("auth/verify-email", &[("token", &token)]).await.status(), 200);
    client.post("auth/sign-in", &[("email", email), ("password", PASSWORD)]).await;
    let text = mail_text(platform, email, "sign_in_code").await;
    let code = &text[text.find("code is ").unwrap() + 8..][..6];
    assert_eq!(client.post("auth/second-factor", &[("code", code)]).await.status(), 200);
    let mut slugs = Vec::new();
    for name in ["Encrypted Orders", "Plain Orders"] {
        let response = client.post("workspaces/create", &[("name", name)]).await;
        let body: serde_json::Value = response.json().await.unwrap();
        slugs.push(body["slug"].as_str().unwrap().to_owned());
    }
    (slugs.remove(0), slugs.remove(0))
}

fn placeholders(db: &DatabaseConnection, rows: usize, columns: usize) -> String {
    let sqlite = db.get_database_backend() == sea_orm::DbBackend::Sqlite;
    (0..rows)
        .map(|r| {
            let row: Vec<String> = (0..columns)
                .map(|c| if sqlite { "?".to_owned() } else { format!("${}", r * columns + c + 1) })
                .collect();
            format!("({})", row.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// 1,000 customers and 100,000 orders; sensitive columns sealed by `keys`, or in clear without.
async fn seed(db: &DatabaseConnection, keys: Option<&FieldKeys>) -> Vec<uuid::Uuid> {
    let seal = |table: &'static str, column: &'static str, row: &uuid::Uuid, value: &str| match keys {
        Some(keys) => keys.encrypt(FieldRef { table, column, row }, value),
        None => value.to_owned(),
    };
    let version = keys.map_or(1, FieldKeys::current_version);
    let now = chrono::Utc::now();
    let customers: Vec<uuid::Uuid> = (0..CUSTOMERS).map(|_| uuid::Uuid::new_v4()).collect();
    let txn = db.begin().await.unwrap();
    for chunk in customers.chunks(BATCH as usize).enumerate() {
        let (offset, ids) = chunk;
        let mut values: Vec<sea_orm::Value> = Vec::new();
        for (i, id) in ids.iter().enumerate() {
            let n = offset as i64 * BATCH + i as i64 + 1;
            let name = format!("Customer {n}");
            values.extend([
                (*id).into(),
                n.into(),
                name.clone().into(),
                name.to_lowercase().into(),
                seal("customers", "email", id, &format!("customer{n}@private-mail.example")).into(),
                Option::<String>::None.into(),
                seal("customers", "phone", id, &format!("+49 170 {n:07}")).into(),
                Option::<String>::None.into(),
                Option::<String>::None.into(),
                version.into(),
                now.into(),
                now.into(),
            ]);
        }
        let sql = format!(
            "INSERT INTO customers (id, number, name, name_search, email_enc, email_index, phone_enc, address_enc, \
             notes_enc, key_version, created_at, updated_at) VALUES {}",
            placeholders(db, ids.len(), 12)
        );
        txn.execute_raw(Statement::from_sql_and_values(db.get_database_backend(), sql, values)).await.unwrap();
    }
    txn.commit().await.unwrap();
    for start in (0..ORDERS).step_by(BATCH as usize) {
        let txn = db.begin().await.unwrap();
        let mut values: Vec<sea_orm::Value> = Vec::new();
        let rows = BATCH.min(ORDERS - start);
        for n in start + 1..=start + rows {
            let id = uuid::Uuid::new_v4();
            let at = now - chrono::Duration::seconds(ORDERS - n);
            values.extend([
                id.into(),
                n.into(),
                customers[(n % CUSTOMERS) as usize].into(),
                "confirmed".into(),
                "EUR".into(),
                (n * 137 % 100_000).into(),
                Some(seal("sales_orders", "notes", &id, &format!("deliver to the back door, order {n}"))).into(),
                version.into(),
                at.into(),
                at.into(),
            ]);
        }
        let sql = format!(
            "INSERT INTO sales_orders (id, number, customer_id, status, currency, total_cents, notes_enc, key_version, \
             created_at, updated_at) VALUES {}",
            placeholders(db, rows as usize, 10)
        );
        txn.execute_raw(Statement::from_sql_and_values(db.get_database_backend(), sql, values)).await.unwrap();
        txn.commit().await.unwrap();
    }
    customers
}

/// What a row of the page shows.
#[allow(dead_code)] // read only to keep the work from being optimised away
struct Row {
    number: i64,
    customer: String,
    email: String,
    phone: String,
    notes: String,
}

/// One page of 50 orders below `cursor`, decrypting with `keys` (or reading clear values without).
async fn page(db: &DatabaseConnection, keys: Option<&FieldKeys>, cursor: i64) -> Vec<Row> {
    let sql = "SELECT o.id, o.number, o.notes_enc, c.id, c.name, c.email_enc, c.phone_enc FROM sales_orders o \
               JOIN customers c ON c.id = o.customer_id WHERE o.number < $1 ORDER BY o.number DESC LIMIT $2";
    let backend = db.get_database_backend();
    let sql = if backend == sea_orm::DbBackend::Sqlite { sql.replace('$', "?") } else { sql.to_owned() };
    let rows =
        db.query_all_raw(Statement::from_sql_and_values(backend, sql, [cursor.into(), PAGE.into()])).await.unwrap();
    rows.into_iter()
        .map(|r| {
            let order: uuid::Uuid = r.try_get_by_index(0).unwrap();
            let customer: uuid::Uuid = r.try_get_by_index(3).unwrap();
            let text = |i: usize| r.try_get_by_index::<Option<String>>(i).unwrap().unwrap_or_default();
            let open = |table, column, row: &uuid::Uuid, value: String| match keys {
                Some(keys) => keys.decrypt(FieldRef { table, column, row }, &value).unwrap(),
                None => value,
            };
            Row {
                number: r.try_get_by_index(1).unwrap(),
                customer: text(4),
                email: mask::email(&open("customers", "email", &customer, text(5))),
                phone: mask::phone(&open("customers", "phone", &customer, text(6))),
                notes: open("sales_orders", "notes", &order, text(2)),
            }
        })
        .collect()
}

#[tokio::main]
async fn main() {
    let pages: usize = std::env::var("BENCH_PAGES").ok().and_then(|s| s.parse().ok()).unwrap_or(400);
    let dir = tempfile::tempdir().unwrap();
    let raw = RawConfig {
        addr: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.path().to_owned(),
        master_key: Some(base64::engine::general_purpose::STANDARD.encode([9u8; 32]).into()),
        site_root: dir.path().join("site"),
        auth_requests_per_minute: 10_000_000,
        ..RawConfig::default()
    };
    let app = Application::build(raw.validate().unwrap()).await.unwrap();
    let (base, platform) = (format!("http://{}", app.local_addr()), app.platform());
    tokio::spawn(app.run_until(std::future::pending()));
    let (encrypted, plain) = workspaces(&base, &platform).await;
    let tenant = |slug: String| {
        let platform = platform.clone();
        async move { platform.tenancy().find_by_slug(&model::WorkspaceSlug::parse(&slug).unwrap()).await.unwrap().id }
    };
    let (encrypted, plain) = (tenant(encrypted).await, tenant(plain).await);
    let keys = platform.vault().field_keys(encrypted).await.unwrap();
    let (encrypted_db, plain_db) =
        (platform.tenancy().tenant_db(encrypted).await.unwrap(), platform.tenancy().tenant_db(plain).await.unwrap());
    let started = Instant::now();
    seed(&encrypted_db, Some(&keys)).await;
    let seeded_encrypted = started.elapsed();
    let started = Instant::now();
    seed(&plain_db, None).await;
    println!(
        "seeded {ORDERS} orders and {CUSTOMERS} customers twice: {:.1} s encrypted, {:.1} s in clear (batches of {BATCH})",
        seeded_encrypted.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    let cursors: Vec<i64> = (0..pages).map(|_| rand::random_range(PAGE + 1..=ORDERS + 1)).collect();
    // Warm both once, then alternate.
    assert_eq!(page(&encrypted_db, Some(&keys), ORDERS + 1).await.len(), PAGE as usize);
    assert_eq!(page(&plain_db, None, ORDERS + 1).await.len(), PAGE as usize);
    let (mut with, mut without) = (Duration::ZERO, Duration::ZERO);
    for cursor in &cursors {
        let t = Instant::now();
        let rows = page(&encrypted_db, Some(&keys), *cursor).await;
        with += t.elapsed();
        assert!(rows.len() == PAGE as usize && rows[0].phone.contains('•'));
        let t = Instant::now();
        let rows = page(&plain_db, None, *cursor).await;
        without += t.elapsed();
        assert_eq!(rows.len(), PAGE as usize);
    }
    let per = |d: Duration| d.as_secs_f64() * 1000.0 / pages as f64;
    println!("{pages} pages of {PAGE} orders out of {ORDERS}, at random places, on SQLite:");
    println!("  with decryption (email, phone, notes):  {:8.3} ms per page", per(with));
    println!("  same query, values in clear:           {:8.3} ms per page", per(without));
    println!("  ratio encrypted / clear:               {:8.3}", with.as_secs_f64() / without.as_secs_f64());
}
