//! Configuration tests: defaults, layering, every check of `validate`, and what `check-config` shows.

use super::*;
use domain::session_store::SessionStorage;

fn dev_in(dir: &Path) -> RawConfig {
    RawConfig { data_dir: dir.to_owned(), ..RawConfig::default() }
}

#[test]
fn dev_mode_generates_a_private_master_key_once() {
    let dir = tempfile::tempdir().unwrap();
    let first = dev_in(dir.path()).validate().unwrap();
    let key_path = dir.path().join(DEV_MASTER_KEY_FILE);
    assert_eq!(first.master_key_origin, MasterKeyOrigin::Generated(key_path.clone()));
    let second = dev_in(dir.path()).validate().unwrap();
    assert_eq!(second.master_key_origin, MasterKeyOrigin::File(key_path));
}

#[test]
fn production_mode_without_a_master_key_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let raw = RawConfig {
        mode: Mode::Production,
        public_url: Some("https://strongroom.example".into()),
        smtp_url: Some(SecretString::from("smtps://mail.example:465")),
        ..dev_in(dir.path())
    };
    let error = raw.validate().unwrap_err().to_string();
    assert!(error.contains("production mode needs one"), "{error}");
    assert!(!dir.path().join(DEV_MASTER_KEY_FILE).exists(), "production must not generate a key");
}

#[test]
fn sqlite_is_the_default_and_postgres_places_tenants_on_its_server() {
    let dir = tempfile::tempdir().unwrap();
    let settings = dev_in(dir.path()).validate().unwrap();
    assert!(settings.platform.control_database_url.starts_with("sqlite://"));
    assert!(
        matches!(settings.platform.tenant_placement, PlacementSettings::SqliteDirectory(ref p) if p.ends_with("tenants"))
    );
    assert_eq!(settings.log_format, LogFormat::Text);

    let pg = RawConfig { database_url: Some("postgres://u@h/strongroom".into()), ..dev_in(dir.path()) };
    let settings = pg.validate().unwrap();
    assert!(
        matches!(settings.platform.tenant_placement, PlacementSettings::PostgresServer { ref url } if url == "postgres://u@h/strongroom")
    );
}

#[test]
fn production_mode_needs_https_and_smtp() {
    let dir = tempfile::tempdir().unwrap();
    let key = Some(SecretString::from("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="));
    let raw = RawConfig {
        mode: Mode::Production,
        master_key: key.clone(),
        public_url: Some("http://strongroom.example".into()),
        ..dev_in(dir.path())
    };
    let ConfigError(problems) = raw.validate().unwrap_err();
    assert!(problems.iter().any(|p| p.contains("must be https")), "{problems:?}");
    assert!(problems.iter().any(|p| p.starts_with("smtp_url")), "{problems:?}");
    let plain = RawConfig {
        mode: Mode::Production,
        master_key: key,
        public_url: Some("https://strongroom.example".into()),
        smtp_url: Some(SecretString::from("smtp://mail.example:25")),
        ..dev_in(dir.path())
    };
    assert!(plain.validate().unwrap_err().to_string().contains("needs TLS"));
}

#[test]
fn trusted_proxies_take_addresses_and_blocks() {
    let dir = tempfile::tempdir().unwrap();
    let raw = RawConfig { trusted_proxies: vec!["10.0.0.0/8".into(), "127.0.0.1".into()], ..dev_in(dir.path()) };
    let settings = raw.validate().unwrap();
    assert_eq!(settings.trusted_proxies.len(), 2);
    assert!(settings.trusted_proxies[1].contains(&"127.0.0.1".parse::<std::net::IpAddr>().unwrap()));
    let bad = RawConfig { trusted_proxies: vec!["proxy.example".into()], ..dev_in(dir.path()) };
    assert!(bad.validate().unwrap_err().to_string().contains("proxy.example"));
}

#[test]
fn redis_holds_sessions_only_when_given_a_plain_redis_url() {
    let dir = tempfile::tempdir().unwrap();
    let settings = dev_in(dir.path()).validate().unwrap();
    assert!(matches!(settings.platform.sessions, SessionStorage::ControlDatabase));

    let with = |url: &str| RawConfig { redis_url: Some(SecretString::from(url)), ..dev_in(dir.path()) };
    let settings = with("redis://:hunter2@cache.internal:6380/2").validate().unwrap();
    assert!(matches!(
        settings.platform.sessions,
        SessionStorage::Redis { ref key_prefix, .. } if key_prefix == "strongroom:session:"
    ));
    for (url, expected) in [
        ("rediss://:hunter2@cache.internal", "not supported yet"),
        ("cache.internal:6379", "must look like redis://"),
        ("http://:hunter2@cache.internal", "must look like redis://"),
    ] {
        let error = with(url).validate().unwrap_err().to_string();
        assert!(error.contains(expected), "{url}: {error}");
        assert!(!error.contains("hunter2"), "the password must not be echoed: {error}");
    }
    let spaced = RawConfig { redis_key_prefix: "my sessions:".into(), ..with("redis://cache.internal") };
    assert!(spaced.validate().unwrap_err().to_string().contains("redis_key_prefix"));
}

