//! Amazon SES bounce notices (plain text and JSON notification bodies).
use super::Format;

pub const FORMAT: Format = Format {
    id: "amazonses",
    body: &[
        "An error occurred while trying to deliver the mail to the following recipients:",
        "\"notificationType\"",
    ],
    headers: &["x-amz-sns-message-id", "x-ses-outgoing"],
    from: &["amazonses.com"],
    ..Format::EMPTY
};
