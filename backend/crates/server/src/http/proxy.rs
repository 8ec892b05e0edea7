//! Client addresses behind a reverse proxy. `X-Forwarded-For` is believed only when the
//! connection comes from a configured trusted proxy; then the client is the right-most
//! address in the header that is not itself a trusted proxy (the left part of the header
//! is whatever the client chose to send, so it cannot be trusted).

use std::net::IpAddr;

#[derive(Clone, Debug, Default)]
pub struct TrustedProxies {
    nets: Vec<(IpAddr, u8)>,
}

use crate::net::contains;
pub use crate::net::parse_net;

impl TrustedProxies {
    /// Entries were checked by config validation; anything unparsable is skipped.
    pub fn new(entries: &[String]) -> TrustedProxies {
        TrustedProxies { nets: entries.iter().filter_map(|e| parse_net(e)).collect() }
    }

    pub fn trusts(&self, ip: IpAddr) -> bool {
        self.nets.iter().any(|n| contains(*n, ip))
    }

    /// The client's address for a connection from `peer` carrying `forwarded_for`.
    pub fn client_ip(&self, peer: IpAddr, forwarded_for: Option<&str>) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let Some(header) = forwarded_for else { return peer };
        let hops: Vec<IpAddr> = header.split(',').filter_map(|h| h.trim().parse().ok()).collect();
        hops.iter().rev().find(|ip| !self.trusts(**ip)).or(hops.first()).copied().unwrap_or(peer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_for_only_from_trusted_proxies() {
        let t = TrustedProxies::new(&["10.0.0.0/8".into(), "::1".into()]);
        // Untrusted peer: the header is ignored, whatever it says.
        assert_eq!(t.client_ip(ip("203.0.113.5"), Some("1.2.3.4")), ip("203.0.113.5"));
        // Trusted peer: the right-most untrusted hop is the client; a spoofed left part is ignored.
        assert_eq!(
            t.client_ip(ip("10.1.2.3"), Some("6.6.6.6, 198.51.100.7, 10.9.9.9")),
            ip("198.51.100.7")
        );
        assert_eq!(t.client_ip(ip("::1"), Some("198.51.100.8")), ip("198.51.100.8"));
        assert_eq!(t.client_ip(ip("10.1.2.3"), None), ip("10.1.2.3"));
        assert_eq!(t.client_ip(ip("10.1.2.3"), Some("garbage")), ip("10.1.2.3"));
        assert!(t.trusts(ip("::ffff:10.0.0.1")), "IPv4-mapped addresses match IPv4 networks");
        assert!(parse_net("10.0.0.0/33").is_none() && parse_net("nope").is_none());
    }
}
