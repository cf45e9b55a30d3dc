//! German-language notices: GMX, web.de, T-Online, IONOS/1&1, Strato and the German
//! texts of Exchange.
use super::Format;

pub const FORMAT: Format = Format {
    id: "german",
    body: &[
        "konnte nicht zugestellt werden",
        "Ihre Nachricht konnte nicht",
        "Die folgende Adresse",
        "Zustellung fehlgeschlagen",
        "nicht zustellbar",
        "Diese Nachricht wurde automatisch von der Mail-Software erstellt",
        "Die Nachricht konnte nicht",
    ],
    start: &[
        "Empfänger:",
        "folgende Adresse",
        "folgenden Empfänger",
        "konnte nicht zugestellt werden",
    ],
    end: &[
        "--- Kopie der Nachricht",
        "Header der ursprünglichen Nachricht",
        "--- Die Kopfzeilen der Originalnachricht",
    ],
    ..Format::EMPTY
};
