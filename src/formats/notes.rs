//! Lotus Notes: "Undeliverable message".
use super::Format;

pub const FORMAT: Format = Format {
    id: "notes",
    body: &["------- Failure Reasons --------"],
    start: &["------- Failure Reasons --------"],
    end: &["------- Returned Message --------"],
    ..Format::EMPTY
};
