//! The text of an import file's bytes: UTF-8 (with or without BOM), else
//! Windows-1252 read by `encoding_rs`; workbooks, UTF-16 and binary files refused.

use super::MAX_FILE_BYTES;

/// The text of a file's bytes (UTF-8, with or without BOM, else Windows-1252)
/// and the encoding's name, with the same refusals as [`super::parse_csv`].
pub fn decode_text(bytes: &[u8]) -> Result<(String, &'static str), String> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err("Die Datei ist leer.".into());
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(format!(
            "Die Datei ist zu groß ({} MB). Höchstens 32 MB sind möglich; bitte in mehrere Dateien aufteilen.",
            bytes.len() / (1024 * 1024)
        ));
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err("Das ist eine Excel-Arbeitsmappe, keine CSV-Datei. Bitte in Excel „Speichern unter“ › „CSV UTF-8 (durch Trennzeichen getrennt)“ wählen.".into());
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(
            "Die Datei ist UTF-16-kodiert („Unicode-Text“). Bitte als „CSV UTF-8“ speichern."
                .into(),
        );
    }
    if bytes.contains(&0) {
        return Err("Die Datei enthält Binärdaten und ist keine CSV-Datei.".into());
    }
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return match std::str::from_utf8(rest) {
            Ok(s) => Ok((s.to_string(), "UTF-8 (BOM)")),
            Err(e) => Err(format!(
                "Die Datei ist als UTF-8 gekennzeichnet, enthält aber ungültige Zeichen (ab Byte {}). Bitte erneut als „CSV UTF-8“ speichern.",
                e.valid_up_to() + 4
            )),
        };
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok((s.to_string(), "UTF-8")),
        // Windows-1252 as browsers read it (WHATWG): the five undefined bytes
        // become C1 controls, which the text fields then refuse.
        Err(_) => Ok((
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
                .into_owned(),
            "Windows-1252",
        )),
    }
}