#[test]
fn every_problem_is_reported_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let raw = RawConfig {
        database_url: Some("mysql://h/db".into()),
        tenant_database_url: Some("sqlite://x.db".into()),
        tenant_pool_capacity: 0,
        max_body_bytes: 10,
        ..dev_in(dir.path())
    };
    let ConfigError(problems) = raw.validate().unwrap_err();
    assert_eq!(problems.len(), 4, "{problems:?}");
    assert!(problems[0].contains("mysql"));
}

#[test]
#[allow(clippy::result_large_err)] // figment's Jail API returns its own large error type
fn environment_overrides_file_and_unknown_keys_are_refused() {
    figment::Jail::expect_with(|jail| {
        jail.create_file("strongroom.toml", "addr = \"127.0.0.1:4000\"\nmax_body_bytes = 2048\n")?;
        jail.set_env("STRONGROOM_MAX_BODY_BYTES", "4096");
        let raw = RawConfig::load(None).map_err(|e| e.to_string())?;
        assert_eq!(raw.addr.port(), 4000);
        assert_eq!(raw.max_body_bytes, 4096);
        jail.create_file("typo.toml", "adr = \"127.0.0.1:4000\"\n")?;
        let error = RawConfig::load(Some(Path::new("typo.toml"))).unwrap_err().to_string();
        assert!(error.contains("adr"), "{error}");
        Ok(())
    });
}

#[test]
fn secrets_are_not_printed() {
    let raw = RawConfig {
        master_key: Some(SecretString::from("c2VjcmV0")),
        redis_url: Some(SecretString::from("redis://:hunter2@cache.internal")),
        ..RawConfig::default()
    };
    let shown = serde_json::to_string(&raw).unwrap();
    assert!(!shown.contains("c2VjcmV0") && !shown.contains("hunter2") && shown.contains("<redacted>"), "{shown}");
}

fn production_in(dir: &Path) -> RawConfig {
    RawConfig {
        mode: Mode::Production,
        master_key: Some(SecretString::from("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")),
        public_url: Some("https://strongroom.example".into()),
        smtp_url: Some(SecretString::from("smtps://mail.example:465")),
        ..dev_in(dir)
    }
}

/// Proves: ID5
#[test]
fn production_needs_its_proxies_named_or_direct_exposure_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let ConfigError(problems) = production_in(dir.path()).validate().unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].starts_with("trusted_proxies:") && problems[0].contains("direct_exposure"), "{problems:?}");

    let behind = RawConfig { trusted_proxies: vec!["10.0.0.0/8".into()], ..production_in(dir.path()) };
    assert!(behind.validate().is_ok());
    let direct = RawConfig { direct_exposure: true, ..production_in(dir.path()) };
    assert!(direct.validate().is_ok());
    let both =
        RawConfig { direct_exposure: true, trusted_proxies: vec!["10.0.0.1".into()], ..production_in(dir.path()) };
    assert!(both.validate().unwrap_err().to_string().contains("keep one"));
}

#[test]
fn dev_mode_listens_on_loopback_unless_told_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    let anywhere = RawConfig { addr: "0.0.0.0:3000".parse().unwrap(), ..dev_in(dir.path()) };
    let error = anywhere.clone().validate().unwrap_err().to_string();
    assert!(error.contains("addr: dev mode listens on loopback only") && error.contains("dev_allow_remote"), "{error}");
    assert!(RawConfig { dev_allow_remote: true, ..anywhere }.validate().is_ok());
    assert!(RawConfig { addr: "[::1]:3000".parse().unwrap(), ..dev_in(dir.path()) }.validate().is_ok());
}

#[test]
fn database_passwords_are_not_shown() {
    let raw = RawConfig {
        database_url: Some("postgres://sr:hunter2@db/strongroom".into()),
        tenant_database_url: Some("postgres://tenants:hunter3@db2/postgres".into()),
        smtp_url: Some(SecretString::from("smtps://mail:hunter4@mail.example")),
        ..RawConfig::default()
    };
    let shown = raw.shown();
    for secret in ["hunter2", "hunter3", "hunter4"] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    assert!(shown.contains("postgres://sr:redacted@db/strongroom"), "{shown}");
}

