//! Speed and memory benchmark (run with `cargo bench --bench throughput`):
//! messages per second over the whole labelled corpus on one core, and a 50 MB mbox
//! built from it, with the process's peak memory.

use std::time::{Duration, Instant};

fn corpus() -> Vec<Vec<u8>> {
    let root =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/sisimai/maildir");
    let mut files = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(b) = std::fs::read(&p) {
                files.push(b);
            }
        }
    }
    files
}

/// Peak resident memory of this process in KiB (Linux), if known.
fn peak_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let files = corpus();
    if files.is_empty() {
        eprintln!("corpus not found next to the repository (../shared/corpus)");
        return;
    }
    let bytes: usize = files.iter().map(Vec::len).sum();
    let messages: usize = files
        .iter()
        .map(|f| bounce_explainer::analyze(f).messages.len())
        .sum();
    // Warm up, then run for at least two seconds.
    let mut rounds = 0u32;
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(2) || rounds < 3 {
        for f in &files {
            std::hint::black_box(bounce_explainer::analyze(std::hint::black_box(f)));
        }
        rounds += 1;
    }
    let secs = start.elapsed().as_secs_f64();
    let per_sec = messages as f64 * rounds as f64 / secs;
    println!(
        "corpus: {} files, {messages} messages, {:.1} MB; {rounds} rounds in {secs:.2} s on one core",
        files.len(),
        bytes as f64 / 1e6
    );
    println!(
        "corpus: {per_sec:.0} messages/s, {:.1} MB/s",
        bytes as f64 * rounds as f64 / secs / 1e6
    );

    // For scale: parsing the same messages with mail-parser alone (configured as the
    // engine uses it), and nothing else.
    let start = Instant::now();
    let mut rounds = 0u32;
    while start.elapsed() < Duration::from_secs(1) || rounds < 3 {
        for f in &files {
            std::hint::black_box(bounce_explainer::notice::parser().parse(f.as_slice()));
        }
        rounds += 1;
    }
    println!(
        "corpus: mail-parser alone {:.0} messages/s",
        messages as f64 * rounds as f64 / start.elapsed().as_secs_f64()
    );

    let mut mbox = Vec::with_capacity(52 << 20);
    'fill: loop {
        for f in &files {
            mbox.extend_from_slice(b"From MAILER-DAEMON Thu Apr 29 23:45:32 2013\n");
            mbox.extend_from_slice(f);
            mbox.extend_from_slice(b"\n\n");
            if mbox.len() >= 50_000_000 {
                break 'fill;
            }
        }
    }
    // Time grows linearly with the input: the same work per megabyte at every size.
    for share in [8, 4, 2] {
        let part = &mbox[..mbox.len() / share];
        let t = Instant::now();
        let n = bounce_explainer::analyze(part).messages.len();
        let took = t.elapsed().as_secs_f64();
        println!(
            "mbox: {:.1} MB, {n} messages in {took:.2} s ({:.1} ms per MB)",
            part.len() as f64 / 1e6,
            took * 1e3 / (part.len() as f64 / 1e6)
        );
    }
    let before = peak_kib().unwrap_or(0);
    let t = Instant::now();
    let report = bounce_explainer::analyze(&mbox);
    let took = t.elapsed().as_secs_f64();
    let after = peak_kib().unwrap_or(0);
    println!(
        "mbox: {:.1} MB, {} messages in {took:.2} s ({:.1} ms per MB); peak memory {:.0} MB before, {:.0} MB after ({:.1}x the input)",
        mbox.len() as f64 / 1e6,
        report.messages.len(),
        took * 1e3 / (mbox.len() as f64 / 1e6),
        before as f64 / 1024.0,
        after as f64 / 1024.0,
        after as f64 * 1024.0 / mbox.len() as f64
    );
}
