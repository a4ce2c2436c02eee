//! Rejoining the rows of one table value: was each row break a wrap or a newline of the value?
//!
//! The CLI wraps each line of a value with `textwrap` (optimal fit, Unicode line breaking, hyphen
//! splitting, long words broken), so the reader replays its break rules: a break at a space loses
//! the space, a break after `/`, `?` or a hyphen loses nothing, a row filled to the column width
//! was cut inside a word, and a break that the wrapping's optimal fit would not have made was a
//! newline. PEM armour sits on lines of its own, and a PEM body is re-cut at its line length.
//!
//! How well this works, measured on tables re-rendered the CLI's way
//! (`tests/railway_table_wrap.rs`): in an 80-column box every single-line value, URL, token,
//! compact JSON and PEM key comes back exactly, and about 70% of multi-line prose; columns
//! narrower than 24 characters (keys longer than 49) are read less well. What stays ambiguous is
//! listed at [`row_join`].

use super::{char_width, text_width};

/// How two consecutive rows of one value are rejoined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowJoin {
    /// The value held a newline here.
    Newline,
    /// Wrapped at a space, which the wrapping dropped.
    Space,
    /// Wrapped after `/` or a hyphen, or inside a word too long for the column.
    Nothing,
}

/// Rejoin the rows of one value.
///
/// The CLI wraps each line of a value with `textwrap` (optimal fit, Unicode line breaking,
/// hyphen splitting, long words broken), so a row break is one of:
/// - a newline of the value;
/// - a break at spaces, which are dropped (rejoined with one space: a run of several spaces
///   comes back as one);
/// - a break at a Unicode break opportunity that is not a space (after `/`, after `?`...) or
///   after a hyphen between letters or digits, rejoined with nothing;
/// - a break inside a word longer than the column, which fills the row to the column width,
///   rejoined with nothing.
///
/// When the box is narrower than the CLI's maximum width nothing was wrapped: every row break
/// is a newline, and the value comes back exactly (but for trailing spaces). Otherwise each break
/// goes through [`row_join`], and the body of a PEM block through [`pem_body_joins`].
pub(super) fn join_rows(rows: &[&str], column_width: usize, wrapping_possible: bool) -> String {
    let mut joins = vec![RowJoin::Newline; rows.len().saturating_sub(1)];
    if wrapping_possible {
        // Prose rows in a column this wide nearly always hold a space: a value whose rows hold
        // none is a URL, a token, base64, compact JSON... whose breaks dropped no space.
        let spaceless =
            column_width >= PROSE_MIN_COLUMN_WIDTH && !rows.iter().any(|row| row.contains(' '));
        let armour = armour_lines(rows);
        let mut forced = vec![None; joins.len()];
        for line in &armour {
            for join in &mut forced[line.first..line.last] {
                *join = Some(RowJoin::Space);
            }
            // The armour sits on a line of its own.
            if line.first > 0 {
                forced[line.first - 1] = Some(RowJoin::Newline);
            }
            if let Some(join) = forced.get_mut(line.last) {
                *join = Some(RowJoin::Newline);
            }
        }
        // Backwards, so that whether the next row ends its line is known.
        for index in (0..joins.len()).rev() {
            let (previous, next) = (rows[index], rows[index + 1]);
            joins[index] = forced[index].unwrap_or_else(|| {
                let join = row_join(previous, next, column_width, spaceless);
                let next_ends_its_line =
                    index + 1 == joins.len() || joins[index + 1] == RowJoin::Newline;
                if join == RowJoin::Space
                    && !wrap_is_optimal(previous, next, column_width, next_ends_its_line)
                {
                    RowJoin::Newline
                } else {
                    join
                }
            });
        }
        pem_body_joins(rows, &armour, &mut joins);
    }
    let mut value = String::new();
    for (index, row) in rows.iter().enumerate() {
        if index > 0 {
            match joins[index - 1] {
                RowJoin::Newline => value.push('\n'),
                RowJoin::Space => value.push(' '),
                RowJoin::Nothing => {}
            }
        }
        value.push_str(row);
    }
    value
}

/// Below this value column width a prose row may hold a single word, so a value whose rows
/// hold no space may still have been wrapped at spaces.
const PROSE_MIN_COLUMN_WIDTH: usize = 24;

