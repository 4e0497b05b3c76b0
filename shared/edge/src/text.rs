//! Sanitizing rules for free text, used as `validator` custom checks.
//! Text is stored as given (after trimming) and always returned JSON-escaped;
//! these rules only reject what no legitimate field contains.
//!
//! Invisible characters make text read otherwise than it is: a bidirectional override
//! turns `Eve\u{202E}gnp.exe` into "Eveexe.png", a zero-width space or a soft hyphen makes
//! two names that look alike differ. The rule refuses every character of Unicode's
//! `Default_Ignorable_Code_Point` property (the characters a renderer shows as nothing;
//! the Unicode 18.0 data of `icu_properties`) and the interlinear annotation characters
//! U+FFF9..U+FFFB, except where a script or an emoji needs one ([`hidden`]):
//!
//! - U+200D ZERO WIDTH JOINER between two emoji (👨‍👩‍👧, 🏳️‍🌈, 👩🏽‍💻), or after a virama
//!   (Indic conjuncts, RFC 5892 A.2);
//! - U+200C ZERO WIDTH NON-JOINER after a virama or between joining letters (Persian,
//!   Arabic: RFC 5892 A.1);
//! - U+FE0E/U+FE0F (text or emoji presentation) after an emoji character;
//! - the variation selectors U+FE00..U+FE0F and U+E0100..U+E01EF after a CJK ideograph
//!   (ideographic variation sequences of names);
//! - the Mongolian variation selectors U+180B..U+180D, U+180F after a Mongolian letter;
//! - tag characters U+E0020..U+E007E ended by U+E007F after 🏴 U+1F3F4 (the flags of
//!   England, Scotland and Wales).
//!
//! Single-line fields also refuse control characters and the line and paragraph
//! separators U+2028/U+2029; multi-line fields allow newline, carriage return and tab.

use icu_properties::props::{
    BinaryProperty, CanonicalCombiningClass, DefaultIgnorableCodePoint, Emoji, EnumeratedProperty,
    ExtendedPictographic, JoiningType, Script, UnifiedIdeograph,
};
use validator::ValidationError;

/// A character that shows as nothing: refused unless it is part of one of the sequences
/// [`hidden`] allows.
pub fn is_invisible(c: char) -> bool {
    DefaultIgnorableCodePoint::for_char(c) || matches!(c, '\u{FFF9}'..='\u{FFFB}')
}

const ZWNJ: char = '\u{200C}';
const ZWJ: char = '\u{200D}';
const BLACK_FLAG: char = '\u{1F3F4}';
const CANCEL_TAG: char = '\u{E007F}';

fn is_tag_spec(c: char) -> bool {
    matches!(c, '\u{E0020}'..='\u{E007E}')
}

/// An emoji character outside ASCII (digits, `#` and `*` are emoji only in keycaps).
fn is_emoji(c: char) -> bool {
    !c.is_ascii() && (Emoji::for_char(c) || ExtendedPictographic::for_char(c))
}

fn is_virama(c: char) -> bool {
    CanonicalCombiningClass::for_char(c) == CanonicalCombiningClass::Virama
}

/// RFC 5892 A.1: `(Joining_Type:{L,D})(Joining_Type:T)*` before the ZWNJ and
/// `(Joining_Type:T)*(Joining_Type:{R,D})` after it.
fn in_joining_context(before: &[char], after: &[char]) -> bool {
    let joining = |c: &&char| JoiningType::for_char(**c) != JoiningType::Transparent;
    let left = before.iter().rev().find(joining).is_some_and(|c| {
        matches!(
            JoiningType::for_char(*c),
            JoiningType::LeftJoining | JoiningType::DualJoining
        )
    });
    let right = after.iter().find(joining).is_some_and(|c| {
        matches!(
            JoiningType::for_char(*c),
            JoiningType::RightJoining | JoiningType::DualJoining
        )
    });
    left && right
}

/// The emoji a ZWJ joins on its left: the character before, past an emoji presentation
/// selector or a skin-tone modifier.
fn emoji_before(before: &[char]) -> bool {
    let mut rest = before;
    if let [head @ .., '\u{FE0F}'] = rest {
        rest = head;
    }
    if let [head @ .., '\u{1F3FB}'..='\u{1F3FF}'] = rest {
        rest = head;
    }
    rest.last().is_some_and(|c| is_emoji(*c))
}

