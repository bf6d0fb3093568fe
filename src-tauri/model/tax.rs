//! Steuerfälle (docs/architecture.md › Steuerfälle): a customer's „Steuerart“
//! (overridable per project), „Privatkunde (§35a)“ and the „Art“ of a service.

use serde::{Deserialize, Serialize};

/// „Steuerart“ of a customer or project.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub enum TaxCase {
    /// „Standard“: German VAT on every line (`net`).
    #[default]
    Standard,
    /// „§13b Bauleistung“: construction work for a building firm (`constructionService13b`).
    Construction13b,
    /// „EU-Leistung (Reverse Charge)“: services to a business in another EU country
    /// (`externalService13b`; `intraCommunitySupply` is for goods).
    EuService,
    /// „Drittland“: services to a customer outside the EU (`thirdPartyCountryService`).
    ThirdCountry,
    /// „steuerfrei“ (`vatfree`).
    Exempt,
    /// „Photovoltaik (0 %)“: supply and installation of a photovoltaic system
    /// for its operator, § 12 Abs. 3 UStG (`photovoltaicEquipment`).
    Photovoltaic,
}

impl TaxCase {
    pub const ALL: [TaxCase; 6] = [
        TaxCase::Standard,
        TaxCase::Construction13b,
        TaxCase::EuService,
        TaxCase::ThirdCountry,
        TaxCase::Exempt,
        TaxCase::Photovoltaic,
    ];

    pub fn label(self) -> &'static str {
        match self {
            TaxCase::Standard => "Standard",
            TaxCase::Construction13b => "§13b Bauleistung",
            TaxCase::EuService => "EU-Leistung (Reverse Charge)",
            TaxCase::ThirdCountry => "Drittland",
            TaxCase::Exempt => "steuerfrei",
            TaxCase::Photovoltaic => "Photovoltaik (0 %)",
        }
    }

    /// The key the UI sends.
    pub fn key(self) -> &'static str {
        match self {
            TaxCase::Standard => "standard",
            TaxCase::Construction13b => "construction13b",
            TaxCase::EuService => "euService",
            TaxCase::ThirdCountry => "thirdCountry",
            TaxCase::Exempt => "exempt",
            TaxCase::Photovoltaic => "photovoltaic",
        }
    }

    pub fn from_key(key: &str) -> Option<TaxCase> {
        TaxCase::ALL.into_iter().find(|c| c.key() == key)
    }

    /// lexoffice's `taxConditions.taxType`.
    pub fn tax_type(self) -> &'static str {
        match self {
            TaxCase::Standard => "net",
            TaxCase::Construction13b => "constructionService13b",
            TaxCase::EuService => "externalService13b",
            TaxCase::ThirdCountry => "thirdPartyCountryService",
            TaxCase::Exempt => "vatfree",
            TaxCase::Photovoltaic => "photovoltaicEquipment",
        }
    }
}

/// „Art“ of a service: labour and travel count as Arbeitskosten (§35a), material not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ServiceArt {
    Arbeit,
    Material,
    Fahrt,
}

impl ServiceArt {
    pub const ALL: [ServiceArt; 3] = [ServiceArt::Arbeit, ServiceArt::Material, ServiceArt::Fahrt];

    pub fn label(self) -> &'static str {
        match self {
            ServiceArt::Arbeit => "Arbeit",
            ServiceArt::Material => "Material",
            ServiceArt::Fahrt => "Fahrt",
        }
    }

    pub fn from_label(s: &str) -> Option<ServiceArt> {
        ServiceArt::ALL
            .into_iter()
            .find(|a| a.label().eq_ignore_ascii_case(s.trim()))
    }

    /// Labour costs in the sense of §35a EStG (work, travel, machine time).
    pub fn is_labour(self) -> bool {
        !matches!(self, ServiceArt::Material)
    }

    /// The Art of a service without one: travel for distances, labour for
    /// time-like units, material for goods (Stück, m, kg, …).
    pub fn default_for(unit: &str) -> ServiceArt {
        let u = unit.trim().trim_end_matches('.').to_lowercase();
        match u.as_str() {
            "km" | "fahrt" | "fahrten" | "anfahrt" => ServiceArt::Fahrt,
            "h" | "std" | "stunde" | "stunden" | "min" | "minute" | "minuten" | "tag" | "tage"
            | "pauschal" | "pauschale" | "psch" | "pschl" | "pausch" | "einsatz" | "tagewerk"
            | "arbeitstag" => ServiceArt::Arbeit,
            _ => ServiceArt::Material,
        }
    }
}

