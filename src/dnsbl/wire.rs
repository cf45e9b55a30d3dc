//! DNS messages for RFC 8484 DNS-over-HTTPS: queries out, answers in. Malformed answers
//! give errors, never panics.

use std::net::Ipv4Addr;

/// The record type asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryType {
    A,
    Txt,
}

impl QueryType {
    /// The TYPE number of RFC 1035 §3.2.2.
    fn code(self) -> u16 {
        match self {
            QueryType::A => 1,
            QueryType::Txt => 16,
        }
    }
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

fn malformed(why: &str) -> Malformed {
    Malformed(why.to_string())
}

/// Header flags (RFC 1035 §4.1.1): the answer bit and "recursion desired".
const RESPONSE: u16 = 0x8000;
const RECURSION_DESIRED: u16 = 0x0100;
const CLASS_IN: u16 = 1;
const TYPE_OPT: u16 = 41;

/// Encodes a query. With `zero_subnet` it carries an EDNS client-subnet option with
/// source prefix 0, which asks the resolver not to pass on the user's network (Google).
pub fn encode_query(name: &str, qtype: QueryType, zero_subnet: bool) -> Result<Vec<u8>, Malformed> {
    let name = name.strip_suffix('.').unwrap_or(name);
    if name.is_empty() || name.len() > 253 {
        return Err(malformed("bad name length"));
    }
    // RFC 8484 §4.1 recommends ID 0 for HTTP caching.
    let mut out = Vec::with_capacity(name.len() + 40);
    for n in [0, RECURSION_DESIRED, 1, 0, 0, u16::from(zero_subnet)] {
        out.extend(n.to_be_bytes());
    }
    for label in name.split('.') {
        if label.is_empty() || label.len() > 63 {
            return Err(malformed("bad label length"));
        }
        out.push(label.len() as u8);
        out.extend(label.as_bytes());
    }
    out.push(0);
    out.extend(qtype.code().to_be_bytes());
    out.extend(CLASS_IN.to_be_bytes());
    if zero_subnet {
        // An OPT record (RFC 6891): root name, UDP size 1232, no extended flags, and
        // option 8 (RFC 7871 §6): family 1 (IPv4), source and scope prefix 0, no address.
        out.push(0);
        for n in [TYPE_OPT, 1232, 0, 0, 8, 8, 4, 1, 0] {
            out.extend(n.to_be_bytes());
        }
    }
    Ok(out)
}

/// Reads a DNS message front to back; every read is bounds-checked.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], Malformed> {
        let part = self
            .bytes
            .get(self.pos..self.pos + n)
            .ok_or_else(|| malformed("truncated message"))?;
        self.pos += n;
        Ok(part)
    }

    fn u16(&mut self) -> Result<u16, Malformed> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    /// A domain name, following compression pointers (RFC 1035 §4.1.4), which must
    /// point backwards and are counted, so that they cannot loop.
    fn name(&mut self) -> Result<String, Malformed> {
        const MAX_POINTERS: usize = 32;
        let mut labels: Vec<String> = Vec::new();
        let mut at = self.pos;
        let mut resume = None;
        let mut jumps = 0;
        loop {
            let len = *self
                .bytes
                .get(at)
                .ok_or_else(|| malformed("truncated name"))? as usize;
            match len {
                0 => {
                    self.pos = resume.unwrap_or(at + 1);
                    return Ok(labels.join("."));
                }
                1..=63 => {
                    let label = self
                        .bytes
                        .get(at + 1..at + 1 + len)
                        .ok_or_else(|| malformed("truncated label"))?;
                    labels.push(String::from_utf8_lossy(label).into_owned());
                    at += 1 + len;
                }
                0xC0..=0xFF => {
                    let low = *self
                        .bytes
                        .get(at + 1)
                        .ok_or_else(|| malformed("truncated pointer"))?;
                    let target = (len & 0x3F) << 8 | low as usize;
                    jumps += 1;
                    if target >= at || jumps > MAX_POINTERS {
                        return Err(malformed("name pointers loop"));
                    }
                    resume.get_or_insert(at + 2);
                    at = target;
                }
                _ => return Err(malformed("unknown label type")),
            }
        }
    }
}

/// Decodes an answer to a query for `name`.
pub fn decode_answer(bytes: &[u8], name: &str) -> Result<Answer, Malformed> {
    let mut r = Reader { bytes, pos: 0 };
    let _id = r.u16()?;
    let flags = r.u16()?;
    if flags & RESPONSE == 0 {
        return Err(malformed("not a response"));
    }
    let (questions, answers) = (r.u16()?, r.u16()?);
    r.take(4)?; // authority and additional counts: those sections are not read.
    for i in 0..questions {
        let qname = r.name()?;
        r.take(4)?;
        if i == 0 && !qname.eq_ignore_ascii_case(name.trim_end_matches('.')) {
            return Err(malformed("answer for another name"));
        }
    }
    let mut answer = Answer {
        rcode: (flags & 0x0F) as u8,
        ..Answer::default()
    };
    for _ in 0..answers {
        r.name()?;
        let rtype = r.u16()?;
        r.take(6)?; // class and TTL
        let len = r.u16()? as usize;
        let data = r.take(len)?;
        if rtype == QueryType::A.code() {
            let octets: [u8; 4] = data.try_into().map_err(|_| malformed("bad A record"))?;
            answer.addresses.push(Ipv4Addr::from(octets));
        } else if rtype == QueryType::Txt.code() {
            answer.texts.push(txt_strings(data)?);
        }
    }
    Ok(answer)
}

/// The character-strings of a TXT record (RFC 1035 §3.3.14), joined.
fn txt_strings(mut data: &[u8]) -> Result<String, Malformed> {
    let mut text = Vec::with_capacity(data.len());
    while let Some((&len, rest)) = data.split_first() {
        let part = rest
            .get(..len as usize)
            .ok_or_else(|| malformed("truncated TXT record"))?;
        text.extend_from_slice(part);
        data = &rest[len as usize..];
    }
    Ok(String::from_utf8_lossy(&text).into_owned())
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
