//! Which backups to keep (OPS1): 7 daily, 4 weekly and 3 monthly, by the rules of borg and restic.
//!
//! A pure function over the verified backups of one workspace on one target:
//!
//! - Backups are taken newest first. For each rule (day, ISO week, month, all in UTC) the newest backup
//!   of each period that *has* backups is kept, until the rule has kept its count: a day, week or month
//!   without any backup does not use up a place, so a pause in backups never deletes older ones.
//! - One backup may satisfy several rules at once (the newest backup is the day's, the week's and the
//!   month's), so at most 7 + 4 + 3 = 14 are kept, often fewer.
//! - The newest verified backup is always kept, whatever the rules say.
//! - Nothing is deleted unless the plan is made right after a new backup verified: the caller names that
//!   backup, and if it is not the newest of the list, the plan deletes nothing. Unverified backups are
//!   never counted here (and never passed in).

use chrono::{DateTime, Datelike as _, Utc};
use std::collections::BTreeSet;

/// How many periods of each kind keep a backup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionPolicy {
    pub daily: usize,
    pub weekly: usize,
    pub monthly: usize,
}

impl RetentionPolicy {
    /// 7 daily, 4 weekly, 3 monthly (14 backups at most).
    pub const STANDARD: Self = Self { daily: 7, weekly: 4, monthly: 3 };
}

/// One verified backup copy, as the retention rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate<Id> {
    pub id: Id,
    /// When its snapshot began.
    pub taken_at: DateTime<Utc>,
}

/// What to keep and what to delete, each newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrunePlan<Id> {
    pub keep: Vec<Id>,
    pub delete: Vec<Id>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Period {
    Day(i32, u32),
    Week(i32, u32),
    Month(i32, u32),
}

/// Which period of one rule a moment falls in.
type PeriodOf = fn(DateTime<Utc>) -> Period;

fn day(at: DateTime<Utc>) -> Period {
    Period::Day(at.year(), at.ordinal())
}

fn week(at: DateTime<Utc>) -> Period {
    let iso = at.iso_week();
    Period::Week(iso.year(), iso.week())
}

fn month(at: DateTime<Utc>) -> Period {
    Period::Month(at.year(), at.month())
}

