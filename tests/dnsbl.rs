//! Blacklist checks from the CLI against a local RFC 8484 endpoint that the test starts.

#[path = "support/doh.rs"]
mod doh;

use serde_json::Value;
use std::process::Command;

fn check(extra: &[&str], env: &[(&str, &str)]) -> Value {
    let url = doh::start().url;
    let out = Command::new(env!("CARGO_BIN_EXE_bounce-explainer"))
        .args(["--format", "jsonl", "--check-lists", "--doh", &url])
        .args(extra)
        .arg("tests/fixtures/spamhaus-blocked.txt")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .envs(env.iter().copied())
        .output()
        .expect("cli runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON line")
}

fn row<'a>(v: &'a Value, list: &str) -> &'a Value {
    v["checked"][0]["listings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["list"] == list)
        .unwrap_or_else(|| panic!("no row for {list}"))
}

#[test]
fn every_answer_is_read_honestly() {
    let v = check(&[], &[]);
    assert_eq!(v["checked"][0]["item"], doh::LISTED_IP);
    assert_eq!(v["checked"][0]["role"], "named_in_bounce");

    let zen = row(&v, "spamhaus_zen");
    assert_eq!(
        (zen["state"].as_str(), zen["reason_unknown"].as_str()),
        (Some("unknown"), Some("list_error:127.255.255.254"))
    );

    let barracuda = row(&v, "barracuda_brbl");
    assert_eq!(barracuda["state"], "listed");
    assert_eq!(barracuda["codes"][0], "127.0.0.2");
    assert!(barracuda["txt"].as_str().unwrap().contains(doh::LISTED_IP));
    assert!(!barracuda["meaning"].as_str().unwrap().is_empty());

    assert_eq!(row(&v, "spamcop")["reason_unknown"], "servfail");
    assert_eq!(row(&v, "uceprotect_l1")["reason_unknown"], "refused");
    assert_eq!(row(&v, "psbl")["reason_unknown"], "timeout");
    assert!(
        row(&v, "mailspike_bl")["reason_unknown"]
            .as_str()
            .unwrap()
            .starts_with("malformed")
    );
    assert_eq!(
        row(&v, "spamrats_all")["reason_unknown"],
        "test_entry:unlisted_entry_listed"
    );
    assert_eq!(row(&v, "spamrats_all")["state"], "unknown");

    // The only "not listed": a list whose test entries behave and that answers NXDOMAIN.
    let drone = row(&v, "dronebl");
    assert_eq!(drone["state"], "not_listed");
    for r in v["checked"][0]["listings"].as_array().unwrap() {
        if r["list"] != "dronebl" {
            assert_ne!(r["state"], "not_listed", "{r}");
        }
    }
}

#[test]
fn a_dqs_key_is_used_but_never_shown() {
    let v = check(
        &["--dqs-key", "TEST_DQS_KEY"],
        &[("TEST_DQS_KEY", "s3cretkey123")],
    );
    let text = v.to_string();
    assert!(!text.contains("s3cretkey123"));
    let dqs = row(&v, "spamhaus_dqs_zen");
    assert_eq!(dqs["query"], "45.113.0.203.<key>.zen.dq.spamhaus.net");
    assert_eq!(
        dqs["state"], "listed",
        "the honest test zone lists the IP on DQS"
    );
}

/// The engine writes and reads DNS messages with its own small code; simple-dns, an
/// independent implementation, must agree with it both ways.
mod wire_agrees_with_simple_dns {
    use bounce_explainer::dnsbl::wire::{self, NXDOMAIN, QueryType};
    use simple_dns::rdata::{A, RData, TXT};
    use simple_dns::{CLASS, Name, Packet, PacketFlag, QCLASS, QTYPE, RCODE, ResourceRecord, TYPE};

