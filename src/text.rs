//! Small text helpers shared by the readers: decoding, line handling, and finding
//! addresses and codes in free text.

use std::borrow::Cow;

/// Decodes bytes as UTF-8, falling back to Latin-1 for bytes that are not UTF-8
/// (old German mail clients), so that no input is refused.
pub fn decode(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) if looks_mostly_utf8(bytes) => String::from_utf8_lossy(bytes),
        Err(_) => Cow::Owned(bytes.iter().map(|&b| b as char).collect()),
    }
}

fn looks_mostly_utf8(bytes: &[u8]) -> bool {
    let lossy = String::from_utf8_lossy(&bytes[..bytes.len().min(65536)]);
    let bad = lossy.matches('\u{fffd}').count();
    let high = bytes.iter().take(65536).filter(|b| **b >= 0x80).count();
    bad * 4 < high.max(1)
}

/// Replaces lone CRs (old Mac line endings) by LF. Keeps every byte offset.
pub fn normalize_cr(bytes: &[u8]) -> Cow<'_, [u8]> {
    let mut lone_crs = memchr::memchr_iter(b'\r', bytes)
        .filter(|&i| bytes.get(i + 1) != Some(&b'\n'))
        .peekable();
    if lone_crs.peek().is_none() {
        return Cow::Borrowed(bytes);
    }
    let mut out = bytes.to_vec();
    for i in lone_crs {
        out[i] = b'\n';
    }
    Cow::Owned(out)
}

/// The host name of a report field such as Remote-MTA (`dns; mx.example.org`): the part
/// after the type, cut at the first character a host name cannot have.
pub fn host_name(field: &str) -> Option<String> {
    let value = field.rsplit(';').next().unwrap_or(field).trim();
    let end = value
        .find(|c: char| {
            !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':' | '[' | ']'))
        })
        .unwrap_or(value.len());
    (end > 0).then(|| value[..end].to_string())
}

/// Lines without their line endings.
pub fn lines(s: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(s);
    std::iter::from_fn(move || {
        let r = rest?;
        let line = match memchr::memchr(b'\n', r.as_bytes()) {
            Some(nl) => {
                rest = Some(&r[nl + 1..]);
                &r[..nl]
            }
            None => {
                rest = None;
                r
            }
        };
        Some(line.strip_suffix('\r').unwrap_or(line))
    })
}

/// `s` without `prefix`, if it starts with it (compared in ASCII case-insensitively).
pub fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    s.get(..prefix.len())
        .filter(|head| head.eq_ignore_ascii_case(prefix))
        .map(|_| &s[prefix.len()..])
}

/// Collapses runs of white space into single spaces, trims the ends and drops control and
/// text-reordering characters (a terminal escape, NUL or U+202E in a server's reply is
/// never shown).
pub fn squash(s: &str) -> String {
    let t = s.trim_ascii();
    if is_squashed_ascii(t.as_bytes()) {
        return t.to_string();
    }
    let mut out = String::with_capacity(t.len());
    let mut gap = false;
    let b = t.as_bytes();
    let mut i = 0;
    while i < b.len() {
        // A run of visible ASCII is copied whole.
        let run = b[i..]
            .iter()
            .position(|c| !(0x21..0x7f).contains(c))
            .map_or(b.len(), |p| i + p);
        let (visible, next) = if run > i {
            (&t[i..run], run)
        } else {
            let Some(c) = t[i..].chars().next() else {
                break;
            };
            let next = i + c.len_utf8();
            gap |= c.is_whitespace();
            let shown = !c.is_whitespace() && !is_hidden(c);
            (if shown { &t[i..next] } else { "" }, next)
        };
        if !visible.is_empty() {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            out.push_str(visible);
        }
        i = next;
    }
    out
}

/// A control character, or an invisible one that reorders text (U+202E and the other
/// bidirectional marks): never shown to the reader.
fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Printable ASCII with single spaces between words: nothing to squash.
pub fn is_squashed_ascii(b: &[u8]) -> bool {
    let mut after_space = true;
    for &c in b {
        match c {
            b' ' if after_space => return false,
            b' ' => after_space = true,
            c if !(0x20..0x7f).contains(&c) => return false,
            _ => after_space = false,
        }
    }
    !after_space || b.is_empty()
}

/// Drops the reply code (and status) that servers repeat at the start of every continued
/// line ("550-5.7.1 this message 550-5.7.1 was blocked"), so that phrases split across
/// lines match. Takes squashed text and keeps the first occurrence.
pub fn without_continuation_codes(squashed: &str) -> String {
    let is_reply = |w: &str| {
        let b = w.as_bytes();
        b.len() >= 3
            && (b'2'..=b'5').contains(&b[0])
            && b[1..3].iter().all(u8::is_ascii_digit)
            && (b.len() == 3 || b[3] == b'-')
    };
    let words: Vec<&str> = squashed.split(' ').collect();
    let Some(first) = words.iter().position(|w| is_reply(w)) else {
        return squashed.to_string();
    };
    let code = &words[first][..3];
    let mut out: Vec<&str> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        if i > first && w.starts_with(code) && is_reply(w) {
            let bare = w.len() == 3 || w.len() == 4;
            if bare && words.get(i + 1).is_some_and(|n| is_status_code(n)) {
                i += 1;
            } else if !bare && !is_status_code(&w[4..]) {
                // A line's first word joined to its code ("554-Reject").
                out.push(&w[4..]);
            }
        } else {
            out.push(w);
        }
        i += 1;
    }
    out.join(" ")
}

/// Byte offset of `needle` in `hay`, ignoring ASCII case.
pub fn find_ci(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    if n.is_empty() {
        return Some(0);
    }
    if n.len() > h.len() {
        return None;
    }
    let last = h.len() - n.len();
    memchr::memchr2_iter(n[0].to_ascii_lowercase(), n[0].to_ascii_uppercase(), h)
        .take_while(|&i| i <= last)
        .find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
}

/// Byte offsets of the occurrences of `needle` in `hay`, left to right (overlapping).
/// Cheaper than `str::match_indices` for the short texts and words the engine compares:
/// it sets up no searcher.
pub fn occurrences<'a>(hay: &'a str, needle: &'a str) -> impl Iterator<Item = usize> + 'a {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    let first = n.first().copied().unwrap_or_default();
    memchr::memchr_iter(first, h).filter(move |&i| !n.is_empty() && h[i..].starts_with(n))
}

/// True if `hay` contains `needle`, ignoring ASCII case.
pub fn contains_ci(hay: &str, needle: &str) -> bool {
    find_ci(hay, needle).is_some()
}

/// A letter of the Latin alphabets beyond ASCII (ü, é, ł ...), which internationalised
/// addresses use (RFC 6531). Other scripts are left out: text in them often runs into an
/// address without a space.
fn is_latin_letter(c: char) -> bool {
    ('\u{c0}'..='\u{24f}').contains(&c) && c.is_alphabetic()
}

fn is_local_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || ".!#$%&'*+/=?^_`{|}~-".contains(c) || is_latin_letter(c)
}

