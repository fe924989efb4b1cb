//! `Deadline` arithmetic never panics or overflows, for any timeout.

use bobbin_park::Deadline;
use proptest::prelude::*;
use std::time::{Duration, Instant};

fn any_duration() -> impl Strategy<Value = Duration> {
    prop_oneof![
        // Small and ordinary timeouts.
        (0u64..10_000_000_000).prop_map(Duration::from_nanos),
        // Anything at all, up to Duration::MAX.
        (any::<u64>(), 0u32..1_000_000_000).prop_map(|(s, n)| Duration::new(s, n)),
        Just(Duration::MAX),
        Just(Duration::ZERO),
    ]
}

proptest! {
    // Integration tests have no lib.rs for proptest to put its regression
    // file beside; keep it next to this file.
    #![proptest_config(ProptestConfig {
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::Direct("tests/deadline.proptest-regressions"),
        )),
        ..ProptestConfig::default()
    })]

    #[test]
    fn after_never_panics_and_saturates_to_never(timeout in any_duration()) {
        let before = Instant::now();
        let d = Deadline::after(timeout);
        match d.instant() {
            // Representable: the deadline is `timeout` after a moment at or
            // after `before`.
            Some(at) => prop_assert!(at >= before.checked_add(timeout).unwrap()),
            // Not representable: only when adding it to now overflows.
            None => prop_assert!(Instant::now().checked_add(timeout).is_none()
                || before.checked_add(timeout).is_none()),
        }
    }

    #[test]
    fn remaining_is_never_more_than_the_timeout(timeout in any_duration()) {
        let d = Deadline::after(timeout);
        match d.remaining() {
            Some(left) => prop_assert!(left <= timeout),
            None => prop_assert!(d.is_never()),
        }
        // A deadline that has passed has nothing left, and one that has
        // something left has not passed yet (checked in this order, since
        // time moves on between the two calls).
        if d.has_passed() {
            prop_assert_eq!(d.remaining(), Some(Duration::ZERO));
        }
    }

    #[test]
    fn from_timeout_matches_after(timeout in proptest::option::of(any_duration())) {
        let d = Deadline::from_timeout(timeout);
        match timeout {
            None => prop_assert!(d.is_never()),
            Some(t) if t == Duration::MAX => prop_assert!(d.is_never()),
            Some(t) => prop_assert_eq!(d.is_never(), Instant::now().checked_add(t).is_none()),
        }
    }

    #[test]
    fn min_and_order_agree(a in any_duration(), b in any_duration()) {
        let now = Instant::now();
        let da = now.checked_add(a).map_or(Deadline::never(), Deadline::at);
        let db = now.checked_add(b).map_or(Deadline::never(), Deadline::at);
        let m = da.min(db);
        prop_assert!(m <= da && m <= db);
        prop_assert!(m == da || m == db);
        let expected = match (da.instant(), db.instant()) {
            (Some(_), Some(_)) => a.cmp(&b),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        };
        prop_assert_eq!(da.cmp(&db), expected);
        prop_assert_eq!(da.min(Deadline::never()), da);
    }
}

#[test]
fn zero_timeout_has_passed_at_once() {
    let d = Deadline::after(Duration::ZERO);
    assert!(d.has_passed());
    assert_eq!(d.remaining(), Some(Duration::ZERO));
}

#[test]
fn past_instants_have_passed() {
    let past = Instant::now();
    let d = Deadline::at(past);
    assert!(d.has_passed());
    assert_eq!(d.remaining(), Some(Duration::ZERO));
}
