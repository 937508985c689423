//! TN1: each workspace's data lives in a database of its own; creation is all-or-nothing.

use crate::harness::{Browser, TestApp};
use domain::ids::TenantId;
use model::WorkspaceSlug;
use sea_orm::{ConnectionTrait as _, Statement};

/// Creates a workspace owned by the browser's signed-in user.
async fn create(owner: &Browser, name: &str) -> String {
    let response = owner.call("workspaces/create", &[("name", name)]).await;
    assert_eq!(response.status(), 200, "creating {name}");
    response.json::<serde_json::Value>().await.unwrap()["slug"].as_str().unwrap().to_owned()
}

async fn tenant_id(app: &TestApp, slug: &str) -> TenantId {
    app.platform.tenancy().find_by_slug(&WorkspaceSlug::parse(slug).unwrap()).await.unwrap().id
}

/// Every (tenant id, name) row of the workspace_profile table in `tenant`'s database.
async fn profile_rows(app: &TestApp, tenant: TenantId) -> Vec<(String, String)> {
    let db = app.platform.tenancy().tenant_db(tenant).await.unwrap();
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT tenant_id, name FROM workspace_profile",
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|row| (row.try_get::<uuid::Uuid>("", "tenant_id").unwrap().to_string(), row.try_get("", "name").unwrap()))
        .collect()
}

#[tokio::test]
/// Proves: TN1
async fn two_workspaces_keep_their_data_in_different_databases() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let acme = tenant_id(&app, &create(&owner, "Acme Corp").await).await;
    let globex = tenant_id(&app, &create(&owner, "Globex").await).await;

    // Each database holds its own workspace's row and nothing of the other's.
    assert_eq!(profile_rows(&app, acme).await, vec![(acme.to_string(), "Acme Corp".to_owned())]);
    assert_eq!(profile_rows(&app, globex).await, vec![(globex.to_string(), "Globex".to_owned())]);

    // They are two databases (two SQLite files, or two PostgreSQL databases), named after the tenant ids.
    let placement = app.platform.tenancy().placement();
    let mut databases = placement.list_databases().await.unwrap();
    databases.sort();
    let mut expected = vec![placement.database_name(acme), placement.database_name(globex)];
    expected.sort();
    assert_eq!(databases, expected);
    assert_ne!(expected[0], expected[1]);
    if !app.on_postgres() {
        for name in &expected {
            assert!(app.data_dir.path().join("tenants").join(name).is_file(), "{name} is a file of its own");
        }
    }

    // And the control plane holds no business data at all.
    let control = app.control_db().await;
    let probe = control
        .query_all_raw(Statement::from_string(control.get_database_backend(), "SELECT name FROM workspace_profile"))
        .await;
    assert!(probe.is_err(), "the control plane must not have a workspace_profile table");
}

#[tokio::test]
async fn taken_addresses_get_a_random_suffix_even_under_concurrency() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    assert_eq!(create(&owner, "Initech").await, "initech");
    let second = create(&owner, "initech").await;
    let suffix = second.strip_prefix("initech-").unwrap();
    assert!(suffix.len() == 6 && suffix.bytes().all(|b| b.is_ascii_hexdigit()), "a random suffix: {second}");
    let racing = (0..6).map(|_| create(&owner, "Initech"));
    let mut slugs = futures_util::future::join_all(racing).await;
    slugs.sort();
    slugs.dedup();
    assert_eq!(slugs.len(), 6, "every concurrent creation got an address of its own: {slugs:?}");
    assert!(slugs.iter().all(|s| s.starts_with("initech-")), "{slugs:?}");
    assert_eq!(app.platform.tenancy().list().await.unwrap().len(), 8);
}

#[tokio::test]
/// Proves: TN1, WEB1
async fn a_workspace_whose_database_cannot_be_created_leaves_nothing_behind() {
    let app = TestApp::spawn().await;
    // SQLite only (breaking the shared PostgreSQL server would break the other tests): `cargo xtask test`
    // leaves it out of the PostgreSQL run, where nextest counts it as skipped.
    assert!(!app.on_postgres(), "this test runs on SQLite only");
    let owner = app.user("owner@example.com").await;
    let tenants = app.data_dir.path().join("tenants");
    std::fs::remove_dir_all(&tenants).unwrap();
    std::fs::write(&tenants, b"not a directory").unwrap();

    let response = owner.call("workspaces/create", &[("name", "Doomed Ltd")]).await;
    assert_eq!(response.status(), 500);
    let request_id = response.headers()["x-request-id"].to_str().unwrap().to_owned();
    let body = response.text().await.unwrap();
    assert_eq!(body, format!(r#"{{"Internal":{{"reference":"{request_id}"}}}}"#), "only a reference, no detail");

    assert!(app.platform.tenancy().list().await.unwrap().is_empty());
    let control = app.control_db().await;
    let rows = control
        .query_all_raw(Statement::from_string(control.get_database_backend(), "SELECT id FROM tenants"))
        .await
        .unwrap();
    assert!(rows.is_empty(), "the registry row was removed");
    for table in ["memberships", "workspace_policies"] {
        let rows = control
            .query_all_raw(Statement::from_string(
                control.get_database_backend(),
                format!("SELECT tenant_id FROM {table}"),
            ))
            .await
            .unwrap();
        assert!(rows.is_empty(), "nothing left in {table}");
    }
}

#[tokio::test]
async fn the_server_closes_its_data_directory_to_other_users_at_start() {
    use std::os::unix::fs::PermissionsExt as _;
    let place = TestApp::empty_installation().await;
    let dir = place.data_dir.path().to_owned();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let _app = TestApp::spawn_in(place, |_| {}).await;
    let mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700, "databases, attachments and keys are for the server's user only: {mode:o}");
}
