//! The Stundennachweis as PDF: A4 portrait, German, one table of all time
//! entries with group headings, subtotals, the totals and a signature area for
//! the customer.
//!
//! Two passes: [`layout`] places everything on pages as plain drawing
//! operations (so the page count is known), then [`render`] draws them with
//! krilla and adds the footer „Seite N von M“ to every page.
//!
//! Text is drawn glyph by glyph from the embedded DejaVu Sans Condensed (one
//! glyph per character, no shaping), so the widths measured for wrapping and
//! right alignment are exactly the widths drawn. krilla embeds a subset of the
//! font with a ToUnicode map: the text stays searchable and extractable.
//! A character the font lacks is drawn as the font's empty box.

use krilla::color::luma;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, GlyphId, KrillaGlyph};
use krilla::Document;
use skrifa::charmap::Charmap;
use skrifa::instance::{LocationRef, Size};
use skrifa::metrics::GlyphMetrics;
use skrifa::{FontRef, MetadataProvider};

use super::sheet::{Sheet, SheetGroup, SheetRow};

static FONT_REGULAR: &[u8] = include_bytes!("../assets/fonts/DejaVuSansCondensed.ttf");
static FONT_BOLD: &[u8] = include_bytes!("../assets/fonts/DejaVuSansCondensed-Bold.ttf");

// Page geometry in PDF points (1/72 inch), origin top left, y downwards.
const MM: f32 = 72.0 / 25.4;
const PAGE_W: f32 = 210.0 * MM;
const PAGE_H: f32 = 297.0 * MM;
const MARGIN_X: f32 = 17.0 * MM;
const MARGIN_TOP: f32 = 16.0 * MM;
/// Content ends here; below sit the footer rule and line.
const BODY_BOTTOM: f32 = PAGE_H - 20.0 * MM;
const FOOTER_BASELINE: f32 = PAGE_H - 11.0 * MM;
const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN_X;

// The table.
const TABLE_SIZE: f32 = 8.5;
const TABLE_LH: f32 = TABLE_SIZE * 1.24;
const PAD_X: f32 = 3.0;
const PAD_Y: f32 = 2.6;
/// Lines an employee name, a time or a heading may take before it is cut with „…“.
const MAX_CELL_LINES: usize = 3;
const MAX_HEADING_LINES: usize = 3;

// Grey levels (0 = black, 255 = white).
const INK: u8 = 25;
const MUTED: u8 = 95;
const HEADER_BG: u8 = 228;
const HEADING_BG: u8 = 243;
const RULE_LIGHT: u8 = 205;
const RULE_DARK: u8 = 120;

/// The table's columns: title, right-aligned, narrowest and widest width in
/// points (padding included). Within these bounds a column is as wide as its
/// title and its widest text; longer text wraps. Beschreibung takes what is
/// left of the content width.
const COLUMNS: [(&str, bool, f32, f32); 6] = [
    ("Datum", false, 48.0, 62.0),
    ("Mitarbeiter", false, 70.0, 100.0),
    ("Von–Bis", true, 62.0, 76.0),
    ("Pause", true, 34.0, 44.0),
    ("Dauer", true, 36.0, 56.0),
    ("abgerechnet", true, 32.0, 60.0),
];
/// Extra room between the last time column and Beschreibung.
const DESCRIPTION_GAP: f32 = 6.0;
const DESCRIPTION_TITLE: &str = "Beschreibung";
const DESCRIPTION: usize = 6;
const DAUER: usize = 4;
const BILLED: usize = 5;

/// Lays the sheet out on A4 pages and writes the PDF.
///
/// Never panics; an `Err` is a German message for the user.
pub fn render(sheet: &Sheet) -> Result<Vec<u8>, String> {
    let fonts = Fonts::load()?;
    let pages = layout(sheet, &fonts);
    let page_count = pages.len();

    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(match single_line(&sheet.project) {
                p if p.is_empty() => "Stundennachweis".to_string(),
                p => format!("Stundennachweis – {p}"),
            })
            .authors(vec![single_line(&sheet.firm)])
            .language("de".to_string())
            .creator("Zeitrechnung".to_string()),
    );
    let settings = PageSettings::from_wh(PAGE_W, PAGE_H)
        .ok_or_else(|| "Das Seitenformat A4 konnte nicht angelegt werden.".to_string())?;
    let footer_left = format!(
        "{} · {}",
        single_line(&sheet.firm),
        single_line(&sheet.project)
    );
    for (index, ops) in pages.iter().enumerate() {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        for op in ops {
            draw(&mut surface, &fonts, op);
        }
        for op in footer(&fonts, &footer_left, index + 1, page_count) {
            draw(&mut surface, &fonts, &op);
        }
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| {
        format!(
            "Der Stundennachweis konnte nicht als PDF geschrieben werden ({e}). \
             Bitte prüfen Sie die Texte der Einträge auf ungewöhnliche Zeichen und \
             versuchen Sie es erneut."
        )
    })
}

// ---------------------------------------------------------------------------
// Fonts and text measuring

/// One embedded font: the krilla font to draw with and skrifa's tables to
/// map characters to glyphs and measure them.
struct Face {
    pdf: Font,
    charmap: Charmap<'static>,
    metrics: GlyphMetrics<'static>,
    upem: f32,
    /// Glyph id and advance (in em) of U+0000..U+0250, looked up once.
    common: Vec<(u32, f32)>,
}

