//! Gmail and Google Workspace: "Delivery Status Notification (Failure)".
use super::Format;

pub const FORMAT: Format = Format {
    id: "gmail",
    body: &[
        "Delivery to the following recipient failed",
        "Google tried to deliver your message",
        "Your message wasn't delivered to",
        "The response from the remote server was:",
        "Message not delivered",
    ],
    headers: &["x-gm-message-state", "x-failed-recipients-google"],
    from: &["mailer-daemon@googlemail.com", "mailer-daemon@google.com"],
    end: &[
        "----- Original message -----",
        "----- Message truncated -----",
    ],
    ..Format::EMPTY
};