fn is_domain_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '.' || is_latin_letter(c)
}

/// A mail address found in text, with its byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub value: String,
    pub start: usize,
    pub end: usize,
}

/// Every mail address in `s`, in order. Addresses are lower-cased only in the domain.
pub fn find_addresses(s: &str) -> Vec<Found> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(rel) = s[from..].find('@') {
        let at = from + rel;
        from = at + 1;
        let mut start = s[..at]
            .char_indices()
            .rev()
            .find(|&(_, c)| !is_local_char(c))
            .map_or(0, |(i, c)| i + c.len_utf8());
        // An address inside a link (`…/login.php?email=a@example.org`) starts after
        // the link's last separator.
        if let Some(p) = s[start..at].rfind(['/', '?']) {
            start += s[start + p..at]
                .rfind(['/', '?', '=', '&'])
                .map_or(0, |q| p + q + 1);
        }
        // A quote, dot or brace before the address belongs to the text around it (a
        // Python dict `{'a@example.org': …}`), as does a star (bold in a pasted mail:
        // `*a@example.org*`).
        while start < at && matches!(b[start], b'.' | b'\'' | b'{' | b'`' | b'*') {
            start += 1;
        }
        let mut end = at + 1;
        if b.get(end) == Some(&b'[') {
            // An address literal (`a@[192.0.2.1]`) is short.
            let window = &s[end..s.floor_char_boundary((end + 64).min(s.len()))];
            if let Some(close) = window.find(']') {
                end += close + 1;
            }
        } else {
            end = s[end..]
                .char_indices()
                .find(|&(_, c)| !is_domain_char(c))
                .map_or(s.len(), |(i, _)| end + i);
            while end > at + 1 && matches!(b[end - 1], b'.' | b'-') {
                end -= 1;
            }
        }
        let domain = &s[at + 1..end];
        let domain_ok = domain.starts_with('[')
            || (domain.len() >= 2 && domain.contains('.'))
            || (domain.len() >= 2 && domain.chars().all(|c| is_domain_char(c) && c != '.'));
        if start < at && domain_ok {
            let mut value = String::with_capacity(end - start);
            value.push_str(&s[start..at]);
            value.push('@');
            if domain.is_ascii() {
                value.extend(domain.bytes().map(|c| char::from(c.to_ascii_lowercase())));
            } else {
                value.push_str(&domain.to_lowercase());
            }
            out.push(Found { value, start, end });
            from = end;
        }
    }
    out
}

/// `s` with the paths of its links (`https://host/help/help_spam_16.htm`) blanked out:
/// the host stays. Linear: each link's end is found once.
pub fn mask_link_paths(s: &str) -> Cow<'_, str> {
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut covered = 0;
    for (p, _) in s.match_indices("://") {
        if p < covered {
            continue;
        }
        let start = p + 3;
        let end = s[start..]
            .find(char::is_whitespace)
            .map_or(s.len(), |e| start + e);
        covered = end;
        if let Some(slash) = s[start..end].find('/') {
            let o = out.get_or_insert_with(|| String::with_capacity(s.len()));
            o.push_str(&s[copied..start + slash]);
            copied = end;
        }
    }
    match out {
        Some(mut o) => {
            o.push_str(&s[copied..]);
            Cow::Owned(o)
        }
        None => Cow::Borrowed(s),
    }
}

/// `lower` with mail addresses, remote host names (`host mx.example.org[…]`) and the
/// command a reporting server names ("in reply to MAIL FROM command") blanked out, so
/// that words inside them ("spam" in `mx.spamfilter.example`) are not taken for the
/// server's words.
pub fn mask_names(lower: &str) -> Cow<'_, str> {
    let mut spans: Vec<(usize, usize)> = find_addresses(lower)
        .iter()
        .map(|f| (f.start, f.end))
        .collect();
    for wrapper in [
        "in reply to mail from",
        "after mail from",
        "after pipelined mail from",
        "for mail from",
    ] {
        let command = wrapper.len() - "mail from".len();
        spans.extend(
            lower
                .match_indices(wrapper)
                .map(|(p, _)| (p + command, p + wrapper.len())),
        );
    }
    let mut from = 0;
    while let Some(p) = lower[from..].find("host ") {
        let start = from + p + 5;
        let len = lower[start..]
            .find(|c: char| c.is_whitespace() || c == '[')
            .unwrap_or(lower.len() - start);
        let after = lower[start + len..].trim_start_matches(' ');
        if lower[start..start + len].contains('.') && after.starts_with('[') {
            spans.push((start, start + len));
        }
        from = start;
    }
    if spans.is_empty() {
        return Cow::Borrowed(lower);
    }
    crate::order::sort(&mut spans);
    let mut out = String::with_capacity(lower.len());
    let mut at = 0;
    for (start, end) in spans {
        if start >= at {
            out.push_str(&lower[at..start]);
            out.push('x');
            at = end;
        }
    }
    out.push_str(&lower[at..]);
    Cow::Owned(out)
}

/// The registered domain of a host name, in lower case: its last two labels
/// (`mout.provider.example` → `provider.example`), or three under a country's
/// second-level domain (`mail.firma.co.uk` → `firma.co.uk`).
pub fn base_domain(host: &str) -> String {
    let mut host = host.trim_end_matches('.').to_ascii_lowercase();
    let b = host.as_bytes();
    // The dots before the top-level domain and before the second level.
    let Some(last) = memchr::memrchr(b'.', b) else {
        return host;
    };
    let Some(second) = memchr::memrchr(b'.', &b[..last]) else {
        return host;
    };
    let (tld, second_level) = (&host[last + 1..], &host[second + 1..last]);
    let start = if tld.len() == 2
        && crate::knowledge::signs("domains.second_levels").any(|l| l == second_level)
    {
        memchr::memrchr(b'.', &b[..second]).map_or(0, |third| third + 1)
    } else {
        second + 1
    };
    host.drain(..start);
    host
}

/// The domain of an address (`anna@firma.example` → `firma.example`), if it has one.
pub fn domain_part(address: &str) -> Option<&str> {
    address.rsplit_once('@').map(|(_, d)| d)
}

/// The first address in a header value or a field (`find_addresses` gives it in lower
/// case).
pub fn first_address(value: &str) -> Option<String> {
    find_addresses(value).into_iter().next().map(|a| a.value)
}

/// The domain of the first address in a header value.
pub fn domain_of(value: &str) -> Option<String> {
    domain_part(&first_address(value)?).map(str::to_string)
}

/// True for addresses of mail systems rather than people.
pub fn is_system_address(addr: &str) -> bool {
    let local = addr.split('@').next().unwrap_or("").to_ascii_lowercase();
    matches!(
        local.as_str(),
        "mailer-daemon" | "postmaster" | "mail-daemon" | "mailerdaemon" | "mdaemon" | "root"
    ) || local.starts_with("mailer-daemon")
        || local.starts_with("bounce")
}

/// A code found in text, with its byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code {
    pub value: String,
    pub start: usize,
}

