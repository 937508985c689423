//! Starting the application for a test, browsers that talk to it, and cleaning up after it.

use base64::Engine as _;
use domain::Platform;
use domain::db::{self, PoolLimits};
use sea_orm::{ConnectionTrait as _, DatabaseConnection};
use serde_json::Value;
use server::Application;
use server::config::{Mode, RawConfig};
use std::sync::Arc;
use std::time::Duration;
use tempfile::TempDir;
use tokio::sync::oneshot;

pub const POSTGRES_ENV: &str = "STRONGROOM_TEST_POSTGRES";
/// A Redis server for the session-store tests, e.g. `redis://127.0.0.1:6379` (they are ignored without it).
pub const REDIS_ENV: &str = "STRONGROOM_TEST_REDIS";
const NEEDS_REDIS: &str = "needs Redis: run with STRONGROOM_TEST_REDIS=redis://127.0.0.1:6379";

/// The test's Redis URL and a key prefix of its own, so tests running at once never see each other's keys.
pub fn redis_for_test() -> (String, String) {
    let url = std::env::var(REDIS_ENV).ok().filter(|url| !url.is_empty()).expect(NEEDS_REDIS);
    (url, format!("strongroom-test:{}:", uuid::Uuid::new_v4().simple()))
}

/// A configuration change that keeps sessions (and so rate limits) in Redis under `prefix`.
pub fn use_redis(url: &str, prefix: &str) -> impl Fn(&mut RawConfig) + Clone {
    let (url, prefix) = (url.to_owned(), prefix.to_owned());
    move |raw| {
        raw.redis_url = Some(url.clone().into());
        raw.redis_key_prefix = prefix.clone();
    }
}

/// What a browser sends as `Accept` when it posts a form itself.
const BROWSER_ACCEPT: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

pub const PASSWORD: &str = "plum orchard at dusk";

/// A running application with its own data directory (and, on PostgreSQL, its own databases).
pub struct TestApp {
    /// `http://127.0.0.1:<port>`
    pub base: String,
    /// `http://127.0.0.1:<port>` of the metrics address, when the test configured one.
    pub metrics_base: Option<String>,
    /// The default browser (keeps cookies, does not follow redirects).
    pub client: reqwest::Client,
    pub platform: Arc<Platform>,
    /// Every path the running application's router serves (`server::routes::served_paths`).
    pub served_paths: std::collections::BTreeSet<String>,
    pub data_dir: TempDir,
    pub control_url: String,
    shutdown: Option<oneshot::Sender<()>>,
    postgres: Option<Arc<PostgresTestDatabase>>,
}

/// The configuration every test starts from: dev mode, a fresh data directory and database, and a
/// rate limit high enough not to get in the way of tests about other things.
fn test_config(data_dir: &TempDir, database_url: Option<String>) -> RawConfig {
    RawConfig {
        mode: Mode::Dev,
        addr: "127.0.0.1:0".parse().unwrap(),
        data_dir: data_dir.path().to_owned(),
        database_url,
        master_key: Some(base64::engine::general_purpose::STANDARD.encode(rand::random::<[u8; 32]>()).into()),
        site_root: data_dir.path().join("site"),
        ..unlimited(RawConfig::default())
    }
}

