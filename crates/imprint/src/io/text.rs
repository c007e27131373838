//! What every line-oriented text format shares (`docs/formats.md`): a UTF-8
//! byte-order mark is skipped (Excel writes one), `#` starts a comment, blank
//! lines are skipped, at most the first data line may be a header and only
//! when every field is a name, numbers must be finite, and offending text is
//! quoted cut to a readable length. One place, so that no parser drops a line
//! the others would reject.

/// The longest excerpt of a user's text quoted in an error message.
const EXCERPT_CHARS: usize = 80;

/// `text` quoted for an error message: cut to about 80 characters (a 2 MB
/// line is not echoed whole), the cut marked with an ellipsis.
pub fn excerpt(text: &str) -> String {
    match text.char_indices().nth(EXCERPT_CHARS) {
        Some((cut, _)) => format!("`{}…` ({} bytes)", &text[..cut], text.len()),
        None => format!("`{text}`"),
    }
}

/// The lines of `text` that hold data: 1-based line number and content, a
/// leading byte-order mark removed, comments cut, whitespace trimmed, blank
/// lines skipped.
pub fn data_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.lines().enumerate().filter_map(|(index, raw)| {
        let content = raw.split('#').next().unwrap_or("").trim();
        (!content.is_empty()).then_some((index + 1, content))
    })
}

/// Whether `fields` form a header line: every field a name (a letter or `_`
/// first, then letters, digits, `_`, `-`, `.`, spaces or brackets). A line
/// such as `0.0,1,1`, `"0","1",1`, `,1,1` or `O,1,1` is data and must parse.
pub fn is_header(fields: &[&str]) -> bool {
    !fields.is_empty()
        && fields.iter().all(|field| {
            let mut chars = field.chars();
            chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
                && chars.all(|c| c.is_alphanumeric() || "_-. ()[]".contains(c))
        })
}

/// `field` as a finite number, or why not (`nan` and `inf` parse as floats
/// but are no measurement, conductance or voltage).
pub fn finite_number(field: &str) -> Result<f64, String> {
    match field.parse::<f64>() {
        Ok(value) if value.is_finite() => Ok(value),
        Ok(_) => Err(format!("{} is not a finite number", excerpt(field))),
        Err(_) => Err(format!("{} is not a number", excerpt(field))),
    }
}

/// `field` as a node index, or why not.
pub fn node_index(field: &str) -> Result<usize, String> {
    field.parse::<usize>().map_err(|_| {
        format!(
            "{} is not a node index (a non-negative integer)",
            excerpt(field)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_names_and_nothing_else() {
        assert!(is_header(&["i", "j", "conductance"]));
        assert!(is_header(&["value"]));
        assert!(is_header(&["x_1", "V (volts)"]));
        for data in [
            &["0.0", "1", "1"][..],
            &["\"0\"", "\"1\"", "1"],
            &["", "1", "1"],
            &["O", "1", "1"],
            &["1e3"],
        ] {
            assert!(!is_header(data), "{data:?}");
        }
    }

    #[test]
    fn data_lines_skip_a_bom_comments_and_blanks() {
        let lines: Vec<_> = data_lines("\u{feff}0,1\n\n# note\n 1,2 # edge\n").collect();
        assert_eq!(lines, vec![(1, "0,1"), (4, "1,2")]);
    }

    #[test]
    fn excerpts_and_numbers() {
        let long = "x".repeat(2_000_000);
        let quoted = excerpt(&long);
        assert!(quoted.len() < 120 && quoted.ends_with("(2000000 bytes)"));
        assert_eq!(finite_number(" 2.5".trim()), Ok(2.5));
        assert_eq!(
            finite_number("nan").unwrap_err(),
            "`nan` is not a finite number"
        );
        assert_eq!(
            finite_number("inf").unwrap_err(),
            "`inf` is not a finite number"
        );
        assert_eq!(finite_number("abc").unwrap_err(), "`abc` is not a number");
        assert!(node_index("0.0").is_err() && node_index("-1").is_err());
    }
}
