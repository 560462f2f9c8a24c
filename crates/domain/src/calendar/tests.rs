//! Business-time arithmetic, checked by examples and by property tests against an oracle that
//! walks minute by minute and asks [`Calendar::is_business`] of each minute.

use chrono::{NaiveDate, TimeZone};
use chrono_tz::Tz;
use proptest::prelude::*;

use super::{Calendar, Holiday, Shift};
use crate::Timestamp;

const MINUTE: i64 = 60_000_000;
const HOUR: i64 = 60 * MINUTE;

fn at(tz: &str, y: i32, m: u32, d: u32, h: u32, min: u32) -> Timestamp {
    let tz: Tz = tz.parse().expect("test zone");
    let t = tz
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .earliest()
        .expect("test time exists");
    Timestamp::from_micros(t.timestamp_micros())
}

fn shifts(texts: &[&str]) -> Vec<Shift> {
    texts
        .iter()
        .map(|t| Shift::parse(t).expect("test shift"))
        .collect()
}

/// Monday to Friday, 09:00 to 17:00 (also the calendar of the SLA tests).
pub(crate) fn office(tz: &str, holidays: Vec<Holiday>) -> Calendar {
    let day = shifts(&["09:00-17:00"]);
    let week = [
        day.clone(),
        day.clone(),
        day.clone(),
        day.clone(),
        day,
        vec![],
        vec![],
    ];
    Calendar::new(tz, week, holidays).expect("test calendar")
}

#[test]
fn office_hours_skip_the_night_and_the_weekend() {
    let cal = office("Europe/Berlin", vec![]);
    // Friday 16:00 + 2 business hours = Monday 10:00.
    let due = cal.add(at("Europe/Berlin", 2026, 11, 20, 16, 0), 2 * HOUR);
    assert_eq!(due, Some(at("Europe/Berlin", 2026, 11, 23, 10, 0)));
    // A ticket opened on Saturday starts counting on Monday at 09:00.
    let due = cal.add(at("Europe/Berlin", 2026, 11, 21, 11, 0), 30 * MINUTE);
    assert_eq!(due, Some(at("Europe/Berlin", 2026, 11, 23, 9, 30)));
    let week = cal.business_time_between(
        at("Europe/Berlin", 2026, 11, 23, 0, 0),
        at("Europe/Berlin", 2026, 11, 30, 0, 0),
    );
    assert_eq!(week, 40 * HOUR);
}

#[test]
fn holidays_dated_and_yearly() {
    let christmas = Holiday::parse("12-25").expect("yearly");
    let bridge = Holiday::parse("2026-12-24").expect("dated");
    let cal = office("Europe/Berlin", vec![christmas, bridge]);
    // Wednesday 23 Dec 16:00 + 2 h: Thursday 24 and Friday 25 are off, so Monday 28 10:00.
    let due = cal.add(at("Europe/Berlin", 2026, 12, 23, 16, 0), 2 * HOUR);
    assert_eq!(due, Some(at("Europe/Berlin", 2026, 12, 28, 10, 0)));
    // The dated holiday is only that year; the yearly one comes back (25 Dec 2028 is a Monday).
    assert!(cal.is_business(at("Europe/Berlin", 2025, 12, 24, 10, 0)));
    assert!(!cal.is_business(at("Europe/Berlin", 2028, 12, 25, 10, 0)));
}

#[test]
fn overnight_shift_belongs_to_the_day_it_starts() {
    let night = shifts(&["22:00-06:00"]);
    let week = [
        night.clone(),
        night.clone(),
        night.clone(),
        night.clone(),
        night,
        vec![],
        vec![],
    ];
    let cal = Calendar::new("UTC", week, vec![]).expect("calendar");
    // Friday's night shift runs into Saturday morning; none starts on Saturday.
    assert!(cal.is_business(at("UTC", 2026, 11, 21, 5, 0)));
    assert!(!cal.is_business(at("UTC", 2026, 11, 21, 23, 0)));
    let due = cal.add(at("UTC", 2026, 11, 21, 5, 0), 2 * HOUR);
    assert_eq!(due, Some(at("UTC", 2026, 11, 23, 23, 0)));
}

#[test]
fn daylight_saving_changes_count_real_time() {
    let cal = Calendar::new(
        "Europe/Berlin",
        std::array::from_fn(|_| shifts(&["00:00-06:00"])),
        vec![],
    )
    .expect("calendar");
    let day = |d: u32| {
        cal.business_time_between(
            at("Europe/Berlin", 2026, 3, d, 0, 0),
            at("Europe/Berlin", 2026, 3, d, 12, 0),
        )
    };
    // 29 March 2026: clocks go from 02:00 to 03:00, so the night has five hours.
    assert_eq!(day(28), 6 * HOUR);
    assert_eq!(day(29), 5 * HOUR);
    // 25 October 2026: 02:00-03:00 happens twice, so the night has seven hours.
    let autumn = cal.business_time_between(
        at("Europe/Berlin", 2026, 10, 25, 0, 0),
        at("Europe/Berlin", 2026, 10, 25, 12, 0),
    );
    assert_eq!(autumn, 7 * HOUR);
}

