//! The one thing read from a photo's EXIF block: when it was taken. Everything else in it (GPS
//! position, camera serial number, owner name, …) is left where it is, in the owner's original,
//! and never copied into metadata.

use exif::{DateTime, In, Reader, Tag, Value};

/// `DateTimeOriginal` (else `DateTime`) as `YYYY-MM-DDTHH:MM:SS`, with `±HH:MM` when the camera
/// recorded its offset; `None` when absent, blank, out of range or the block does not parse.
pub fn capture_time(tiff: &[u8]) -> Option<String> {
    let exif = Reader::new().read_raw(tiff.to_vec()).ok()?;
    let ascii = |tag: Tag| match exif.get_field(tag, In::PRIMARY).map(|f| &f.value) {
        Some(Value::Ascii(parts)) => parts.first().cloned(),
        _ => None,
    };
    let (mut time, offset_tag) = match ascii(Tag::DateTimeOriginal) {
        Some(text) => (DateTime::from_ascii(&text).ok()?, Tag::OffsetTimeOriginal),
        None => (DateTime::from_ascii(&ascii(Tag::DateTime)?).ok()?, Tag::OffsetTime),
    };
    chrono::NaiveDate::from_ymd_opt(time.year.into(), time.month.into(), time.day.into())?;
    if time.hour > 23 || time.minute > 59 || time.second > 60 {
        return None;
    }
    let mut text = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        time.year, time.month, time.day, time.hour, time.minute, time.second
    );
    if let Some(offset) = ascii(offset_tag)
        && time.parse_offset(&offset).is_ok()
        && let Some(minutes) = time.offset.filter(|m| m.abs() < 24 * 60)
    {
        let sign = if minutes < 0 { '-' } else { '+' };
        text.push_str(&format!("{sign}{:02}:{:02}", minutes.abs() / 60, minutes.abs() % 60));
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_that_are_not_tiff_have_no_time() {
        assert_eq!(capture_time(b""), None);
        assert_eq!(capture_time(b"II*\0garbage"), None);
        assert_eq!(capture_time(&[0xff; 64]), None);
    }
}
