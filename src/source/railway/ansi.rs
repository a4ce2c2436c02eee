//! ANSI escape sequences, removed from a table with a map back to the original offsets.
//!
//! The table is accepted plain or coloured, and a coloured one may also hold hyperlinks (OSC 8).
//! It is read without the escape sequences, but every span must index the text exactly as given,
//! so that a diagnostic underlines the bytes the user has: [`AnsiStripped`] keeps, for each byte
//! of the stripped text, the offset it came from.

use crate::source::Span;

/// The text without ANSI escape sequences, and where each of its bytes came from.
pub(super) struct AnsiStripped {
    pub(super) text: String,
    /// `origin[i]` is the offset in the original text of byte `i` of `text`; one extra entry
    /// holds the original length.
    origin: Vec<usize>,
}

impl AnsiStripped {
    pub(super) fn new(original: &str) -> Self {
        let mut text = String::with_capacity(original.len());
        let mut origin = Vec::with_capacity(original.len() + 1);
        let mut characters = original.char_indices().peekable();
        while let Some((offset, character)) = characters.next() {
            if character == '\u{1b}' {
                skip_escape_sequence(&mut characters);
                continue;
            }
            text.push(character);
            origin.extend(offset..offset + character.len_utf8());
        }
        origin.push(original.len());
        Self { text, origin }
    }

    /// The original span of a span of the stripped text.
    pub(super) fn original_span(&self, span: Span) -> Span {
        let start = self.origin[span.start.min(self.origin.len() - 1)];
        if span.end <= span.start {
            return start..start;
        }
        let end = self.origin[(span.end - 1).min(self.origin.len() - 1)] + 1;
        start..end.max(start)
    }
}

/// Skip the rest of an escape sequence whose `ESC` was just read: a CSI sequence (`ESC [`
/// parameters, final byte; SGR colours are these), an OSC sequence (`ESC ]` … `BEL` or `ESC \`,
/// used for hyperlinks) or a two-character escape.
fn skip_escape_sequence(characters: &mut std::iter::Peekable<std::str::CharIndices<'_>>) {
    match characters.peek().map(|&(_, character)| character) {
        Some('[') => {
            characters.next();
            while characters
                .peek()
                .is_some_and(|&(_, character)| ('\u{20}'..='\u{3f}').contains(&character))
            {
                characters.next();
            }
            if characters
                .peek()
                .is_some_and(|&(_, character)| ('\u{40}'..='\u{7e}').contains(&character))
            {
                characters.next();
            }
        }
        Some(']') => {
            characters.next();
            while let Some((_, character)) = characters.next() {
                if character == '\u{7}' {
                    break;
                }
                if character == '\u{1b}' {
                    if characters.peek().is_some_and(|&(_, next)| next == '\\') {
                        characters.next();
                    }
                    break;
                }
            }
        }
        Some(character) if ('\u{40}'..='\u{5f}').contains(&character) => {
            characters.next();
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ansi_sequences_are_stripped_with_an_offset_map() {
        let text = "\u{1b}[1mKEY\u{1b}[0m é \u{1b}]8;;http://x\u{7}link";
        let stripped = AnsiStripped::new(text);
        assert_eq!(stripped.text, "KEY é link");
        let key = stripped.original_span(0..3);
        assert_eq!(&text[key], "KEY");
        let accent = stripped.original_span(4..6);
        assert_eq!(&text[accent], "é");
        let link = stripped.original_span(7..11);
        assert_eq!(&text[link], "link");
    }
}