impl Face {
    fn load(data: &'static [u8], name: &str) -> Result<Face, String> {
        let broken = || {
            format!("Die eingebettete Schrift {name} ist beschädigt; bitte installieren Sie Zeitrechnung neu.")
        };
        let font_ref = FontRef::new(data).map_err(|_| broken())?;
        let pdf = Font::new(data.into(), 0).ok_or_else(broken)?;
        let upem = f32::from(
            font_ref
                .metrics(Size::unscaled(), LocationRef::default())
                .units_per_em,
        );
        if upem < 1.0 {
            return Err(broken());
        }
        let mut face = Face {
            pdf,
            charmap: font_ref.charmap(),
            metrics: font_ref.glyph_metrics(Size::unscaled(), LocationRef::default()),
            upem,
            common: Vec::new(),
        };
        face.common = (0u32..0x250)
            .map(|c| face.lookup(char::from_u32(c).unwrap_or('\u{FFFD}')))
            .collect();
        Ok(face)
    }

    fn lookup(&self, ch: char) -> (u32, f32) {
        let gid = self.charmap.map(ch).unwrap_or(skrifa::GlyphId::NOTDEF);
        let advance = self.metrics.advance_width(gid).unwrap_or(0.0) / self.upem;
        (gid.to_u32(), advance)
    }

    /// Glyph id and advance in em of one character (0 = the font's box).
    fn glyph(&self, ch: char) -> (u32, f32) {
        match self.common.get(ch as usize) {
            Some(g) => *g,
            None => self.lookup(ch),
        }
    }

    fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.glyph(c).1).sum::<f32>() * size
    }
}

struct Fonts {
    regular: Face,
    bold: Face,
}

impl Fonts {
    fn load() -> Result<Fonts, String> {
        Ok(Fonts {
            regular: Face::load(FONT_REGULAR, "DejaVu Sans Condensed")?,
            bold: Face::load(FONT_BOLD, "DejaVu Sans Condensed Bold")?,
        })
    }

    fn face(&self, bold: bool) -> &Face {
        if bold {
            &self.bold
        } else {
            &self.regular
        }
    }
}

/// Text as it may be drawn: tabs become spaces, other control characters
/// (CR included) are dropped; line breaks stay.
fn clean(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\n' => Some('\n'),
            '\t' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

/// [`clean`] on one line: line breaks become spaces, outer spaces go.
fn single_line(text: &str) -> String {
    clean(text).replace('\n', " ").trim().to_string()
}

/// Breaks `text` into lines no wider than `width`: at `\n`, after spaces and
/// hyphens, and inside a word only when the word alone is too wide.
fn wrap(face: &Face, size: f32, text: &str, width: f32) -> Vec<String> {
    let text = clean(text);
    let space = face.width(" ", size);
    let mut lines = Vec::new();
    for paragraph in text.trim_end().split('\n') {
        let mut line = String::new();
        let mut line_w = 0.0f32;
        for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
            for (i, piece) in word.split_inclusive('-').enumerate() {
                let sep = i == 0 && !line.is_empty();
                let piece_w = face.width(piece, size);
                let sep_w = if sep { space } else { 0.0 };
                if line_w + sep_w + piece_w <= width {
                    if sep {
                        line.push(' ');
                    }
                    line.push_str(piece);
                    line_w += sep_w + piece_w;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    line_w = 0.0;
                }
                if piece_w <= width {
                    line.push_str(piece);
                    line_w = piece_w;
                    continue;
                }
                // A piece wider than the column: break it between characters.
                for ch in piece.chars() {
                    let w = face.glyph(ch).1 * size;
                    if line_w + w > width && !line.is_empty() {
                        lines.push(std::mem::take(&mut line));
                        line_w = 0.0;
                    }
                    line.push(ch);
                    line_w += w;
                }
            }
        }
        lines.push(line);
    }
    lines
}

/// `text` cut with „…“ so it fits `width`; with `force` the „…“ is added even
/// when it fits (the text continued beyond it).
fn ellipsize(face: &Face, size: f32, text: &str, width: f32, force: bool) -> String {
    if !force && face.width(text, size) <= width {
        return text.to_string();
    }
    let dots = face.width("…", size);
    let mut out = String::new();
    let mut w = 0.0;
    for ch in text.trim_end().chars() {
        let cw = face.glyph(ch).1 * size;
        if w + cw + dots > width {
            break;
        }
        out.push(ch);
        w += cw;
    }
    let mut out = out.trim_end().to_string();
    out.push('…');
    out
}

/// [`wrap`] to at most `max` lines, the last one cut with „…“ if needed.
fn wrap_max(face: &Face, size: f32, text: &str, width: f32, max: usize) -> Vec<String> {
    let mut lines = wrap(face, size, text, width);
    if lines.len() > max {
        lines.truncate(max.max(1));
        if let Some(last) = lines.last_mut() {
            *last = ellipsize(face, size, last, width, true);
        }
    }
    lines
}

// ---------------------------------------------------------------------------
// Drawing operations

/// One thing drawn on a page; coordinates in points from the top left, text at
/// its baseline.
#[derive(Debug, Clone)]
enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        gray: u8,
        text: String,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        gray: u8,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
        gray: u8,
    },
}

fn text(x: f32, y: f32, size: f32, bold: bool, gray: u8, s: impl Into<String>) -> Op {
    Op::Text {
        x,
        y,
        size,
        bold,
        gray,
        text: s.into(),
    }
}

fn hline(x1: f32, x2: f32, y: f32, width: f32, gray: u8) -> Op {
    Op::Line {
        x1,
        y1: y,
        x2,
        y2: y,
        width,
        gray,
    }
}

