//! Loom models of the queues' two engines (the lock-free one of `Queue` and
//! `SimpleQueue`, the locked one of `LifoQueue` and `PriorityQueue`): puts
//! and gets that wait for each other, shutdowns racing puts, gets and joins,
//! `task_done` releasing `join`, and timed waits racing the event they wait
//! for. Under `--cfg bobbin_loom`
//! FIFO storage is a `VecDeque` under loom's mutex (crossbeam's atomics are
//! invisible to loom); LIFO and priority storage is bobbin's `Lock`, which
//! loom sees whole.
//!
//! Run with `cargo xtask loom` (`--cfg bobbin_loom`, release,
//! `LOOM_MAX_PREEMPTIONS=2`): about four minutes for the file on 2 cores,
//! after the build, most of it in the models with two getters and two
//! putters and in the task models (`docs/RELIABILITY.md` has the times).

#![cfg(bobbin_loom)]

use bobbin_park::loom;
use bobbin_park::sync::Arc;
use bobbin_park::sync::atomic::{AtomicBool, Ordering};
use bobbin_queue::{
    GetError, LifoQueue, PriorityQueue, PutError, Queue, SimpleQueue, TaskDoneError,
};
use std::time::Duration;

/// Runs `f` on a fresh shared queue in every interleaving loom explores.
fn with_queue<Q: Send + Sync + 'static>(new: fn() -> Q, f: fn(Arc<Q>)) {
    loom::model(move || f(Arc::new(new())));
}

/// [`with_queue`] for a model whose executions are long: three threads
/// that each wait (loom's default of 1,000 branches per execution is too
/// few for them).
fn with_queue_long<Q: Send + Sync + 'static>(new: fn() -> Q, f: fn(Arc<Q>)) {
    let mut model = loom::model::Builder::new();
    model.max_branches = 20_000;
    model.check(move || f(Arc::new(new())));
}

/// Runs `f` on the queue in a new model thread.
fn spawn<Q: Send + Sync + 'static, R: Send + 'static>(
    q: &Arc<Q>,
    f: impl FnOnce(&Q) -> R + Send + 'static,
) -> loom::thread::JoinHandle<R> {
    let q = Arc::clone(q);
    loom::thread::spawn(move || f(&q))
}

#[test]
fn simple_queue_get_waits_for_a_put() {
    // The same for SimpleQueue, whose put uses the fence handshake.
    with_queue(SimpleQueue::new, |q| {
        let putter = spawn(&q, |q| q.put(1).unwrap());
        assert_eq!(q.get(), Ok(1));
        putter.join().unwrap();
    });
}

#[test]
fn lifo_and_priority_queues_wake_their_waiters() {
    with_queue(
        || LifoQueue::bounded(1),
        |q| {
            let putter = spawn(&q, |q| {
                q.put(1).unwrap();
                q.put(2).unwrap();
            });
            assert_eq!(q.get(), Ok(1));
            assert_eq!(q.get(), Ok(2));
            putter.join().unwrap();
        },
    );
    with_queue(
        || PriorityQueue::bounded(1),
        |q| {
            let putter = spawn(&q, |q| {
                q.put(2).unwrap();
                q.put(1).unwrap();
            });
            assert_eq!(q.get(), Ok(2));
            assert_eq!(q.get(), Ok(1));
            putter.join().unwrap();
        },
    );
}

