//! Resident memory of this process from /proc/self/status (Linux): the current resident set
//! (VmRSS) and its high-water mark (VmHWM), which can be reset to the current value.

/// Reads a `kB` field of /proc/self/status as bytes; None where the file or field is missing.
fn status_field(name: &str) -> Option<usize> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    parse_status_field(&text, name)
}

pub(crate) fn parse_status_field(text: &str, name: &str) -> Option<usize> {
    let line = text
        .lines()
        .find(|l| l.starts_with(name) && l[name.len()..].starts_with(':'))?;
    let kb: usize = line[name.len() + 1..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024)
}

/// Peak resident bytes since the start or the last [`reset_peak`].
pub fn peak_rss_bytes() -> Option<usize> {
    status_field("VmHWM")
}

/// Current resident bytes.
pub fn rss_bytes() -> Option<usize> {
    status_field("VmRSS")
}

/// Resets VmHWM to the current RSS (writing 5 to /proc/self/clear_refs, Linux ≥ 4.0). Returns
/// whether it worked; where it did not, the peak covers the whole process lifetime.
pub fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_kilobyte_fields_by_exact_name() {
        let text = "Name:\tbench\nVmHWM:\t  204800 kB\nVmRSS:\t  1024 kB\nVmRSSX:\t 7 kB\n";
        assert_eq!(parse_status_field(text, "VmHWM"), Some(204800 * 1024));
        assert_eq!(parse_status_field(text, "VmRSS"), Some(1024 * 1024));
        assert_eq!(parse_status_field(text, "VmPeak"), None);
    }
}
