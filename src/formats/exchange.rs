//! Microsoft Exchange Server (2003 to 2019) non-delivery reports.
use super::Format;

pub const FORMAT: Format = Format {
    id: "exchange",
    body: &[
        "did not reach the following recipient(s)",
        "The following recipient(s) could not be reached",
        "Your message did not reach some or all of the intended recipients",
        // Outlook's own notice, in German.
        "Ihre Nachricht hat einige oder alle Empfänger nicht erreicht",
        "Empfänger kann/können nicht erreicht werden",
    ],
    headers: &["x-ms-embedded-report", "x-mimeole"],
    start: &[
        "did not reach the following recipient(s)",
        "could not be reached:",
        "nicht erreicht werden:",
    ],
    ..Format::EMPTY
};
