//! Time zones (UX3): a person's saved zone, else their workspace's, decides how times are shown. Zones
//! are the IANA database's (`chrono-tz`), used on the server only: the browser gets the few UTC offsets a
//! zone had and will have ([`ZoneOffsets`]), so the WebAssembly carries no time zone database and the
//! server and the browser show each time the same way, daylight saving included.

use chrono::{DateTime, Offset as _, TimeZone as _, Utc};
use chrono_tz::Tz;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// A zone of the IANA database, parsed: `Europe/Berlin`, `America/New_York`, `UTC`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Zone(Tz);

impl Default for Zone {
    fn default() -> Self {
        Self::UTC
    }
}

impl Zone {
    pub const UTC: Zone = Zone(Tz::UTC);

    /// A zone by its exact IANA name; `None` for anything else.
    pub fn parse(name: &str) -> Option<Self> {
        name.trim().parse::<Tz>().ok().map(Self)
    }

    /// A zone as typed in a form: empty is no choice (`None`); anything else must be a zone's exact name.
    pub fn chosen(input: &str) -> Result<Option<Self>, model::ValidationError> {
        match input.trim() {
            "" => Ok(None),
            name => Self::parse(name)
                .map(Some)
                .ok_or(model::ValidationError::UnknownTimeZone { field: model::Field::TimeZone }),
        }
    }

    pub fn name(self) -> &'static str {
        self.0.name()
    }

    /// The zones people choose from: `UTC` and the `Area/Place` names, without the database's
    /// backward-compatible aliases (`US/Eastern`, `Etc/GMT+5`, …), sorted.
    pub fn choices() -> &'static [&'static str] {
        static CHOICES: OnceLock<Vec<&'static str>> = OnceLock::new();
        CHOICES.get_or_init(|| {
            const AREAS: [&str; 10] = [
                "Africa/",
                "America/",
                "Antarctica/",
                "Asia/",
                "Atlantic/",
                "Australia/",
                "Europe/",
                "Indian/",
                "Pacific/",
                "Arctic/",
            ];
            let mut names: Vec<&'static str> = chrono_tz::TZ_VARIANTS
                .iter()
                .map(|tz| tz.name())
                .filter(|name| AREAS.iter().any(|area| name.starts_with(area)))
                .collect();
            names.sort_unstable();
            names.insert(0, "UTC");
            names
        })
    }

    /// The zone's UTC offsets from 2000 to 20 years from now (computed once per zone).
    pub fn offsets(self) -> Arc<ZoneOffsets> {
        static CACHE: OnceLock<Mutex<HashMap<Zone, Arc<ZoneOffsets>>>> = OnceLock::new();
        let cache = CACHE.get_or_init(Default::default);
        if let Some(known) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&self) {
            return Arc::clone(known);
        }
        let offsets = Arc::new(ZoneOffsets::of(self));
        cache.lock().unwrap_or_else(|e| e.into_inner()).insert(self, Arc::clone(&offsets));
        offsets
    }

    /// The offset from UTC, in seconds, at `at`.
    fn offset_at(self, secs: i64) -> i32 {
        let at = DateTime::<Utc>::from_timestamp(secs, 0).unwrap_or_default();
        self.0.offset_from_utc_datetime(&at.naive_utc()).fix().local_minus_utc()
    }
}

/// When a zone's offset from UTC changed: each entry is (the UTC second it starts at, the offset in
/// seconds from then on); the first entry also holds for every earlier time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneOffsets {
    pub name: &'static str,
    pub changes: Vec<(i64, i32)>,
}

impl ZoneOffsets {
    fn of(zone: Zone) -> Self {
        const DAY: i64 = 86_400;
        let start = 946_684_800; // 2000-01-01T00:00:00Z
        let end = Utc::now().timestamp() + 20 * 366 * DAY;
        let mut changes = vec![(start, zone.offset_at(start))];
        let (mut day, mut before) = (start, zone.offset_at(start));
        while day < end {
            let next = day + DAY;
            let after = zone.offset_at(next);
            if before != after {
                // The first second of the new offset, by bisection (offsets change at most once a day).
                let (mut low, mut high) = (day, next);
                while high - low > 1 {
                    let middle = low + (high - low) / 2;
                    if zone.offset_at(middle) == before { low = middle } else { high = middle }
                }
                changes.push((high, after));
            }
            (day, before) = (next, after);
        }
        Self { name: zone.name(), changes }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_are_parsed_by_their_exact_names_only() {
        assert_eq!(Zone::parse("Europe/Berlin").map(Zone::name), Some("Europe/Berlin"));
        assert_eq!(Zone::parse(" UTC ").map(Zone::name), Some("UTC"));
        for not_a_zone in ["", "Europe/Atlantis", "CET; DROP TABLE users", "../../etc/passwd"] {
            assert_eq!(Zone::parse(not_a_zone), None, "{not_a_zone}");
        }
        let choices = Zone::choices();
        assert!(choices.contains(&"Europe/Istanbul") && choices.contains(&"America/New_York"));
        assert!(!choices.contains(&"US/Eastern"), "aliases are not offered");
        assert!(choices.iter().all(|name| Zone::parse(name).is_some()));
    }

    #[test]
    /// Proves: UX3
    fn a_zones_offsets_follow_its_daylight_saving_rules() {
        let berlin = Zone::parse("Europe/Berlin").unwrap().offsets();
        let at = |secs: i64| berlin.changes.iter().take_while(|(from, _)| *from <= secs).last().unwrap().1;
        // 2026-03-29 01:00:00Z: summer time begins; 2026-10-25 01:00:00Z: it ends.
        let (spring, autumn) = (1_774_746_000, 1_792_890_000);
        assert_eq!(at(spring - 1), 3600);
        assert_eq!(at(spring), 7200);
        assert_eq!(at(autumn - 1), 7200);
        assert_eq!(at(autumn), 3600);
        // Istanbul has kept +03:00 since 2016; UTC never changes.
        let istanbul = Zone::parse("Europe/Istanbul").unwrap().offsets();
        assert_eq!(istanbul.changes.last().unwrap().1, 3 * 3600);
        assert_eq!(Zone::UTC.offsets().changes, vec![(946_684_800, 0)]);
    }
}
