//! The structured report the engine produces: one shared type for the page, the CLI and
//! the tests. Everything here is plain data and serialises with serde.

use serde::Serialize;
use std::ops::Range;

/// What the engine read from one input: one entry per message found in it.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Report {
    pub messages: Vec<Message>,
    /// Problems with the input as a whole (empty, binary, cut at a limit, ...).
    pub notes: Vec<Note>,
}

/// The kind of a message, as the reader sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// At least one recipient failed for good.
    Bounce,
    /// Delivery is late and still being retried.
    DelayNotice,
    /// A report that the message was delivered (or relayed/expanded).
    DeliveryReport,
    /// An out-of-office or other automatic reply (RFC 3834).
    AutoReply,
    /// An abuse or feedback-loop report (ARF, RFC 5965).
    ComplaintReport,
    /// Ordinary mail: nothing to explain as a delivery problem.
    NotABounce,
}

impl Kind {
    /// The stable name used in JSON and in the knowledge base.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Bounce => "bounce",
            Kind::DelayNotice => "delay_notice",
            Kind::DeliveryReport => "delivery_report",
            Kind::AutoReply => "auto_reply",
            Kind::ComplaintReport => "complaint_report",
            Kind::NotABounce => "not_a_bounce",
        }
    }
}

/// One message found in the input.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Message {
    pub kind: Kind,
    /// The reader that recognised the message's format, e.g. `postfix` or `rfc3464`.
    pub format: &'static str,
    /// Where the message sits in the input.
    pub span: Range<usize>,
    pub reporting_mta: Option<String>,
    pub arrival_date: Option<String>,
    pub last_attempt_date: Option<String>,
    /// Subject, sender and date of the notice itself.
    pub notice: HeaderSummary,
    pub recipients: Vec<Recipient>,
    /// The returned original message, when the notice carries it.
    pub original: Option<HeaderSummary>,
    pub evidence: Vec<Evidence>,
    /// Signs that something is off: limits hit, phishing signs.
    pub warnings: Vec<Warning>,
    /// How a mail log says the message was handed in, when it names a login.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub submission: Option<Submission>,
    /// A delay notice that a later notice in the same input ends: a recipient it named
    /// failed for good or was delivered after all.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub superseded: bool,
}

impl Message {
    /// Seconds between the message's arrival and the last attempt (or the notice), when
    /// the notice gives both dates.
    pub fn attempts_span(&self) -> Option<i64> {
        let date =
            |s: &str| mail_parser::DateTime::parse_rfc822(s.trim()).map(|d| d.to_timestamp());
        let start = date(self.arrival_date.as_deref()?)?;
        let end = date(
            self.last_attempt_date
                .as_deref()
                .or(self.notice.date.as_deref())?,
        )?;
        Some(end - start)
    }
}

/// A mail log's record of a message handed in after a login (Postfix `sasl_username=`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Submission {
    pub login: String,
    /// The recipients the message had (`nrcpt=`), or those the log names.
    pub recipients: usize,
}

/// A few headers of a message, decoded for display.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct HeaderSummary {
    pub subject: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub date: Option<String>,
    pub message_id: Option<String>,
    /// `Received:` headers, newest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub received: Vec<String>,
    /// The web script that handed the message in, when PHP names it
    /// (`X-PHP-Originating-Script`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub script: Option<String>,
    /// The topmost `Authentication-Results:` header: the SPF, DKIM and DMARC verdict of
    /// the last receiver (lower ones may be written by anyone); without one, the topmost
    /// `Received-SPF:` field as `spf=<its text>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_results: Option<String>,
    /// The `Reply-To:` address, when it is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<String>,
    /// Exchange says the sender logged in to send
    /// (`X-MS-Exchange-Organization-AuthAs: Internal`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub logged_in: bool,
}

/// The outcome for one recipient.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Recipient {
    pub address: String,
    pub original_address: Option<String>,
    pub action: Option<Action>,
    /// Enhanced status code (RFC 3463), e.g. `5.1.1`.
    pub status: Option<String>,
    /// SMTP reply code (RFC 5321), e.g. `550`.
    pub reply_code: Option<String>,
    pub reason: Reason,
    pub hard_bounce: bool,
    pub remote_mta: Option<String>,
    /// The remote server's own words.
    pub diagnostic: Option<String>,
    /// The SMTP command the failure answered, when known (`RCPT`, `DATA`, ...).
    pub smtp_command: Option<String>,
    pub last_attempt_date: Option<String>,
    pub will_retry_until: Option<String>,
    /// Which evidence decided the reason.
    pub decided_by: Decision,
    /// The second most likely reason, when the evidence is not clear-cut.
    pub alternative: Option<Reason>,
    /// A DNS blacklist the diagnostic names, with what it listed.
    pub blocklist: Option<BlocklistHit>,
}

