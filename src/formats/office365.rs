//! Microsoft 365, Exchange Online and Outlook.com: "Undeliverable:".
use super::Format;

pub const FORMAT: Format = Format {
    id: "office365",
    body: &[
        "Delivery has failed to these recipients or groups:",
        "Your message couldn't be delivered",
        "Die Nachricht konnte nicht",
        "Fehler bei der Zustellung an diese Empfänger oder Gruppen",
        "Diagnostic information for administrators:",
        "Diagnoseinformationen für Administratoren:",
    ],
    headers: &["x-ms-exchange-message-is-ndr"],
    subject: &["Undeliverable:", "Unzustellbar:"],
    end: &[
        "Original message headers:",
        "Header der ursprünglichen Nachricht:",
    ],
    ..Format::EMPTY
};
