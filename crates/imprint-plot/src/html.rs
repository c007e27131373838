//! What the HTML reports share (`imprint reproduce`, `imprint sweep
//! collect`): the stylesheet and the escaping of text with the claims'
//! notation.

/// The reports' stylesheet.
pub const STYLE: &str = include_str!("report.css");

/// HTML-escapes text, then sets the notation of the claims as sub- and
/// superscripts (χ_e, k_e, n_in n_out, 10^6).
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace("χ_e", "χ<sub>e</sub>")
        .replace("k_e", "k<sub>e</sub>")
        .replace("n_in", "n<sub>in</sub>")
        .replace("n_out", "n<sub>out</sub>")
        .replace("k_rel", "k<sub>rel</sub>")
        .replace("10^6", "10<sup>6</sup>")
}

/// `path` relative to `out`, with forward slashes (a link in a page in `out`).
pub fn relative(path: &std::path::Path, out: &std::path::Path) -> String {
    path.strip_prefix(out)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_sets_the_notation() {
        assert_eq!(escape("a < b & χ_e"), "a &lt; b &amp; χ<sub>e</sub>");
        assert_eq!(escape("10^6 n_in"), "10<sup>6</sup> n<sub>in</sub>");
        assert_eq!(
            relative(
                std::path::Path::new("/o/figures/a.png"),
                std::path::Path::new("/o")
            ),
            "figures/a.png"
        );
    }
}
