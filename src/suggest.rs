//! Did-you-mean suggestions for misspelt keys and ids.

/// The candidate closest to `word`, if it is close enough to be a likely typo.
///
/// ```
/// use dealsim::suggest::did_you_mean;
/// assert_eq!(did_you_mean("grwth", ["growth", "ceiling"]), Some("growth"));
/// assert_eq!(did_you_mean("zzz", ["growth", "ceiling"]), None);
/// ```
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}