/// Decide how row `next` continues row `previous` in a column `column_width` wide; `spaceless`
/// says that no row of the value holds a space.
///
/// PEM armour lines are settled before (see [`armour_lines`]). The rules, in order:
/// 1. A row with no space and no room left for the next row's first character is a piece of a
///    word too long for the column (such a piece always starts its row).
/// 2. An empty row, or a row starting with a space, comes from a newline.
/// 3. In a spaceless value, after `/`, `?` starting a query string, a hyphen between
///    alphanumerics, or between wide characters, the break took no character away.
/// 4. Otherwise a space was dropped.
///
/// Rules 3 and 4 only explain a break if `next` would not have fit after `previous`:
/// `textwrap`'s optimal fit never leaves two rows that would fit on one (merging them always
/// lowers its cost). When neither explains it, the break was a newline. [`join_rows`] then
/// applies [`wrap_is_optimal`] to the remaining space breaks.
///
/// What stays ambiguous: a value line that exactly fills the column followed by a newline
/// (read as one word), a newline that the wrapping could have made itself (read as a wrap), and a
/// break at a space right after `/`, `?`, `|` or a hyphen (read as a break without space).
fn row_join(previous: &str, next: &str, column_width: usize, spaceless: bool) -> RowJoin {
    let previous_width = text_width(previous);
    let next_width = text_width(next);
    let next_first_width = next.chars().next().map_or(0, char_width);
    // A piece of a word too long for the column fills its row and holds no space. (A piece of
    // an unbreakable run with spaces, in a very narrow column, may also start with one.)
    let fills_row =
        previous_width <= column_width && previous_width + next_first_width > column_width;
    if fills_row && !previous.is_empty() && (!previous.contains(' ') || next.starts_with(' ')) {
        return RowJoin::Nothing;
    }
    // Wrapping never leaves a row empty, and a wrapped row never starts with a space (spaces
    // stay at the end of the row they follow): only a line of the value can.
    if previous.is_empty() || next.is_empty() || next.starts_with(' ') {
        return RowJoin::Newline;
    }
    // A wrap is only possible where `next` would not have fit after `previous`.
    if (spaceless || breaks_without_space(previous, next))
        && previous_width + next_width > column_width
    {
        return RowJoin::Nothing;
    }
    if !spaceless && previous_width + 1 + next_width > column_width {
        return RowJoin::Space;
    }
    RowJoin::Newline
}

/// `textwrap`'s default penalties (0.16), which the optimality test below reasons with.
const SHORT_LAST_LINE_FRACTION: usize = 4;
const SHORT_LAST_LINE_PENALTY: usize = 25;

/// Whether a break at a space between `previous` and `next` could be `textwrap`'s choice.
///
/// Optimal fit minimises the sum over lines of the squared gap at the end of each line (the last
/// line of a paragraph costs nothing, unless it is a single short word), so an optimal layout
/// cannot be improved by moving `next`'s first word up to the end of `previous`:
/// - when `next` ends its line, the move shrinks `previous`'s gap at no cost, which is always
///   better (unless it leaves a single word shorter than a quarter of the column, which costs
///   a small penalty);
/// - otherwise, with `d` the word's width plus its space and `g` the gaps, the move changes the
///   cost by `2d(g_next - g_previous + d)`, better when `g_next + d < g_previous`.
///
/// If the move would be better, the break was not a wrap: it was a newline of the value. The
/// first word is measured generously (see [`split_first_fragment`]), which errs towards "wrap".
/// Rows wider than the column (overflowing lines) are left alone.
fn wrap_is_optimal(
    previous: &str,
    next: &str,
    column_width: usize,
    next_ends_its_line: bool,
) -> bool {
    let previous_width = text_width(previous);
    let next_width = text_width(next);
    if previous_width > column_width || next_width > column_width {
        return true;
    }
    let (first_word, rest) = split_first_fragment(next);
    let moved = 1 + text_width(first_word);
    let previous_gap = column_width - previous_width;
    if moved > previous_gap {
        return true;
    }
    if rest.is_empty() {
        return false;
    }
    if next_ends_its_line {
        let leaves_short_word =
            !rest.contains(' ') && text_width(rest) * SHORT_LAST_LINE_FRACTION < column_width;
        let gain = moved * (2 * previous_gap - moved);
        return leaves_short_word && gain <= SHORT_LAST_LINE_PENALTY;
    }
    let next_gap = column_width - next_width;
    next_gap + moved >= previous_gap
}

