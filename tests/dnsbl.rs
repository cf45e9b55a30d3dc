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
