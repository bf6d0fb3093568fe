//! Wire types. Unknown fields are ignored everywhere (never `deny_unknown_fields`):
//! lexoffice adds fields such as `requestId` without notice.

use serde::Deserialize;

/// `GET /v1/profile` (reference §5).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub organization_id: String,
    #[serde(default)]
    pub company_name: String,
    #[serde(default)]
    pub tax_type: Option<String>,
    #[serde(default)]
    pub small_business: bool,
    #[serde(default)]
    pub business_features: Vec<String>,
    #[serde(default)]
    pub connection_id: Option<String>,
}