/// Split a row at the first space that is surely a break opportunity: the Unicode line breaking
/// rules keep text together across some spaces (after an opening bracket, before closing
/// punctuation, between a quote and an opening bracket...), so only a space run followed by an
/// ASCII letter or digit, and preceded by an ASCII character other than an opening bracket,
/// counts. Returns the first fragment and the rest after the spaces (empty when the whole row is
/// one fragment). Fragments found this way can only be longer than the real ones.
fn split_first_fragment(row: &str) -> (&str, &str) {
    match sure_breaks(row).next() {
        // Both ends sit next to ASCII bytes, so they are character boundaries.
        Some((space_start, space_end)) => (&row[..space_start], &row[space_end..]),
        None => (row, ""),
    }
}

/// The space runs of a row that are surely break opportunities, as byte ranges.
fn sure_breaks(row: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let bytes = row.as_bytes();
    let mut index = 0;
    std::iter::from_fn(move || {
        while index < bytes.len() {
            if bytes[index] != b' ' {
                index += 1;
                continue;
            }
            let space_start = index;
            while bytes.get(index) == Some(&b' ') {
                index += 1;
            }
            let before = space_start.checked_sub(1).map(|before| bytes[before]);
            let before_is_sure =
                before.is_some_and(|byte| byte.is_ascii() && !matches!(byte, b'(' | b'[' | b'{'));
            let after_is_alphanumeric = bytes.get(index).is_some_and(u8::is_ascii_alphanumeric);
            if before_is_sure && after_is_alphanumeric {
                return Some((space_start, index));
            }
        }
        None
    })
}

/// A PEM armour line (`-----BEGIN PRIVATE KEY-----`, `-----END …-----`) as rows `first..=last`:
/// in a column narrower than the armour it is wrapped at its spaces.
#[derive(Debug, Clone, Copy)]
struct ArmourLine {
    first: usize,
    last: usize,
    opens: bool,
}

/// The most rows an armour line is looked for over (its label is a few words).
const ARMOUR_MAX_ROWS: usize = 4;

fn armour_lines(rows: &[&str]) -> Vec<ArmourLine> {
    let mut lines = Vec::new();
    let mut index = 0;
    while index < rows.len() {
        let opens = rows[index].starts_with("-----BEGIN");
        if !(opens || rows[index].starts_with("-----END")) {
            index += 1;
            continue;
        }
        let last = (index..rows.len().min(index + ARMOUR_MAX_ROWS)).find(|&candidate| {
            let row = rows[candidate];
            row.ends_with("-----") && (candidate > index || row.contains(' '))
        });
        match last {
            Some(last) => {
                lines.push(ArmourLine {
                    first: index,
                    last,
                    opens,
                });
                index = last + 1;
            }
            None => index += 1,
        }
    }
    lines
}

/// Whether `textwrap` could have broken between `previous` and `next` without dropping a space:
/// after `/` or `|` inside a word; after `?` starting a query string (the last word is a URL, or
/// the next row starts `name=`); after a hyphen with an alphanumeric on both sides (its hyphen
/// splitter); between two wide (CJK) characters, which are written without spaces. A `/` or `|`
/// standing alone after a space was more likely followed by a space too.
fn breaks_without_space(previous: &str, next: &str) -> bool {
    let mut tail = previous.chars().rev();
    let last = tail.next();
    let next_first = next.chars().next();
    if last.is_some_and(|character| char_width(character) == 2)
        && next_first.is_some_and(|character| char_width(character) == 2)
    {
        return true;
    }
    match last {
        Some('/' | '|') => tail.next() != Some(' '),
        Some('?') => {
            let last_word = previous.rsplit(' ').next().unwrap_or(previous);
            let (first_fragment, _) = split_first_fragment(next);
            // A query string follows a URL path, or (in a row cut from a spaceless URL) reads
            // `name=value`.
            last_word.len() > 1
                && (last_word.contains('/')
                    || (!previous.contains(' ') && first_fragment.contains('=')))
        }
        Some('-') => {
            tail.next().is_some_and(char::is_alphanumeric)
                && next_first.is_some_and(char::is_alphanumeric)
        }
        _ => false,
    }
}

