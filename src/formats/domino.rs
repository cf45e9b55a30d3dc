//! IBM/HCL Domino: "DELIVERY FAILURE".
use super::Format;

pub const FORMAT: Format = Format {
    id: "domino",
    body: &["was not delivered to:", "not listed in Domino Directory"],
    subject: &["DELIVERY FAILURE:", "DELIVERY_FAILURE:"],
    ..Format::EMPTY
};