/// Whether the invisible character at `chars[i]` belongs to a sequence that needs it.
fn allowed_at(chars: &[char], i: usize) -> bool {
    let (before, c, after) = (&chars[..i], chars[i], &chars[i + 1..]);
    let previous = before.last().copied();
    match c {
        ZWJ => {
            (emoji_before(before) && after.first().is_some_and(|c| is_emoji(*c)))
                || previous.is_some_and(is_virama)
        }
        ZWNJ => previous.is_some_and(is_virama) || in_joining_context(before, after),
        '\u{FE0E}' | '\u{FE0F}' if previous.is_some_and(Emoji::for_char) => true,
        '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}' => {
            previous.is_some_and(UnifiedIdeograph::for_char)
        }
        '\u{180B}'..='\u{180D}' | '\u{180F}' => {
            previous.is_some_and(|p| Script::for_char(p) == Script::Mongolian && p.is_alphabetic())
        }
        c if is_tag_spec(c) || c == CANCEL_TAG => {
            // 🏴, one or more tag characters, the cancel tag: find the run's two ends.
            let start = before.iter().rposition(|c| !is_tag_spec(*c));
            let end = after.iter().position(|c| !is_tag_spec(*c));
            let tags_before = before.len() - start.map_or(0, |s| s + 1);
            match (start.map(|s| before[s]), c) {
                (Some(BLACK_FLAG), CANCEL_TAG) => tags_before > 0,
                (Some(BLACK_FLAG), _) => end.is_some_and(|e| after[e] == CANCEL_TAG),
                _ => false,
            }
        }
        _ => false,
    }
}

/// The first character of `value` that hides or reorders what a reader sees: an
/// invisible one ([`is_invisible`]) outside the sequences that need it.
pub fn hidden(value: &str) -> Option<char> {
    if !value.chars().any(is_invisible) {
        return None;
    }
    let chars: Vec<char> = value.chars().collect();
    (0..chars.len())
        .find(|&i| is_invisible(chars[i]) && !allowed_at(&chars, i))
        .map(|i| chars[i])
}

fn error(code: &'static str, message: &'static str) -> ValidationError {
    let mut err = ValidationError::new(code);
    err.message = Some(message.into());
    err
}

/// Single-line text: no control characters at all, no line or paragraph separator.
pub fn single_line(value: &str) -> Result<(), ValidationError> {
    if value
        .chars()
        .any(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}'))
    {
        return Err(error(
            "control_characters",
            "must not contain control characters or line breaks",
        ));
    }
    visible(value)?;
    not_blank(value)
}

/// No character that hides or reorders what a reader sees ([`hidden`]).
fn visible(value: &str) -> Result<(), ValidationError> {
    if hidden(value).is_some() {
        return Err(error(
            "invisible_characters",
            "must not contain invisible or direction-changing characters",
        ));
    }
    Ok(())
}

/// Multi-line text: newlines and tabs allowed, other control characters not.
pub fn multi_line(value: &str) -> Result<(), ValidationError> {
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(error(
            "control_characters",
            "must not contain control characters",
        ));
    }
    visible(value)
}

pub fn not_blank(value: &str) -> Result<(), ValidationError> {
    if value.trim().is_empty() {
        return Err(error("blank", "must not be blank"));
    }
    Ok(())
}