fn draw(surface: &mut Surface, fonts: &Fonts, op: &Op) {
    match op {
        Op::Text {
            x,
            y,
            size,
            bold,
            gray,
            text,
        } => {
            if text.is_empty() {
                return;
            }
            let face = fonts.face(*bold);
            let glyphs: Vec<KrillaGlyph> = text
                .char_indices()
                .map(|(i, ch)| {
                    let (gid, advance) = face.glyph(ch);
                    KrillaGlyph::new(
                        GlyphId::new(gid),
                        advance,
                        0.0,
                        0.0,
                        0.0,
                        i..i + ch.len_utf8(),
                        None,
                    )
                })
                .collect();
            surface.set_stroke(None);
            surface.set_fill(Some(fill(*gray)));
            surface.draw_glyphs(
                Point::from_xy(*x, *y),
                &glyphs,
                face.pdf.clone(),
                text,
                *size,
                false,
            );
        }
        Op::Rect { x, y, w, h, gray } => {
            let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) else {
                return;
            };
            let mut pb = PathBuilder::new();
            pb.push_rect(rect);
            if let Some(path) = pb.finish() {
                surface.set_stroke(None);
                surface.set_fill(Some(fill(*gray)));
                surface.draw_path(&path);
            }
        }
        Op::Line {
            x1,
            y1,
            x2,
            y2,
            width,
            gray,
        } => {
            let mut pb = PathBuilder::new();
            pb.move_to(*x1, *y1);
            pb.line_to(*x2, *y2);
            if let Some(path) = pb.finish() {
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke {
                    paint: luma::Color::new(*gray).into(),
                    width: *width,
                    ..Stroke::default()
                }));
                surface.draw_path(&path);
            }
        }
    }
}

fn fill(gray: u8) -> Fill {
    Fill {
        paint: luma::Color::new(gray).into(),
        ..Fill::default()
    }
}

/// The footer of page `number` of `count`: a thin rule, firm and project left,
/// „Seite N von M“ right.
fn footer(fonts: &Fonts, left: &str, number: usize, count: usize) -> Vec<Op> {
    let size = 7.5;
    let face = &fonts.regular;
    let right = format!("Seite {number} von {count}");
    let right_w = face.width(&right, size);
    let left = ellipsize(face, size, left, CONTENT_W - right_w - 18.0, false);
    vec![
        hline(
            MARGIN_X,
            PAGE_W - MARGIN_X,
            FOOTER_BASELINE - 9.0,
            0.4,
            RULE_LIGHT,
        ),
        text(MARGIN_X, FOOTER_BASELINE, size, false, MUTED, left),
        text(
            PAGE_W - MARGIN_X - right_w,
            FOOTER_BASELINE,
            size,
            false,
            MUTED,
            right,
        ),
    ]
}

// ---------------------------------------------------------------------------
// Layout

/// Left edge and width of every column, Beschreibung last.
struct Columns {
    x: [f32; 7],
    w: [f32; 7],
    right: [bool; 7],
}

impl Columns {
    fn new(fonts: &Fonts, sheet: &Sheet) -> Columns {
        // The widest text of every column: cells regular, sums bold.
        let mut widest = [0.0f32; 6];
        let mut widen = |i: usize, face: &Face, size: f32, s: &str| {
            widest[i] = widest[i].max(face.width(s, size));
        };
        for group in &sheet.groups {
            for row in &group.rows {
                let cells = [
                    &row.date,
                    &row.employee,
                    &row.from_to,
                    &row.pause,
                    &row.duration,
                    &row.billed,
                ];
                for (i, cell) in cells.into_iter().enumerate() {
                    widen(i, &fonts.regular, TABLE_SIZE, cell);
                }
            }
            widen(DAUER, &fonts.bold, TABLE_SIZE, &group.subtotal_recorded);
            widen(BILLED, &fonts.bold, TABLE_SIZE, &group.subtotal_billed);
        }
        widen(DAUER, &fonts.bold, TOTAL_SIZE, &sheet.total_recorded);
        widen(BILLED, &fonts.bold, TOTAL_SIZE, &sheet.total_billed);

        let mut x = [0.0; 7];
        let mut w = [0.0; 7];
        let mut right = [false; 7];
        let mut at = MARGIN_X;
        for (i, (title, r, min, max)) in COLUMNS.iter().enumerate() {
            let title = fonts.bold.width(title, TABLE_SIZE) + 2.0 * PAD_X;
            let width = (widest[i] + 2.0 * PAD_X)
                .clamp(*min, *max)
                .max(title)
                .ceil();
            x[i] = at;
            w[i] = width;
            right[i] = *r;
            at += width;
        }
        x[DESCRIPTION] = at + DESCRIPTION_GAP;
        w[DESCRIPTION] = PAGE_W - MARGIN_X - x[DESCRIPTION];
        Columns { x, w, right }
    }

    /// The room for text inside column `i`.
    fn inner(&self, i: usize) -> f32 {
        (self.w[i] - 2.0 * PAD_X).max(1.0)
    }

    /// Width of the columns Datum to Pause, where subtotal labels go.
    fn label_span(&self) -> f32 {
        self.x[DAUER] - self.x[0] - 2.0 * PAD_X
    }
}

/// One table row, wrapped: the first six cells and the description.
struct RowBlock {
    cells: [Vec<String>; 6],
    description: Vec<String>,
}

impl RowBlock {
    fn cell_lines(&self) -> usize {
        self.cells.iter().map(Vec::len).max().unwrap_or(1).max(1)
    }

    fn lines(&self) -> usize {
        self.cell_lines().max(self.description.len())
    }
}

/// What the table is made of, in order.
enum Item {
    Heading(Vec<String>),
    Row(RowBlock),
    /// „Keine Einträge“ when the sheet has no rows at all.
    Empty,
    Subtotal {
        label: Vec<String>,
        recorded: String,
        billed: String,
    },
    Total {
        recorded: String,
        billed: String,
        hours: String,
    },
}

const HEADING_GAP: f32 = 5.0;
const SUBTOTAL_GAP: f32 = 7.0;
const TOTAL_SIZE: f32 = 9.0;

fn lines_height(lines: usize) -> f32 {
    2.0 * PAD_Y + lines.max(1) as f32 * TABLE_LH
}

