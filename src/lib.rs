//! Bounce Explainer: reads mail bounces (Mailer-Daemon notices, delivery reports, mail
//! log lines) into a structured report with evidence, classifies why delivery failed,
//! and explains it in German or English.
//!
//! The engine is plain Rust with no web dependencies; the page (`web`) and the CLI
//! (`cli`) are thin layers over [`analyze`] and [`explain::explain`].

pub mod charsets;
pub mod classify;
pub mod dnsbl;
pub mod dsn;
pub mod engine;
pub mod explain;
pub mod formats;
pub mod knowledge;
pub mod list_notice;
pub mod logs;
pub mod matcher;
pub mod notice;
pub mod order;
pub mod pastes;
pub mod pec;
pub mod phishing;
pub mod platform_events;
pub mod queue_listing;
pub mod receipts;
pub mod report;
pub mod ses_notification;
pub mod situations;
pub mod text;
pub mod trace_export;

#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
#[cfg(target_arch = "wasm32")]
pub mod web;

pub use engine::analyze;
pub use knowledge::Lang;
pub use report::{Kind, Reason, Report};
