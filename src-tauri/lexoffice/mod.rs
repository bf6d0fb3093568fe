//! The lexoffice Public API client: reqwest with rustls, one rate limiter shared
//! by every call, typed errors from all three documented error body formats,
//! wire types that tolerate unknown fields. No Tauri in here.

mod client;
mod error;
pub mod ratelimit;
pub mod types;

pub use client::{ClientConfig, LexofficeClient};
pub use error::{parse_error_body, ErrorBody, ErrorDetail, LexofficeError};
pub use ratelimit::RateLimiter;
pub use types::{Article, Contact, Created, InvoiceInfo, Page, Profile, VoucherItem};
