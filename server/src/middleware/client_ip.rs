//! The client's address (ID5: "client IPs come from proxy headers only when the proxy is configured as
//! trusted"). Without trusted proxies, the TCP peer is the client. With them, `X-Forwarded-For` is read
//! from the right, skipping trusted proxies; the first untrusted address is the client.

use app::context::ClientIp;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

#[derive(Clone, Default)]
pub struct TrustedProxies(pub Arc<Vec<IpNet>>);

impl TrustedProxies {
    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client address of a request from `peer` carrying these `X-Forwarded-For` values.
    pub fn client_of<'a>(&self, peer: IpAddr, forwarded_for: impl Iterator<Item = &'a str>) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let hops: Vec<IpAddr> =
            forwarded_for.flat_map(|header| header.split(',')).filter_map(|hop| hop.trim().parse().ok()).collect();
        let mut client = peer;
        for hop in hops.into_iter().rev() {
            client = hop;
            if !self.trusts(hop) {
                break;
            }
        }
        client
    }
}

pub async fn client_ip(State(proxies): State<TrustedProxies>, mut request: Request, next: Next) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
        .unwrap_or(IpAddr::from([127, 0, 0, 1]));
    let forwarded = request.headers().get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok());
    let client = proxies.client_of(peer, forwarded);
    request.extensions_mut().insert(ClientIp(client));
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proxies(nets: &[&str]) -> TrustedProxies {
        TrustedProxies(Arc::new(nets.iter().map(|n| n.parse().unwrap()).collect()))
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    /// Proves: ID5
    fn untrusted_peers_cannot_claim_another_address() {
        let none = proxies(&[]);
        assert_eq!(none.client_of(ip("203.0.113.9"), ["198.51.100.1"].into_iter()), ip("203.0.113.9"));
    }

    #[test]
    /// Proves: ID5
    fn the_first_untrusted_hop_from_the_right_is_the_client() {
        let p = proxies(&["10.0.0.0/8"]);
        let hops = ["198.51.100.1, 203.0.113.5, 10.0.0.2"];
        assert_eq!(
            p.client_of(ip("10.0.0.1"), hops.into_iter()),
            ip("203.0.113.5"),
            "a forged left-most hop is ignored"
        );
        assert_eq!(p.client_of(ip("10.0.0.1"), ["garbage"].into_iter()), ip("10.0.0.1"));
    }
}