impl Item {
    fn height(&self) -> f32 {
        match self {
            Item::Heading(lines) => HEADING_GAP + lines_height(lines.len()),
            Item::Row(row) => lines_height(row.lines()),
            Item::Empty => lines_height(1),
            Item::Subtotal { label, .. } => lines_height(label.len()) + SUBTOTAL_GAP,
            Item::Total { .. } => 6.0 + lines_height(1) + 2.0 + TOTAL_SIZE * 1.6,
        }
    }
}

/// Baseline of line `i` of a block whose text starts at `top` (after padding).
fn baseline(top: f32, i: usize, size: f32, lh: f32) -> f32 {
    // Centre the cap height and descender in the line box.
    top + i as f32 * lh + (lh - 0.97 * size) / 2.0 + 0.73 * size
}

/// Pages being filled: drawing operations per page and the current y.
struct Flow {
    pages: Vec<Vec<Op>>,
    y: f32,
}

impl Flow {
    fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = MARGIN_TOP;
    }

    fn room(&self) -> f32 {
        BODY_BOTTOM - self.y
    }
}

/// Places the whole sheet; returns the drawing operations of every page
/// (without footer).
fn layout(sheet: &Sheet, fonts: &Fonts) -> Vec<Vec<Op>> {
    let cols = Columns::new(fonts, sheet);
    let mut flow = Flow {
        pages: vec![Vec::new()],
        y: MARGIN_TOP,
    };
    head(sheet, fonts, &mut flow);
    let items = table_items(sheet, fonts, &cols);
    table(&items, fonts, &cols, &mut flow);
    signature(fonts, &mut flow);
    flow.pages
}

/// Page 1 head: firm, title, customer left, key/value block right.
fn head(sheet: &Sheet, fonts: &Fonts, flow: &mut Flow) {
    let (bold, regular) = (&fonts.bold, &fonts.regular);
    let mut y = flow.y;
    let mut ops = Vec::new();

    let firm_size = 14.0;
    let firm = wrap_max(bold, firm_size, &sheet.firm, CONTENT_W, 2);
    let firm_lines = firm.len();
    for (i, line) in firm.into_iter().enumerate() {
        let base = y + firm_size * 0.95 + i as f32 * firm_size * 1.2;
        ops.push(text(MARGIN_X, base, firm_size, true, INK, line));
    }
    y += firm_size * 1.35 + (firm_lines.max(1) - 1) as f32 * firm_size * 1.2;
    ops.push(hline(MARGIN_X, PAGE_W - MARGIN_X, y, 0.6, RULE_DARK));

    let title_size = 17.0;
    y += 12.0 + title_size * 0.95;
    ops.push(text(MARGIN_X, y, title_size, true, INK, "Stundennachweis"));
    y += 16.0;

    // Customer (left) and the key/value block (right) side by side.
    let size = 9.5;
    let lh = size * 1.3;
    let left_w = CONTENT_W * 0.48;
    let mut left_y = y + size;
    for line in wrap_max(bold, size, &sheet.customer_name, left_w, 2) {
        ops.push(text(MARGIN_X, left_y, size, true, INK, line));
        left_y += lh;
    }
    let mut address = Vec::new();
    for line in &sheet.customer_lines {
        address.extend(wrap(regular, size, line, left_w));
    }
    address.retain(|l| !l.trim().is_empty());
    address.truncate(8);
    for line in address {
        ops.push(text(MARGIN_X, left_y, size, false, INK, line));
        left_y += lh;
    }

    let key_x = MARGIN_X + CONTENT_W * 0.55;
    let key_w = 62.0;
    let value_x = key_x + key_w;
    let value_w = PAGE_W - MARGIN_X - value_x;
    let voucher = single_line(&sheet.voucher);
    let voucher = voucher
        .strip_prefix("Rechnung ")
        .map(str::to_string)
        .unwrap_or(voucher);
    let rows = [
        ("Projekt", sheet.project.clone()),
        ("Zeitraum", sheet.period.clone()),
        ("Rechnung", voucher),
        ("Erstellt am", sheet.written.clone()),
    ];
    let mut right_y = y + size;
    for (key, value) in rows {
        ops.push(text(key_x, right_y, size, false, MUTED, format!("{key}:")));
        let lines = wrap_max(regular, size, &single_line(&value), value_w, 3);
        let n = lines.len().max(1);
        for (i, line) in lines.into_iter().enumerate() {
            ops.push(text(
                value_x,
                right_y + i as f32 * lh,
                size,
                false,
                INK,
                line,
            ));
        }
        right_y += n as f32 * lh;
    }

    flow.y = left_y.max(right_y) + 10.0;
    flow.ops().extend(ops);
}

/// The table's items: headings, rows, subtotals, the totals.
fn table_items(sheet: &Sheet, fonts: &Fonts, cols: &Columns) -> Vec<Item> {
    let (bold, regular) = (&fonts.bold, &fonts.regular);
    let mut items = Vec::new();
    for group in &sheet.groups {
        let heading = group
            .heading
            .as_deref()
            .map(single_line)
            .filter(|h| !h.is_empty());
        if let Some(h) = &heading {
            items.push(Item::Heading(wrap_max(
                bold,
                TABLE_SIZE + 0.5,
                h,
                CONTENT_W - 2.0 * PAD_X,
                MAX_HEADING_LINES,
            )));
        }
        for row in &group.rows {
            items.push(Item::Row(row_block(row, regular, cols)));
        }
        if let Some(h) = heading {
            items.push(subtotal(group, &h, bold, cols));
        }
    }
    if !items.iter().any(|i| matches!(i, Item::Row(_))) {
        // Before any subtotal, so „Keine Einträge“ is never below a sum.
        let at = items
            .iter()
            .position(|i| matches!(i, Item::Subtotal { .. }))
            .unwrap_or(items.len());
        items.insert(at, Item::Empty);
    }
    items.push(Item::Total {
        recorded: single_line(&sheet.total_recorded),
        billed: single_line(&sheet.total_billed),
        hours: single_line(&sheet.total_hours),
    });
    items
}

