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
    ///
    /// Hops are read from the right; each trusted one vouches for the hop to its left. A hop that does
    /// not parse (not an address, `ip:port` or `[v6]:port`) ends the walk: the client is then the last
    /// address a trusted proxy reported, never something further left, which anyone can write (L10).
    pub fn client_of<'a>(&self, peer: IpAddr, forwarded_for: impl Iterator<Item = &'a str>) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let hops: Vec<&str> = forwarded_for.flat_map(|header| header.split(',')).collect();
        let mut client = peer;
        for hop in hops.into_iter().rev() {
            let Some(hop) = parse_hop(hop) else { break };
            client = hop;
            if !self.trusts(hop) {
                break;
            }
        }
        client
    }
}

/// One `X-Forwarded-For` hop: `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1`, `[2001:db8::1]` or
/// `[2001:db8::1]:443`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(socket) = hop.parse::<SocketAddr>() {
        return Some(socket.ip());
    }
    hop.strip_prefix('[')?.strip_suffix(']')?.parse::<std::net::Ipv6Addr>().ok().map(IpAddr::V6)
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

    #[test]
    fn hops_with_ports_and_brackets_are_read() {
        let p = proxies(&["10.0.0.0/8"]);
        for (hop, client) in [
            ("203.0.113.5:5678", "203.0.113.5"),
            ("[2001:db8::1]:443", "2001:db8::1"),
            ("[2001:db8::1]", "2001:db8::1"),
            (" 2001:db8::1 ", "2001:db8::1"),
        ] {
            let header = format!("198.51.100.1, {hop}");
            assert_eq!(p.client_of(ip("10.0.0.1"), [header.as_str()].into_iter()), ip(client), "{hop}");
        }
    }

    #[test]
    fn an_unreadable_hop_ends_the_walk_at_the_last_trusted_view() {
        let p = proxies(&["10.0.0.0/8"]);
        // The proxy at 10.0.0.2 appended something we cannot read: what it saw is unknown, so the client
        // is that proxy, not the attacker-written address to its left.
        let hops = ["198.51.100.1, 203.0.113.5:xyz, 10.0.0.2"];
        assert_eq!(p.client_of(ip("10.0.0.1"), hops.into_iter()), ip("10.0.0.2"));
        assert_eq!(p.client_of(ip("10.0.0.1"), ["198.51.100.1, unknown"].into_iter()), ip("10.0.0.1"));
        assert_eq!(p.client_of(ip("10.0.0.1"), ["198.51.100.1,"].into_iter()), ip("10.0.0.1"), "an empty hop");
    }
}