#[test]
fn always_and_never() {
    let t = at("UTC", 2026, 1, 1, 0, 0);
    assert_eq!(
        Calendar::always().add(t, 3 * HOUR),
        Some(Timestamp::from_micros(t.as_micros() + 3 * HOUR))
    );
    let never = Calendar::new("UTC", Default::default(), vec![]).expect("calendar");
    assert_eq!(never.add(t, MINUTE), None);
    assert_eq!(
        never.business_time_between(t, Timestamp::from_micros(t.as_micros() + 100 * HOUR)),
        0
    );
}

#[test]
fn bad_input_is_refused() {
    assert!(Calendar::new("Mars/Olympus", Default::default(), vec![]).is_err());
    for bad in ["9-17", "09:00", "25:00-26:00", "09:60-10:00", "24:00-01:00"] {
        assert!(Shift::parse(bad).is_err(), "{bad} should be refused");
    }
    for bad in ["2026-02-30", "13-01", "christmas"] {
        assert!(Holiday::parse(bad).is_err(), "{bad} should be refused");
    }
    assert_eq!(
        Shift::parse("22:00-06:00")
            .map(|s| s.to_string())
            .ok()
            .as_deref(),
        Some("22:00-06:00")
    );
    assert_eq!(Shift::parse("00:00-24:00").ok(), Some(Shift::WHOLE_DAY));
}

// ---- property tests against the minute-by-minute oracle ----

/// Zones with DST in either hemisphere, half- and quarter-hour offsets, and none at all.
const ZONES: &[&str] = &[
    "Europe/Berlin",
    "America/New_York",
    "Australia/Sydney",
    "Pacific/Auckland",
    "America/St_Johns",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",
    "UTC",
];

/// Starts near DST changes of 2026 in those zones, so most cases cross one.
const NEAR: &[(i32, u32, u32)] = &[
    (2026, 3, 8),
    (2026, 3, 28),
    (2026, 4, 4),
    (2026, 9, 26),
    (2026, 10, 24),
    (2026, 11, 1),
];

fn oracle_between(cal: &Calendar, from: i64, to: i64) -> i64 {
    (0..)
        .map(|i| from + i * MINUTE)
        .take_while(|t| *t < to)
        .filter(|t| cal.is_business(Timestamp::from_micros(*t)))
        .count() as i64
        * MINUTE
}

fn oracle_add(cal: &Calendar, from: i64, minutes: i64, limit: i64) -> Option<i64> {
    let mut left = minutes;
    let mut t = from;
    while t < from + limit {
        if cal.is_business(Timestamp::from_micros(t)) {
            left -= 1;
            if left == 0 {
                return Some(t + MINUTE);
            }
        }
        t += MINUTE;
    }
    None
}

fn shift_strategy() -> impl Strategy<Value = Shift> {
    // Quarter-hour starts, 15 minutes to 16 hours long, some past midnight.
    (0u32..96, 1u32..=64).prop_map(|(q, len)| {
        let start = q * 15;
        Shift::new(start, (start + len * 15) % 1440).expect("valid shift")
    })
}

fn calendar_strategy() -> impl Strategy<Value = (Calendar, i64)> {
    (
        0..ZONES.len(),
        proptest::array::uniform7(proptest::collection::vec(shift_strategy(), 0..=2)),
        0..NEAR.len(),
        -4i64 * 24 * 60..4 * 24 * 60,
        proptest::collection::vec(0u64..10, 0..=2),
    )
        .prop_map(|(zone, week, near, offset_min, holiday_days)| {
            let (y, m, d) = NEAR[near];
            let base = NaiveDate::from_ymd_opt(y, m, d).expect("date");
            let holidays = holiday_days
                .into_iter()
                .map(|k| Holiday::Date(base + chrono::Days::new(k)))
                .collect();
            let cal = Calendar::new(ZONES[zone], week, holidays).expect("calendar");
            let start = base
                .and_hms_opt(0, 0, 0)
                .expect("midnight")
                .and_utc()
                .timestamp_micros()
                + offset_min * MINUTE;
            (cal, start)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(160))]

    #[test]
    fn between_matches_the_oracle((cal, start) in calendar_strategy(), minutes in 0i64..5 * 24 * 60) {
        let end = start + minutes * MINUTE;
        prop_assert_eq!(
            cal.business_time_between(Timestamp::from_micros(start), Timestamp::from_micros(end)),
            oracle_between(&cal, start, end)
        );
    }

    #[test]
    fn add_matches_the_oracle((cal, start) in calendar_strategy(), minutes in 1i64..2 * 24 * 60) {
        let limit = 12 * 24 * 60 * MINUTE;
        let expected = oracle_add(&cal, start, minutes, limit);
        let got = cal.add(Timestamp::from_micros(start), minutes * MINUTE).map(Timestamp::as_micros);
        match expected {
            Some(due) => prop_assert_eq!(got, Some(due)),
            // Past the oracle's horizon: the answer, if any, lies beyond it.
            None => prop_assert!(got.is_none_or(|due| due >= start + limit)),
        }
    }

    #[test]
    fn add_then_measure_round_trips((cal, start) in calendar_strategy(), minutes in 1i64..3 * 24 * 60) {
        if let Some(due) = cal.add(Timestamp::from_micros(start), minutes * MINUTE) {
            prop_assert_eq!(cal.business_time_between(Timestamp::from_micros(start), due), minutes * MINUTE);
            // The due time is the first moment the target is reached: just before it, it is not.
            let before = Timestamp::from_micros(due.as_micros() - 1);
            prop_assert!(cal.business_time_between(Timestamp::from_micros(start), before) < minutes * MINUTE);
        }
    }
}
