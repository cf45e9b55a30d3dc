//! End to end: serves the real Trunk `dist/`, drives headless Chromium through
//! paste → verdict in both languages, and checks that the page asked for nothing but its
//! own files. Needs a built `dist/` and chromedriver, so it is ignored in a plain
//! `cargo test`; `.ci/test` builds `dist/` and runs it with `--ignored`.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[path = "support/doh.rs"]
mod doh;

/// Serves `dir` on a free loopback port; records each requested path. `index.html` is
/// served the way an embedding portal would configure it: with its own DoH endpoint in a
/// meta tag and in the Content-Security-Policy.
fn serve(dir: PathBuf, doh: &doh::Endpoint) -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let log = Arc::new(Mutex::new(Vec::new()));
    let seen = log.clone();
    let (url, origin) = (doh.url.clone(), doh.origin.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (dir, seen, url, origin) = (dir.clone(), seen.clone(), url.clone(), origin.clone());
            std::thread::spawn(move || answer(stream, &dir, &seen, &url, &origin));
        }
    });
    (port, log)
}

fn answer(
    mut stream: TcpStream,
    dir: &Path,
    seen: &Mutex<Vec<String>>,
    doh_url: &str,
    doh_origin: &str,
) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request = String::new();
    if reader.read_line(&mut request).is_err() {
        return;
    }
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
        line.clear();
    }
    let path = request
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .split('?')
        .next()
        .unwrap_or("/")
        .to_string();
    seen.lock().unwrap().push(path.clone());
    let file = if path == "/" {
        "index.html".to_string()
    } else {
        path.trim_start_matches('/').to_string()
    };
    let (status, mut body) = match std::fs::read(dir.join(&file)) {
        Ok(b) if !file.contains("..") => ("200 OK", b),
        _ => ("404 Not Found", Vec::new()),
    };
    if file == "index.html" {
        let html = String::from_utf8_lossy(&body)
            .replace(
                "connect-src 'self'",
                &format!("connect-src 'self' {doh_origin}"),
            )
            .replace(
                "<title>",
                &format!("<meta name=\"bounce-explainer:doh\" content=\"{doh_url}\">\n  <title>"),
            );
        body = html.into_bytes();
    }
    let kind = match file.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css",
        _ => "application/octet-stream",
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream
        .write_all(head.as_bytes())
        .and_then(|_| stream.write_all(&body));
}

/// A minimal WebDriver client over plain HTTP.
struct Driver {
    port: u16,
    session: String,
    child: Child,
}

