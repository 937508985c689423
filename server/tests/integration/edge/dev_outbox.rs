//! The dev outbox (every reset link and code, no sign-in) answers only this machine, asked by a loopback
//! name: not another host on the network, and not a web page that rebinds its own name to 127.0.0.1.

use crate::harness::TestApp;

async fn outbox(app: &TestApp, host: Option<&str>, forwarded_for: Option<&str>) -> u16 {
    let mut request = app.client.get(app.url("/dev/outbox.json"));
    if let Some(host) = host {
        request = request.header("host", host);
    }
    if let Some(ip) = forwarded_for {
        request = request.header("x-forwarded-for", ip);
    }
    request.send().await.expect("GET outbox").status().as_u16()
}

#[tokio::test]
async fn the_outbox_answers_only_loopback_clients_by_a_loopback_name() {
    let app = TestApp::spawn_with(|raw| raw.trusted_proxies = vec!["127.0.0.1".into()]).await;
    let port = app.base.rsplit(':').next().unwrap().to_owned();
    assert_eq!(outbox(&app, None, None).await, 200, "the developer's own browser");
    assert_eq!(outbox(&app, Some(&format!("localhost:{port}")), None).await, 200);
    assert_eq!(outbox(&app, Some(&format!("evil.example:{port}")), None).await, 404, "a rebinding page");
    assert_eq!(outbox(&app, Some(&format!("127.0.0.1.evil.example:{port}")), None).await, 404);
    assert_eq!(outbox(&app, None, Some("203.0.113.7")).await, 404, "another machine, through a proxy");
    let page = app.client.get(app.url("/dev/outbox")).header("host", "evil.example").send().await.unwrap();
    assert_eq!(page.status(), 404, "the HTML outbox too");
}
