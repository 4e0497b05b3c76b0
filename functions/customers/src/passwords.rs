//! The password rule, after NIST SP 800-63B (memorized secrets): 8 to 128 characters
//! (API.md; the length is checked where the request is validated), any characters but
//! control ones, no composition rules (a long passphrase of plain words is fine), and
//! refused when it is a password attackers try first:
//!
//! - one of the 30,000 most common passwords, whatever its case, or one of them with only
//!   digits, punctuation or spaces around it (`Password123!`, `dragon2024`);
//! - a repeated or sequential pattern: at most two runs of one character or of
//!   consecutive ones (`aaaaaaaa`, `12345678`, `abcd1234`, `zyxwvuts`), or a short piece
//!   repeated (`abcabcabc`, `Xk9!Xk9!`);
//! - context-specific: containing the account's email, or made of its email's local
//!   part, its name, its username or the shop's name with little else (`alice2024`).
//!
//! The list (`common-passwords.txt`; its licence in `common-passwords.LICENSE`) is the
//! password list of zxcvbn's frequency lists (the `zxcvbn` crate 3.1.1, MIT licence,
//! Copyright (c) 2016 Joshua Holmer, after Dropbox's zxcvbn), lower-cased and sorted byte
//! by byte. It is searched in place: no allocation at start or per check, and only the
//! few pages a binary search reads are ever loaded (zxcvbn itself builds hash maps of
//! 7.5 MiB on its first use, which the password functions, beside argon2's 7 MiB, have no
//! room for).

use edge::limits::MIN_PASSWORD_CHARS;
use edge::ApiError;
use std::cmp::Ordering;

/// Lower-cased, sorted byte by byte, one a line.
const COMMON: &str = include_str!("common-passwords.txt");

pub const CONTROL: &str = "must not contain control characters";
pub const BLANK: &str = "must not be only spaces";
pub const COMMON_PASSWORD: &str =
    "is too common: it is on the list of passwords that attackers try first";
pub const PATTERN: &str =
    "is too easy to guess: a repeated or sequential pattern such as aaaaaaaa or 12345678";
pub const CONTAINS_EMAIL: &str = "must not contain your email";
pub const PERSONAL: &str = "must not be made of your email, name or username";

/// Words of the service itself that a password must not be made of.
const SERVICE_WORDS: [&str; 1] = ["shop"];

/// Why `password` is refused on its own, if it is: [`CONTROL`], [`BLANK`],
/// [`COMMON_PASSWORD`] or [`PATTERN`].
pub fn refusal(password: &str) -> Option<&'static str> {
    if password.chars().any(char::is_control) {
        return Some(CONTROL);
    }
    if password.trim().is_empty() {
        return Some(BLANK);
    }
    guessable(&password.to_lowercase())
}

/// Why `password` is refused for the account of `email` whose name, username and the like
/// are `names`, if it is: [`refusal`], then [`CONTAINS_EMAIL`] or [`PERSONAL`].
pub fn refusal_for(password: &str, email: &str, names: &[&str]) -> Option<&'static str> {
    if let Some(why) = refusal(password) {
        return Some(why);
    }
    let password = password.to_lowercase();
    let email = email.to_lowercase();
    if password.contains(&email) {
        return Some(CONTAINS_EMAIL);
    }
    let local = email.split('@').next().unwrap_or_default();
    let mut words: Vec<String> = [local]
        .into_iter()
        .chain(names.iter().copied())
        .chain(SERVICE_WORDS)
        .flat_map(|word| {
            let word = word.trim().to_lowercase();
            let parts: Vec<String> = word
                .split(|c: char| !c.is_alphanumeric())
                .map(str::to_string)
                .collect();
            std::iter::once(word).chain(parts)
        })
        .filter(|word| word.chars().count() >= 3)
        .collect();
    // The longest first: "alice.smith" before "alice".
    words.sort_by_key(|word| std::cmp::Reverse(word.len()));
    let mut rest = password.clone();
    for word in &words {
        rest = rest.replace(word.as_str(), "");
    }
    let made_of_them =
        rest != password && (core(&rest).chars().count() < 4 || guessable(&rest).is_some());
    made_of_them.then_some(PERSONAL)
}

/// [`refusal_for`] as the 422 that names the `password` field and says why.
pub fn check_for(password: &str, email: &str, names: &[&str]) -> Result<(), ApiError> {
    match refusal_for(password, email, names) {
        Some(why) => Err(ApiError::validation("password", why)),
        None => Ok(()),
    }
}

/// Common or a pattern (`word` lower-cased).
fn guessable(word: &str) -> Option<&'static str> {
    if listed(word) {
        return Some(COMMON_PASSWORD);
    }
    if pattern(word) {
        return Some(PATTERN);
    }
    // A common word or a pattern with digits, punctuation or spaces around it.
    let core = core(word);
    if core.len() != word.len() && core.chars().count() >= 4 {
        if listed(core) {
            return Some(COMMON_PASSWORD);
        }
        if pattern(core) {
            return Some(PATTERN);
        }
    }
    None
}

/// The word without the characters other than letters at its ends: `"12dragon!!"` →
/// `"dragon"`.
fn core(word: &str) -> &str {
    word.trim_matches(|c: char| !c.is_alphabetic())
}

/// Whether `word` is on the list: a binary search over its lines, in place.
fn listed(word: &str) -> bool {
    let (list, word) = (COMMON.as_bytes(), word.as_bytes());
    // [low, high) always starts at a line's start and ends at a line's end.
    let (mut low, mut high) = (0, list.len());
    while low < high {
        let middle = low + (high - low) / 2;
        let start = list[low..middle]
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(low, |i| low + i + 1);
        let end = list[start..high]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(high, |i| start + i);
        match list[start..end].cmp(word) {
            Ordering::Equal => return true,
            Ordering::Less => low = end + 1,
            Ordering::Greater => high = start,
        }
    }
    false
}