fn row_block(row: &SheetRow, face: &Face, cols: &Columns) -> RowBlock {
    let cell = |i: usize, s: &str| wrap_max(face, TABLE_SIZE, s, cols.inner(i), MAX_CELL_LINES);
    RowBlock {
        cells: [
            cell(0, &row.date),
            cell(1, &row.employee),
            cell(2, &row.from_to),
            cell(3, &row.pause),
            cell(4, &row.duration),
            cell(5, &row.billed),
        ],
        description: wrap(face, TABLE_SIZE, &row.description, cols.inner(DESCRIPTION)),
    }
}

fn subtotal(group: &SheetGroup, heading: &str, bold: &Face, cols: &Columns) -> Item {
    Item::Subtotal {
        label: wrap_max(
            bold,
            TABLE_SIZE,
            &format!("Summe {heading}"),
            cols.label_span(),
            MAX_HEADING_LINES,
        ),
        recorded: single_line(&group.subtotal_recorded),
        billed: single_line(&group.subtotal_billed),
    }
}

/// Header row of the table at `flow.y`.
fn table_header(fonts: &Fonts, cols: &Columns, flow: &mut Flow) {
    let y = flow.y;
    let h = lines_height(1);
    let mut ops = vec![Op::Rect {
        x: MARGIN_X,
        y,
        w: CONTENT_W,
        h,
        gray: HEADER_BG,
    }];
    let base = baseline(y + PAD_Y, 0, TABLE_SIZE, TABLE_LH);
    let titles = COLUMNS
        .iter()
        .map(|c| c.0)
        .chain(std::iter::once(DESCRIPTION_TITLE));
    for (i, title) in titles.enumerate() {
        let title = ellipsize(&fonts.bold, TABLE_SIZE, title, cols.inner(i), false);
        ops.push(cell_text(
            fonts, cols, i, base, TABLE_SIZE, true, INK, title,
        ));
    }
    ops.push(hline(MARGIN_X, PAGE_W - MARGIN_X, y + h, 0.6, RULE_DARK));
    flow.ops().extend(ops);
    flow.y += h;
}

/// Text in column `i`, aligned as the column is.
#[allow(clippy::too_many_arguments)]
fn cell_text(
    fonts: &Fonts,
    cols: &Columns,
    i: usize,
    y: f32,
    size: f32,
    bold: bool,
    gray: u8,
    s: String,
) -> Op {
    let x = if cols.right[i] {
        cols.x[i] + cols.w[i] - PAD_X - fonts.face(bold).width(&s, size)
    } else {
        cols.x[i] + PAD_X
    };
    text(x, y, size, bold, gray, s)
}

/// Places the table items, repeating the header on every new page; keeps a
/// heading with the row after it and the last row with its subtotal.
fn table(items: &[Item], fonts: &Fonts, cols: &Columns, flow: &mut Flow) {
    table_header(fonts, cols, flow);
    let fresh_room = BODY_BOTTOM - MARGIN_TOP - lines_height(1);
    let mut fresh = true;
    for (index, item) in items.iter().enumerate() {
        let h = item.height();
        let chain = h + kept_with(items, index);
        let need = if chain <= fresh_room { chain } else { h };
        if need > flow.room() && !fresh {
            if let Item::Row(row) = item {
                if h > fresh_room {
                    // Taller than a page anyway: start it here if a few lines fit.
                    let fits = ((flow.room() - 2.0 * PAD_Y) / TABLE_LH).floor();
                    if fits < row.cell_lines().max(3) as f32 {
                        continue_table(fonts, cols, flow);
                    }
                    split_row(row, fonts, cols, flow);
                    fresh = false;
                    continue;
                }
            }
            continue_table(fonts, cols, flow);
        }
        match item {
            Item::Row(row) if h > flow.room() => split_row(row, fonts, cols, flow),
            _ => {
                let ops = item_ops(item, fonts, cols, flow.y);
                flow.ops().extend(ops);
                flow.y += h;
            }
        }
        fresh = false;
    }
}

/// The height of what must stay on the page with item `index`: a heading
/// with its first row, the last row with the subtotal, the last subtotal with
/// the totals and the totals with the signature area.
fn kept_with(items: &[Item], index: usize) -> f32 {
    let mut height = 0.0;
    let mut at = index;
    loop {
        let keep = match (&items[at], items.get(at + 1)) {
            (Item::Heading(_), Some(_)) => true,
            (
                Item::Row(_) | Item::Subtotal { .. },
                Some(Item::Subtotal { .. } | Item::Total { .. }),
            ) => true,
            (Item::Total { .. }, _) => return height + SIGNATURE_HEIGHT,
            _ => false,
        };
        if !keep {
            return height;
        }
        at += 1;
        height += items[at].height();
    }
}

fn continue_table(fonts: &Fonts, cols: &Columns, flow: &mut Flow) {
    flow.new_page();
    table_header(fonts, cols, flow);
}

/// A row taller than the room left: its description lines go on over as many
/// pages as needed, the other cells stay with the first part.
fn split_row(row: &RowBlock, fonts: &Fonts, cols: &Columns, flow: &mut Flow) {
    let total = row.lines();
    let mut from = 0;
    while from < total {
        let fits = ((flow.room() - 2.0 * PAD_Y) / TABLE_LH).floor().max(0.0) as usize;
        let minimum = if from == 0 { row.cell_lines() } else { 1 };
        if fits < minimum {
            continue_table(fonts, cols, flow);
            continue;
        }
        let to = (from + fits).min(total);
        let ops = row_ops(row, from, to, fonts, cols, flow.y);
        flow.ops().extend(ops);
        flow.y += lines_height(to - from);
        from = to;
    }
}