/// True if `s` is exactly one enhanced status code and nothing else.
pub fn is_status_code(s: &str) -> bool {
    find_status(s).is_some_and(|c| c.value.len() == s.len())
}

/// True if `s` carries an SMTP error code: a reply code or an enhanced status code.
pub fn has_code(s: &str) -> bool {
    find_status(s).is_some() || find_reply_code(s).is_some()
}

/// The first enhanced status code (`5.1.1`, `4.7.0`, `5.7.606`) in `s`, skipping
/// things that only look like one: IP addresses, versions, dates.
pub fn find_status(s: &str) -> Option<Code> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if matches!(c, b'2' | b'4' | b'5')
            && b.get(i + 1) == Some(&b'.')
            && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'.'))
            && !names_a_version(b, i)
        {
            let (subj, after_subj) = digits(b, i + 2, 3);
            if subj > 0 && b.get(after_subj) == Some(&b'.') {
                let (det, end) = digits(b, after_subj + 1, 3);
                let ends_clean = match b.get(end) {
                    None => true,
                    Some(&n) => {
                        let digit_follows = b.get(end + 1).is_some_and(u8::is_ascii_digit);
                        !(n.is_ascii_alphanumeric() || n == b'@' || n == b'.' && digit_follows)
                    }
                };
                if det > 0 && ends_clean {
                    return Some(Code {
                        value: s[i..end].to_string(),
                        start: i,
                    });
                }
            }
        }
        i += 1;
    }
    None
}

/// True if the number at `i` follows a mail program's name (`Exim 4.97.1`, `Postfix
/// 2.11.3`): its version, not a status code.
fn names_a_version(b: &[u8], i: usize) -> bool {
    let before = &b[i.saturating_sub(10)..i];
    let before = before.strip_suffix(b" ").unwrap_or(before);
    [
        &b"exim"[..],
        b"postfix",
        b"sendmail",
        b"version",
        b"qmail",
        b"dovecot",
    ]
    .iter()
    .any(|name| {
        before.len() >= name.len() && before[before.len() - name.len()..].eq_ignore_ascii_case(name)
    })
}

fn digits(b: &[u8], from: usize, max: usize) -> (usize, usize) {
    let mut n = 0;
    while n < max && b.get(from + n).is_some_and(u8::is_ascii_digit) {
        n += 1;
    }
    if b.get(from + n).is_some_and(u8::is_ascii_digit) {
        return (0, from);
    }
    (n, from + n)
}

/// The reply code and enhanced status of a diagnostic, read as a pair from the SMTP reply
/// line where there is one (`550 5.1.1`, `550-'5.7.1`), else each on its own.
pub fn find_codes(s: &str) -> (Option<Code>, Option<Code>) {
    let b = s.as_bytes();
    // A transcript's positive replies ("250 2.1.0 Ok") count only when no failure does.
    let mut success = None;
    for i in 0..b.len().saturating_sub(3) {
        if !(matches!(b[i], b'2' | b'4' | b'5')
            && b[i + 1].is_ascii_digit()
            && b[i + 2].is_ascii_digit())
        {
            continue;
        }
        if i > 0
            && (b[i - 1].is_ascii_alphanumeric()
                || matches!(b[i - 1], b'.' | b'-' | b'/' | b'=' | b'@'))
        {
            continue;
        }
        let rest = &s[i + 3..];
        let gap = rest.len()
            - rest
                .trim_start_matches([' ', '-', '\'', '"', ':', '\t'])
                .len();
        if gap == 0 || gap > 3 || !rest.starts_with([' ', '-', ':', '\t']) {
            continue;
        }
        if let Some(st) = status_at_start(&rest[gap..])
            && st.value.as_bytes()[0] == b[i]
        {
            let status = Code {
                value: st.value,
                start: i + 3 + gap,
            };
            let reply = Code {
                value: s[i..i + 3].to_string(),
                start: i,
            };
            if b[i] != b'2' {
                return (Some(reply), Some(status));
            }
            success.get_or_insert((Some(reply), Some(status)));
        }
    }
    match success {
        // "250 2.1.0 Ok" and later a bare "550 User unknown": the failure counts.
        Some(pair) => failure_reply(s).map_or(pair, |f| {
            // Its status stands on the same line and in the same class, if anywhere.
            let line = s[f.start..].split('\n').next().unwrap_or("");
            let status = find_status(line)
                .filter(|st| st.value.as_bytes()[0] == f.value.as_bytes()[0])
                .map(|st| Code {
                    start: st.start + f.start,
                    ..st
                });
            (Some(f), status)
        }),
        None => (find_reply_code(s), find_status(s)),
    }
}

/// The first 4xx or 5xx reply code of a text, read line by line (a transcript has one
/// reply a line).
fn failure_reply(s: &str) -> Option<Code> {
    let mut offset = 0;
    for line in s.split_inclusive('\n') {
        if let Some(code) = find_reply_code(line).filter(|c| !c.value.starts_with('2')) {
            return Some(Code {
                start: code.start + offset,
                ..code
            });
        }
        offset += line.len();
    }
    None
}

/// An enhanced status code at the very start of `s`. Looks at a few bytes only, so that
/// callers scanning a long text stay linear.
fn status_at_start(s: &str) -> Option<Code> {
    find_status(&s[..s.floor_char_boundary(16)]).filter(|st| st.start == 0)
}

/// A multi-line SMTP reply that a report cut after its first line (`550-5.7.1 The IP …
/// is not authorized to`), completed from the transcript in the notice's text, where its
/// further lines follow (`<<< 550-5.7.1 send email directly …`, up to `<<< 550 5.7.1 …`).
/// `None` when the reply is not cut or the text does not hold the rest.
pub fn complete_reply(first: &str, notice: &str) -> Option<String> {
    let first = first.trim();
    let code = first
        .get(..4)
        .filter(|c| starts_with_reply_code(c) && c.ends_with('-'))?;
    let code = &code[..3];
    let lines: Vec<&str> = notice
        .lines()
        .map(|l| l.trim_start_matches(['<', '>', ' ', '\t']).trim_end())
        .collect();
    // (Not when the first line stands more than once: whose rest follows is unclear.)
    let mut found = (0..lines.len()).filter(|&i| lines[i] == first);
    let (Some(at), None) = (found.next(), found.next()) else {
        return None;
    };
    let repeated = find_status(first).map(|s| s.value);
    let mut reply = first.to_string();
    for line in &lines[at + 1..] {
        let Some(rest) = line.strip_prefix(code) else {
            break;
        };
        let last = rest.starts_with(' ');
        if !last && !rest.starts_with('-') {
            break;
        }
        let mut rest = rest[1..].trim_start();
        // Servers such as Gmail repeat the enhanced code on every line.
        if let Some(s) = repeated.as_deref() {
            rest = rest.strip_prefix(s).unwrap_or(rest).trim_start();
        }
        reply.push(' ');
        reply.push_str(rest);
        if last {
            break;
        }
    }
    (reply.len() > first.len()).then_some(reply)
}

