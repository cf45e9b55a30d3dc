//! qmail and its descendants (netqmail, vpopmail): "failure notice".
use super::Format;

pub const FORMAT: Format = Format {
    id: "qmail",
    body: &[
        "This is the qmail-send program at",
        "Hi. This is the qmail",
        "I'm afraid I wasn't able to deliver your message",
    ],
    subject: &["failure notice"],
    start: &[
        "I'm afraid I wasn't able to deliver your message",
        "Sorry it didn't work out",
    ],
    end: &[
        "--- Below this line is a copy of the message.",
        "--- Enclosed are the original headers",
    ],
    ..Format::EMPTY
};
