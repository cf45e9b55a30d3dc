//! OpenSMTPD: "Delivery status notification: error".
use super::Format;

pub const FORMAT: Format = Format {
    id: "opensmtpd",
    body: &[
        "This is the MAILER-DAEMON, please DO NOT REPLY to this e-mail.",
        "An error has occurred while attempting to deliver a message for",
    ],
    subject: &["Delivery status notification"],
    end: &["Below is a copy of the original message:"],
    ..Format::EMPTY
};
