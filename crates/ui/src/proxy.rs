//! The client's address when reverse proxies stand in front of `serve`: sign-in throttling
//! counts failures per address, and behind a proxy every TCP peer is the proxy. `serve
//! --trusted-proxy CIDR` names the proxies whose `X-Forwarded-For` is believed; the client is
//! the right-most address in that header that is not itself a trusted proxy. A request from
//! any other peer is taken at its TCP address, whatever it claims, so a client cannot pick an
//! address to dodge the limit.

use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

use axum::extract::ConnectInfo;
use axum::http::request::Parts;

/// A network in CIDR notation (`10.0.0.0/8`, `2001:db8::/32`), or one address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

impl FromStr for Cidr {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let bad = || format!("{text:?} is not an address or network (as 10.0.0.0/8 or ::1/128)");
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let addr = IpAddr::from_str(addr).map_err(|_| bad())?.to_canonical();
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(bad)?,
            None => max,
        };
        Ok(Cidr { addr, prefix })
    }
}

impl Cidr {
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// The proxies whose `X-Forwarded-For` is believed; none by default. `serve` puts it into
/// every request's extensions.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<Cidr>);

impl TrustedProxies {
    pub fn new(networks: Vec<Cidr>) -> Self {
        Self(networks)
    }

    /// Parses each of `networks`; the first that does not parse is the error.
    pub fn parse<S: AsRef<str>>(networks: &[S]) -> Result<Self, String> {
        networks
            .iter()
            .map(|n| n.as_ref().parse())
            .collect::<Result<Vec<Cidr>, _>>()
            .map(Self)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|c| c.contains(ip))
    }

    /// The client behind `peer`, given the `X-Forwarded-For` values in order of arrival.
    pub fn client(&self, peer: IpAddr, forwarded_for: &[&str]) -> IpAddr {
        let mut client = peer.to_canonical();
        if !self.trusts(client) {
            return client;
        }
        let hops = forwarded_for.iter().flat_map(|v| v.split(',')).rev();
        for hop in hops {
            // An address that does not parse ends the chain: what lies left of it was
            // written by someone we cannot vouch for.
            let Ok(ip) = IpAddr::from_str(hop.trim()) else {
                break;
            };
            client = ip.to_canonical();
            if !self.trusts(client) {
                break;
            }
        }
        client
    }
}

/// The client's address for this request: the TCP peer, or behind a trusted proxy the
/// address it forwarded for.
pub(crate) fn client_address(parts: &Parts) -> String {
    let Some(ConnectInfo(peer)) = parts.extensions.get::<ConnectInfo<SocketAddr>>() else {
        return "unknown".to_owned();
    };
    let Some(proxies) = parts.extensions.get::<TrustedProxies>() else {
        return peer.ip().to_canonical().to_string();
    };
    let forwarded: Vec<&str> = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    proxies.client(peer.ip(), &forwarded).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("an address")
    }

    #[test]
    fn networks_parse_and_match() {
        let net: Cidr = "10.1.0.0/16".parse().expect("valid");
        assert!(net.contains(ip("10.1.200.3")));
        assert!(!net.contains(ip("10.2.0.1")));
        assert!(
            net.contains(ip("::ffff:10.1.0.9")),
            "IPv4-mapped peers match"
        );
        let one: Cidr = "192.0.2.7".parse().expect("valid");
        assert!(one.contains(ip("192.0.2.7")) && !one.contains(ip("192.0.2.8")));
        let v6: Cidr = "2001:db8::/32".parse().expect("valid");
        assert!(v6.contains(ip("2001:db8:1::1")) && !v6.contains(ip("2001:db9::1")));
        let all: Cidr = "0.0.0.0/0".parse().expect("valid");
        assert!(all.contains(ip("203.0.113.5")));
        for bad in ["10.0.0.0/33", "10.0.0", "proxy", "::1/129", ""] {
            assert!(bad.parse::<Cidr>().is_err(), "{bad}");
        }
    }

    #[test]
    fn the_client_is_the_last_untrusted_hop() {
        let p = TrustedProxies::parse(&["10.0.0.0/8"]).expect("valid");
        // Not a trusted peer: its header is ignored.
        assert_eq!(
            p.client(ip("203.0.113.9"), &["198.51.100.1"]),
            ip("203.0.113.9")
        );
        // A trusted proxy: the address it saw.
        assert_eq!(
            p.client(ip("10.0.0.2"), &["198.51.100.1"]),
            ip("198.51.100.1")
        );
        // A forged left part is skipped: the right-most untrusted hop counts.
        assert_eq!(
            p.client(ip("10.0.0.2"), &["1.2.3.4, 198.51.100.1, 10.0.0.3"]),
            ip("198.51.100.1")
        );
        // Several headers read as one list.
        assert_eq!(
            p.client(ip("10.0.0.2"), &["1.2.3.4", "198.51.100.7"]),
            ip("198.51.100.7")
        );
        // No header, or garbage: the proxy itself.
        assert_eq!(p.client(ip("10.0.0.2"), &[]), ip("10.0.0.2"));
        assert_eq!(p.client(ip("10.0.0.2"), &["not-an-ip"]), ip("10.0.0.2"));
        // No trusted proxies at all: always the peer.
        let none = TrustedProxies::default();
        assert_eq!(
            none.client(ip("10.0.0.2"), &["198.51.100.1"]),
            ip("10.0.0.2")
        );
    }
}
