//! A local RFC 8484 DNS-over-HTTPS endpoint for tests: real HTTP with CORS headers and
//! real DNS wire format, answering a test zone with every behaviour the checks must
//! survive. It binds to 127.0.0.1 only and serves until the test process ends.

use simple_dns::rdata::{A, RData, TXT};
use simple_dns::{CLASS, Name, Packet, PacketFlag, RCODE, ResourceRecord};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// The address every test zone lists (and reports in TXT).
pub const LISTED_IP: &str = "203.0.113.45";

/// How a zone behaves.
enum Behaviour {
    /// Follows RFC 5782: test entries behave, LISTED_IP listed, everything else clean.
    Honest,
    /// Follows RFC 5782 and lists nothing but its test entry.
    Clean,
    /// Answers a list's error code for everything (Spamhaus through a public resolver).
    ErrorCode(&'static str),
    ServFail,
    Refused,
    /// Never answers.
    Silent,
    /// Answers bytes that are no DNS message.
    Garbage,
    /// Lists everything, the unlisted test entry too.
    ListsEverything,
}

fn behaviour(name: &str) -> Behaviour {
    let zone = |z: &str| name.ends_with(z);
    if zone("zen.spamhaus.org") {
        Behaviour::ErrorCode("127.255.255.254")
    } else if zone("bl.spamcop.net") {
        Behaviour::ServFail
    } else if zone("dnsbl-1.uceprotect.net") {
        Behaviour::Refused
    } else if zone("psbl.surriel.com") {
        Behaviour::Silent
    } else if zone("bl.mailspike.net") {
        Behaviour::Garbage
    } else if zone("all.spamrats.com") {
        Behaviour::ListsEverything
    } else if zone("dnsbl.dronebl.org") {
        Behaviour::Clean
    } else {
        Behaviour::Honest
    }
}

/// A running endpoint.
pub struct Endpoint {
    /// `http://127.0.0.1:PORT/dns-query`
    pub url: String,
    /// `http://127.0.0.1:PORT`, for a Content-Security-Policy.
    #[allow(dead_code)] // used by the end-to-end test only
    pub origin: String,
    /// How many requests it has had.
    pub hits: Arc<AtomicUsize>,
}

impl Endpoint {
    #[allow(dead_code)] // used by the end-to-end test only
    pub fn requests(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

/// Starts the endpoint.
pub fn start() -> Endpoint {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().unwrap().port();
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            counter.fetch_add(1, Ordering::SeqCst);
            std::thread::spawn(move || serve(stream));
        }
    });
    Endpoint {
        url: format!("http://127.0.0.1:{port}/dns-query"),
        origin: format!("http://127.0.0.1:{port}"),
        hits,
    }
}

fn serve(mut stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request = String::new();
    if reader.read_line(&mut request).is_err() {
        return;
    }
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
        line.clear();
    }
    let cors = "Access-Control-Allow-Origin: *\r\nAccess-Control-Allow-Methods: GET, OPTIONS\r\nAccess-Control-Allow-Headers: Accept, Content-Type\r\n";
    if request.starts_with("OPTIONS") {
        let _ = write!(
            stream,
            "HTTP/1.1 204 No Content\r\n{cors}Content-Length: 0\r\nConnection: close\r\n\r\n"
        );
        return;
    }
    let path = request.split_whitespace().nth(1).unwrap_or("");
    let Some(query) = path
        .split("dns=")
        .nth(1)
        .and_then(|q| decode64(q.split('&').next().unwrap_or("")))
    else {
        let _ = write!(
            stream,
            "HTTP/1.1 400 Bad Request\r\n{cors}Content-Length: 0\r\nConnection: close\r\n\r\n"
        );
        return;
    };
    let Some(body) = answer(&query) else {
        std::thread::sleep(Duration::from_secs(8));
        return;
    };
    let head = format!(
        "HTTP/1.1 200 OK\r\n{cors}Content-Type: application/dns-message\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream
        .write_all(head.as_bytes())
        .and_then(|_| stream.write_all(&body));
}

/// The answer to a wire-format query, or `None` to stay silent.
fn answer(query: &[u8]) -> Option<Vec<u8>> {
    let q = Packet::parse(query).ok()?;
    let question = q.questions.first()?.clone();
    let name = question
        .qname
        .to_string()
        .trim_end_matches('.')
        .to_ascii_lowercase();
    let is_txt = format!("{:?}", question.qtype).contains("TXT");
    let mut reply = Packet::new_reply(q.id());
    reply.set_flags(PacketFlag::RECURSION_AVAILABLE);
    reply.questions.push(question);
    let listed_ip: String = LISTED_IP.split('.').rev().collect::<Vec<_>>().join(".");
    let a = |reply: &mut Packet<'_>, ip: [u8; 4]| {
        let rr = ResourceRecord::new(
            Name::new_unchecked(&name).into_owned(),
            CLASS::IN,
            60,
            RData::A(A {
                address: u32::from_be_bytes(ip),
            }),
        );
        reply.answers.push(rr);
    };
    match behaviour(&name) {
        Behaviour::Silent => return None,
        Behaviour::Garbage => return Some(b"this is not a DNS message".to_vec()),
        Behaviour::ServFail => *reply.rcode_mut() = RCODE::ServerFailure,
        Behaviour::Refused => *reply.rcode_mut() = RCODE::Refused,
        Behaviour::ErrorCode(code) => {
            let o: Vec<u8> = code.split('.').map(|p| p.parse().unwrap()).collect();
            a(&mut reply, [o[0], o[1], o[2], o[3]]);
        }
        Behaviour::ListsEverything => a(&mut reply, [127, 0, 0, 2]),
        kind @ (Behaviour::Honest | Behaviour::Clean) => {
            let test_entry = [
                "2.0.0.127.",
                "dbltest.com.",
                "test.uribl.com.",
                "test.surbl.org.",
            ]
            .iter()
            .any(|t| name.starts_with(t));
            let listed = test_entry
                || matches!(kind, Behaviour::Honest) && name.starts_with(&format!("{listed_ip}."));
            if !listed {
                *reply.rcode_mut() = RCODE::NameError;
            } else if is_txt {
                let text = format!("Listed: see https://lookup.example/{LISTED_IP}");
                let txt = TXT::new().with_string(&text).ok()?.into_owned();
                reply.answers.push(ResourceRecord::new(
                    Name::new_unchecked(&name).into_owned(),
                    CLASS::IN,
                    60,
                    RData::TXT(txt),
                ));
            } else {
                a(&mut reply, [127, 0, 0, 2]);
            }
        }
    }
    reply.build_bytes_vec().ok()
}

fn decode64(s: &str) -> Option<Vec<u8>> {
    bounce_explainer::dnsbl::wire::base64url_decode(s)
}