/// True if `s` starts with a three-digit SMTP reply code (2xx, 4xx or 5xx).
pub fn starts_with_reply_code(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 3 && matches!(b[0], b'2' | b'4' | b'5') && b[1..3].iter().all(u8::is_ascii_digit)
}

/// The SMTP reply code of a diagnostic: a three-digit code 2xx/4xx/5xx standing where
/// servers put it (start of a line, after `said:` or `:`, before an enhanced code).
pub fn find_reply_code(s: &str) -> Option<Code> {
    let b = s.as_bytes();
    let mut fallback: Option<Code> = None;
    let mut i = 0;
    while i + 3 <= b.len() {
        if matches!(b[i], b'2' | b'4' | b'5')
            && b[i + 1].is_ascii_digit()
            && b[i + 2].is_ascii_digit()
            && (i == 0
                || !(b[i - 1].is_ascii_alphanumeric()
                    || matches!(
                        b[i - 1],
                        b'.' | b'-' | b'=' | b'/' | b'+' | b'_' | b'#' | b'[' | b'@'
                    )))
            && b.get(i + 3).is_none_or(|&n| {
                matches!(
                    n,
                    b' ' | b'-' | b'\t' | b'\r' | b'\n' | b')' | b']' | b',' | b';'
                )
            })
        {
            let rest = s[i + 3..].trim_start_matches([' ', '-', '\t']);
            let code = Code {
                value: s[i..i + 3].to_string(),
                start: i,
            };
            let valid_second = matches!(b[i + 1], b'0'..=b'5');
            let before = s[..i].trim_end_matches([' ', '\t', '(', '"', '\'']);
            let at_line_start = before.is_empty() || before.ends_with('\n');
            let named = before.trim_end_matches(':');
            let said = named.len() >= 4
                && named.as_bytes()[named.len() - 4..].eq_ignore_ascii_case(b"said");
            // A success code after a label is a number in a list of details
            // ("Size (in bytes): 222"), not a reply.
            let after_label = before.ends_with(':') && b[i] != b'2'
                || said
                || before.ends_with(';')
                || before.ends_with('>')
                || before.ends_with("<<<")
                || before.ends_with("<--") && b[i] != b'2';
            if valid_second && status_at_start(rest).is_some() {
                return Some(code);
            }
            // (A number opening a line is a reply only if it is one SMTP defines, or its
            // line tells of a failure (qmail's "511 sorry, no mailbox here"): not the
            // "405 N Main St" of a postal address.)
            let defined = || {
                crate::knowledge::reply_codes().any(|c| c.code == code.value) || {
                    let line = s[i..].split('\n').next().unwrap_or("");
                    let line = &line[..line.floor_char_boundary(400)];
                    crate::classify::mentions_failure(&line.to_ascii_lowercase())
                }
            };
            // (A transcript's greeting "<-- 220 ready" yields to a failure further on.)
            let better = match &fallback {
                None => true,
                Some(f) => f.value.starts_with('2') && b[i] != b'2',
            };
            // (Also the first line of a multi-line failure reply, wherever a paste put
            // it: "554-Transaction failed".)
            let continued = b[i] != b'2'
                && b.get(i + 3) == Some(&b'-')
                && b.get(i + 4).is_some_and(u8::is_ascii_alphabetic)
                && s[i + 4..s.floor_char_boundary(i + 400)].contains(&s[i..i + 3]);
            if valid_second && (after_label || (at_line_start || continued) && defined()) && better
            {
                fallback = Some(code);
            }
        }
        i += 1;
    }
    fallback
}

/// Removes quoted-printable leftovers from pasted text: soft line breaks (`=` at a line
/// end) and `=XX` escapes of common characters.
pub fn strip_qp_debris(s: &str) -> Cow<'_, str> {
    let b = s.as_bytes();
    let (mut soft, mut escaped) = (false, false);
    for i in memchr::memchr_iter(b'=', b) {
        soft |= is_soft_break(b, i);
        escaped |= qp_escape_len(b, i).is_some();
        if soft && escaped {
            break;
        }
    }
    if !soft && !escaped {
        return Cow::Borrowed(s);
    }
    let mut bytes = Vec::with_capacity(s.len());
    // Everything up to `done` is in `bytes`; text between the `=` signs is copied whole.
    let mut done = 0;
    for i in memchr::memchr_iter(b'=', b) {
        if i < done {
            continue;
        }
        let len = if is_soft_break(b, i) {
            bytes.extend_from_slice(&b[done..i]);
            if b[i + 1] == b'\r' { 3 } else { 2 }
        } else if let Some(len) = qp_escape_len(b, i) {
            bytes.extend_from_slice(&b[done..i]);
            for k in (i..i + len).step_by(3) {
                bytes.push(hex(&b[k + 1]).unwrap_or(0) << 4 | hex(&b[k + 2]).unwrap_or(0));
            }
            len
        } else {
            continue;
        };
        done = (i + len).min(b.len());
    }
    bytes.extend_from_slice(&b[done..]);
    Cow::Owned(String::from_utf8_lossy(&bytes).into_owned())
}

/// A soft line break: `=` at a line end, unless it closes an encoded word that opens on
/// the same line (`=?utf-8?B?…?=` in a returned header).
fn is_soft_break(b: &[u8], i: usize) -> bool {
    if !line_ends_at(b, i + 1) {
        return false;
    }
    let line_start = memchr::memrchr(b'\n', &b[..i]).map_or(0, |p| p + 1);
    let closes_word =
        i > 0 && b[i - 1] == b'?' && memchr::memmem::find(&b[line_start..i], b"=?").is_some();
    !closes_word
}

/// True if a line ends at byte `i`.
fn line_ends_at(b: &[u8], i: usize) -> bool {
    matches!(b.get(i..i + 1), Some(b"\n")) || matches!(b.get(i..i + 2), Some(b"\r\n"))
}

/// The length of a quoted-printable escape at `i` that is surely one, not text that
/// happens to look like it (`ip=203.0.113.5`, `SIZE=2048`): `=3D`, a space or tab
/// escaped at a line end (`=20`, `=09`), or a UTF-8 sequence (`=C3=A4`).
fn qp_escape_len(b: &[u8], i: usize) -> Option<usize> {
    let byte = |k: usize| {
        (b.get(k) == Some(&b'=')).then_some(())?;
        Some(hex(b.get(k + 1)?)? << 4 | hex(b.get(k + 2)?)?)
    };
    let first = byte(i)?;
    match first {
        b'=' => Some(3),
        b' ' | b'\t'
            if b.len() == i + 3 || line_ends_at(b, i + 3) || b.get(i + 3) == Some(&b'=') =>
        {
            Some(3)
        }
        0xC2..=0xF4 => {
            let extra = if first >= 0xF0 {
                3
            } else if first >= 0xE0 {
                2
            } else {
                1
            };
            (1..=extra)
                .all(|n| byte(i + 3 * n).is_some_and(|c| (0x80..0xC0).contains(&c)))
                .then_some(3 * (extra + 1))
        }
        _ => None,
    }
}