/// At most two runs of one character or of consecutive ones, or a short piece repeated.
fn pattern(word: &str) -> bool {
    let chars: Vec<char> = word.chars().collect();
    runs(&chars) <= 2 || repeated(&chars)
}

/// How many runs `chars` falls into, each one character repeated or consecutive
/// characters up or down (`"abcd1234"`: 2, `"password"`: 7).
fn runs(chars: &[char]) -> usize {
    let mut runs = 0;
    let mut previous: Option<char> = None;
    let mut step: Option<i64> = None;
    for &c in chars {
        match previous {
            None => runs = 1,
            Some(p) => {
                let difference = i64::from(u32::from(c)) - i64::from(u32::from(p));
                match step {
                    Some(s) if s == difference => {}
                    None if (-1..=1).contains(&difference) => step = Some(difference),
                    _ => {
                        runs += 1;
                        step = None;
                    }
                }
            }
        }
        previous = Some(c);
    }
    runs
}

/// `chars` is one piece several times over, and that piece is shorter than the shortest
/// password, or guessable itself (`"passwordpassword"`).
fn repeated(chars: &[char]) -> bool {
    (1..=chars.len() / 2)
        .filter(|length| chars.len().is_multiple_of(*length))
        .find(|&length| chars.chunks(length).all(|chunk| chunk == &chars[..length]))
        .is_some_and(|length| {
            length < MIN_PASSWORD_CHARS as usize
                || guessable(&chars[..length].iter().collect::<String>()).is_some()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_sorted_and_every_entry_is_found() {
        let lines: Vec<&str> = COMMON.lines().collect();
        assert_eq!(lines.len(), 30_000);
        assert!(lines.windows(2).all(|w| w[0].as_bytes() < w[1].as_bytes()));
        assert!(lines.iter().all(|line| *line == line.to_lowercase()));
        for line in &lines {
            assert!(listed(line), "{line}");
            assert!(!listed(&format!("{line}\u{1}")));
        }
        for absent in [
            "",
            "correct-horse-battery",
            "zzzzzzzzzzzzz",
            "!",
            "\u{10FFFF}",
        ] {
            assert!(!listed(absent), "{absent}");
        }
    }

    #[test]
    fn the_passwords_of_the_report_are_refused() {
        for (password, why) in [
            ("password", COMMON_PASSWORD),
            ("PassWord", COMMON_PASSWORD),
            ("12345678", COMMON_PASSWORD),
            ("        ", BLANK),
            ("\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}", CONTROL),
            ("tab\tinside", CONTROL),
            ("Password123!", COMMON_PASSWORD),
            ("password-123", COMMON_PASSWORD),
            ("  dragon 2024 ", COMMON_PASSWORD),
            ("p@ssw0rd", COMMON_PASSWORD),
            ("aaaaaaaaaaaaaaaaaaaaaaaaa", PATTERN),
            ("ééééééééé", PATTERN),
            ("87654321", PATTERN),
            ("abcd1234", COMMON_PASSWORD),
            ("zyxwvuts", PATTERN),
            ("mnopqrst2024", PATTERN),
            ("1111bbbb", PATTERN),
            ("abcabcabc", PATTERN),
            ("Xk9!Xk9!", PATTERN),
            ("qrstuvwxyz!!", PATTERN),
        ] {
            assert_eq!(refusal(password), Some(why), "{password:?}");
        }
    }

    #[test]
    fn passphrases_and_the_projects_own_passwords_pass() {
        for password in [
            "correct horse battery staple",
            "correct-horse-battery",
            "le chat est sur la table ce soir",
            "Zoë Ångström lives here",
            "9Ab$3@1%",
            "山田さんのパスワードです",
            "demo-password",
            "admin-password-local",
            "amber-orchard-tramline-1",
            "quartz-meadow-lantern",
            "kettle-orbit-lantern",
            "load-test-password",
            "s3cret-password",
            "brand-new-password",
            "another-horse-battery",
            "another-password",
            "a-new-password",
            "operator-password",
            "password-one",
            "password-two",
            "password-race",
            "long-enough",
            "longenough",
        ] {
            assert_eq!(refusal(password), None, "{password:?}");
        }
    }

    #[test]
    fn context_specific_passwords_are_refused() {
        let names = ["Alice Liddell", "alice_l"];
        let judge = |password: &str| refusal_for(password, "alice.l@shop.local", &names);
        assert_eq!(judge("alice.l@shop.local"), Some(CONTAINS_EMAIL));
        assert_eq!(judge("my alice.l@SHOP.local!"), Some(CONTAINS_EMAIL));
        for personal in [
            "alice.l2024",
            "Alice Liddell",
            "liddell!!1",
            "alice_l-alice_l",
            "aliceliddell",
            "myshop123",
        ] {
            assert_eq!(judge(personal), Some(PERSONAL), "{personal:?}");
        }
        for fine in [
            "alice in wonderland",
            "demo-password",
            "correct-horse-battery",
            "shopping list of june",
        ] {
            assert_eq!(judge(fine), None, "{fine:?}");
        }
        // The rules of the password alone come first.
        assert_eq!(judge("password"), Some(COMMON_PASSWORD));
        assert_eq!(
            refusal_for("admin-password-local", "admin@shop.local", &["Demo Admin"]),
            None
        );
    }
}