/// Lines `from..to` of a row with its top at `y`. A part that does not start
/// at line 0 continues a row from the page before: it repeats the date, grey,
/// with „(Fortsetzung)“.
fn row_ops(
    row: &RowBlock,
    from: usize,
    to: usize,
    fonts: &Fonts,
    cols: &Columns,
    y: f32,
) -> Vec<Op> {
    let mut ops = Vec::new();
    let top = y + PAD_Y;
    if from > 0 {
        let base = baseline(top, 0, TABLE_SIZE, TABLE_LH);
        if let Some(date) = row.cells[0].first() {
            ops.push(cell_text(
                fonts,
                cols,
                0,
                base,
                TABLE_SIZE,
                false,
                MUTED,
                date.clone(),
            ));
        }
        let note = ellipsize(
            &fonts.regular,
            TABLE_SIZE,
            "(Fortsetzung)",
            cols.inner(1),
            false,
        );
        ops.push(cell_text(
            fonts, cols, 1, base, TABLE_SIZE, false, MUTED, note,
        ));
    }
    for line in from..to {
        let base = baseline(top, line - from, TABLE_SIZE, TABLE_LH);
        for (i, cell) in row.cells.iter().enumerate() {
            if let Some(s) = cell.get(line) {
                ops.push(cell_text(
                    fonts,
                    cols,
                    i,
                    base,
                    TABLE_SIZE,
                    false,
                    INK,
                    s.clone(),
                ));
            }
        }
        if let Some(s) = row.description.get(line) {
            ops.push(cell_text(
                fonts,
                cols,
                DESCRIPTION,
                base,
                TABLE_SIZE,
                false,
                INK,
                s.clone(),
            ));
        }
    }
    let bottom = y + lines_height(to - from);
    ops.push(hline(MARGIN_X, PAGE_W - MARGIN_X, bottom, 0.35, RULE_LIGHT));
    ops
}

fn item_ops(item: &Item, fonts: &Fonts, cols: &Columns, y: f32) -> Vec<Op> {
    match item {
        Item::Row(row) => row_ops(row, 0, row.lines(), fonts, cols, y),
        Item::Heading(lines) => {
            let size = TABLE_SIZE + 0.5;
            let top = y + HEADING_GAP;
            let h = lines_height(lines.len());
            let mut ops = vec![
                Op::Rect {
                    x: MARGIN_X,
                    y: top,
                    w: CONTENT_W,
                    h,
                    gray: HEADING_BG,
                },
                hline(MARGIN_X, PAGE_W - MARGIN_X, top + h, 0.5, RULE_DARK),
            ];
            for (i, line) in lines.iter().enumerate() {
                ops.push(text(
                    MARGIN_X + PAD_X,
                    baseline(top + PAD_Y, i, size, TABLE_LH),
                    size,
                    true,
                    INK,
                    line.clone(),
                ));
            }
            ops
        }
        Item::Empty => vec![
            cell_text(
                fonts,
                cols,
                0,
                baseline(y + PAD_Y, 0, TABLE_SIZE, TABLE_LH),
                TABLE_SIZE,
                false,
                MUTED,
                "Keine Einträge im Zeitraum.".to_string(),
            ),
            hline(
                MARGIN_X,
                PAGE_W - MARGIN_X,
                y + lines_height(1),
                0.35,
                RULE_LIGHT,
            ),
        ],
        Item::Subtotal {
            label,
            recorded,
            billed,
        } => {
            let mut ops = Vec::new();
            let top = y + PAD_Y;
            for (i, line) in label.iter().enumerate() {
                ops.push(cell_text(
                    fonts,
                    cols,
                    0,
                    baseline(top, i, TABLE_SIZE, TABLE_LH),
                    TABLE_SIZE,
                    true,
                    INK,
                    line.clone(),
                ));
            }
            let base = baseline(top, 0, TABLE_SIZE, TABLE_LH);
            for (i, value) in [(DAUER, recorded), (BILLED, billed)] {
                let value = ellipsize(&fonts.bold, TABLE_SIZE, value, cols.inner(i), false);
                ops.push(cell_text(
                    fonts, cols, i, base, TABLE_SIZE, true, INK, value,
                ));
            }
            ops.push(hline(
                MARGIN_X,
                PAGE_W - MARGIN_X,
                y + lines_height(label.len()),
                0.5,
                RULE_DARK,
            ));
            ops
        }
        Item::Total {
            recorded,
            billed,
            hours,
        } => {
            let size = TOTAL_SIZE;
            let top = y + 6.0;
            let h = lines_height(1);
            let base = baseline(top + PAD_Y, 0, size, TABLE_LH);
            let mut ops = vec![
                Op::Rect {
                    x: MARGIN_X,
                    y: top,
                    w: CONTENT_W,
                    h,
                    gray: HEADER_BG,
                },
                hline(MARGIN_X, PAGE_W - MARGIN_X, top, 0.8, INK),
                cell_text(fonts, cols, 0, base, size, true, INK, "Gesamt".to_string()),
            ];
            for (i, value) in [(DAUER, recorded), (BILLED, billed)] {
                let value = ellipsize(&fonts.bold, size, value, cols.inner(i), false);
                ops.push(cell_text(fonts, cols, i, base, size, true, INK, value));
            }
            ops.push(hline(MARGIN_X, PAGE_W - MARGIN_X, top + h, 0.8, INK));
            let hours = ellipsize(
                &fonts.bold,
                size,
                &format!("Abgerechnete Stunden: {hours}"),
                CONTENT_W - 2.0 * PAD_X,
                false,
            );
            ops.push(text(
                MARGIN_X + PAD_X,
                top + h + 2.0 + size * 1.25,
                size,
                true,
                INK,
                hours,
            ));
            ops
        }
    }
}

const SIGNATURE_SIZE: f32 = 8.5;
const SIGNATURE_GAP: f32 = 30.0;
const SIGNATURE_HEIGHT: f32 = SIGNATURE_GAP + SIGNATURE_SIZE + 42.0 + 4.0 + SIGNATURE_SIZE * 1.3;

