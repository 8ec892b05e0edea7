//! The guard on where notifications may be sent: a webhook or ntfy URL must be http(s),
//! and every address its host resolves to must be public, unless an admin allow-listed
//! it (`alerts.allow_targets`). The request then connects to the very address that was
//! checked (no second lookup a DNS rebinding could answer differently), and follows no
//! redirect.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::Url;

use crate::net::{contains, parse_net};

/// Why a target was refused, in words a person can act on.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Refused {
    #[error("{0} is not a URL: {1}")]
    NotUrl(String, String),
    #[error("only http and https targets are allowed, not {0}")]
    Scheme(String),
    #[error("the URL has no host")]
    NoHost,
    #[error(
        "the URL carries a user name or password; put secrets in the channel's token or secret"
    )]
    Credentials,
    #[error(
        "{host} resolves to {ip}, a {why} address: notifications go only to public addresses unless an admin allow-lists it (alerts.allow_targets)"
    )]
    Forbidden { host: String, ip: IpAddr, why: &'static str },
    #[error("{0} does not resolve: {1}")]
    Unresolved(String, String),
}

/// Networks no notification may reach, with what each is.
const V4: &[(&str, &str)] = &[
    ("0.0.0.0/8", "\"this network\""),
    ("10.0.0.0/8", "private"),
    ("100.64.0.0/10", "carrier-grade NAT"),
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link-local (cloud metadata)"),
    ("172.16.0.0/12", "private"),
    ("192.0.0.0/24", "IETF protocol"),
    ("192.0.2.0/24", "documentation"),
    ("192.168.0.0/16", "private"),
    ("198.18.0.0/15", "benchmarking"),
    ("198.51.100.0/24", "documentation"),
    ("203.0.113.0/24", "documentation"),
    ("224.0.0.0/4", "multicast"),
    ("240.0.0.0/4", "reserved"),
];

const V6: &[(&str, &str)] = &[
    ("::/128", "unspecified"),
    ("::1/128", "loopback"),
    ("fc00::/7", "private (unique local)"),
    ("fe80::/10", "link-local"),
    ("fec0::/10", "site-local"),
    ("ff00::/8", "multicast"),
    ("2001:db8::/32", "documentation"),
    ("100::/64", "discard"),
];

/// Why `ip` is not public, if it is not. IPv4 written inside IPv6 (mapped, NAT64,
/// compatible) is judged as the IPv4 address it carries.
pub fn forbidden(ip: IpAddr) -> Option<&'static str> {
    let ip = match ip {
        IpAddr::V6(v6) => embedded_v4(v6).map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    };
    let table = if ip.is_ipv4() { V4 } else { V6 };
    table.iter().find(|(net, _)| parse_net(net).is_some_and(|n| contains(n, ip))).map(|(_, w)| *w)
}

fn embedded_v4(v6: Ipv6Addr) -> Option<Ipv4Addr> {
    if let Some(v4) = v6.to_ipv4_mapped() {
        return Some(v4);
    }
    let s = v6.segments();
    let tail = || Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    // NAT64 (64:ff9b::/96) and the deprecated IPv4-compatible form (::a.b.c.d).
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] || (s[..6] == [0; 6] && (s[6] != 0 || s[7] > 1)) {
        return Some(tail());
    }
    None
}

/// The parts of a target URL the guard checks: scheme, no credentials, a host.
pub fn parse(url: &str) -> Result<Url, Refused> {
    let u = Url::parse(url.trim()).map_err(|e| Refused::NotUrl(url.to_string(), e.to_string()))?;
    if !matches!(u.scheme(), "http" | "https") {
        return Err(Refused::Scheme(u.scheme().to_string()));
    }
    if !u.username().is_empty() || u.password().is_some() {
        return Err(Refused::Credentials);
    }
    if u.host_str().is_none_or(str::is_empty) {
        return Err(Refused::NoHost);
    }
    Ok(u)
}

/// The allow-list an admin configured (entries checked by config validation).
#[derive(Clone, Debug, Default)]
pub struct Allowed(Vec<(IpAddr, u8)>);

impl Allowed {
    pub fn new(entries: &[String]) -> Allowed {
        Allowed(entries.iter().filter_map(|e| parse_net(e)).collect())
    }

