//! Postfix: "Undelivered Mail Returned to Sender" from the mail system.
use super::Format;

pub const FORMAT: Format = Format {
    id: "postfix",
    body: &[
        "This is the mail system at host",
        "This is the Postfix program at host",
    ],
    from: &["MAILER-DAEMON", "Mail Delivery System"],
    subject: &[
        "Undelivered Mail Returned to Sender",
        "Delayed Mail (still being retried)",
        "Successful Mail Delivery Report",
    ],
    start: &["The mail system", "this is the mail system at host"],
    end: &["Reporting-MTA:", "Content-Description: Delivery report"],
    ..Format::EMPTY
};