/// „Ort, Datum“ and „Unterschrift Auftraggeber“ with lines, kept on one page.
fn signature(fonts: &Fonts, flow: &mut Flow) {
    let size = SIGNATURE_SIZE;
    let statement = "Die aufgeführten Stunden wurden vom Auftraggeber geprüft und bestätigt.";
    let mut y = flow.y + SIGNATURE_GAP;
    if SIGNATURE_HEIGHT > flow.room() {
        flow.new_page();
        y = flow.y + size;
    }
    let statement = ellipsize(&fonts.regular, size, statement, CONTENT_W, false);
    let mut ops = vec![text(MARGIN_X, y, size, false, INK, statement)];
    y += 42.0;
    let left_w = CONTENT_W * 0.38;
    let right_x = MARGIN_X + CONTENT_W * 0.5;
    ops.push(hline(MARGIN_X, MARGIN_X + left_w, y, 0.6, INK));
    ops.push(hline(right_x, PAGE_W - MARGIN_X, y, 0.6, INK));
    y += 4.0 + size;
    ops.push(text(MARGIN_X, y, size, false, MUTED, "Ort, Datum"));
    ops.push(text(
        right_x,
        y,
        size,
        false,
        MUTED,
        "Unterschrift Auftraggeber",
    ));
    flow.ops().extend(ops);
    flow.y = y + size * 0.3;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    fn row(date: &str, employee: &str, description: &str) -> SheetRow {
        SheetRow {
            date: date.to_string(),
            employee: employee.to_string(),
            from_to: "07:30–16:00".to_string(),
            pause: "0:30".to_string(),
            duration: "8:00".to_string(),
            billed: "8:15".to_string(),
            description: description.to_string(),
        }
    }

    const NAMES: [&str; 5] = [
        "Łukasz Wójcik",
        "Zoë Müller-Straße",
        "Jiří Dvořák",
        "Ayşe Çelik",
        "Ödön Kővári",
    ];

    fn test_sheet() -> Sheet {
        let long = "Zählerschrank gesetzt, Unterverteilung im Keller verdrahtet und \
                    beschriftet; Fehlerstromschutzschalter geprüft. "
            .repeat(6)
            + "\nRestarbeiten: Abdeckungen montieren, Messprotokoll erstellen.";
        let mut groups = Vec::new();
        for (g, heading) in ["Elektroinstallation Erdgeschoss", "Außenanlage und Garage"]
            .iter()
            .enumerate()
        {
            let rows = (0..60)
                .map(|i| {
                    let day = format!("{:02}.03.2026", 1 + (i % 28));
                    let employee = NAMES[(i + g) % NAMES.len()];
                    let description = match i % 7 {
                        0 => long.clone(),
                        1 => "Leitungen verlegt\nDosen gesetzt".to_string(),
                        2 => String::new(),
                        _ => format!("Kabelkanal montiert, Abschnitt {}", i + 1),
                    };
                    row(&day, employee, &description)
                })
                .collect();
            groups.push(SheetGroup {
                heading: Some(heading.to_string()),
                rows,
                subtotal_recorded: "480:00".to_string(),
                subtotal_billed: "495:00".to_string(),
            });
        }
        Sheet {
            firm: "Elektro Sonnenschein GmbH".to_string(),
            customer_name: "Bauherrengemeinschaft Weber".to_string(),
            customer_lines: vec![
                "z. Hd. Frau Weber".to_string(),
                "Lindenstraße 12".to_string(),
                "12345 Musterstadt".to_string(),
            ],
            project: "Elektrik Neubau Weber".to_string(),
            period: "01.03.2026 – 28.03.2026".to_string(),
            voucher: "Rechnung RE-1042".to_string(),
            written: "01.04.2026".to_string(),
            groups,
            total_recorded: "960:00".to_string(),
            total_billed: "990:00".to_string(),
            total_hours: "990,00 Std.".to_string(),
        }
    }

    fn empty_sheet() -> Sheet {
        Sheet {
            firm: "Elektro Sonnenschein GmbH".to_string(),
            customer_name: "Weber".to_string(),
            customer_lines: Vec::new(),
            project: "Elektrik Neubau Weber".to_string(),
            period: "01.03.2026 – 28.03.2026".to_string(),
            voucher: "Entwurf vom 01.04.2026".to_string(),
            written: "01.04.2026".to_string(),
            groups: Vec::new(),
            total_recorded: "0:00".to_string(),
            total_billed: "0:00".to_string(),
            total_hours: "0,00 Std.".to_string(),
        }
    }

    fn run(tool: &str, args: &[&str]) -> String {
        let out = Command::new(tool).args(args).output().unwrap_or_else(|e| {
            panic!("{tool} could not be run ({e}); install poppler-utils (scripts/setup.sh --test)")
        });
        assert!(
            out.status.success(),
            "{tool} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Writes the PDF to a temp file; returns (pdftotext -layout, page count).
    fn extract(pdf: &[u8]) -> (String, usize) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("stundennachweis.pdf");
        std::fs::write(&path, pdf).expect("write pdf");
        let p = path.to_str().expect("utf-8 path");
        let info = run("pdfinfo", &[p]);
        let pages = info
            .lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .and_then(|n| n.trim().parse().ok())
            .expect("pdfinfo names the page count");
        (run("pdftotext", &["-layout", p, "-"]), pages)
    }

    #[test]
    fn renders_a_multi_page_sheet_with_searchable_text() {
        let sheet = test_sheet();
        let pdf = render(&sheet).expect("renders");
        assert!(pdf.starts_with(b"%PDF-"));
        let (text, pages) = extract(&pdf);
        assert!(pages >= 3, "expected at least 3 pages, got {pages}");
        for needle in [
            "Stundennachweis",
            "Elektro Sonnenschein GmbH",
            "Elektrik Neubau Weber",
            "Lindenstraße 12",
            "RE-1042",
            "Summe Elektroinstallation Erdgeschoss",
            "Summe Außenanlage und Garage",
            "Gesamt",
            "960:00",
            "990:00",
            "Abgerechnete Stunden: 990,00 Std.",
            "Unterschrift Auftraggeber",
            "Ort, Datum",
            "07:30–16:00",
        ] {
            assert!(text.contains(needle), "missing {needle:?}");
        }
        for name in NAMES {
            assert!(text.contains(name), "missing employee {name:?}");
        }
        assert!(text.contains("Seite 1 von "));
        assert!(text.contains(&format!("Seite 1 von {pages}")));
        assert!(text.contains(&format!("Seite {pages} von {pages}")));
        assert!(!text.contains(&format!("Seite {} von", pages + 1)));
        let headers = text.matches("abgerechnet").count();
        assert!(headers >= pages, "header on {headers} of {pages} pages");
        assert_eq!(text.matches("Beschreibung").count(), pages);
    }

    #[test]
    fn empty_sheet_is_one_page_with_head_and_totals() {
        let pdf = render(&empty_sheet()).expect("renders");
        assert!(pdf.starts_with(b"%PDF-"));
        let (text, pages) = extract(&pdf);
        assert_eq!(pages, 1);
        for needle in [
            "Stundennachweis",
            "Elektro Sonnenschein GmbH",
            "Elektrik Neubau Weber",
            "Entwurf vom 01.04.2026",
            "Keine Einträge",
            "Gesamt",
            "Abgerechnete Stunden: 0,00 Std.",
            "Seite 1 von 1",
            "Unterschrift Auftraggeber",
        ] {
            assert!(text.contains(needle), "missing {needle:?}");
        }
    }

    /// Empty strings, an empty group, a 2,000-character heading, 3,000-character
    /// descriptions, control characters and emoji the font lacks.
    fn odd_sheet() -> Sheet {
        let mut sheet = empty_sheet();
        let huge = "Sehr lange Beschreibung mit Umlauten äöüß und 🚀 Emoji. ".repeat(60);
        assert!(huge.chars().count() >= 3000);
        sheet.firm = "F".repeat(400);
        sheet.project = String::new();
        sheet.customer_lines = vec![String::new(); 30];
        sheet.groups = vec![
            SheetGroup {
                heading: Some("Leer".to_string()),
                rows: Vec::new(),
                subtotal_recorded: String::new(),
                subtotal_billed: String::new(),
            },
            SheetGroup {
                heading: Some("x".repeat(2000)),
                rows: vec![
                    row("", "", ""),
                    row(
                        "01.03.2026",
                        &"Überlangername".repeat(40),
                        &(huge.clone() + "\n\n\r\n\tEnde"),
                    ),
                    SheetRow {
                        from_to: "9".repeat(300),
                        ..row("02.03.2026", "🙂", "\u{0}\u{7}Steuerzeichen\u{feff}")
                    },
                ],
                subtotal_recorded: "1".repeat(100),
                subtotal_billed: "😀".to_string(),
            },
            SheetGroup {
                heading: None,
                rows: vec![row("03.03.2026", "Jiří Dvořák", &huge)],
                subtotal_recorded: "8:00".to_string(),
                subtotal_billed: "8:15".to_string(),
            },
        ];
        sheet
    }

    #[test]
    fn odd_input_renders() {
        let pdf = render(&odd_sheet()).expect("renders");
        let (text, pages) = extract(&pdf);
        assert!(
            pages >= 3,
            "two 3000-character rows fill pages, got {pages}"
        );
        assert!(text.contains("Ende"));
        assert!(text.contains(&format!("Seite {pages} von {pages}")));
    }

    #[test]
    fn wrap_keeps_within_width() {
        let fonts = Fonts::load().expect("fonts");
        let face = &fonts.regular;
        for width in [1.0, 20.0, 80.0, 300.0] {
            for line in wrap(
                face,
                8.5,
                "Zoë Müller-Straße und ein Überlangeswort\nzwei",
                width,
            ) {
                let w = face.width(&line, 8.5);
                assert!(
                    w <= width || line.chars().count() == 1,
                    "{line:?} {w} > {width}"
                );
            }
        }
        assert_eq!(wrap(face, 8.5, "a\n\nb\n", 300.0), vec!["a", "", "b"]);
        assert_eq!(wrap(face, 8.5, "", 300.0), vec![""]);
        let cut = wrap_max(face, 8.5, &"Wort ".repeat(100), 60.0, 2);
        assert_eq!(cut.len(), 2);
        assert!(cut[1].ends_with('…'));
    }

    /// Renders the test sheet to /tmp/stundennachweis.pdf and times 120 and
    /// 5,000 rows: `cargo test --lib stundennachweis::pdf -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn write_sample_and_time() {
        let sheet = test_sheet();
        let start = std::time::Instant::now();
        let pdf = render(&sheet).expect("renders");
        println!("120 rows: {:?}, {} bytes", start.elapsed(), pdf.len());
        std::fs::write("/tmp/stundennachweis.pdf", &pdf).expect("write");
        let empty = render(&empty_sheet()).expect("renders");
        std::fs::write("/tmp/stundennachweis-leer.pdf", empty).expect("write");
        let odd = render(&odd_sheet()).expect("renders");
        std::fs::write("/tmp/stundennachweis-odd.pdf", odd).expect("write");

        let mut big = test_sheet();
        for group in &mut big.groups {
            let rows = group.rows.clone();
            group.rows = rows.iter().cycle().take(2500).cloned().collect();
        }
        let start = std::time::Instant::now();
        let pdf = render(&big).expect("renders");
        let took = start.elapsed();
        let (_, pages) = extract(&pdf);
        println!("5000 rows: {took:?}, {} bytes, {pages} pages", pdf.len());
    }
}
