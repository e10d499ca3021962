//! What people outside a household's care may see of its contact data.

/// `13812345678` → `138****5678`. Every number keeps at least four digits hidden (ten
/// thousand guesses, as a mobile's mask leaves): a landline shows its area code (public: the
/// township's own) and at most the last four digits of the subscriber number, a local number
/// without area code only the last digits that leave four hidden.
pub fn mask_phone(phone: &str) -> String {
    const HIDDEN: usize = 4;
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    let head = match phone.split_once('-') {
        Some((area, _)) if area.starts_with('0') => area.chars().count(),
        _ if digits >= 11 => 3,
        _ => 0,
    }
    .min(digits.saturating_sub(HIDDEN));
    let tail = 4.min(digits.saturating_sub(head + HIDDEN));
    let mut seen = 0;
    phone
        .chars()
        .map(|c| {
            if !c.is_ascii_digit() {
                return c;
            }
            seen += 1;
            if seen <= head || seen > digits - tail {
                c
            } else {
                '*'
            }
        })
        .collect()
}

/// The first 6 (area) and last 4 characters of a resident ID, the birth date hidden.
pub fn mask_id_number(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() <= 10 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..6].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 10))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_as_the_contract_shows() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_id_number("11010519491231002X"), "110105********002X");
        assert_eq!(mask_phone("123"), "***");
    }

    #[test]
    fn every_phone_keeps_four_digits_hidden() {
        assert_eq!(mask_phone("0573-85123456"), "0573-****3456");
        assert_eq!(mask_phone("010-12345678"), "010-****5678");
        assert_eq!(mask_phone("0571-8512345"), "0571-****345");
        assert_eq!(mask_phone("057385123456"), "057*****3456");
        assert_eq!(mask_phone("85123456"), "****3456");
        assert_eq!(mask_phone("8512345"), "****345");
        assert_eq!(mask_phone("0000000000"), "******0000");
    }

    proptest::proptest! {
        #[test]
        fn no_mask_shows_more_than_all_but_four_digits(phone in "[0-9]{1,4}-?[0-9]{3,12}") {
            let masked = mask_phone(&phone);
            let digits = phone.chars().filter(char::is_ascii_digit).count();
            let hidden = masked.chars().filter(|c| *c == '*').count();
            proptest::prop_assert_eq!(masked.chars().count(), phone.chars().count());
            proptest::prop_assert!(hidden >= digits.min(4), "{} -> {}", phone, masked);
        }
    }
}
