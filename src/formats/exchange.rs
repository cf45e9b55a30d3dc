//! Microsoft Exchange Server (2003 to 2019) non-delivery reports.
use super::Format;

pub const FORMAT: Format = Format {
    id: "exchange",
    body: &[
        "did not reach the following recipient(s)",
        "The following recipient(s) could not be reached",
        "Your message did not reach some or all of the intended recipients",
    ],
    headers: &["x-ms-embedded-report", "x-mimeole"],
    start: &[
        "did not reach the following recipient(s)",
        "could not be reached:",
    ],
    ..Format::EMPTY
};
