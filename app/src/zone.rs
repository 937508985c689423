//! The time zone times are shown in (UX3): the signed-in person's saved zone, else (on a workspace's
//! pages, for its members) the workspace's, else UTC. The server decides it for each page
//! (`server::middleware::zone`) and hands it to the page as a [`ViewerZone`]: the zone's name and the
//! UTC offsets it had and will have, so the browser converts the very same way without a time zone
//! database in the WebAssembly. DTOs keep carrying UTC; only the words on the page change.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A zone as a page needs it: its name and its offsets (from which UTC second, how many seconds ahead
/// of UTC); the first offset also holds before it. No offsets: UTC.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ViewerZone {
    pub name: String,
    pub changes: Vec<(i64, i32)>,
}

/// The zone the server chose for this request (a request extension).
#[derive(Debug, Clone)]
pub struct RequestZone(pub ViewerZone);

impl ViewerZone {
    /// Seconds ahead of UTC at the UTC second `at`.
    pub fn offset_at(&self, at: i64) -> i32 {
        match self.changes.partition_point(|(from, _)| *from <= at) {
            0 => self.changes.first().map_or(0, |(_, offset)| *offset),
            after => self.changes[after - 1].1,
        }
    }
}

/// The zone of the page being drawn (UTC outside a page).
pub fn current() -> ViewerZone {
    use_context::<ViewerZone>().unwrap_or_default()
}

/// The seconds since 1970 of a DTO timestamp (`2026-12-01T14:05:09Z`, or with a `+hh:mm` offset).
pub fn parse_rfc3339(iso: &str) -> Option<i64> {
    let number = |range: std::ops::Range<usize>| iso.get(range)?.parse::<i64>().ok();
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    let shaped = iso.as_bytes().get(10) == Some(&b'T') && (1..=12).contains(&month) && (1..=31).contains(&day);
    if !shaped || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut rest = &iso[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        rest = fraction.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first() {
                Some(b'+') => 1,
                Some(b'-') => -1,
                _ => return None,
            };
            let hours = rest.get(1..3)?.parse::<i64>().ok()?;
            let minutes = rest.get(4..6)?.parse::<i64>().ok()?;
            sign * (hours * 3600 + minutes * 60)
        }
    };
    Some(days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

/// (year, month, day, hour, minute) of the second `at` (seconds since 1970, already shifted to local).
pub fn civil(at: i64) -> (i64, i64, i64, i64, i64) {
    let (days, seconds) = (at.div_euclid(86_400), at.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    (year, month, day, seconds / 3600, seconds % 3600 / 60)
}

/// Days since 1970-01-01 of a date in the proleptic Gregorian calendar (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date of a day number of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 { shifted_month + 3 } else { shifted_month - 9 };
    (year_of_era + era * 400 + i64::from(month <= 2), month, day)
}

/// An offset as `+01:00`, `-05:30`.
pub fn offset_words(offset: i32) -> String {
    let sign = if offset < 0 { '-' } else { '+' };
    let minutes = offset.unsigned_abs() / 60;
    format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_seconds_convert_both_ways() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339("2026-03-29T01:00:00Z"), Some(1_774_746_000));
        assert_eq!(parse_rfc3339("2026-03-29T03:00:00+02:00"), Some(1_774_746_000));
        assert_eq!(parse_rfc3339("2024-02-29T12:30:15.123Z"), Some(1_709_209_815));
        for not_a_time in ["", "yesterday", "2026-13-01T00:00:00Z", "2026-12-01 10:00:00Z", "2026-12-01T10:00:00"] {
            assert_eq!(parse_rfc3339(not_a_time), None, "{not_a_time}");
        }
        for at in [0, 951_782_400, 1_709_209_815, 4_102_444_800, -86_400] {
            let (y, mo, d, h, mi) = civil(at);
            let iso = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{:02}Z", at.rem_euclid(60));
            assert_eq!(parse_rfc3339(&iso), Some(at), "{iso}");
        }
    }

    #[test]
    /// Proves: UX3
    fn the_offset_of_a_moment_is_the_one_its_zone_had_then() {
        // Europe/Berlin around 2026: +01:00, summer time from 2026-03-29 01:00 UTC to 2026-10-25 01:00 UTC.
        let berlin = ViewerZone {
            name: "Europe/Berlin".into(),
            changes: vec![(946_684_800, 3600), (1_774_746_000, 7200), (1_792_890_000, 3600)],
        };
        assert_eq!(berlin.offset_at(1_774_745_999), 3600);
        assert_eq!(berlin.offset_at(1_774_746_000), 7200);
        assert_eq!(berlin.offset_at(1_792_889_999), 7200);
        assert_eq!(berlin.offset_at(1_792_890_000), 3600);
        assert_eq!(berlin.offset_at(0), 3600, "before the first change: the first offset");
        assert_eq!(ViewerZone::default().offset_at(1_774_746_000), 0);
        assert_eq!(offset_words(7200), "+02:00");
        assert_eq!(offset_words(-16_200), "-04:30");
    }
}
