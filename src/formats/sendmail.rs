//! Sendmail: "Returned mail: see transcript for details".
use super::Format;

pub const FORMAT: Format = Format {
    id: "sendmail",
    body: &[
        "----- The following addresses had permanent fatal errors -----",
        "----- Transcript of session follows -----",
    ],
    subject: &[
        "Returned mail:",
        "Warning: could not send message",
        "Postmaster notify",
    ],
    from: &["Mail Delivery Subsystem", "MAILER-DAEMON"],
    end: &[
        "----- Original message follows -----",
        "----- Message header follows -----",
        "Reporting-MTA:",
    ],
    ..Format::EMPTY
};