impl Recipient {
    /// True if the server gave a code about this recipient (a status or a reply code).
    pub fn coded(&self) -> bool {
        self.status.is_some() || self.reply_code.is_some()
    }
}

/// The Action field of RFC 3464.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Failed,
    Delayed,
    Delivered,
    Relayed,
    Expanded,
}

impl Action {
    pub fn parse(s: &str) -> Option<Action> {
        let s = s.trim().to_ascii_lowercase();
        let word = s.split(|c: char| !c.is_ascii_alphabetic()).next()?;
        Some(match word {
            "failed" | "failure" => Action::Failed,
            "delayed" => Action::Delayed,
            "delivered" => Action::Delivered,
            "relayed" => Action::Relayed,
            "expanded" => Action::Expanded,
            _ => return None,
        })
    }
}

/// The source of a decision, strongest first.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Decision {
    /// `provider`, `text`, `status`, `reply_code`, `action`, `kind` or `none`.
    pub source: &'static str,
    /// What matched: the provider rule, the phrase, or the code.
    pub matched: String,
}

/// A DNS blacklist named in a rejection.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct BlocklistHit {
    /// Registry id of the list when known, e.g. `spamhaus_zen`.
    pub list: Option<&'static str>,
    /// The zone or name as written in the bounce (DQS keys masked).
    pub named_as: String,
    /// The IP address or domain the list had listed, when the text says.
    pub listed: Option<String>,
}

/// A byte range of the input and what it showed.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Evidence {
    pub start: usize,
    pub end: usize,
    pub what: EvidenceKind,
    /// Index into `recipients`, when the evidence is about one recipient.
    pub recipient: Option<usize>,
}

/// What a piece of evidence shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    Recipient,
    Status,
    Diagnostic,
    Action,
    ReportingMta,
    RemoteMta,
    ArrivalDate,
    LastAttemptDate,
    NoticeHeader,
    OriginalMessage,
    PhishingSign,
}

/// Something the reader wants the user to know about a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum Warning {
    /// Looks like phishing dressed as a delivery notice.
    Phishing { signs: Vec<String> },
    /// A size or depth limit cut part of the message off.
    Truncated { limit: String },
    /// Part of its text is in a character set that cannot be decoded (`shift_jis`).
    UndecodableText { charset: String },
}

/// A note about the input as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Note {
    EmptyInput,
    BinaryInput,
    /// The input was larger than the reader takes; the rest was not read.
    InputTruncated,
    /// More messages than the reader takes; the rest were skipped.
    TooManyMessages,
}

macro_rules! reasons {
    ($($variant:ident => $name:literal),+ $(,)?) => {
        /// Why delivery failed, in the vocabulary of the labelled corpus.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
        pub enum Reason { #[default] $($variant),+ }

        impl Reason {
            /// Every reason, in declaration order.
            pub const ALL: &'static [Reason] = &[$(Reason::$variant),+];

            /// The stable lower-case name.
            pub fn as_str(self) -> &'static str {
                match self { $(Reason::$variant => $name),+ }
            }

            /// Parses a stable name (also the older corpus names).
            pub fn from_name(name: &str) -> Option<Reason> {
                match name {
                    $($name => Some(Reason::$variant),)+
                    "toomanyconn" | "speeding" => Some(Reason::RateLimited),
                    "mesgtoobig" | "exceedlimit" => Some(Reason::EmailTooLarge),
                    _ => None,
                }
            }
        }
    };
}

reasons! {
    Undefined => "undefined",
    AuthFailure => "authfailure",
    BadReputation => "badreputation",
    Blocked => "blocked",
    ContentError => "contenterror",
    Delivered => "delivered",
    EmailTooLarge => "emailtoolarge",
    Expired => "expired",
    FailedStartTls => "failedstarttls",
    Feedback => "feedback",
    Filtered => "filtered",
    HasMoved => "hasmoved",
    HostUnknown => "hostunknown",
    MailboxFull => "mailboxfull",
    MailerError => "mailererror",
    NetworkError => "networkerror",
    NoRelaying => "norelaying",
    NotAccept => "notaccept",
    NotCompliantRfc => "notcompliantrfc",
    OnHold => "onhold",
    PolicyViolation => "policyviolation",
    RateLimited => "ratelimited",
    Rejected => "rejected",
    RequirePtr => "requireptr",
    SecurityError => "securityerror",
    SpamDetected => "spamdetected",
    Suppressed => "suppressed",
    Suspend => "suspend",
    SyntaxError => "syntaxerror",
    SystemError => "systemerror",
    SystemFull => "systemfull",
    UserUnknown => "userunknown",
    Vacation => "vacation",
    VirusDetected => "virusdetected",
}

impl Serialize for Reason {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}
