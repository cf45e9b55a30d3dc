//! Google Groups: a post to a group that does not exist or does not let you post.
use super::Format;
use crate::report::Reason;

pub const FORMAT: Format = Format {
    id: "googlegroups",
    body: &[],
    subject: &[],
    from: &[],
    failed_header_domain: Some("googlegroups.com"),
    reason: Some(Reason::Rejected),
    ..Format::EMPTY
};