#[test]
fn attachment_limits_and_link_lifetime_are_checked_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let settings = dev_in(dir.path()).validate().unwrap();
    let attachments = &settings.platform.attachments;
    assert_eq!(attachments.dir, dir.path().join("attachments"));
    assert_eq!((attachments.max_file_bytes, attachments.workspace_quota_bytes), (10 << 20, 1 << 30));
    assert_eq!(settings.platform.links.lifetime, chrono::Duration::days(30));
    let refused = |raw: RawConfig| raw.validate().unwrap_err().to_string();
    let error = refused(RawConfig { attachment_max_file_bytes: 200 << 20, ..dev_in(dir.path()) });
    assert!(error.contains("attachment_max_file_bytes"), "{error}");
    let error = refused(RawConfig { attachment_quota_bytes: 1024, ..dev_in(dir.path()) });
    assert!(error.contains("attachment_quota_bytes"), "{error}");
    let error = refused(RawConfig { order_link_days: 0, ..dev_in(dir.path()) });
    assert!(error.contains("order_link_days"), "{error}");
    let served = RawConfig { site_root: dir.path().to_owned(), ..dev_in(dir.path()) };
    assert!(refused(served).contains("inside site_root"), "attachments must not be served");
}

#[test]
fn the_tenant_connection_total_follows_the_backend_and_holds_at_least_one_pool() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = dev_in(dir.path()).validate().unwrap();
    assert_eq!(sqlite.platform.tenant_connections.total, 192);
    let postgres = RawConfig { database_url: Some("postgres://u@h/db".into()), ..dev_in(dir.path()) };
    assert_eq!(postgres.validate().unwrap().platform.tenant_connections.total, 32);
    let chosen = RawConfig { tenant_connections_total: Some(40), ..dev_in(dir.path()) };
    assert_eq!(chosen.validate().unwrap().platform.tenant_connections.total, 40);
    let too_few = RawConfig { tenant_connections_total: Some(3), ..dev_in(dir.path()) };
    assert!(too_few.validate().unwrap_err().to_string().contains("tenant_connections_total"));
}

#[test]
/// Proves: UX4
fn a_dkim_key_is_read_and_checked_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("dkim.key");
    // RFC 8463's example Ed25519 private key.
    std::fs::write(&key_file, "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=\n").unwrap();
    let with = |dkim: dkim::RawDkim| RawConfig {
        mail_from: "Strongroom <no-reply@mail.example.com>".into(),
        smtp_url: Some(SecretString::from("smtp://127.0.0.1:2525")),
        dkim,
        ..dev_in(dir.path())
    };
    let good = dkim::RawDkim {
        domain: Some("example.com".into()),
        selector: Some("s2026".into()),
        algorithm: None,
        key_file: Some(key_file.clone()),
    };
    let settings = with(good.clone()).validate().unwrap();
    let signing = settings.platform.mail.dkim.expect("DKIM configured");
    assert_eq!((signing.domain.as_str(), signing.selector.as_str()), ("example.com", "s2026"));
    assert!(with(dkim::RawDkim::default()).validate().unwrap().platform.mail.dkim.is_none());

    let refused = |dkim: dkim::RawDkim| with(dkim).validate().unwrap_err().to_string();
    let partial = refused(dkim::RawDkim { key_file: None, ..good.clone() });
    assert!(partial.contains("together"), "{partial}");
    let other_domain = refused(dkim::RawDkim { domain: Some("example.org".into()), ..good.clone() });
    assert!(other_domain.contains("neither the sender's domain"), "{other_domain}");
    let missing = refused(dkim::RawDkim { key_file: Some(dir.path().join("nowhere.key")), ..good.clone() });
    assert!(missing.contains("dkim.key_file"), "{missing}");
    let as_rsa = refused(dkim::RawDkim { algorithm: Some("rsa".into()), ..good.clone() });
    assert!(as_rsa.contains("PKCS#1"), "{as_rsa}");
    let unknown = refused(dkim::RawDkim { algorithm: Some("dsa".into()), ..good.clone() });
    assert!(unknown.contains("`ed25519` or `rsa`"), "{unknown}");
    let outbox = RawConfig { smtp_url: None, ..with(good) }.validate().unwrap_err().to_string();
    assert!(outbox.contains("set smtp_url"), "{outbox}");
}
