//! Sanitizing rules for free text, used as `validator` custom checks.
//! Text is stored as given (after trimming) and always returned JSON-escaped;
//! these rules only reject what no legitimate field contains.

use validator::ValidationError;

/// Invisible characters that make text read otherwise than it is: bidirectional
/// overrides and isolates (`Eve\u{202E}gnp.exe` shows as "Eveexe.png") and zero-width
/// spaces. The zero-width joiner stays: emoji sequences need it.
pub fn is_spoofing(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200B}' | '\u{FEFF}')
}

fn error(code: &'static str, message: &'static str) -> ValidationError {
    let mut err = ValidationError::new(code);
    err.message = Some(message.into());
    err
}

/// Single-line text: no control characters at all.
pub fn single_line(value: &str) -> Result<(), ValidationError> {
    if value.chars().any(char::is_control) {
        return Err(error(
            "control_characters",
            "must not contain control characters",
        ));
    }
    visible(value)?;
    not_blank(value)
}

/// No character that hides or reorders what a reader sees ([`is_spoofing`]).
fn visible(value: &str) -> Result<(), ValidationError> {
    if value.chars().any(is_spoofing) {
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

    #[test]
    fn invisible_and_direction_changing_characters_are_rejected_but_emoji_sequences_kept() {
        for spoof in [
            "Eve\u{202E}gnp.exe",
            "a\u{200B}b",
            "\u{FEFF}x",
            "x\u{2066}y\u{2069}",
        ] {
            assert!(single_line(spoof).is_err(), "{spoof:?}");
            assert!(multi_line(spoof).is_err(), "{spoof:?}");
        }
        let family = "👨\u{200D}👩\u{200D}👧 🏳\u{FE0F}\u{200D}🌈";
        assert!(single_line(family).is_ok());
        assert!(multi_line(family).is_ok());
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn single_line_accepts_exactly_visible_text(value in any::<String>()) {
                let acceptable = !value.chars().any(|c| c.is_control() || is_spoofing(c))
                    && !value.trim().is_empty();
                prop_assert_eq!(single_line(&value).is_ok(), acceptable);
            }

            #[test]
            fn multi_line_allows_only_line_breaks_and_tabs(value in any::<String>()) {
                let acceptable = value.chars().all(|c| {
                    (!c.is_control() || matches!(c, '\n' | '\r' | '\t')) && !is_spoofing(c)
                });
                prop_assert_eq!(multi_line(&value).is_ok(), acceptable);
            }

            #[test]
            fn trimming_is_idempotent(value in any::<String>()) {
                let once = trimmed(Some(value));
                prop_assert_eq!(trimmed(once.clone()), once);
            }
        }
    }
}