/// The plan for `backups` (verified copies, in any order) under `policy`, made after `new_verified`
/// verified. If `new_verified` is not the newest backup in the list, nothing is deleted.
pub fn plan<Id: Copy + Eq>(backups: &[Candidate<Id>], policy: RetentionPolicy, new_verified: Id) -> PrunePlan<Id> {
    let mut sorted = backups.to_vec();
    // Newest first; ties keep their order, so the result does not depend on the input order beyond that.
    sorted.sort_by_key(|b| std::cmp::Reverse(b.taken_at));
    let Some(newest) = sorted.first() else { return PrunePlan { keep: Vec::new(), delete: Vec::new() } };
    if newest.id != new_verified {
        return PrunePlan { keep: sorted.iter().map(|b| b.id).collect(), delete: Vec::new() };
    }
    let mut kept = BTreeSet::from([0usize]);
    let rules: [(usize, PeriodOf); 3] = [(policy.daily, day), (policy.weekly, week), (policy.monthly, month)];
    for (count, period_of) in rules {
        let mut last: Option<Period> = None;
        let mut used = 0;
        for (index, backup) in sorted.iter().enumerate() {
            if used == count {
                break;
            }
            let period = period_of(backup.taken_at);
            if last != Some(period) {
                kept.insert(index);
                last = Some(period);
                used += 1;
            }
        }
    }
    let (mut keep, mut delete) = (Vec::new(), Vec::new());
    for (index, backup) in sorted.iter().enumerate() {
        if kept.contains(&index) { keep.push(backup.id) } else { delete.push(backup.id) }
    }
    PrunePlan { keep, delete }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, NaiveDate, TimeZone as _};
    use std::collections::BTreeMap;

    fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
    }

    /// Simulates a backup job with pruning after each backup, the way the service runs it, and returns
    /// what is left (oldest first).
    fn simulate(times: impl IntoIterator<Item = DateTime<Utc>>) -> Vec<DateTime<Utc>> {
        let mut stored: Vec<Candidate<u32>> = Vec::new();
        for (id, taken_at) in times.into_iter().enumerate() {
            let id = id as u32;
            stored.push(Candidate { id, taken_at });
            let plan = plan(&stored, RetentionPolicy::STANDARD, id);
            assert!(plan.keep.contains(&id), "the new backup is kept");
            assert!(plan.keep.len() <= 14, "at most 14 are kept: {}", plan.keep.len());
            stored.retain(|b| !plan.delete.contains(&b.id));
        }
        let mut left: Vec<_> = stored.iter().map(|b| b.taken_at).collect();
        left.sort();
        left
    }

    fn days(left: &[DateTime<Utc>]) -> Vec<NaiveDate> {
        left.iter().map(|t| t.date_naive()).collect()
    }

    #[test]
    /// Proves: OPS1
    fn two_years_of_backups_every_six_hours_leave_seven_days_four_weeks_and_three_months() {
        let start = at(2025, 1, 1, 0);
        let end = at(2026, 12, 31, 23); // Thursday, ISO week 53 of 2026
        let hours = (end - start).num_hours();
        let left = simulate((0..=hours).step_by(6).map(|h| start + Duration::hours(h)));
        let by_day = days(&left);
        // Daily: the newest backup of each of the last 7 days.
        let expected_days: Vec<NaiveDate> =
            (0..7).rev().map(|d| NaiveDate::from_ymd_opt(2026, 12, 31).unwrap() - Duration::days(d)).collect();
        for day in &expected_days {
            assert!(by_day.contains(day), "{day} is kept: {by_day:?}");
        }
        // The kept backup of each day is its newest (18:00 is the last one of a day).
        assert!(left.iter().all(|t| t.format("%H").to_string() == "18"), "{left:?}");
        // Weekly: ISO weeks 53, 52, 51 and 50 of 2026 each keep their newest (the Sunday of past weeks).
        for sunday in [NaiveDate::from_ymd_opt(2026, 12, 27), NaiveDate::from_ymd_opt(2026, 12, 20)] {
            assert!(by_day.contains(&sunday.unwrap()), "week ending {sunday:?}");
        }
        // Weeks 52 (Dec 21–27) is the newest of week 52 = Dec 27; weeks 51 and 50 end on Dec 20 and 13.
        assert!(by_day.contains(&NaiveDate::from_ymd_opt(2026, 12, 13).unwrap()));
        // Monthly: December (its newest is the 31st), November 30 and October 31.
        assert!(by_day.contains(&NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()));
        assert!(by_day.contains(&NaiveDate::from_ymd_opt(2026, 10, 31).unwrap()));
        assert!(!by_day.iter().any(|d| *d < NaiveDate::from_ymd_opt(2026, 10, 31).unwrap()), "nothing older");
        // 7 days (Dec 25–31) + Dec 20 + Dec 13 + Nov 30 + Oct 31; Dec 27 is both a day and a week.
        assert_eq!(left.len(), 11, "{by_day:?}");
    }

    #[test]
    /// Proves: OPS1
    fn days_weeks_and_months_without_backups_do_not_count() {
        // Two years of daily backups at 02:00 with gaps: a whole month missing (2025-07), a two-week
        // outage in 2026-03, every weekend of 2026-05 skipped, and finally the backups stop for three
        // weeks before two last ones.
        let mut times = Vec::new();
        let mut date = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        let last_regular = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        while date <= last_regular {
            let skip = (date.year() == 2025 && date.month() == 7)
                || (date >= NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
                    && date <= NaiveDate::from_ymd_opt(2026, 3, 15).unwrap())
                || (date.year() == 2026 && date.month() == 5 && date.weekday().number_from_monday() >= 6);
            if !skip {
                times.push(Utc.from_utc_datetime(&date.and_hms_opt(2, 0, 0).unwrap()));
            }
            date += Duration::days(1);
        }
        times.push(at(2026, 12, 21, 2));
        times.push(at(2026, 12, 22, 2));
        let left = simulate(times);
        let by_day = days(&left);
        let d = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        // 7 daily places: the two new days, then the 5 newest days that have backups (Nov 26–30),
        // although three empty weeks lie between them.
        for day in [d(12, 22), d(12, 21), d(11, 30), d(11, 29), d(11, 28), d(11, 27), d(11, 26)] {
            assert!(by_day.contains(&day), "{day} kept: {by_day:?}");
        }
        // 4 weekly places: ISO week 52 (Dec 22), week 49 (Nov 30 is its Monday), weeks 48 and 47 (their
        // Sundays, Nov 29 and Nov 22): the empty weeks 50 and 51 take no place.
        assert!(by_day.contains(&d(11, 22)), "{by_day:?}");
        // 3 monthly places: December, November (Nov 30), October (Oct 31).
        assert!(by_day.contains(&d(10, 31)), "{by_day:?}");
        assert!(!by_day.iter().any(|x| *x < d(10, 31)), "nothing older than October: {by_day:?}");
        assert_eq!(by_day.len(), 9, "{by_day:?}");
    }

    #[test]
    /// Proves: OPS1
    fn a_long_pause_in_backups_deletes_nothing() {
        // Daily backups for 2025, then nothing for a year: no backup goes away while none is made.
        let mut stored: Vec<Candidate<u32>> = Vec::new();
        for (id, day) in (0..365).enumerate() {
            stored.push(Candidate { id: id as u32, taken_at: at(2025, 1, 1, 3) + Duration::days(day) });
            let plan = plan(&stored, RetentionPolicy::STANDARD, id as u32);
            stored.retain(|b| !plan.delete.contains(&b.id));
        }
        let before = stored.clone();
        // A prune asked for after the pause, naming an older backup as the new one: nothing changes.
        let stale = plan(&stored, RetentionPolicy::STANDARD, stored[0].id);
        assert!(stale.delete.is_empty(), "pruning only after a new verified backup");
        // Even where the rules would delete much (20 days never pruned), nothing goes unless the plan
        // follows the newest backup's verification.
        let unpruned: Vec<_> =
            (0..20u32).map(|d| Candidate { id: d, taken_at: at(2025, 1, 1, 3) + Duration::days(d.into()) }).collect();
        assert!(plan(&unpruned, RetentionPolicy::STANDARD, 5).delete.is_empty(), "not after a new verified backup");
        assert_eq!(plan(&unpruned, RetentionPolicy::STANDARD, 19).delete.len(), 20 - 7 - 2, "7 days, 2 older weeks");
        assert_eq!(before.len(), 11, "Dec 25–31, Dec 21 and 14 (weeks), Nov 30 and Oct 31 (months)");
        // After the pause the first new backup pushes out one backup per rule at most: the oldest day
        // (Dec 25), the oldest week (Dec 14) and the oldest month (Oct 31).
        stored.push(Candidate { id: 1000, taken_at: at(2027, 1, 1, 3) });
        let plan = plan(&stored, RetentionPolicy::STANDARD, 1000);
        assert_eq!(plan.keep.len() + plan.delete.len(), before.len() + 1);
        let deleted: Vec<NaiveDate> =
            plan.delete.iter().map(|id| stored.iter().find(|b| b.id == *id).unwrap().taken_at.date_naive()).collect();
        let d = |m, d| NaiveDate::from_ymd_opt(2025, m, d).unwrap();
        assert_eq!(deleted, vec![d(12, 25), d(12, 14), d(10, 31)]);
        assert!(plan.keep.contains(&1000));
    }

    #[test]
    /// Proves: OPS1
    fn the_newest_verified_backup_is_always_kept() {
        let none = RetentionPolicy { daily: 0, weekly: 0, monthly: 0 };
        let backups =
            [Candidate { id: 'a', taken_at: at(2026, 1, 1, 1) }, Candidate { id: 'b', taken_at: at(2026, 1, 2, 1) }];
        let plan = plan(&backups, none, 'b');
        assert_eq!(plan.keep, vec!['b']);
        assert_eq!(plan.delete, vec!['a']);
        assert_eq!(super::plan(&[] as &[Candidate<char>], none, 'x'), PrunePlan { keep: vec![], delete: vec![] });
    }

    #[test]
    fn iso_weeks_cross_the_new_year() {
        // 2026-12-31 (Thu) and 2027-01-03 (Sun) are both in ISO week 53 of 2026: one weekly place.
        let policy = RetentionPolicy { daily: 0, weekly: 2, monthly: 0 };
        let backups = [
            Candidate { id: 1, taken_at: at(2026, 12, 24, 1) },
            Candidate { id: 2, taken_at: at(2026, 12, 31, 1) },
            Candidate { id: 3, taken_at: at(2027, 1, 3, 1) },
        ];
        let plan = plan(&backups, policy, 3);
        assert_eq!(plan.keep, vec![3, 1]);
        assert_eq!(plan.delete, vec![2]);
    }

    #[test]
    fn the_result_does_not_depend_on_the_input_order() {
        let times: Vec<_> = (0..200).map(|h| at(2026, 3, 1, 0) + Duration::hours(h * 7)).collect();
        let forward: Vec<_> = times.iter().enumerate().map(|(i, t)| Candidate { id: i, taken_at: *t }).collect();
        let mut shuffled = forward.clone();
        shuffled.reverse();
        shuffled.rotate_left(37);
        let newest = forward.len() - 1;
        let (a, b) =
            (plan(&forward, RetentionPolicy::STANDARD, newest), plan(&shuffled, RetentionPolicy::STANDARD, newest));
        assert_eq!(a, b);
        let counts: BTreeMap<bool, usize> = [(true, a.keep.len()), (false, a.delete.len())].into();
        assert_eq!(counts[&true] + counts[&false], 200);
    }
}
