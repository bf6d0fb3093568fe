//! The Leistungskatalog (Einstellungen › Leistungen): services the office
//! bills again and again, typed in or imported from lexoffice's articles
//! (docs/architecture.md › Leistungskatalog). Kept in `Settings`, so backups
//! carry it.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::ServiceArt;

/// A lexoffice article a service refers to: its line on the draft is then
/// `type "service"` (SERVICE) or `"material"` (PRODUCT) with this `id`
/// (docs/lexoffice.md › Articles). Name, quantity, unit and price are still
/// sent: the article fills nothing in.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArticleRef {
    pub id: String,
    /// A PRODUCT (goods) rather than a SERVICE.
    #[serde(default)]
    pub product: bool,
}

impl ArticleRef {
    /// The draft line's `type`.
    pub fn line_type(&self) -> &'static str {
        if self.product {
            "material"
        } else {
            "service"
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CatalogItem {
    pub id: u64,
    /// „Bezeichnung“.
    pub name: String,
    /// „Einheit“.
    pub unit: String,
    /// „Einzelpreis“, net.
    #[serde(with = "rust_decimal::serde::str")]
    pub unit_price: Decimal,
    /// „Steuersatz“ in percent (0, 7, 19).
    #[serde(with = "rust_decimal::serde::str")]
    pub tax_rate: Decimal,
    /// „Art“; None = by the unit.
    #[serde(default)]
    pub art: Option<ServiceArt>,
    /// Imported from (or linked to) a lexoffice article.
    #[serde(default)]
    pub article: Option<ArticleRef>,
    /// The article's number in lexoffice, shown only.
    #[serde(default)]
    pub article_number: String,
}