/// Einstellungen › Abrechnung: an own note per Steuerart, sent as
/// `taxTypeNote` (blank = lexoffice's default note).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TaxNotes {
    pub construction13b: String,
    pub eu_service: String,
    pub third_country: String,
    pub exempt: String,
    pub photovoltaic: String,
}

impl TaxNotes {
    pub fn of(&self, case: TaxCase) -> &str {
        match case {
            TaxCase::Standard => "",
            TaxCase::Construction13b => &self.construction13b,
            TaxCase::EuService => &self.eu_service,
            TaxCase::ThirdCountry => &self.third_country,
            TaxCase::Exempt => &self.exempt,
            TaxCase::Photovoltaic => &self.photovoltaic,
        }
    }
}

/// EU member states other than Germany (ISO 3166 codes as lexoffice uses them;
/// Greece as `GR`).
pub const EU_COUNTRIES: [&str; 26] = [
    "AT", "BE", "BG", "CY", "CZ", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT",
    "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
];

/// The Steuerart the customer's country and VAT id suggest (shown, never applied
/// silently): an EU country other than Germany with a VAT id → EU-Leistung; a
/// country outside the EU → Drittland; else none.
pub fn suggested_tax_case(country_code: &str, vat_id: &str) -> Option<TaxCase> {
    let c = country_code.trim().to_uppercase();
    if c.is_empty() || c == "DE" {
        return None;
    }
    if EU_COUNTRIES.contains(&c.as_str()) {
        return (!vat_id.trim().is_empty()).then_some(TaxCase::EuService);
    }
    Some(TaxCase::ThirdCountry)
}

/// The note lexoffice prints for a Steuerart when the firm has none of its own
/// (Einstellungen › Abrechnung › Hinweise zur Steuerart).
pub fn lexoffice_tax_note(case: TaxCase) -> &'static str {
    use TaxCase::*;
    match case {
        Standard => "",
        Construction13b => "Steuerschuldnerschaft des Leistungsempfängers (§ 13b UStG)",
        EuService => "Steuerschuldnerschaft des Leistungsempfängers (Reverse Charge)",
        ThirdCountry => "Nicht im Inland steuerbare Leistung",
        Exempt => "Steuerfreie Leistung",
        Photovoltaic => "Steuersatz 0 % nach § 12 Abs. 3 UStG (Lieferung und Installation einer Photovoltaikanlage)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_from_country_and_vat_id() {
        assert_eq!(
            suggested_tax_case("FR", "FR12345678901"),
            Some(TaxCase::EuService)
        );
        assert_eq!(
            suggested_tax_case(" at ", "ATU12345678"),
            Some(TaxCase::EuService)
        );
        // EU without a VAT id: a private person abroad, German VAT applies.
        assert_eq!(suggested_tax_case("FR", ""), None);
        assert_eq!(suggested_tax_case("CH", ""), Some(TaxCase::ThirdCountry));
        assert_eq!(suggested_tax_case("US", "123"), Some(TaxCase::ThirdCountry));
        assert_eq!(suggested_tax_case("DE", "DE123456789"), None);
        assert_eq!(suggested_tax_case("", ""), None);
    }

    #[test]
    fn service_art_defaults_by_unit() {
        assert_eq!(ServiceArt::default_for("Stück"), ServiceArt::Material);
        assert_eq!(ServiceArt::default_for("m"), ServiceArt::Material);
        assert_eq!(ServiceArt::default_for("km"), ServiceArt::Fahrt);
        assert_eq!(ServiceArt::default_for("Std."), ServiceArt::Arbeit);
        assert_eq!(ServiceArt::default_for("Pauschal"), ServiceArt::Arbeit);
        // Units of lines added with „Position hinzufügen“.
        for unit in ["Psch.", "pauschal", "h", "Tag", "Tage", "Std."] {
            assert_eq!(ServiceArt::default_for(unit), ServiceArt::Arbeit, "{unit}");
        }
        assert!(ServiceArt::Fahrt.is_labour() && !ServiceArt::Material.is_labour());
    }

    #[test]
    fn every_case_maps_to_lexoffice() {
        let types: Vec<&str> = TaxCase::ALL.iter().map(|c| c.tax_type()).collect();
        assert_eq!(
            types,
            [
                "net",
                "constructionService13b",
                "externalService13b",
                "thirdPartyCountryService",
                "vatfree",
                "photovoltaicEquipment"
            ]
        );
        for c in TaxCase::ALL {
            assert_eq!(TaxCase::from_key(c.key()), Some(c));
        }
    }
}
