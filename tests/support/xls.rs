//! `.xls` files (BIFF8 in an OLE container) for the import and fuzz tests.

/// One BIFF8 record: type, length, data.
pub fn biff(kind: u16, data: &[u8]) -> Vec<u8> {
    let mut r = kind.to_le_bytes().to_vec();
    r.extend((data.len() as u16).to_le_bytes());
    r.extend(data);
    r
}

/// A BIFF8 LABEL cell.
pub fn xls_label(row: u16, col: u16, text: &str) -> Vec<u8> {
    let mut d = [row.to_le_bytes(), col.to_le_bytes(), 0u16.to_le_bytes()].concat();
    d.extend((text.len() as u16).to_le_bytes());
    d.push(0);
    d.extend(text.as_bytes());
    biff(0x0204, &d)
}

/// An `.xls` (BIFF8 in an OLE container) with one sheet „Tabelle1“: its
/// DIMENSIONS record declares `rows` × 4 columns, its cells are `cells`
/// (row, column, text) — what Excel 97–2003 writes, reduced to the records a
/// reader needs.
pub fn xls_with(rows: u32, cells: &[(u16, u16, &str)]) -> Vec<u8> {
    ole(&workbook_stream(rows, cells))
}

/// The BIFF8 workbook stream of `xls_with`.
pub fn workbook_stream(rows: u32, cells: &[(u16, u16, &str)]) -> Vec<u8> {
    let bof = |dt: u16| {
        biff(
            0x0809,
            &[
                0x0600u16.to_le_bytes(),
                dt.to_le_bytes(),
                [0, 0],
                [0, 0],
                [0, 0],
                [0, 0],
                [0, 0],
                [0, 0],
            ]
            .concat(),
        )
    };
    let name = "Tabelle1";
    let sheet_rec_len = 4 + 8 + name.len();
    let globals_len = bof(0x0005).len() + sheet_rec_len + 4;
    let mut boundsheet = (globals_len as u32).to_le_bytes().to_vec();
    boundsheet.extend([0, 0, name.len() as u8, 0]);
    boundsheet.extend(name.as_bytes());
    let mut stream = bof(0x0005);
    stream.extend(biff(0x0085, &boundsheet));
    stream.extend(biff(0x000A, &[]));
    assert_eq!(stream.len(), globals_len);
    stream.extend(bof(0x0010));
    let dims = [0u32.to_le_bytes(), rows.to_le_bytes()].concat();
    stream.extend(biff(0x0200, &[dims, vec![0, 0, 4, 0, 0, 0]].concat()));
    for (row, col, text) in cells {
        stream.extend(xls_label(*row, *col, text));
    }
    stream.extend(biff(0x000A, &[]));
    stream
}

/// A workbook stream in the OLE container an `.xls` is.
pub fn ole(stream: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut file = cfb::CompoundFile::create(std::io::Cursor::new(Vec::new())).unwrap();
    file.create_stream("/Workbook")
        .unwrap()
        .write_all(stream)
        .unwrap();
    file.flush().unwrap();
    file.into_inner().into_inner()
}