fn hex(c: &u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Lines longer than this may be a whole notice flattened into one (a browser copy);
/// lines longer than the second are no notice, and are left as they are.
const FLATTENED_LINE: usize = 300;
const FLATTENED_LINE_MAX: usize = 100_000;

/// Breaks a flattened line around the recipients it lists the way Outlook does, as
/// "address (address)" ("…fehlgeschlagen:a@x.org (a@x.org)Der Server …"), so that each
/// mention of such an address stands on a line of its own and the words after it on the
/// next: the browser copy of Outlook's notice then reads like the notice.
pub fn unflatten_recipient_lists(s: &str) -> Cow<'_, str> {
    let flattened = |l: &str| (FLATTENED_LINE..FLATTENED_LINE_MAX).contains(&l.len());
    if !lines(s).any(flattened) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 64);
    let mut changed = false;
    for raw in s.split_inclusive('\n') {
        let (line, end) = raw.strip_suffix('\n').map_or((raw, ""), |l| (l, "\n"));
        let cuts = if flattened(line) {
            recipient_list_cuts(line)
        } else {
            Vec::new()
        };
        let mut from = 0;
        for cut in cuts {
            let piece = line[from..cut].trim();
            if !piece.is_empty() {
                out.push_str(piece);
                out.push('\n');
            }
            from = cut;
            changed = true;
        }
        out.push_str(&line[from..]);
        out.push_str(end);
    }
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(s)
    }
}

/// Where to break `line` around the addresses it lists as "address (address)" (at least
/// two of them): before and after each mention. Longer addresses claim their mentions
/// first, so `a@x.org` is not cut out of `ba@x.org`.
fn recipient_list_cuts(line: &str) -> Vec<usize> {
    let mut listed: Vec<&str> = find_addresses(line)
        .into_iter()
        .filter_map(|f| {
            let own = &line[f.start..f.end];
            let before = line[..f.start].strip_suffix(" (")?;
            (line[f.end..].starts_with(')') && before.ends_with(own)).then_some(own)
        })
        .collect();
    // Longest first, the same address next to itself (by a hash of it in the low bits)
    // and once only.
    crate::order::by_rank(&mut listed, |a| {
        let hash = a
            .bytes()
            .fold(0usize, |h, b| h.wrapping_mul(31).wrapping_add(b.into()));
        (4095 - a.len().min(4095)) << 20 | hash & 0xf_ffff
    });
    listed.dedup();
    if listed.len() < 2 {
        return Vec::new();
    }
    // The mentions found so far, as (start, end), each the address or its pair.
    let mut claimed: Vec<(usize, usize)> = Vec::new();
    for address in listed.into_iter().take(crate::engine::MAX_RECIPIENTS) {
        let paired = format!("{address} ({address})");
        let mut at = 0;
        while let Some(p) = line[at..].find(address) {
            let start = at + p;
            let end = start
                + if line[start..].starts_with(&paired) {
                    paired.len()
                } else {
                    address.len()
                };
            at = end;
            if !claimed.iter().any(|&(s, e)| start < e && s < end) {
                claimed.push((start, end));
            }
        }
    }
    let mut cuts: Vec<usize> = claimed.into_iter().flat_map(|(s, e)| [s, e]).collect();
    crate::order::sort(&mut cuts);
    cuts.dedup();
    cuts.retain(|&c| c > 0 && c < line.len());
    cuts
}

/// Joins a Postfix recipient line that re-wrapping broke after "(expanded from" to the
/// line below, which starts with the original address (`<b@example.org>): host …`).
pub fn join_broken_expansions(s: &str) -> Cow<'_, str> {
    let parts: Vec<&str> = s.split_inclusive('\n').collect();
    let broken = |i: usize| {
        parts[i]
            .trim_end()
            .to_ascii_lowercase()
            .ends_with("(expanded from")
            && parts
                .get(i + 1)
                .is_some_and(|n| n.trim_start().starts_with('<'))
    };
    if !(0..parts.len()).any(broken) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    for (i, part) in parts.iter().enumerate() {
        if broken(i) {
            out.push_str(part.trim_end());
            out.push(' ');
        } else {
            out.push_str(part);
        }
    }
    Cow::Owned(out)
}

/// Undoes double spacing: a paste where nearly every line is followed by one empty line
/// (some webmail views copy it so) loses those; longer gaps stay as one paragraph break.
/// Short paragraphs of one line each look alike, so the empty lines must also split
/// sentences (a line without end punctuation, then one going on in lower case) at least
/// twice and in one gap of ten.
pub fn single_spaced(s: &str) -> Cow<'_, str> {
    let all: Vec<&str> = lines(s).collect();
    let blank = |i: usize| all.get(i).is_some_and(|l| l.trim().is_empty());
    let filled = (0..all.len()).filter(|&i| !blank(i)).count();
    let spaced: Vec<usize> = (0..all.len())
        .filter(|&i| !blank(i) && blank(i + 1) && i + 2 < all.len() && !blank(i + 2))
        .collect();
    let split_sentences = spaced
        .iter()
        .filter(|&&i| {
            let next = all[i + 2].trim_start();
            !all[i]
                .trim_end()
                .ends_with(['.', ':', '!', '?', ';', ')', ','])
                && next.starts_with(char::is_lowercase)
                && !next.split_whitespace().next().unwrap_or("").contains('@')
        })
        .count();
    if filled < 8
        || spaced.len() * 5 < (filled - 1) * 4
        || split_sentences < 2
        || split_sentences * 10 < spaced.len()
    {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    for (i, l) in all.iter().enumerate() {
        // A lone empty line between two lines is the spacing; the last of a longer gap
        // is kept as the paragraph break.
        if blank(i) && (!blank(i + 1) && i > 0 && !blank(i - 1) || blank(i + 1)) {
            continue;
        }
        out.push_str(l);
        out.push('\n');
    }
    Cow::Owned(out)
}

/// Removes `>` reply quoting, one level at a time, while most lines carry it (a
/// transcript's own `>>> DATA` lines keep their marks).
pub fn strip_quoting(s: &str) -> Cow<'_, str> {
    let mut text = Cow::Borrowed(s);
    for _ in 0..8 {
        // (Counted from the first quoted line: the words of a reply above a quoted
        // thread do not keep its deeper levels quoted. A session transcript's `>>> MAIL`
        // is no quoting.)
        let (mut quoted, mut total) = (0, 0);
        for l in lines(&text).filter(|l| !l.trim().is_empty()) {
            let t = l.trim_start();
            let is_quoted = t.starts_with('>') && !t.starts_with(">>> ");
            if is_quoted || quoted > 0 {
                total += 1;
            }
            if is_quoted {
                quoted += 1;
            }
        }
        if total == 0 || quoted * 2 < total {
            break;
        }
        let mut out = String::with_capacity(text.len());
        for l in lines(&text) {
            let t = l.trim_start();
            out.push_str(match t.strip_prefix('>') {
                Some(rest) => rest.strip_prefix(' ').unwrap_or(rest),
                None => l,
            });
            out.push('\n');
        }
        text = Cow::Owned(out);
    }
    text
}

