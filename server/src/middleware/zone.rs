//! The time zone of each page (UX3), decided here once so that the server and the browser draw every
//! time alike: the signed-in user's saved zone (kept in the session), else, on a workspace's pages
//! (`/w/<address>/…`), that workspace's zone if they are a member of it, else UTC. It goes to the app as a
//! request extension ([`RequestZone`]) with the zone's offsets (`domain::zones`). Server functions
//! answer in UTC and are not looked at; neither are the built assets.

use app::context::session_keys;
use app::zone::{RequestZone, ViewerZone};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use domain::Platform;
use domain::ids::AuthSessionId;
use domain::zones::Zone;
use std::sync::Arc;
use tower_sessions::Session;

pub async fn zone(State(platform): State<Arc<Platform>>, mut request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path.starts_with("/rpc/") || path.starts_with("/pkg/") {
        return next.run(request).await;
    }
    let workspace = path.strip_prefix("/w/").map(|rest| rest.split('/').next().unwrap_or_default().to_owned());
    let zone = match request.extensions().get::<Session>() {
        Some(session) => chosen(&platform, session, workspace.as_deref()).await,
        None => Zone::UTC,
    };
    let offsets = zone.offsets();
    request
        .extensions_mut()
        .insert(RequestZone(ViewerZone { name: offsets.name.to_owned(), changes: offsets.changes.clone() }));
    next.run(request).await
}

/// The user's own zone, else the workspace's for its members. A store or database that cannot be read
/// only loses the preference (UTC is shown, with its offset, so no time is wrong).
async fn chosen(platform: &Platform, session: &Session, workspace: Option<&str>) -> Zone {
    let own = session.get::<String>(session_keys::TIME_ZONE).await.ok().flatten();
    if let Some(zone) = own.as_deref().and_then(Zone::parse) {
        return zone;
    }
    let (Some(slug), Ok(Some(auth))) = (workspace, session.get::<AuthSessionId>(session_keys::AUTH).await) else {
        return Zone::UTC;
    };
    match platform.workspaces().member_time_zone(auth, slug).await {
        Ok(zone) => zone.unwrap_or_default(),
        Err(error) => {
            tracing::warn!(%error, "the workspace's time zone could not be read");
            Zone::UTC
        }
    }
}
