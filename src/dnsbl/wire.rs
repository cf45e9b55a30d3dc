//! DNS messages for RFC 8484 DNS-over-HTTPS: queries out, answers in. Malformed answers
//! give errors, never panics.

use simple_dns::rdata::{OPT, OPTCode, RData};
use simple_dns::{CLASS, Name, Packet, QCLASS, QTYPE, Question, RCODE, TYPE};
use std::net::Ipv4Addr;

/// The record type asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryType {
    A,
    Txt,
}

/// A decoded answer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Answer {
    /// NOERROR, NXDOMAIN, SERVFAIL, REFUSED, ... as the number of RFC 1035 §4.1.1.
    pub rcode: u8,
    pub addresses: Vec<Ipv4Addr>,
    pub texts: Vec<String>,
}

pub const NOERROR: u8 = 0;
pub const SERVFAIL: u8 = 2;
pub const NXDOMAIN: u8 = 3;
pub const REFUSED: u8 = 5;

/// Why an answer could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed(pub String);

/// Encodes a query. With `zero_subnet` it carries an EDNS client-subnet option with
/// source prefix 0, which asks the resolver not to pass on the user's network (Google).
pub fn encode_query(name: &str, qtype: QueryType, zero_subnet: bool) -> Result<Vec<u8>, Malformed> {
    // RFC 8484 §4.1 recommends ID 0 for HTTP caching.
    let mut packet = Packet::new_query(0);
    packet.set_flags(simple_dns::PacketFlag::RECURSION_DESIRED);
    let qname = Name::new(name).map_err(|e| Malformed(e.to_string()))?;
    let t = match qtype {
        QueryType::A => TYPE::A,
        QueryType::Txt => TYPE::TXT,
    };
    packet.questions.push(Question::new(
        qname,
        QTYPE::TYPE(t),
        QCLASS::CLASS(CLASS::IN),
        false,
    ));
    if zero_subnet {
        // family 1 (IPv4), source prefix 0, scope prefix 0, no address bytes (RFC 7871 §6).
        let ecs = OPTCode {
            code: 8,
            data: vec![0, 1, 0, 0].into(),
        };
        *packet.opt_mut() = Some(OPT {
            opt_codes: vec![ecs],
            udp_packet_size: 1232,
            version: 0,
        });
    }
    packet
        .build_bytes_vec()
        .map_err(|e| Malformed(e.to_string()))
}

/// Decodes an answer to a query for `name`.
pub fn decode_answer(bytes: &[u8], name: &str) -> Result<Answer, Malformed> {
    let packet = Packet::parse(bytes).map_err(|e| Malformed(e.to_string()))?;
    if !packet.has_flags(simple_dns::PacketFlag::RESPONSE) {
        return Err(Malformed("not a response".into()));
    }
    if let Some(q) = packet.questions.first()
        && !q
            .qname
            .to_string()
            .trim_end_matches('.')
            .eq_ignore_ascii_case(name.trim_end_matches('.'))
    {
        return Err(Malformed("answer for another name".into()));
    }
    let rcode = match packet.rcode() {
        RCODE::NoError => NOERROR,
        RCODE::ServerFailure => SERVFAIL,
        RCODE::NameError => NXDOMAIN,
        RCODE::Refused => REFUSED,
        RCODE::FormatError => 1,
        RCODE::NotImplemented => 4,
        _ => 255,
    };
    let mut answer = Answer {
        rcode,
        ..Answer::default()
    };
    for rr in &packet.answers {
        match &rr.rdata {
            RData::A(a) => answer.addresses.push(Ipv4Addr::from(a.address)),
            RData::TXT(t) => {
                let text: String = t
                    .iter_raw()
                    .map(|(k, v)| {
                        let mut s = String::from_utf8_lossy(k).into_owned();
                        if let Some(v) = v {
                            s.push('=');
                            s.push_str(&String::from_utf8_lossy(v));
                        }
                        s
                    })
                    .collect::<Vec<_>>()
                    .join("");
                answer.texts.push(text);
            }
            _ => {}
        }
    }
    Ok(answer)
}

/// The RFC 8484 GET URL for a query: `endpoint?dns=<base64url, no padding>`.
pub fn get_url(endpoint: &str, query: &[u8]) -> String {
    let sep = if endpoint.contains('?') { '&' } else { '?' };
    format!("{endpoint}{sep}dns={}", base64url(query))
}

/// Base64url without padding (RFC 4648 §5).
pub fn base64url(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len() * 4 / 3 + 2);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | (b as u32) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// Decodes base64url (with or without padding); `None` on bad input.
pub fn base64url_decode(s: &str) -> Option<Vec<u8>> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'-' | b'+' => Some(62),
        b'_' | b'/' => Some(63),
        _ => None,
    };
    let clean = s.trim_end_matches('=').as_bytes();
    if clean.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(clean.len() * 3 / 4);
    for chunk in clean.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= (val(c)? as u32) << (18 - 6 * i);
        }
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator for property tests.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    #[test]
    fn base64url_round_trips() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for len in 0..64 {
            let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            let enc = base64url(&bytes);
            assert!(!enc.contains(['=', '+', '/']));
            assert_eq!(base64url_decode(&enc).unwrap(), bytes);
        }
        assert_eq!(base64url(b"\x00\x00\x01\x00"), "AAABAA");
    }

    #[test]
    fn a_query_encodes_and_its_url_is_rfc8484() {
        let q = encode_query("2.0.0.127.zen.spamhaus.org", QueryType::A, false).unwrap();
        assert_eq!(&q[..2], &[0, 0], "ID 0");
        let url = get_url("https://cloudflare-dns.com/dns-query", &q);
        assert!(url.starts_with("https://cloudflare-dns.com/dns-query?dns="));
        let with_ecs = encode_query("2.0.0.127.zen.spamhaus.org", QueryType::A, true).unwrap();
        assert!(with_ecs.len() > q.len());
    }

    #[test]
    fn random_and_truncated_answers_are_errors_not_panics() {
        let good = encode_query("1.0.0.127.bl.example", QueryType::A, true).unwrap();
        let mut rng = Rng(42);
        for round in 0..20_000 {
            let mut bytes = if round % 2 == 0 {
                (0..(rng.next() % 80) as usize)
                    .map(|_| rng.next() as u8)
                    .collect::<Vec<u8>>()
            } else {
                good.clone()
            };
            if !bytes.is_empty() {
                let cut = (rng.next() as usize) % (bytes.len() + 1);
                bytes.truncate(cut);
                if let Some(b) = bytes.get_mut((rng.next() as usize) % (cut.max(1))) {
                    *b ^= rng.next() as u8;
                }
            }
            let _ = decode_answer(&bytes, "1.0.0.127.bl.example");
        }
    }

    #[test]
    fn a_query_is_not_an_answer() {
        let q = encode_query("x.example", QueryType::A, false).unwrap();
        assert!(decode_answer(&q, "x.example").is_err());
    }
}
