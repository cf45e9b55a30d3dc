//! Yahoo and AOL: "Failure Notice" from the Yahoo mail system.
use super::Format;

pub const FORMAT: Format = Format {
    id: "yahoo",
    body: &[
        "Sorry, we were unable to deliver your message to the following address.",
        "Sorry, we were unable to deliver your message",
    ],
    from: &["MAILER-DAEMON@yahoo", "MAILER-DAEMON@aol"],
    end: &["--- Below this line is a copy of the message."],
    ..Format::EMPTY
};