/// The models of one tracked queue's engine, for a queue type `$Q`:
/// `Queue` runs on the lock-free engine, `LifoQueue` (and `PriorityQueue`,
/// the same code) on the locked one.
macro_rules! engine_models {
    ($module:ident, $Q:ident) => {
        mod $module {
            use super::*;

            #[test]
            fn get_waits_for_a_put() {
                // A getter that parks on an empty queue is woken by the put: no lost
                // wake-up between its check and its park.
                with_queue($Q::unbounded, |q| {
                    let putter = spawn(&q, |q| q.put(1).unwrap());
                    assert_eq!(q.get(), Ok(1));
                    putter.join().unwrap();
                });
            }

            #[test]
            fn put_waits_for_a_get() {
                // A putter that parks on a full queue is woken by the get (the fence
                // handshake between a get and a parked putter).
                with_queue(
                    || $Q::bounded(1),
                    |q| {
                        q.put(1).unwrap();
                        let putter = spawn(&q, |q| q.put(2).unwrap());
                        assert_eq!(q.get(), Ok(1));
                        putter.join().unwrap();
                        assert_eq!(q.try_get(), Ok(2));
                    },
                );
            }

            #[test]
            fn shutdown_wakes_a_blocked_getter_and_putter() {
                with_queue(
                    || $Q::bounded(1),
                    |q| {
                        q.put(0).unwrap();
                        let putter = spawn(&q, |q| q.put(1));
                        q.shutdown();
                        assert_eq!(putter.join().unwrap(), Err(PutError::ShutDown(1)));
                        assert_eq!(q.get(), Ok(0));
                        assert_eq!(q.get(), Err(GetError::ShutDown));
                    },
                );
                with_queue($Q::<u8>::unbounded, |q| {
                    let getter = spawn(&q, |q| q.get());
                    q.shutdown();
                    assert_eq!(getter.join().unwrap(), Err(GetError::ShutDown));
                });
            }

            #[test]
            fn an_item_that_beats_a_graceful_shutdown_is_never_stranded() {
                // A put racing a shutdown either fails, or its item reaches the getter,
                // which only reports ShutDown once no such item can come.
                with_queue($Q::unbounded, |q| {
                    let putter = spawn(&q, |q| q.put(1).is_ok());
                    let closer = spawn(&q, |q| q.shutdown());
                    let got = q.get();
                    let put = putter.join().unwrap();
                    closer.join().unwrap();
                    assert_eq!(got.is_ok(), put, "got {got:?}");
                    assert_eq!(q.get(), Err(GetError::ShutDown));
                });
            }

            #[test]
            fn an_immediate_shutdown_returns_every_item_that_beat_it() {
                with_queue($Q::unbounded, |q| {
                    let putter = spawn(&q, |q| q.put(1).is_ok());
                    let items = q.shutdown_immediate();
                    let put = putter.join().unwrap();
                    assert_eq!(items, if put { vec![1] } else { vec![] });
                    assert_eq!(q.try_get(), Err(GetError::ShutDown));
                    assert_eq!(q.unfinished_tasks(), 0);
                });
            }

            #[test]
            fn a_get_after_a_put_refused_by_shutdown_says_shut_down() {
                // A get that finds the queue empty answers from a cold copy of the
                // shutdown flag. A thread that has seen a put refused by the shutdown
                // (and tells the getter so) must make the getter see the shutdown too:
                // never `Empty` after a `ShutDown` it knows of.
                with_queue($Q::unbounded, |q| {
                    let refused = Arc::new(AtomicBool::new(false));
                    let putter = {
                        let refused = Arc::clone(&refused);
                        spawn(&q, move |q| {
                            if q.try_put(1) == Err(PutError::ShutDown(1)) {
                                refused.store(true, Ordering::Release);
                            }
                        })
                    };
                    let getter = {
                        let refused = Arc::clone(&refused);
                        spawn(&q, move |q| {
                            if refused.load(Ordering::Acquire) {
                                assert_eq!(q.try_get(), Err(GetError::ShutDown));
                            }
                        })
                    };
                    q.shutdown();
                    putter.join().unwrap();
                    getter.join().unwrap();
                });
            }

            #[test]
            fn task_done_releases_join() {
                with_queue($Q::unbounded, |q| {
                    q.put(1).unwrap();
                    let worker = spawn(&q, |q| {
                        q.get().unwrap();
                        q.task_done().unwrap();
                    });
                    q.join();
                    assert_eq!(q.unfinished_tasks(), 0);
                    worker.join().unwrap();
                });
            }

            #[test]
            fn task_done_for_a_queued_item_and_after_a_get_count_once_each() {
                // One task_done for an item still in the queue (it reads the
                // puts' count) races a get and its task_done (which checks
                // against the items taken only): both count, and join sees
                // every task done.
                with_queue($Q::unbounded, |q| {
                    q.put(1).unwrap();
                    q.put(2).unwrap();
                    let worker = spawn(&q, |q| {
                        q.get().unwrap();
                        q.task_done().unwrap();
                    });
                    q.task_done().unwrap();
                    q.join();
                    assert_eq!(q.unfinished_tasks(), 0);
                    worker.join().unwrap();
                    assert_eq!(q.task_done(), Err(TaskDoneError));
                });
            }

            #[test]
            fn one_task_done_too_many_fails_whichever_comes_first() {
                // Two task_dones for one put, one after a get: whichever comes
                // second fails, never both succeed.
                with_queue($Q::unbounded, |q| {
                    q.put(1).unwrap();
                    let worker = spawn(&q, |q| {
                        q.get().unwrap();
                        q.task_done()
                    });
                    let here = q.task_done();
                    let there = worker.join().unwrap();
                    assert!(here.is_ok() != there.is_ok(), "{here:?} {there:?}");
                    assert_eq!(q.unfinished_tasks(), 0);
                });
            }

            #[test]
            fn the_last_two_tasks_ending_at_once_on_two_threads_release_join() {
                // The lock-free engine's first getter counts its task_done
                // with plain stores, another getter with a read-modify-write:
                // when the two finish the last two tasks at once, each may
                // miss the other's count, and one of them must still see
                // that no task is left and wake the joiner.
                with_queue_long($Q::unbounded, |q| {
                    q.put(1).unwrap();
                    q.put(2).unwrap();
                    q.get().unwrap();
                    let worker = spawn(&q, |q| {
                        q.get().unwrap();
                        q.task_done().unwrap();
                    });
                    let joiner = spawn(&q, |q| q.join());
                    q.task_done().unwrap();
                    worker.join().unwrap();
                    joiner.join().unwrap();
                    assert_eq!(q.unfinished_tasks(), 0);
                    assert_eq!(q.task_done(), Err(TaskDoneError));
                });
            }

            #[test]
            fn a_task_done_for_an_item_another_thread_took_counts_once() {
                // One put, taken by the first getter (which counts its
                // task_done on its own); another thread's task_done for that
                // item races the getter's own: exactly one of them counts,
                // whichever comes second fails, and join sees the one task
                // done.
                with_queue($Q::unbounded, |q| {
                    q.put(1).unwrap();
                    q.get().unwrap();
                    let other = spawn(&q, |q| q.task_done());
                    let here = q.task_done();
                    let there = other.join().unwrap();
                    assert!(here.is_ok() != there.is_ok(), "{here:?} {there:?}");
                    assert_eq!(q.unfinished_tasks(), 0);
                    assert!(q.join_timeout(Duration::ZERO));
                });
            }

            #[test]
            fn an_immediate_shutdown_releases_join() {
                with_queue($Q::unbounded, |q| {
                    q.put(1).unwrap();
                    let joiner = spawn(&q, |q| q.join());
                    assert_eq!(q.shutdown_immediate(), [1]);
                    joiner.join().unwrap();
                });
            }

            #[test]
            fn a_timed_join_that_succeeds_sees_the_work() {
                // A timed park may time out at any moment under loom: a join_timeout
                // that says true must see what the worker did before task_done.
                with_queue($Q::unbounded, |q| {
                    q.put(1).unwrap();
                    let worked = Arc::new(AtomicBool::new(false));
                    let worker = {
                        let worked = Arc::clone(&worked);
                        spawn(&q, move |q| {
                            q.get().unwrap();
                            worked.store(true, Ordering::Relaxed);
                            q.task_done().unwrap();
                        })
                    };
                    if q.join_timeout(Duration::from_secs(1)) {
                        assert!(worked.load(Ordering::Relaxed));
                    }
                    worker.join().unwrap();
                    assert!(q.join_timeout(Duration::ZERO));
                });
            }

            #[test]
            fn a_timed_get_racing_a_put_loses_nothing() {
                with_queue($Q::unbounded, |q| {
                    let putter = spawn(&q, |q| q.put(1).unwrap());
                    let got = q.get_timeout(Duration::from_secs(1));
                    putter.join().unwrap();
                    match got {
                        Ok(v) => assert_eq!(v, 1),
                        Err(e) => {
                            assert_eq!(e, GetError::Empty);
                            assert_eq!(q.try_get(), Ok(1));
                        }
                    }
                });
            }

            #[test]
            fn a_timed_put_racing_a_get_loses_nothing() {
                with_queue(
                    || $Q::bounded(1),
                    |q| {
                        q.put(1).unwrap();
                        let getter = spawn(&q, |q| q.get().unwrap());
                        let put = q.put_timeout(2, Duration::from_secs(1));
                        assert_eq!(getter.join().unwrap(), 1);
                        match put {
                            Ok(()) => assert_eq!(q.try_get(), Ok(2)),
                            Err(e) => {
                                assert_eq!(e, PutError::Full(2));
                                assert_eq!(q.try_get(), Err(GetError::Empty));
                            }
                        }
                    },
                );
            }

            #[test]
            fn two_getters_share_one_item_and_a_shutdown() {
                // One put and a shutdown wake both parked getters in some order: one
                // gets the item, the other sees the shutdown; neither sleeps forever.
                with_queue($Q::unbounded, |q| {
                    let getters: Vec<_> = (0..2).map(|_| spawn(&q, |q| q.get())).collect();
                    q.put(1).unwrap();
                    q.shutdown();
                    let mut results: Vec<_> =
                        getters.into_iter().map(|g| g.join().unwrap()).collect();
                    results.sort_by_key(Result::is_err);
                    assert_eq!(results, [Ok(1), Err(GetError::ShutDown)]);
                });
            }

            /// Two getters and two putters (one of them the model's own thread)
            /// on a queue from `new`: each getter gets one of the two items.
            fn two_getters_get_what_two_putters_put(new: fn() -> $Q<i32>) {
                with_queue(new, |q| {
                    let getters: Vec<_> = (0..2).map(|_| spawn(&q, |q| q.get())).collect();
                    let putter = spawn(&q, |q| q.put(2).unwrap());
                    q.put(1).unwrap();
                    putter.join().unwrap();
                    let mut got: Vec<_> = getters
                        .into_iter()
                        .map(|g| g.join().unwrap().unwrap())
                        .collect();
                    got.sort_unstable();
                    assert_eq!(got, [1, 2]);
                });
            }

            #[test]
            fn two_getters_and_two_putters_lose_no_item() {
                // A getter may decide to park on counts that include a later put
                // another getter took while an earlier put is still on its way: the
                // later put's wake-up must bring it back for the earlier item.
                two_getters_get_what_two_putters_put($Q::unbounded);
            }

            #[test]
            fn two_getters_and_two_putters_share_one_slot() {
                // The same through a slot of one: puts refused as full count as over
                // for the getters, and still wake the getter that may rely on them.
                two_getters_get_what_two_putters_put(|| $Q::bounded(1));
            }

            #[test]
            fn gets_on_two_threads_are_each_counted_once() {
                // The lock-free engine's first getter counts its gets with a load
                // and a store, any other with a read-modify-write: two getters at
                // once must still count two gets, or the shutdown, which waits
                // until every put that began is taken or held, would wait forever
                // for the one counted twice over.
                with_queue($Q::unbounded, |q| {
                    q.put(1).unwrap();
                    q.put(2).unwrap();
                    let getters: Vec<_> = (0..2).map(|_| spawn(&q, |q| q.get().unwrap())).collect();
                    let mut got: Vec<_> = getters.into_iter().map(|g| g.join().unwrap()).collect();
                    got.sort_unstable();
                    assert_eq!(got, [1, 2]);
                    q.shutdown();
                    assert_eq!(q.try_get(), Err(GetError::ShutDown));
                });
            }

            #[test]
            fn racing_puts_never_see_more_tasks_done_than_begun() {
                // A put that checks the task limit (here the first: every 2^16th
                // put does) must not compare a count of begun puts it read before
                // another put began, was taken and was marked done with the count
                // of finished tasks that includes it: the difference would wrap
                // and look like 2^62 unfinished tasks.
                with_queue($Q::unbounded, |q| {
                    let putter = spawn(&q, |q| q.put(1).unwrap());
                    let getter = spawn(&q, |q| {
                        for _ in 0..2 {
                            q.get().unwrap();
                            q.task_done().unwrap();
                        }
                    });
                    q.put(2).unwrap();
                    putter.join().unwrap();
                    getter.join().unwrap();
                    assert_eq!(q.unfinished_tasks(), 0);
                });
            }

            #[test]
            fn two_putters_take_turns_in_one_slot() {
                with_queue(
                    || $Q::bounded(1),
                    |q| {
                        let putters: Vec<_> = [1, 2]
                            .into_iter()
                            .map(|i| spawn(&q, move |q| q.put(i).unwrap()))
                            .collect();
                        let mut got = [q.get().unwrap(), q.get().unwrap()];
                        got.sort_unstable();
                        assert_eq!(got, [1, 2]);
                        for p in putters {
                            p.join().unwrap();
                        }
                    },
                );
            }
        }
    };
}

engine_models!(queue, Queue);
engine_models!(lifo_queue, LifoQueue);
