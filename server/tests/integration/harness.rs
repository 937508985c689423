//! Starting the application for a test, and cleaning up after it.

use base64::Engine as _;
use domain::Platform;
use domain::db::{self, PoolLimits};
use sea_orm::{ConnectionTrait as _, DatabaseConnection};
use server::Application;
use server::config::{Mode, RawConfig};
use std::sync::Arc;
use tempfile::TempDir;
use tokio::sync::oneshot;

pub const POSTGRES_ENV: &str = "STRONGROOM_TEST_POSTGRES";

/// A running application with its own data directory (and, on PostgreSQL, its own databases).
pub struct TestApp {
    /// `http://127.0.0.1:<port>`
    pub base: String,
    /// Keeps cookies; does not follow redirects, so tests see them.
    pub client: reqwest::Client,
    pub platform: Arc<Platform>,
    pub data_dir: TempDir,
    pub control_url: String,
    shutdown: Option<oneshot::Sender<()>>,
    postgres: Option<PostgresTestDatabase>,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// Starts the app with a test configuration that `customize` may change.
    pub async fn spawn_with(customize: impl FnOnce(&mut RawConfig)) -> Self {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let postgres = match std::env::var(POSTGRES_ENV) {
            Ok(server) if !server.is_empty() => Some(PostgresTestDatabase::create(&server).await),
            _ => None,
        };
        let mut raw = RawConfig {
            mode: Mode::Dev,
            addr: "127.0.0.1:0".parse().unwrap(),
            data_dir: data_dir.path().to_owned(),
            database_url: postgres.as_ref().map(|pg| pg.url.clone()),
            master_key: Some(base64::engine::general_purpose::STANDARD.encode(rand::random::<[u8; 32]>()).into()),
            site_root: data_dir.path().join("site"),
            ..RawConfig::default()
        };
        customize(&mut raw);
        let settings = raw.validate().expect("test configuration is valid");
        let control_url = settings.platform.control_database_url.clone();
        let app = Application::build(settings).await.expect("application starts");
        let base = format!("http://{}", app.local_addr());
        let platform = app.platform();
        let (shutdown, stopped) = oneshot::channel::<()>();
        tokio::spawn(app.run_until(async move {
            let _ = stopped.await;
        }));
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("HTTP client");
        Self { base, client, platform, data_dir, control_url, shutdown: Some(shutdown), postgres }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    /// Calls a server function the way the WebAssembly client does (form-encoded, JSON answer).
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(&format!("/rpc/{endpoint}")))
            .header("accept", "application/json")
            .header("origin", &self.base)
            .form(form)
            .send()
            .await
            .expect("server function call")
    }

    /// Posts a form the way a browser without WebAssembly does, from the page at `from`.
    pub async fn post_form(&self, endpoint: &str, from: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(&format!("/rpc/{endpoint}")))
            .header("accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
            .header("origin", &self.base)
            .header("referer", self.url(from))
            .form(form)
            .send()
            .await
            .expect("form post")
    }

    /// A separate connection to the control-plane database, to look behind the application's back.
    pub async fn control_db(&self) -> DatabaseConnection {
        db::connect(&self.control_url, PoolLimits::TENANT).await.expect("control-plane connection")
    }

    pub fn on_postgres(&self) -> bool {
        self.postgres.is_some()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

/// A control-plane database made for one test on the PostgreSQL server, dropped (with every tenant
/// database it created) when the test ends, even if it failed.
struct PostgresTestDatabase {
    server: String,
    name: String,
    url: String,
}

impl PostgresTestDatabase {
    async fn create(server: &str) -> Self {
        let name = format!("srt_{}", uuid::Uuid::new_v4().simple().to_string().get(..16).unwrap());
        let admin = db::connect(server, PoolLimits::TENANT).await.expect("PostgreSQL server for tests");
        admin.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await.expect("create test database");
        let mut url = url::Url::parse(server).expect("PostgreSQL URL");
        url.set_path(&name);
        Self { server: server.to_owned(), name, url: url.into() }
    }
}

impl Drop for PostgresTestDatabase {
    fn drop(&mut self) {
        let (server, name) = (self.server.clone(), self.name.clone());
        // Drop runs inside the test's runtime: clean up on a thread with a runtime of its own.
        let cleanup = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            runtime.block_on(async move {
                let admin = db::connect(&server, PoolLimits::TENANT).await?;
                let tenants = admin
                    .query_all_raw(sea_orm::Statement::from_sql_and_values(
                        admin.get_database_backend(),
                        "SELECT datname FROM pg_database WHERE starts_with(datname, $1)",
                        [format!("{name}_t_").into()],
                    ))
                    .await?;
                for row in tenants {
                    let tenant: String = row.try_get("", "datname")?;
                    admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{tenant}\" WITH (FORCE)")).await?;
                }
                admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await?;
                Ok::<_, sea_orm::DbErr>(())
            })
        });
        if let Ok(Err(error)) = cleanup.join() {
            eprintln!("could not drop test database {}: {error}", self.name);
        }
    }
}

/// Every `<script …>` opening tag in an HTML document.
pub fn script_tags(html: &str) -> Vec<&str> {
    html.match_indices("<script").map(|(start, _)| &html[start..start + html[start..].find('>').unwrap() + 1]).collect()
}

/// The value of `name="…"` in a tag.
pub fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let marker = format!(" {name}=\"");
    let start = tag.find(&marker)? + marker.len();
    Some(&tag[start..start + tag[start..].find('"')?])
}