impl Driver {
    fn start() -> Driver {
        let bin = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not listen");
            std::thread::sleep(Duration::from_millis(50));
        }
        let mut d = Driver {
            port,
            session: String::new(),
            child,
        };
        let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                     "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--window-size=1100,1400"]}}}});
        let v = d.call("POST", "/session", Some(caps));
        d.session = v["value"]["sessionId"]
            .as_str()
            .expect("session")
            .to_string();
        d
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        let req = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        s.write_all(req.as_bytes()).unwrap();
        let mut reader = BufReader::new(s);
        let mut length = 0;
        let mut line = String::new();
        while reader.read_line(&mut line).unwrap() > 2 {
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
            line.clear();
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        serde_json::from_slice(&body).unwrap_or(Value::Null)
    }

    fn session_call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.call(method, &format!("/session/{}{path}", self.session), body)
    }

    fn script(&self, script: &str, args: Value) -> Value {
        self.session_call(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": args})),
        )["value"]
            .clone()
    }

    /// Polls until `selector`'s text satisfies `ok`, and returns it.
    fn wait_text(&self, selector: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let t = self.script(
                "const e = document.querySelector(arguments[0]); return e ? e.textContent : '';",
                json!([selector]),
            );
            let t = t.as_str().unwrap_or("").to_string();
            if ok(&t) || Instant::now() > deadline {
                return t;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Driver {
    /// Waits until no blacklist row is pending; returns (list id, state class) per row.
    fn wait_states(&self) -> Vec<(String, String)> {
        let script = "return [...document.querySelectorAll('.bl-row')].map(r => [r.dataset.list, r.className.replace('bl-row ', '')]);";
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let rows: Vec<(String, String)> =
                serde_json::from_value(self.script(script, json!([]))).unwrap_or_default();
            let done = !rows.is_empty() && rows.iter().all(|(_, s)| s != "pending");
            if done || Instant::now() > deadline {
                return rows;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.session_call("DELETE", "", None);
        let _ = self.child.kill();
    }
}

fn paste(d: &Driver, text: &str) {
    d.script(
        "const t = document.querySelector('textarea'); t.value = arguments[0]; t.dispatchEvent(new Event('input', {bubbles: true}));",
        json!([text]),
    );
}

fn click_language(d: &Driver, label: &str) {
    d.script("for (const b of document.querySelectorAll('.lang button')) if (b.textContent === arguments[0]) b.click();", json!([label]));
}

#[test]
#[ignore = "needs dist/ built by Trunk and chromedriver; run by .ci/test"]
fn paste_to_verdict_in_both_languages() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dist = std::env::var("BOUNCE_E2E_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root.join("dist"));
    assert!(
        dist.join("index.html").exists(),
        "build dist/ first: trunk build --release --offline"
    );
    let endpoint = doh::start();
    let (port, requests) = serve(dist, &endpoint);
    let d = Driver::start();
    d.session_call(
        "POST",
        "/url",
        Some(json!({"url": format!("http://127.0.0.1:{port}/")})),
    );
    d.wait_text(".lang", |t| !t.is_empty());
    click_language(&d, "English");

    let full =
        std::fs::read_to_string(root.join("tests/fixtures/postfix-mailbox-full.eml")).unwrap();
    paste(&d, &full);
    let en = d.wait_text(".headline", |t| !t.is_empty());
    assert_eq!(en, "The recipient's mailbox is full.");
    click_language(&d, "Deutsch");
    let de = d.wait_text(".headline", |t| t != en);
    assert_eq!(de, "Das Postfach des Empfängers ist voll.");

    let unknown =
        std::fs::read_to_string(root.join("tests/fixtures/exim-user-unknown.eml")).unwrap();
    paste(&d, &unknown);
    assert_eq!(
        d.wait_text(".headline", |t| t != de),
        "Die Adresse des Empfängers gibt es nicht."
    );
    click_language(&d, "English");
    assert_eq!(
        d.wait_text(".headline", |t| t.starts_with("The")),
        "The recipient's address does not exist."
    );

    // A screenshot for the README, of the German mailbox-full verdict.
    click_language(&d, "Deutsch");
    paste(&d, &full);
    d.wait_text(".headline", |t| t.contains("Postfach"));
    let shot = d.session_call("GET", "/screenshot", None);
    if let Some(b64) = shot["value"].as_str() {
        let out = std::env::var("BOUNCE_E2E_SCREENSHOT")
            .map(PathBuf::from)
            .unwrap_or_else(|_| root.join("target/screenshot.png"));
        std::fs::write(out, decode_base64(b64)).unwrap();
    }

    // Blacklists: nothing is looked up before the button is pressed.
    let blocked =
        std::fs::read_to_string(root.join("tests/fixtures/spamhaus-blocked.txt")).unwrap();
    click_language(&d, "English");
    paste(&d, &blocked);
    let privacy = d.wait_text(".bl-privacy", |t| t.contains(doh::LISTED_IP));
    assert!(
        privacy.contains(&endpoint.url),
        "the page says where it would send: {privacy}"
    );
    assert_eq!(
        endpoint.requests(),
        0,
        "no lookup before the button is pressed"
    );
    d.script("document.querySelector('.bl-check').click();", json!([]));
    let states = d.wait_states();
    let state = |list: &str| {
        states
            .iter()
            .find(|(l, _)| l == list)
            .map(|(_, s)| s.as_str())
            .unwrap_or("missing")
            .to_string()
    };
    assert_eq!(state("barracuda_brbl"), "listed");
    assert_eq!(state("dronebl"), "not-listed");
    for list in [
        "spamhaus_zen",
        "spamcop",
        "uceprotect_l1",
        "psbl",
        "mailspike_bl",
        "spamrats_all",
    ] {
        assert_eq!(state(list), "unknown", "{list}");
    }
    assert_eq!(
        states.iter().filter(|(_, s)| s == "not-listed").count(),
        1,
        "{states:?}"
    );
    let summary = d.wait_text(".bl-summary", |t| !t.is_empty());
    assert!(
        summary.contains("Barracuda") && summary.contains(doh::LISTED_IP),
        "{summary}"
    );
    assert!(endpoint.requests() > 0);

    let asked: Vec<String> = requests.lock().unwrap().clone();
    let allowed = [
        "/",
        "/boot.js",
        "/bounce-explainer.js",
        "/bounce-explainer_bg.wasm",
        "/style.css",
        "/favicon.ico",
    ];
    assert!(
        asked.iter().all(|p| allowed.contains(&p.as_str())),
        "unexpected requests: {asked:?}"
    );
}

fn decode_base64(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let clean: Vec<u8> = s
        .bytes()
        .filter(|c| !matches!(c, b'=' | b'\n' | b'\r'))
        .collect();
    clean
        .chunks(4)
        .flat_map(|c| {
            let n = c
                .iter()
                .enumerate()
                .fold(0u32, |acc, (i, &b)| acc | (val(b) as u32) << (18 - 6 * i));
            let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
            bytes[..c.len() - 1].to_vec()
        })
        .collect()
}