    #[test]
    fn queries_parse_as_asked() {
        for (qtype, t) in [(QueryType::A, TYPE::A), (QueryType::Txt, TYPE::TXT)] {
            for ecs in [false, true] {
                let q = wire::encode_query("45.113.0.203.zen.spamhaus.org.", qtype, ecs).unwrap();
                let p = Packet::parse(&q).expect("simple-dns reads the query");
                assert_eq!(p.id(), 0);
                assert!(p.has_flags(PacketFlag::RECURSION_DESIRED));
                assert!(!p.has_flags(PacketFlag::RESPONSE));
                assert_eq!(p.questions.len(), 1);
                let question = &p.questions[0];
                assert_eq!(question.qname.to_string(), "45.113.0.203.zen.spamhaus.org");
                assert_eq!(question.qtype, QTYPE::TYPE(t));
                assert_eq!(question.qclass, QCLASS::CLASS(CLASS::IN));
                let opt = p.opt().map(|o| (o.udp_packet_size, o.opt_codes.len()));
                assert_eq!(opt, ecs.then_some((1232, 1)));
                if let Some(o) = p.opt() {
                    assert_eq!(o.opt_codes[0].code, 8);
                    assert_eq!(&o.opt_codes[0].data[..], &[0, 1, 0, 0]);
                }
            }
        }
        for bad in ["", "a..b", &"x".repeat(64), &"abc.".repeat(64)] {
            assert!(
                wire::encode_query(bad, QueryType::A, false).is_err(),
                "{bad:?}"
            );
        }
    }

    fn answer(name: &str, rcode: RCODE, records: Vec<RData<'static>>) -> Vec<u8> {
        let mut p = Packet::new_reply(0);
        let qname = Name::new_unchecked(name).into_owned();
        p.questions.push(simple_dns::Question::new(
            qname.clone(),
            QTYPE::TYPE(TYPE::A),
            QCLASS::CLASS(CLASS::IN),
            false,
        ));
        *p.rcode_mut() = rcode;
        for rdata in records {
            p.answers
                .push(ResourceRecord::new(qname.clone(), CLASS::IN, 300, rdata));
        }
        // Compressed names: the answers point back at the question's name.
        p.build_bytes_vec_compressed().unwrap()
    }

    #[test]
    fn answers_read_as_written() {
        let name = "2.0.0.127.bl.example.net";
        let mut txt = TXT::new();
        txt.add_string("Listed; see ").unwrap();
        txt.add_string("https://bl.example.net/lookup?ip=127.0.0.2")
            .unwrap();
        let bytes = answer(
            name,
            RCODE::NoError,
            vec![
                RData::A(A {
                    address: 0x7f00_0002,
                }),
                RData::A(A {
                    address: 0x7f00_000a,
                }),
                RData::TXT(txt),
            ],
        );
        let a = wire::decode_answer(&bytes, name).unwrap();
        assert_eq!(a.rcode, 0);
        assert_eq!(
            a.addresses,
            [
                "127.0.0.2".parse::<std::net::Ipv4Addr>().unwrap(),
                "127.0.0.10".parse().unwrap()
            ]
        );
        assert_eq!(
            a.texts,
            ["Listed; see https://bl.example.net/lookup?ip=127.0.0.2"]
        );

        let nx = answer(name, RCODE::NameError, vec![]);
        assert_eq!(wire::decode_answer(&nx, name).unwrap().rcode, NXDOMAIN);
        assert!(wire::decode_answer(&nx, "other.bl.example.net").is_err());
        // A name whose pointer leads back to itself after one label is refused.
        let mut looped = bytes[..12].to_vec();
        looped[4..6].copy_from_slice(&[0, 1]);
        looped.extend([1, b'a', 0xC0, 12, 0, 1, 0, 1]);
        assert!(wire::decode_answer(&looped, name).is_err());
        for cut in 0..bytes.len() {
            // Every truncation is an error or a shorter reading, never a panic.
            let _ = wire::decode_answer(&bytes[..cut], name);
        }
    }
}