/// A link of an HTML text: where it points and the text it shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Link {
    pub href: String,
    pub text: String,
}

/// The links (`<a href="…">text</a>`) of an HTML text, at most 100.
pub fn html_links(html: &str) -> Vec<Link> {
    let lower = html.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut from = 0;
    while out.len() < 100 {
        let Some(p) = lower[from..].find("<a ") else {
            break;
        };
        let start = from + p;
        let Some(close) = lower[start..].find('>') else {
            break;
        };
        let text_start = start + close + 1;
        let text_end = lower[text_start..]
            .find("</a")
            .map_or(html.len(), |e| text_start + e);
        if let Some(h) = lower[start..text_start].find("href=") {
            let value = &html[start + h + 5..text_start - 1];
            let href = match value.chars().next() {
                Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or(""),
                _ => value.split([' ', '>']).next().unwrap_or(""),
            };
            out.push(Link {
                // `&amp;` in an attribute is a plain `&` in the address it opens.
                href: href.trim().replace("&amp;", "&"),
                text: squash(&flatten_html(&html[text_start..text_end])),
            });
        }
        from = text_end;
    }
    out
}

/// Turns HTML into plain text: drops tags, scripts and styles, keeps line structure,
/// decodes the common entities. Never interprets anything.
pub fn flatten_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() / 2);
    let lower = s.to_ascii_lowercase();
    let mut i = 0;
    let b = s.as_bytes();
    while i < b.len() {
        if b[i] == b'<' {
            let rest = &lower[i..];
            for skip in ["<script", "<style", "<head"] {
                if rest.starts_with(skip) {
                    let close = format!("</{}", &skip[1..]);
                    match rest.find(&close) {
                        Some(p) => i += p,
                        None => i = b.len(),
                    }
                    break;
                }
            }
            if i >= b.len() {
                break;
            }
            let end = lower[i..].find('>').map_or(b.len(), |p| i + p + 1);
            let tag = &lower[i..end];
            if [
                "<br", "<p", "</p", "<div", "</div", "</tr", "<li", "<h", "</h", "<table",
                "</table",
            ]
            .iter()
            .any(|t| tag.starts_with(t))
            {
                out.push('\n');
            } else if tag.starts_with("<td") || tag.starts_with("<th") {
                out.push(' ');
            }
            i = end;
            continue;
        }
        if b[i] == b'&'
            && let Some((len, c)) = entity_at(&lower[i..lower.floor_char_boundary(i + 12)])
        {
            out.push(c);
            i += len;
            continue;
        }
        // Plain text runs up to the next tag or entity ('&' itself if it starts none). The
        // source's line breaks between a block and the next are no text: the rows of a
        // table stay on consecutive lines.
        let next = memchr::memchr2(b'<', b'&', &b[i + 1..]).map_or(b.len(), |p| i + 1 + p);
        if !(out.ends_with('\n') && s[i..next].trim_ascii().is_empty()) {
            out.push_str(&s[i..next]);
        }
        i = next;
    }
    out
}

/// The HTML entity `lower` (lower case) starts with, of those mail text uses, or a
/// numeric one: its length and the character it stands for. A letter's capital is lost;
/// a hidden character (a control or a text-reordering one) is not decoded.
fn entity_at(lower: &str) -> Option<(usize, char)> {
    if let Some(number) = lower.strip_prefix("&#") {
        let (digits, radix) = match number.strip_prefix('x') {
            Some(hex) => (hex, 16),
            None => (number, 10),
        };
        let end = digits.find(';').filter(|&e| (1..=6).contains(&e))?;
        let c = u32::from_str_radix(&digits[..end], radix)
            .ok()
            .and_then(char::from_u32)
            .filter(|&c| !is_hidden(c) || c == '\u{a0}')?;
        // (The no-break space stays a plain space, as `&nbsp;` does.)
        let c = if c == '\u{a0}' { ' ' } else { c };
        return Some((lower.len() - digits.len() + end + 1, c));
    }
    [
        ("&amp;", '&'),
        ("&lt;", '<'),
        ("&gt;", '>'),
        ("&quot;", '"'),
        ("&nbsp;", ' '),
        ("&auml;", 'ä'),
        ("&ouml;", 'ö'),
        ("&uuml;", 'ü'),
        ("&szlig;", 'ß'),
        ("&eacute;", 'é'),
        ("&egrave;", 'è'),
        ("&agrave;", 'à'),
        ("&ccedil;", 'ç'),
    ]
    .into_iter()
    .find(|(e, _)| lower.starts_with(e))
    .map(|(e, c)| (e.len(), c))
}