/// Trims surrounding whitespace of an optional field; an empty result means "cleared".
pub fn trimmed(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_rejected_but_unicode_is_fine() {
        assert!(single_line("Zoë Ångström 山田 🚀").is_ok());
        assert!(single_line("Robert'); DROP TABLE customers;--").is_ok());
        assert!(single_line("a\u{0000}b").is_err());
        assert!(single_line("line\nbreak").is_err());
        assert!(single_line("   ").is_err());
        assert!(multi_line("line\nbreak\ttab").is_ok());
        assert!(multi_line("bell\u{0007}").is_err());
    }

    /// Every character of the text rule's refusals, each alone in a word.
    const INVISIBLE: [char; 25] = [
        '\u{202A}',
        '\u{202E}',
        '\u{2066}',
        '\u{2069}', // bidi overrides and isolates
        '\u{200B}',
        '\u{FEFF}', // zero-width spaces
        '\u{200E}',
        '\u{200F}',
        '\u{061C}', // bidi marks
        '\u{2060}',
        '\u{2061}',
        '\u{2064}', // word joiner, invisible operators
        '\u{00AD}',
        '\u{034F}', // soft hyphen, combining grapheme joiner
        '\u{200C}',
        '\u{200D}', // joiners outside the sequences that need them
        '\u{3164}',
        '\u{115F}',
        '\u{FFA0}', // Hangul fillers
        '\u{E0001}',
        '\u{E0041}',
        '\u{E007F}', // tags
        '\u{FE0F}',
        '\u{E0100}', // variation selectors after a letter
        '\u{FFF9}',  // interlinear annotation
    ];

    #[test]
    fn invisible_and_direction_changing_characters_are_rejected() {
        for spoof in [
            "Eve\u{202E}gnp.exe",
            "a\u{200B}b",
            "\u{FEFF}x",
            "x\u{2066}y\u{2069}",
        ] {
            assert!(single_line(spoof).is_err(), "{spoof:?}");
            assert!(multi_line(spoof).is_err(), "{spoof:?}");
        }
        for c in INVISIBLE {
            for text in [
                format!("Ad{c}min"),
                format!("{c}Admin"),
                format!("Admin{c}"),
            ] {
                assert!(single_line(&text).is_err(), "{:?}", c);
                assert!(multi_line(&text).is_err(), "{:?}", c);
            }
        }
        // Tags only after 🏴 and only ended by the cancel tag.
        for bad in [
            "🏴\u{E0067}\u{E0062}",
            "🏴\u{E007F}",
            "x\u{E0067}\u{E0062}\u{E007F}",
            "🏴\u{E0067}\u{E0062}\u{E007F}\u{E007F}",
        ] {
            assert!(multi_line(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn line_and_paragraph_separators_only_in_multi_line_text() {
        for separator in ['\u{2028}', '\u{2029}'] {
            let text = format!("one{separator}two");
            assert!(single_line(&text).is_err());
            assert!(multi_line(&text).is_ok());
        }
    }

    /// Sequences that need an invisible character: emoji (UTS #51) and scripts that join.
    const KEPT: [&str; 12] = [
        "👨\u{200D}👩\u{200D}👧", // family: ZWJ between emoji
        "🏳\u{FE0F}\u{200D}🌈",    // rainbow flag: VS-16, then ZWJ
        "👩\u{1F3FD}\u{200D}💻",  // skin tone, then ZWJ
        "❤\u{FE0F}\u{200D}🔥",    // heart on fire
        "🏴\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}", // England
        "1\u{FE0F}\u{20E3}",      // keycap
        "☺\u{FE0E}",              // text presentation
        "می\u{200C}خواهم",        // Persian: ZWNJ between joining letters
        "क्\u{200D}ष",             // Devanagari: ZWJ after virama
        "क्\u{200C}ष",             // ZWNJ after virama
        "葛\u{E0100}飾",          // ideographic variation sequence
        "ᠠ\u{180B}ᠡ",             // Mongolian variation selector
    ];

    #[test]
    fn emoji_sequences_and_joining_scripts_are_kept() {
        for text in KEPT {
            assert!(single_line(text).is_ok(), "{text:?}");
            assert!(multi_line(text).is_ok(), "{text:?}");
        }
        let family = "👨\u{200D}👩\u{200D}👧 🏳\u{FE0F}\u{200D}🌈";
        assert!(single_line(family).is_ok());
        assert!(multi_line(family).is_ok());
        // A joiner at an end, or next to a letter, joins nothing.
        for bad in [
            "👨\u{200D}",
            "\u{200D}👩",
            "a\u{200D}👩",
            "👨\u{200D}a",
            "1\u{200D}2",
        ] {
            assert!(multi_line(bad).is_err(), "{bad:?}");
        }
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;
        use std::sync::LazyLock;

        /// Every character the rule could refuse, for the strategies to pick from.
        static ALL_INVISIBLE: LazyLock<Vec<char>> =
            LazyLock::new(|| ('\0'..=char::MAX).filter(|c| is_invisible(*c)).collect());

        fn invisible() -> impl Strategy<Value = char> {
            prop::sample::select(ALL_INVISIBLE.clone())
        }

        /// Text without any invisible character.
        fn plain() -> impl Strategy<Value = String> {
            any::<String>().prop_map(|s| s.chars().filter(|c| !is_invisible(*c)).collect())
        }

        proptest! {
            #[test]
            fn single_line_accepts_exactly_visible_text(value in plain()) {
                let acceptable = !value
                    .chars()
                    .any(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}'))
                    && !value.trim().is_empty();
                prop_assert_eq!(single_line(&value).is_ok(), acceptable);
            }

            #[test]
            fn multi_line_allows_only_line_breaks_and_tabs(value in plain()) {
                let acceptable = value
                    .chars()
                    .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'));
                prop_assert_eq!(multi_line(&value).is_ok(), acceptable);
            }

            /// An invisible character between letters or spaces, where no sequence needs
            /// it, is refused wherever it stands.
            #[test]
            fn an_invisible_character_among_letters_is_refused(
                before in "[a-zA-Z ]{0,12}",
                c in invisible(),
                after in "[a-zA-Z ]{0,12}",
            ) {
                let text = format!("{before}{c}{after}x");
                prop_assert!(single_line(&text).is_err(), "{:?}", text);
                prop_assert!(multi_line(&text).is_err(), "{:?}", text);
                prop_assert_eq!(hidden(&text), Some(c));
            }

            /// The sequences that need an invisible character pass amid any visible text.
            #[test]
            fn kept_sequences_pass_amid_any_text(
                before in "[a-zA-Z0-9 .,!?]{0,12}",
                kept in prop::sample::select(KEPT.to_vec()),
                after in "[a-zA-Z0-9 .,!?]{0,12}",
            ) {
                let text = format!("x{before} {kept} {after}x");
                prop_assert!(single_line(&text).is_ok(), "{:?}", text);
                prop_assert!(multi_line(&text).is_ok(), "{:?}", text);
            }

            /// Whatever the text, the rule answers (no panic at either end of a sequence),
            /// and an invisible character between spaces is always refused.
            #[test]
            fn any_text_is_judged(value in any::<String>(), c in invisible()) {
                let _ = single_line(&value);
                let _ = multi_line(&value);
                let text = format!("{value} {c} ");
                prop_assert!(hidden(&text).is_some(), "{:?}", text);
                prop_assert!(multi_line(&text).is_err());
            }

            #[test]
            fn trimming_is_idempotent(value in any::<String>()) {
                let once = trimmed(Some(value));
                prop_assert_eq!(trimmed(once.clone()), once);
            }
        }
    }
}