/// `raw` with every rate limit and intrusion detection threshold so high that only tests about them
/// meet one.
pub fn unlimited(raw: RawConfig) -> RawConfig {
    const HIGH: u32 = 1_000_000;
    RawConfig {
        auth_requests_per_minute: HIGH,
        auth_requests_per_account_per_minute: HIGH,
        code_requests_per_minute: HIGH,
        code_requests_per_account_per_minute: HIGH,
        sign_up_requests_per_minute: HIGH,
        sign_up_requests_per_account_per_minute: HIGH,
        account_requests_per_minute: HIGH,
        account_requests_per_account_per_minute: HIGH,
        workspace_requests_per_minute: HIGH,
        workspace_requests_per_account_per_minute: HIGH,
        invitation_requests_per_minute: HIGH,
        invitation_requests_per_account_per_minute: HIGH,
        export_requests_per_minute: HIGH,
        export_requests_per_account_per_minute: HIGH,
        ids_suspicious_requests: HIGH,
        ids_misses_per_minute: HIGH,
        ids_requests_per_10s: HIGH,
        ..raw
    }
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// Starts the app with a test configuration that `customize` may change.
    pub async fn spawn_with(customize: impl FnOnce(&mut RawConfig)) -> Self {
        Self::spawn_in(Self::empty_installation().await, customize).await
    }

    /// A place for a server that nothing has run on yet: a new data directory and control-plane database
    /// (on PostgreSQL with `STRONGROOM_TEST_POSTGRES`, a new empty database; otherwise SQLite in the data
    /// directory), for a test that prepares it (a disaster recovery restores into one) before it starts.
    pub async fn empty_installation() -> EmptyInstallation {
        let postgres = match std::env::var(POSTGRES_ENV) {
            Ok(server) if !server.is_empty() => Some(Arc::new(PostgresTestDatabase::create(&server).await)),
            _ => None,
        };
        let data_dir = tempfile::tempdir().expect("temp dir");
        let control_url = match &postgres {
            Some(pg) => pg.url.clone(),
            None => format!("sqlite://{}?mode=rwc", data_dir.path().join("control.db").display()),
        };
        EmptyInstallation { data_dir, control_url, postgres }
    }

    /// Starts the app in `place` with a test configuration that `customize` may change.
    pub async fn spawn_in(place: EmptyInstallation, customize: impl FnOnce(&mut RawConfig)) -> Self {
        let EmptyInstallation { data_dir, control_url, postgres } = place;
        Self::start(data_dir, control_url, postgres, customize).await
    }

    /// A second server on the same databases (as when several servers share one deployment).
    pub async fn spawn_sibling(&self, customize: impl FnOnce(&mut RawConfig)) -> Self {
        let master_key = std::fs::read_to_string(self.data_dir.path().join("master.key.test")).ok();
        let data_dir = self.data_dir.path().to_owned();
        let scratch = tempfile::tempdir().expect("temp dir");
        Self::start(scratch, self.control_url.clone(), self.postgres.clone(), move |raw| {
            raw.data_dir = data_dir;
            if let Some(key) = master_key {
                raw.master_key = Some(key.into());
            }
            customize(raw);
        })
        .await
    }

    async fn start(
        data_dir: TempDir,
        control_url: String,
        postgres: Option<Arc<PostgresTestDatabase>>,
        customize: impl FnOnce(&mut RawConfig),
    ) -> Self {
        // Warnings and errors of the app go to the test's output (shown when a test fails).
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()))
            .with_test_writer()
            .try_init();
        let mut raw = test_config(&data_dir, Some(control_url));
        customize(&mut raw);
        // Siblings must derive the same keys: remember the master key where they can find it.
        if let Some(key) = &raw.master_key {
            use secrecy::ExposeSecret as _;
            std::fs::create_dir_all(&raw.data_dir).unwrap();
            std::fs::write(raw.data_dir.join("master.key.test"), key.expose_secret()).unwrap();
        }
        let settings = raw.validate().expect("test configuration is valid");
        let control_url = settings.platform.control_database_url.clone();
        let app = Application::build(settings).await.expect("application starts");
        let base = format!("http://{}", app.local_addr());
        let platform = app.platform();
        let served_paths = app.served_paths();
        let metrics_base = app.metrics_addr().map(|addr| format!("http://{addr}"));
        let (shutdown, stopped) = oneshot::channel::<()>();
        tokio::spawn(app.run_until(async move {
            let _ = stopped.await;
        }));
        let client = new_client();
        Self {
            base,
            metrics_base,
            client,
            platform,
            served_paths,
            data_dir,
            control_url,
            shutdown: Some(shutdown),
            postgres,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    /// A new browser: its own cookies (so its own session and device cookie).
    pub fn browser(&self) -> Browser {
        Browser { base: self.base.clone(), client: new_client(), forwarded_for: None }
    }

    /// The default browser, as a [`Browser`].
    pub fn default_browser(&self) -> Browser {
        Browser { base: self.base.clone(), client: self.client.clone(), forwarded_for: None }
    }

    /// Calls a server function the way the WebAssembly client does, with this browser's CSRF token.
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.default_browser().call(endpoint, form).await
    }

    /// A separate connection to the control-plane database, to look behind the application's back.
    pub async fn control_db(&self) -> DatabaseConnection {
        db::connect(&self.control_url, PoolLimits::TENANT).await.expect("control-plane connection")
    }

    pub fn on_postgres(&self) -> bool {
        self.postgres.is_some()
    }

    /// The newest mail of `kind` to `to`, waiting for it to be queued (sign-up works in the background).
    pub async fn mail(&self, to: &str, kind: &str) -> domain::mail::StoredMail {
        // Generous: sign-up hashes in the background, and CI machines are busy.
        for _ in 0..400 {
            let mails = self.platform.mailer().messages_to(to).await.expect("outbox");
            if let Some(mail) = mails.into_iter().find(|m| m.kind == kind) {
                return mail;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no `{kind}` mail to {to}");
    }

    pub async fn mails(&self, to: &str) -> Vec<domain::mail::StoredMail> {
        self.platform.mailer().messages_to(to).await.expect("outbox")
    }

    /// Creates a verified account and returns its address.
    pub async fn verified_account(&self, email: &str) -> String {
        let browser = self.browser();
        let response = browser.call("auth/sign-up", &[("email", email), ("password", PASSWORD)]).await;
        assert_eq!(response.status(), 200, "sign-up of {email}");
        let token = link_token(&self.mail(email, "verify_address").await.text, "/verify");
        let response = browser.call("auth/verify-email", &[("token", &token)]).await;
        assert_eq!(response.status(), 200, "verification of {email}");
        email.to_owned()
    }

    /// A new verified account `email`, signed in from a new browser.
    pub async fn user(&self, email: &str) -> Browser {
        self.verified_account(email).await;
        self.signed_in_browser(email).await
    }

    /// Signs `email` in from a new browser, passing the emailed code; returns that browser.
    pub async fn signed_in_browser(&self, email: &str) -> Browser {
        let browser = self.browser();
        let answer = browser.sign_in(email, PASSWORD).await;
        assert_eq!(answer.status, 200, "sign-in of {email}: {}", answer.body);
        if answer.body == serde_json::json!("SecondFactor") {
            let code = sign_in_code(&self.mail(email, "sign_in_code").await.text);
            let done = browser.call("auth/second-factor", &[("code", &code)]).await;
            assert_eq!(done.status(), 200, "second factor of {email}");
        }
        browser
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

fn new_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("Mozilla/5.0 (X11; Linux x86_64) StrongroomTests/1.0 Chrome/156.0")
        .build()
        .expect("HTTP client")
}

/// A status and JSON body, for asserting on server-function answers.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

/// A browser: a cookie store (session, device cookie), optionally behind a proxy that reports its
/// address in `X-Forwarded-For`.
#[derive(Clone)]
pub struct Browser {
    pub base: String,
    pub client: reqwest::Client,
    pub forwarded_for: Option<String>,
}

impl Browser {
    /// The same browser, appearing to come from `ip` (the app must trust 127.0.0.1 as a proxy).
    pub fn behind_proxy_as(&self, ip: &str) -> Self {
        Self { forwarded_for: Some(ip.to_owned()), ..self.clone() }
    }

    fn with_address(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.forwarded_for {
            Some(ip) => request.header("x-forwarded-for", ip),
            None => request,
        }
    }

    /// A GET as the WebAssembly client makes it (JSON), from this browser's address.
    pub async fn fetch(&self, path_and_query: &str) -> reqwest::Response {
        self.with_address(
            self.client.get(format!("{}{path_and_query}", self.base)).header("accept", "application/json"),
        )
        .send()
        .await
        .expect("GET")
    }

    pub async fn get_page(&self, path: &str) -> reqwest::Response {
        self.with_address(self.client.get(format!("{}{path}", self.base)).header("accept", "text/html"))
            .send()
            .await
            .expect("GET page")
    }

    /// The CSRF token of this browser's session, read from a page's form, as a browser would.
    pub async fn csrf_token(&self) -> String {
        let page = self.get_page("/signin").await;
        let status = page.status();
        let html = page.text().await.expect("page");
        let marker = "name=\"_csrf_token\" value=\"";
        let start =
            html.find(marker).unwrap_or_else(|| panic!("no CSRF field on /signin ({status}):\n{html}")) + marker.len();
        html[start..start + html[start..].find('"').unwrap()].to_owned()
    }

    /// Calls a server function as the WebAssembly client does (with a fresh CSRF token).
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> reqwest::Response {
        let token = self.csrf_token().await;
        self.call_with_token(endpoint, form, &token).await
    }

    pub async fn call_with_token(&self, endpoint: &str, form: &[(&str, &str)], token: &str) -> reqwest::Response {
        let endpoint = format!("/rpc/{endpoint}");
        self.site_post(&endpoint, form, token, "application/json").send().await.expect("server function call")
    }

    /// A form post from this site to `path`: `form` with the CSRF token `token` in front, accepting `accept`.
    fn site_post(&self, path: &str, form: &[(&str, &str)], token: &str, accept: &str) -> reqwest::RequestBuilder {
        let mut fields = vec![("_csrf_token", token)];
        fields.extend_from_slice(form);
        self.with_address(
            self.client
                .post(format!("{}{path}", self.base))
                .header("accept", accept)
                .header("origin", &self.base)
                .form(&fields),
        )
    }

    pub async fn answer(&self, endpoint: &str, form: &[(&str, &str)]) -> Answer {
        let response = self.call(endpoint, form).await;
        let status = response.status().as_u16();
        let body = response.json().await.unwrap_or(Value::Null);
        Answer { status, body }
    }

    /// Posts a form as a browser without WebAssembly does, from the page at `from`.
    pub async fn post_form(&self, endpoint: &str, from: &str, form: &[(&str, &str)]) -> reqwest::Response {
        let token = self.csrf_token().await;
        self.site_post(&format!("/rpc/{endpoint}"), form, &token, BROWSER_ACCEPT)
            .header("referer", format!("{}{from}", self.base))
            .send()
            .await
            .expect("form post")
    }

    /// Posts a form to a plain route at `path` (not a server function), from this site, with a fresh CSRF
    /// token, accepting `accept` (`text/html` as a browser's own form post does, or JSON as a script).
    pub async fn post_to(&self, path: &str, form: &[(&str, &str)], accept: &str) -> reqwest::Response {
        let token = self.csrf_token().await;
        self.site_post(path, form, &token, accept).send().await.expect("form post")
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> Answer {
        self.answer("auth/sign-in", &[("email", email), ("password", password)]).await
    }

    /// The signed-in user's address, or `None`.
    pub async fn whoami(&self) -> Option<String> {
        let response = self
            .with_address(self.client.get(format!("{}/rpc/session/me", self.base)).header("accept", "application/json"))
            .send()
            .await
            .expect("GET me");
        let body: Value = response.json().await.unwrap_or(Value::Null);
        body.get("email").and_then(Value::as_str).map(str::to_owned)
    }
}

/// The `token` query parameter of the link to `path` in a mail body.
pub fn link_token(text: &str, path: &str) -> String {
    let marker = format!("{path}?token=");
    let start = text.find(&marker).unwrap_or_else(|| panic!("no {path} link in:\n{text}")) + marker.len();
    text[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
}

/// The six-digit code in a sign-in code mail (in whatever language it is written: the first run of
/// exactly six digits).
pub fn sign_in_code(text: &str) -> String {
    text.split(|c: char| !c.is_ascii_digit())
        .find(|run| run.len() == 6)
        .unwrap_or_else(|| panic!("a code in the mail:\n{text}"))
        .to_owned()
}

/// See [`TestApp::empty_installation`].
pub struct EmptyInstallation {
    pub data_dir: TempDir,
    pub control_url: String,
    postgres: Option<Arc<PostgresTestDatabase>>,
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
        // Every connection of the test (the server's, its tenants', the CLI's) commits without waiting for
        // the server's disk: what a test sees is the same (a commit is visible to every other session at
        // once), only a crash of the PostgreSQL server itself could lose the last commits, and no test
        // crashes it. The PostgreSQL run took 288 s instead of 328 s (the tests' summed time 824 s instead
        // of 939 s) on the project's 2-core machine.
        // Percent-encoded by hand: `query_pairs_mut` writes a space as `+`, which libpq (pg_dump, psql)
        // does not read as one.
        if url.query().is_none() {
            url.set_query(Some("options=-c%20synchronous_commit%3Doff"));
        }
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