/// Plain text that a ticket system or web form pasted with its angle brackets escaped
/// (`&lt;anna@example.org&gt;: host … said`), with its entities decoded.
pub fn decode_escaped_brackets(s: &str) -> Cow<'_, str> {
    // (Only where a line opens with one, as a recipient line of a notice does: a
    // flattened one-line notice would bring a quoted sender's address forward.)
    if !(s.contains("&gt;") && lines(s).any(|l| l.trim_start().starts_with("&lt;"))) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let head = tail[..tail.floor_char_boundary(12)].to_ascii_lowercase();
        match entity_at(&head) {
            Some((len, c)) => {
                out.push(c);
                rest = &tail[len..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Text that opens with an HTML document's first tag.
pub fn opens_as_html(t: &str) -> bool {
    let head = t.trim_start();
    let head = head[..head.floor_char_boundary(16)].to_ascii_lowercase();
    [
        "<html",
        "<!doctype",
        "<head",
        "<body",
        "<div",
        "<table",
        "<meta",
    ]
    .iter()
    .any(|tag| head.starts_with(tag))
}

/// True if the text looks like HTML markup rather than plain text.
pub fn looks_like_html(s: &str) -> bool {
    let head = &s[..s.floor_char_boundary(4096)];
    [
        "<html",
        "<body",
        "<div",
        "<table",
        "<p>",
        "<br",
        "<!doctype",
    ]
    .iter()
    .filter(|t| contains_ci(head, t))
    .count()
        >= 2
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_recipient_line_broken_after_expanded_from_is_joined() {
        assert_eq!(
            join_broken_expansions(
                "<a@x.example> (expanded from\n<b@y.example>): host z said: 550\n"
            ),
            "<a@x.example> (expanded from <b@y.example>): host z said: 550\n"
        );
        assert!(matches!(
            join_broken_expansions("no break\n"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn escaped_brackets_of_a_ticket_paste_are_decoded() {
        assert_eq!(
            decode_escaped_brackets("&lt;anna@example.org&gt;: host x said: 530 AT&amp;T &amp no"),
            "<anna@example.org>: host x said: 530 AT&T &amp no"
        );
        let flattened = "Failed: bo@example.org From: Kim &lt;kim@example.net&gt;";
        assert_eq!(decode_escaped_brackets(flattened), flattened);
        assert_eq!(
            decode_escaped_brackets("Fish &amp; chips"),
            "Fish &amp; chips"
        );
    }

    #[test]
    fn a_reply_cut_after_its_first_line_is_completed_from_the_transcript() {
        let notice = "<<< 550-5.7.1 [192.0.2.3] The IP you're using to send mail is not authorized to\n<<< 550-5.7.1 send email directly to our servers. Please use\n<<< 550 5.7.1  the SMTP relay at your service provider instead. - gsmtp\n554 5.0.0 Service unavailable\n";
        let first = "550-5.7.1 [192.0.2.3] The IP you're using to send mail is not authorized to";
        assert_eq!(
            complete_reply(first, notice).as_deref(),
            Some(
                "550-5.7.1 [192.0.2.3] The IP you're using to send mail is not authorized to send email directly to our servers. Please use the SMTP relay at your service provider instead. - gsmtp"
            )
        );
        // A whole reply, or one the text does not continue, stays as it is.
        assert_eq!(complete_reply("550 5.1.1 User unknown", notice), None);
        assert_eq!(complete_reply("550-5.7.1 Other words", notice), None);
        // Nor one whose first line stands twice (two recipients, two different rests).
        let twice = "<<< 550-Requested action not taken\n<<< 550 Mailbox full\n<<< 550-Requested action not taken\n<<< 550 No such user\n";
        assert_eq!(
            complete_reply("550-Requested action not taken", twice),
            None
        );
    }

    #[test]
    fn outlook_recipient_lists_in_a_flattened_line_are_broken_up() {
        let filler = "x".repeat(300);
        let line = format!(
            "{filler} fehlgeschlagen:a@example.org (a@example.org)Der Server hat abgelehnt.b@example.org (b@example.org)Der Server auch.Generierender Server: EX1.example.coma@example.orgRemote Server returned '550 5.1.1 unknown'b@example.orgRemote Server returned '552 full'\n"
        );
        let out = super::unflatten_recipient_lists(&line);
        let got: Vec<&str> = out.lines().collect();
        assert_eq!(
            &got[1..],
            [
                "a@example.org (a@example.org)",
                "Der Server hat abgelehnt.",
                "b@example.org (b@example.org)",
                "Der Server auch.Generierender Server: EX1.example.com",
                "a@example.org",
                "Remote Server returned '550 5.1.1 unknown'",
                "b@example.org",
                "Remote Server returned '552 full'",
            ]
        );
        // A listed address inside a longer one is no mention of its own.
        let nested = format!(
            "{filler} ba@example.org (ba@example.org)Nein.a@example.org (a@example.org)Voll.\n"
        );
        let out = super::unflatten_recipient_lists(&nested);
        let got: Vec<&str> = out.lines().collect();
        assert_eq!(
            &got[1..],
            [
                "ba@example.org (ba@example.org)",
                "Nein.",
                "a@example.org (a@example.org)",
                "Voll.",
            ]
        );
        // One listed address, or a short line, stays as it is.
        let one = format!("{filler} a@example.org (a@example.org) failed\n");
        assert_eq!(super::unflatten_recipient_lists(&one), one);
    }

    #[test]
    fn double_spaced_pastes_are_single_spaced_again() {
        let double: String = (1..=9)
            .map(|i| format!("line {i} goes\n\non\n\n"))
            .collect();
        let with_gap = double.replace("on\n\nline 6", "on\n\n\n\nline 6");
        let single: String = (1..=9).map(|i| format!("line {i} goes\non\n")).collect();
        assert_eq!(
            super::single_spaced(&with_gap),
            single.replace("on\nline 6", "on\n\nline 6") + "\n"
        );
        // Ordinary paragraphs stay as they are, even of one line each.
        let normal = "a\nb\nc\n\nd\ne\nf\n\ng\nh\ni\n";
        assert_eq!(super::single_spaced(normal), normal);
        let short: String = (1..=9).map(|i| format!("Paragraph {i}.\n\n")).collect();
        assert_eq!(super::single_spaced(&short), short);
    }

    #[test]
    fn addresses_with_latin_letters_but_not_neighbouring_text() {
        let found = |s: &str| {
            super::find_addresses(s)
                .into_iter()
                .map(|a| a.value)
                .collect::<Vec<_>>()
        };
        assert_eq!(found("Empfänger: jürgen@müller.de."), ["jürgen@müller.de"]);
        assert_eq!(
            found("您好kijitora@example.jp您好"),
            ["kijitora@example.jp"]
        );
        assert_eq!(found("„anna@example.org“"), ["anna@example.org"]);
    }

    #[test]
    fn continuation_codes_are_dropped_after_the_first() {
        assert_eq!(
            super::without_continuation_codes(
                "550-5.7.1 messages with multiple 550 5.7.1 addresses 550-5.7.1 in from"
            ),
            "550-5.7.1 messages with multiple addresses in from"
        );
        assert_eq!(super::without_continuation_codes("no codes"), "no codes");
        // A line's first word joined to its code stays.
        assert_eq!(
            super::without_continuation_codes(
                "554-Transaction failed 554-Reject due to policy restrictions. 554 For more"
            ),
            "554-Transaction failed Reject due to policy restrictions. For more"
        );
    }

    use super::*;

    #[test]
    fn finds_addresses_in_angle_brackets_and_prose() {
        let found = find_addresses("<kijitora@Example.JP>: user unknown; cc to neko@example.org.");
        let values: Vec<_> = found.iter().map(|f| f.value.as_str()).collect();
        assert_eq!(values, ["kijitora@example.jp", "neko@example.org"]);
    }

    #[test]
    fn an_address_in_a_link_is_the_query_value_and_srs_addresses_stay_whole() {
        let found = find_addresses(
            "https://x.example/login.php?email=alice@example.com and SRS0=ab=cd=example.org=bob@fwd.example",
        );
        let values: Vec<_> = found.iter().map(|f| f.value.as_str()).collect();
        assert_eq!(
            values,
            [
                "alice@example.com",
                "SRS0=ab=cd=example.org=bob@fwd.example"
            ]
        );
    }

    #[test]
    fn names_are_masked_but_the_words_stay() {
        assert_eq!(
            mask_names(
                "host mx1.spamfilter.example[192.0.2.9] said: 550 5.1.1 <spammer@bad.example>: unknown"
            ),
            "host x[192.0.2.9] said: 550 5.1.1 <x>: unknown"
        );
        assert_eq!(
            mask_names("blocked using zen.spamhaus.org"),
            "blocked using zen.spamhaus.org"
        );
        assert_eq!(
            mask_names("550 access denied (in reply to mail from command)"),
            "550 access denied (in reply to x command)"
        );
    }

    #[test]
    fn html_links_give_target_and_shown_text() {
        let links = html_links(
            "<p>Go <A class=x HREF=\"https://evil.example/login\">https://mail.example.org</a> or <a href='mailto:a@b.example'>mail</a>",
        );
        assert_eq!(links.len(), 2);
        assert_eq!(links[0].href, "https://evil.example/login");
        assert_eq!(links[0].text, "https://mail.example.org");
        assert_eq!(links[1].href, "mailto:a@b.example");
    }

    #[test]
    fn a_transcripts_failure_outranks_its_positive_replies() {
        let (reply, _) = find_codes(
            "<<< 250 2.1.0 Ok\n>>> RCPT To:<b@example.org>\n<<< 550 User unknown\n<<< 221 2.0.0 Bye",
        );
        assert_eq!(reply.unwrap().value, "550");
        let (_, status) = find_codes("<<< 250 2.1.0 Ok\n<<< 550 User unknown\n<<< 221 2.0.0 Bye");
        assert!(status.is_none(), "{status:?}");
        let (reply, status) = find_codes("<<< 250 2.1.0 Ok\n<<< 550 5.1.1 User unknown");
        assert_eq!(
            (reply.unwrap().value, status.unwrap().value),
            ("550".into(), "5.1.1".into())
        );
    }

    #[test]
    fn lines_end_where_split_would() {
        for s in ["", "a", "a\n", "a\r\nb\n\nc", "\n\r\n", "x\ry\n"] {
            let split: Vec<&str> = s
                .split('\n')
                .map(|l| l.strip_suffix('\r').unwrap_or(l))
                .collect();
            assert_eq!(lines(s).collect::<Vec<_>>(), split, "{s:?}");
        }
    }

    #[test]
    fn squash_joins_words_across_any_white_space() {
        assert_eq!(squash(" a \u{a0} b\n\t c\u{202e}d \u{1} e "), "a b cd e");
        assert_eq!(squash("\u{1}\u{3000}"), "");
    }

    #[test]
    fn squash_drops_control_characters() {
        assert_eq!(
            squash("550 \u{1b}[2Jgone\u{0} \u{1b} user"),
            "550 [2Jgone user"
        );
    }

    /// A remote host name as a report gives it (`dns; mx.example.org`), nothing else.
    #[test]
    fn host_names_are_cut_to_host_name_characters() {
        assert_eq!(
            host_name("dns; mx.example.org").as_deref(),
            Some("mx.example.org")
        );
        assert_eq!(
            host_name("mx.recv.example<img src=x>").as_deref(),
            Some("mx.recv.example")
        );
        assert_eq!(
            host_name("dsn; [192.0.2.1]").as_deref(),
            Some("[192.0.2.1]")
        );
        assert_eq!(host_name(";<script>"), None);
    }

    #[test]
    fn status_codes_skip_ip_addresses_and_versions() {
        assert_eq!(
            find_status("host 5.1.1.1 said 550 5.1.1 no").unwrap().value,
            "5.1.1"
        );
        assert_eq!(find_status("(#5.7.606)").unwrap().value, "5.7.606");
        assert!(find_status("version 2.10.3a").is_none());
    }

    #[test]
    fn reply_code_prefers_the_one_before_a_status() {
        assert_eq!(
            find_reply_code("port 587 then 550 5.1.1 user")
                .unwrap()
                .value,
            "550"
        );
        assert_eq!(
            find_reply_code("host said: 552 mailbox full")
                .unwrap()
                .value,
            "552"
        );
        assert!(find_reply_code("at 12:00 in room 512b").is_none());
    }

    #[test]
    fn codes_come_as_a_pair_from_the_reply_line() {
        let (reply, status) =
            find_codes("5.1.0 - Unknown address error 550-'5.7.1 <x@y.z>... Access denied'");
        assert_eq!(
            (reply.unwrap().value, status.unwrap().value),
            ("550".to_string(), "5.7.1".to_string())
        );
        let (reply, status) = find_codes("host said: 552 mailbox full (#5.2.2)");
        assert_eq!(
            (reply.unwrap().value, status.unwrap().value),
            ("552".to_string(), "5.2.2".to_string())
        );
    }

    #[test]
    fn base_domains_keep_a_countrys_second_level() {
        assert_eq!(base_domain("mout.provider.example"), "provider.example");
        assert_eq!(base_domain("mail.firma.co.uk"), "firma.co.uk");
        assert_eq!(base_domain("smtp.example.ne.jp"), "example.ne.jp");
        assert_eq!(base_domain("mx.web.de."), "web.de");
        assert_eq!(base_domain("co.uk"), "co.uk");
    }

    #[test]
    fn a_thread_quoted_three_deep_below_a_reply_is_unquoted_to_its_notice() {
        let thread = "Hi Marco,\nsee below.\nThomas\n\n-----Original Message-----\nFrom: Marco\nSubject: RE: Mail\n\n> Hallo Thomas,\n> send me the whole notice.\n>\n> > What is this?\n> >\n> > > ----- The following addresses had permanent fatal errors -----\n> > > <a@example.org>\n> > >     (reason: 550 5.7.1 blocked using bl.spamcop.net)\n> > > >>> MAIL From:<t@example.net>\n> > > <<< 550 5.7.1 blocked\n";
        let plain = strip_quoting(thread);
        assert!(plain.contains("\n<a@example.org>\n"), "{plain}");
        // The transcript's own marks stay.
        assert!(plain.contains("\n>>> MAIL From:"), "{plain}");
    }

    #[test]
    fn quoted_printable_debris_is_removed() {
        assert_eq!(
            strip_qp_debris("mail=\nbox full=20=\nnow a=3Db Gr=C3=BC=C3=9Fe"),
            "mailbox full now a=b Grüße"
        );
        // Text that only looks like an escape stays.
        assert_eq!(
            strip_qp_debris("rejected=\n ip=203.0.113.5 SIZE=2048 answer=7720"),
            "rejected ip=203.0.113.5 SIZE=2048 answer=7720"
        );
        // An encoded word ends a returned header line; the next header stays apart.
        assert_eq!(
            strip_qp_debris("Subject: =?utf-8?B?R2FuaGU=?=\nDate: 8 Jun=\n 2025"),
            "Subject: =?utf-8?B?R2FuaGU=?=\nDate: 8 Jun 2025"
        );
        // A `?` before a soft break is ordinary text when no encoded word opened.
        assert_eq!(
            strip_qp_debris("https://check.example/results/?=\nquery=3D198.51.100.7"),
            "https://check.example/results/?query=198.51.100.7"
        );
    }

    #[test]
    fn html_is_flattened_without_scripts() {
        let t = flatten_html("<p>Hi &amp; bye</p><script>alert(1)</script><br>550 user");
        assert_eq!(t, "\nHi & bye\n\n550 user");
        // An address written with a numeric entity, as HTML source shows it.
        let t = flatten_html("<p>to &lt;accounts&#64;plumbing.example&gt; failed</p>");
        assert_eq!(t, "\nto <accounts@plumbing.example> failed\n");
        // Letters by name or number; no hidden character; a table's rows on their lines.
        let t = flatten_html(
            "Empf&auml;nger &#x4B;&#252;hne&#x202E;<table><tr><td>a</td></tr>\n<tr><td>b</td></tr></table>",
        );
        assert_eq!(t, "Empfänger Kühne&#x202E;\n a\n b\n\n");
    }

    #[test]
    fn lone_carriage_returns_become_newlines() {
        assert_eq!(&*normalize_cr(b"a\rb\r\nc"), b"a\nb\r\nc");
    }
}