/// Line lengths PEM writers use for the base64 body: 64 (RFC 7468, OpenSSL), 70 (OpenSSH),
/// 76 (MIME), in order of preference.
const PEM_BODY_LINE_LENGTHS: [usize; 3] = [64, 70, 76];

/// Fix the joins inside each PEM block (`-----BEGIN …-----`, base64 rows, `-----END …`).
///
/// The body's lines all have one length except the last, and each was wrapped on its own, so
/// every multiple of that length (below the body's total) falls on a row end. The first of
/// [`PEM_BODY_LINE_LENGTHS`] for which this holds gives the newlines; every other row break in
/// the body was inside a line. A body with anything but base64 rows (encrypted-PEM headers) or
/// with no fitting length keeps the joins of [`row_join`].
fn pem_body_joins(rows: &[&str], armour: &[ArmourLine], joins: &mut [RowJoin]) {
    for pair in armour.windows(2) {
        let (begin, end) = (pair[0], pair[1]);
        if !begin.opens || end.opens {
            continue;
        }
        let body_start = begin.last + 1;
        let body = &rows[body_start..end.first];
        let is_base64 = |row: &&str| {
            !row.is_empty()
                && row
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'+' | b'/' | b'='))
        };
        if body.len() < 2 || !body.iter().all(is_base64) {
            continue;
        }
        // Offsets (in the joined body) where each row but the last ends.
        let mut row_ends = Vec::with_capacity(body.len() - 1);
        let mut total = 0;
        for row in body {
            total += row.len();
            row_ends.push(total);
        }
        row_ends.pop();
        let Some(line_length) = PEM_BODY_LINE_LENGTHS.into_iter().find(|&length| {
            (1..)
                .map(|multiple| multiple * length)
                .take_while(|&offset| offset < total)
                .all(|offset| row_ends.binary_search(&offset).is_ok())
        }) else {
            continue;
        };
        for (position, row_end) in row_ends.iter().enumerate() {
            joins[body_start + position] = if row_end % line_length == 0 {
                RowJoin::Newline
            } else {
                RowJoin::Nothing
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_joins_follow_the_wrapping_rules() {
        // After `/`: nothing, unless the next row would have fit (then a newline); a full row:
        // nothing; a row broken at a space: a space, unless the next row would have fit.
        assert_eq!(
            row_join("postgresql://", "pg:x", 20, false),
            RowJoin::Newline
        );
        assert_eq!(
            row_join("postgresql://", "postgres:xyzxyzxyz", 20, false),
            RowJoin::Nothing
        );
        assert_eq!(row_join("abcdefghij", "klm", 10, false), RowJoin::Nothing);
        assert_eq!(
            row_join("one two three", "fourteen", 20, false),
            RowJoin::Space
        );
        assert_eq!(row_join("one two", "three", 20, false), RowJoin::Newline);
        assert_eq!(
            row_join("zero-", "downtime rollouts", 20, false),
            RowJoin::Nothing
        );
        assert_eq!(
            row_join("a -", "b rollouts and more", 20, false),
            RowJoin::Space
        );
        assert_eq!(row_join("", "x", 20, false), RowJoin::Newline);
        assert_eq!(row_join("x", "", 20, false), RowJoin::Newline);
    }

    #[test]
    fn pem_bodies_are_recut_at_their_line_length() {
        let line = "A".repeat(64);
        let rows = [
            "-----BEGIN PRIVATE KEY-----",
            &line[..49],
            &line[49..],
            &line[..49],
            &line[49..],
            "QUFB",
            "-----END PRIVATE KEY-----",
        ];
        let value = join_rows(&rows, 49, true);
        let expected =
            format!("-----BEGIN PRIVATE KEY-----\n{line}\n{line}\nQUFB\n-----END PRIVATE KEY-----");
        assert_eq!(value, expected);
    }
}
