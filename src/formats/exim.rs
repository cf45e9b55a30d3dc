//! Exim: "Mail delivery failed: returning message to sender".
use super::Format;

pub const FORMAT: Format = Format {
    id: "exim",
    body: &["This message was created automatically by mail delivery software."],
    headers: &["x-failed-recipients"],
    subject: &["Mail delivery failed", "Warning: message", "Mail failure"],
    start: &[
        "failed:",
        "could not be delivered to one or more of its",
        "has not yet been delivered",
    ],
    end: &["------ This is a copy of the message", "Reporting-MTA:"],
    ..Format::EMPTY
};
