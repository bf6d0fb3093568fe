//! The lexoffice Public API client: reqwest with rustls, one rate limiter shared
//! by every call, typed errors from all three documented error body formats,
//! wire types that tolerate unknown fields. No Tauri in here.

mod client;
mod error;
pub mod ratelimit;
pub mod types;

pub(crate) use client::html_encode;
pub use client::{ClientConfig, LexofficeClient};
pub use error::{parse_error_body, ErrorBody, ErrorDetail, LexofficeError};
pub use ratelimit::{Pacing, RateLimiter};
pub use types::{Article, Contact, Created, InvoiceInfo, Page, Profile, VoucherItem};

/// lexoffice answers at most 10,000 results of one query: `totalElements`
/// stops there and a page reaching past it is refused with 400 „Maximum search
/// window size exceeded“ (docs/lexoffice.md › Result windows). Contacts,
/// articles and the voucher list alike.
pub const MAX_WINDOW: u32 = 10_000;

/// The largest page size of every list this app reads.
pub const PAGE_SIZE: u32 = 250;

/// May page `page` (0-based, `PAGE_SIZE` each) be asked for? The one check
/// behind every paging loop: none of them pages past the window.
pub fn within_window(page: u32) -> bool {
    (u64::from(page) + 1) * u64::from(PAGE_SIZE) <= u64::from(MAX_WINDOW)
}

/// Did a list answer with a full window, so that more may lie beyond it?
pub fn window_full(total_elements: u64) -> bool {
    total_elements >= u64::from(MAX_WINDOW)
}