    fn has(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|n| contains(*n, ip))
    }

    /// `ip` may be connected to: public, or allow-listed.
    pub fn check(&self, host: &str, ip: IpAddr) -> Result<(), Refused> {
        match forbidden(ip) {
            Some(why) if !self.has(ip) => {
                Err(Refused::Forbidden { host: host.to_string(), ip, why })
            }
            _ => Ok(()),
        }
    }

    /// Resolves the URL's host and checks every address it has (one forbidden address
    /// refuses the URL: a name that sometimes answers 127.0.0.1 is not a public target).
    /// Returns the address to connect to.
    pub async fn resolve(&self, url: &Url) -> Result<SocketAddr, Refused> {
        let host = url.host_str().ok_or(Refused::NoHost)?.to_string();
        let port = url.port_or_known_default().unwrap_or(443);
        // An IP literal (in any form the URL parser accepts: 0x7f.1, 2130706433, [::1]).
        let literal = match url.host() {
            Some(url::Host::Ipv4(v4)) => Some(IpAddr::V4(v4)),
            Some(url::Host::Ipv6(v6)) => Some(IpAddr::V6(v6)),
            _ => None,
        };
        if let Some(ip) = literal {
            self.check(&host, ip)?;
            return Ok(SocketAddr::new(ip, port));
        }
        // `localhost` and its subdomains are loopback by definition (RFC 6761), whatever
        // the resolver says; a trailing dot (`localhost.`) names the same host.
        let name = host.trim_end_matches('.').to_ascii_lowercase();
        if name == "localhost" || name.ends_with(".localhost") {
            let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
            self.check(&host, ip)?;
        }
        let addrs: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), port))
            .await
            .map_err(|e| Refused::Unresolved(host.clone(), e.to_string()))?
            .collect();
        let first =
            *addrs.first().ok_or_else(|| Refused::Unresolved(host.clone(), "no address".into()))?;
        for a in &addrs {
            self.check(&host, a.ip())?;
        }
        Ok(first)
    }

    /// A client that connects `url`'s host only to `addr` (checked), follows no
    /// redirect, and gives up after `timeout`.
    pub fn client(
        &self,
        url: &Url,
        addr: SocketAddr,
        timeout: std::time::Duration,
    ) -> Result<reqwest::Client, reqwest::Error> {
        let mut b = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .no_proxy();
        if let Some(url::Host::Domain(d)) = url.host() {
            b = b.resolve(d, addr);
        }
        b.build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_addresses_in_many_spellings() {
        let none = Allowed::default();
        let refused = |u: &str| -> bool {
            match parse(u) {
                Err(_) => true,
                Ok(url) => match url.host() {
                    Some(url::Host::Ipv4(v4)) => none.check("h", IpAddr::V4(v4)).is_err(),
                    Some(url::Host::Ipv6(v6)) => none.check("h", IpAddr::V6(v6)).is_err(),
                    _ => false,
                },
            }
        };
        for u in [
            "http://127.0.0.1/",
            "http://127.1/",
            "http://2130706433/",
            "http://0x7f000001/",
            "http://0x7f.0x0.0x0.0x1/",
            "http://0177.0.0.1/",
            "http://017700000001/",
            "http://[::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::ffff:7f00:1]/",
            "http://[64:ff9b::7f00:1]/",
            "http://[::127.0.0.1]/",
            "http://0.0.0.0/",
            "http://10.1.2.3/",
            "http://172.16.0.1/",
            "http://192.168.1.1/",
            "http://169.254.169.254/latest/meta-data/",
            "http://[fd00:ec2::254]/",
            "http://[fe80::1]/",
            "http://100.64.0.1/",
            "http://[::ffff:169.254.169.254]/",
            "http://[::ffff:a9fe:a9fe]/",
            "ftp://example.com/",
            "file:///etc/passwd",
            "http://user:pw@example.com/",
            "gopher://127.0.0.1/",
        ] {
            assert!(refused(u), "{u} passed the guard");
        }
        for u in ["https://ntfy.sh/topic", "http://93.184.215.14/", "http://[2606:4700::1111]/"] {
            assert!(!refused(u), "{u} was refused");
        }
        let allowed = Allowed::new(&["127.0.0.1".into()]);
        assert!(
            allowed
                .check("h", "127.0.0.1".parse().unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)))
                .is_ok()
        );
        assert!(allowed.check("h", IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2))).is_err());
    }
}
