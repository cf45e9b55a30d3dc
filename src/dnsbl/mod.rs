//! DNS blacklists: which list a bounce names, the registry of lists, and checks over
//! DNS-over-HTTPS (RFC 8484) that never claim "not listed" without knowing.

pub mod check;
pub mod detect;
#[cfg(not(target_arch = "wasm32"))]
pub mod native;
pub mod registry;
pub mod wire;
