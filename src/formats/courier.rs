//! Courier MTA: "NOTICE: mail delivery status."
use super::Format;

pub const FORMAT: Format = Format {
    id: "courier",
    body: &[
        "This is a delivery status notification from",
        "Your message to the following recipients cannot be delivered",
    ],
    subject: &["NOTICE: mail delivery status."],
    ..Format::EMPTY
};
