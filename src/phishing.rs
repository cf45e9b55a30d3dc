//! Signs that a "delivery notice" is phishing dressed as a Mailer-Daemon message: no
//! delivery-status structure, links to log-in pages, attachments to open, urgent words.

use crate::notice::Notice;
use crate::report::Message;
use crate::text;

/// Words that ask the reader to log in or act, typical of fake notices.
const LURES: &[&str] = &[
    "verify your account",
    "confirm your account",
    "log in to",
    "login to",
    "sign in to",
    "click here",
    "release your messages",
    "release pending",
    "pending messages",
    "retrieve your messages",
    "recover your messages",
    "mailbox will be",
    "account will be",
    "update your password",
    "validate your",
    "re-login",
    "bestätigen sie ihr konto",
    "melden sie sich an",
    "klicken sie hier",
    "nachrichten freigeben",
    "konto wird",
];

/// The attachment endings a real notice never needs the reader to open.
const RISKY_ATTACHMENTS: &[&str] = &[
    ".html", ".htm", ".shtml", ".zip", ".exe", ".js", ".iso", ".img", ".svg", ".scr", ".vbs",
    ".rar",
];

/// The phishing signs of a message that claims to be a delivery notice, if there are
/// at least two of them.
pub fn signs(n: &Notice, msg: &Message) -> Option<Vec<String>> {
    let claims_notice = n.header("from").is_some_and(|f| {
        [
            "mailer-daemon",
            "postmaster",
            "mail delivery",
            "maildelivery",
            "mail-daemon",
        ]
        .iter()
        .any(|w| text::contains_ci(f, w))
    }) || n.header("subject").is_some_and(|s| {
        [
            "undeliver",
            "delivery fail",
            "returned mail",
            "unzustellbar",
            "delivery status",
        ]
        .iter()
        .any(|w| text::contains_ci(s, w))
    });
    // A real delivery-status part is what phishing notices lack.
    if !claims_notice || !n.dsn.is_empty() {
        return None;
    }
    let mut signs = Vec::new();
    if n.dsn.is_empty()
        && !n.is_dsn_report
        && msg
            .recipients
            .iter()
            .all(|r| r.status.is_none() && r.reply_code.is_none())
    {
        signs.push("no_delivery_status".to_string());
    }
    let lower = n.text.to_lowercase();
    if let Some(lure) = LURES.iter().find(|l| lower.contains(*l)) {
        signs.push(format!("lure:{lure}"));
    }
    let links = lower.matches("http://").count() + lower.matches("https://").count();
    if links > 0
        && [
            "login", "signin", "sign-in", "verify", "account", "password", "webmail", "auth",
        ]
        .iter()
        .any(|w| lower.contains(w))
    {
        signs.push("login_link".to_string());
    }
    if let Some(a) = n.attachments.iter().find(|a| {
        RISKY_ATTACHMENTS
            .iter()
            .any(|e| a.to_ascii_lowercase().ends_with(e))
    }) {
        signs.push(format!("attachment:{a}"));
    }
    if let (Some(from), Some(to)) = (n.header("from"), n.headers.to.as_deref()) {
        let dom = |s: &str| {
            text::find_addresses(s)
                .into_iter()
                .next()
                .and_then(|a| a.value.split('@').nth(1).map(str::to_string))
        };
        if let (Some(f), Some(t)) = (dom(from), dom(to))
            && f == t
            && n.dsn.is_empty()
            && !signs.is_empty()
        {
            signs.push("sender_domain_is_yours".to_string());
        }
    }
    (signs.len() >= 2).then_some(signs)
}
