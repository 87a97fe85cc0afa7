//! The scheduler's behaviour, one rule a test.

use super::*;
use std::sync::Arc;
use std::time::Duration;
use teloxide::types::{ChatId, UserId};

fn scheduler(per_chat: usize) -> Scheduler<u32> {
    Scheduler::new(
        Limits {
            per_chat,
            max_held: 1000,
            poll_below: 8,
        },
        Box::new(|_, _| None),
    )
}

/// Takes every turn in line (without waiting), answering each at once.
async fn drain(s: &Scheduler<u32>) -> Vec<(Lane, u32)> {
    let mut order = Vec::new();
    loop {
        let turn = tokio::time::timeout(Duration::from_millis(20), s.next()).await;
        let Ok(Some(turn)) = turn else {
            return order;
        };
        order.push((turn.lane, turn.item));
        s.done(turn.lane);
    }
}

#[tokio::test]
async fn no_chat_gets_a_second_turn_while_another_waits_for_its_first() {
    let s = scheduler(100);
    for i in 0..5 {
        s.push(Lane::Chat(ChatId(1)), i);
    }
    s.push(Lane::Chat(ChatId(2)), 100);
    s.push(Lane::Chat(ChatId(3)), 200);
    s.push(Lane::Chat(ChatId(2)), 101);
    let order = drain(&s).await;
    let expected = vec![
        (Lane::Chat(ChatId(1)), 0),
        (Lane::Chat(ChatId(2)), 100),
        (Lane::Chat(ChatId(3)), 200),
        (Lane::Chat(ChatId(1)), 1),
        (Lane::Chat(ChatId(2)), 101),
        (Lane::Chat(ChatId(1)), 2),
        (Lane::Chat(ChatId(1)), 3),
        (Lane::Chat(ChatId(1)), 4),
    ];
    assert_eq!(order, expected);
    assert_eq!(s.held(), 0);
}

#[tokio::test]
async fn a_lane_is_never_served_twice_at_once() {
    let s = scheduler(100);
    s.push(Lane::Chat(ChatId(1)), 1);
    s.push(Lane::Chat(ChatId(1)), 2);
    let first = s.next().await.unwrap();
    // The second item of chat 1 waits until the first turn is done.
    assert!(
        tokio::time::timeout(Duration::from_millis(30), s.next())
            .await
            .is_err()
    );
    s.done(first.lane);
    assert_eq!(s.next().await.unwrap().item, 2);
}

#[tokio::test]
async fn acknowledgements_and_inline_answers_go_before_chats() {
    let s = scheduler(100);
    s.push(Lane::Chat(ChatId(1)), 1);
    s.push(Lane::Ack(UserId(7)), 2);
    s.push(Lane::Inline(UserId(8)), 3);
    let order: Vec<u32> = drain(&s).await.into_iter().map(|(_, i)| i).collect();
    assert_eq!(order, vec![2, 3, 1]);
}

#[tokio::test]
async fn a_flood_keeps_the_newest_items_and_asks_for_one_notice() {
    let s = scheduler(3);
    let first = s.push(Lane::Chat(ChatId(1)), 0);
    assert!(first.dropped.is_empty() && !first.notice);
    let busy = s.next().await.unwrap(); // item 0 is in a turn
    let mut notices = 0;
    let mut dropped = Vec::new();
    for i in 1..=10 {
        let pushed = s.push(Lane::Chat(ChatId(1)), i);
        notices += usize::from(pushed.notice);
        if pushed.notice {
            s.push_front(Lane::Chat(ChatId(1)), 999);
        }
        dropped.extend(pushed.dropped);
    }
    assert_eq!(notices, 1, "one notice per flood");
    assert_eq!(dropped, vec![1, 2, 3, 4, 5, 6, 7]);
    assert_eq!(s.held(), 1 + 3 + 1);
    s.done(busy.lane);
    let order: Vec<u32> = drain(&s).await.into_iter().map(|(_, i)| i).collect();
    assert_eq!(order, vec![999, 8, 9, 10], "the notice, then the newest");
    // Once the chat was empty, a new flood gets a new notice.
    s.push(Lane::Chat(ChatId(1)), 20);
    let busy = s.next().await.unwrap();
    let notices: usize = (21..30)
        .map(|i| usize::from(s.push(Lane::Chat(ChatId(1)), i).notice))
        .sum();
    assert_eq!(notices, 1);
    s.done(busy.lane);
}

#[tokio::test]
async fn inline_queries_are_bounded_without_a_notice() {
    let s = scheduler(2);
    s.push(Lane::Inline(UserId(5)), 1);
    s.push(Lane::Inline(UserId(5)), 2);
    let pushed = s.push(Lane::Inline(UserId(5)), 3);
    assert_eq!(pushed.dropped, vec![1]);
    assert!(!pushed.notice, "no notice for inline queries");
    let order: Vec<u32> = drain(&s).await.into_iter().map(|(_, i)| i).collect();
    assert_eq!(order, vec![2, 3]);
}

#[tokio::test]
async fn a_paced_chat_is_parked_and_holds_up_no_worker() {
    let start = Instant::now();
    // Chat 1 may go again 200 ms after each turn; chat 2 always.
    let last = Arc::new(Mutex::new(None::<Instant>));
    let seen = Arc::clone(&last);
    let s = Arc::new(Scheduler::new(
        Limits {
            per_chat: 10,
            max_held: 100,
            poll_below: 8,
        },
        Box::new(move |lane, _now| match lane {
            Lane::Chat(ChatId(1)) => seen
                .lock()
                .unwrap()
                .map(|t: Instant| t + Duration::from_millis(200)),
            _ => None,
        }),
    ));
    let timer = tokio::spawn({
        let s = Arc::clone(&s);
        async move { s.run_timer().await }
    });
    s.push(Lane::Chat(ChatId(1)), 1);
    s.push(Lane::Chat(ChatId(1)), 2);
    let turn = s.next().await.unwrap();
    assert_eq!(turn.item, 1);
    *last.lock().unwrap() = Some(Instant::now());
    s.done(turn.lane); // chat 1 is parked for 200 ms
    s.push(Lane::Chat(ChatId(2)), 3);
    let turn = s.next().await.unwrap();
    assert_eq!(turn.item, 3, "chat 2 goes while chat 1 waits");
    assert!(start.elapsed() < Duration::from_millis(150));
    s.done(turn.lane);
    let turn = s.next().await.unwrap();
    assert_eq!(turn.item, 2);
    assert!(start.elapsed() >= Duration::from_millis(190));
    s.done(turn.lane);
    s.abandon();
    timer.await.unwrap();
}

#[tokio::test]
async fn a_paused_turn_resumes_first_after_its_wait() {
    let s = Arc::new(scheduler(10));
    let timer = tokio::spawn({
        let s = Arc::clone(&s);
        async move { s.run_timer().await }
    });
    s.push(Lane::Chat(ChatId(1)), 1);
    s.push(Lane::Chat(ChatId(1)), 2);
    let turn = s.next().await.unwrap();
    let paused_at = Instant::now();
    s.pause(turn.lane, turn.item, paused_at + Duration::from_millis(100));
    s.push(Lane::Chat(ChatId(2)), 3);
    assert_eq!(s.next().await.unwrap().item, 3);
    s.done(Lane::Chat(ChatId(2)));
    let turn = s.next().await.unwrap();
    assert_eq!(turn.item, 1, "the paused item first");
    assert!(paused_at.elapsed() >= Duration::from_millis(95));
    s.done(turn.lane);
    assert_eq!(s.next().await.unwrap().item, 2);
    s.abandon();
    timer.await.unwrap();
}

#[tokio::test]
async fn the_poller_waits_while_a_lane_waits_for_a_worker_but_not_for_parked_chats() {
    let s = Arc::new(Scheduler::new(
        Limits {
            per_chat: 10,
            max_held: 3,
            poll_below: 2,
        },
        Box::new(|lane, now| {
            (lane == Lane::Chat(ChatId(9))).then(|| now + Duration::from_secs(60))
        }),
    ));
    // A parked chat does not hold up the poller.
    s.push(Lane::Chat(ChatId(9)), 1);
    tokio::time::timeout(Duration::from_millis(50), s.room())
        .await
        .expect("room while only a parked chat waits");
    // A chat in line does, until a worker takes it.
    s.push(Lane::Chat(ChatId(1)), 2);
    assert!(
        tokio::time::timeout(Duration::from_millis(30), s.room())
            .await
            .is_err()
    );
    let waiter = tokio::spawn({
        let s = Arc::clone(&s);
        async move { s.room().await }
    });
    let turn = s.next().await.unwrap();
    tokio::time::timeout(Duration::from_millis(200), waiter)
        .await
        .expect("room once the lane is taken")
        .unwrap();
    // Memory: with max_held items held, even the webhook waits.
    s.push(Lane::Chat(ChatId(9)), 3);
    assert_eq!(s.held(), 3);
    assert!(
        tokio::time::timeout(Duration::from_millis(30), s.admit())
            .await
            .is_err()
    );
    s.done(turn.lane);
    tokio::time::timeout(Duration::from_millis(50), s.admit())
        .await
        .expect("room after a turn is done");
}

#[tokio::test]
async fn the_poller_waits_while_many_turns_are_in_progress() {
    let s = Arc::new(Scheduler::new(
        Limits {
            per_chat: 10,
            max_held: 100,
            poll_below: 2,
        },
        Box::new(|_, _| None),
    ));
    s.push(Lane::Chat(ChatId(1)), 1);
    s.push(Lane::Chat(ChatId(2)), 2);
    let first = s.next().await.unwrap();
    let second = s.next().await.unwrap();
    // Nothing in line, but two turns in progress: what came next would wait for them.
    assert!(
        tokio::time::timeout(Duration::from_millis(30), s.room())
            .await
            .is_err()
    );
    let waiter = tokio::spawn({
        let s = Arc::clone(&s);
        async move { s.room().await }
    });
    s.pause(
        first.lane,
        first.item,
        Instant::now() + Duration::from_secs(60),
    );
    tokio::time::timeout(Duration::from_millis(200), waiter)
        .await
        .expect("room once a turn is paused")
        .unwrap();
    s.done(second.lane);
}

#[tokio::test]
async fn closing_drains_the_lanes_in_line_and_abandoning_stops_at_once() {
    let s = scheduler(10);
    s.push(Lane::Chat(ChatId(1)), 1);
    s.push(Lane::Chat(ChatId(2)), 2);
    s.close();
    let turn = s.next().await.unwrap();
    s.done(turn.lane);
    let turn = s.next().await.unwrap();
    s.done(turn.lane);
    assert!(s.next().await.is_none(), "closed and nothing in line");
    s.push(Lane::Chat(ChatId(3)), 3);
    s.abandon();
    assert!(s.next().await.is_none(), "abandoned");
}

#[tokio::test]
async fn a_moved_lane_goes_before_the_waiting_items_of_its_new_lane() {
    let s = scheduler(100);
    s.push(Lane::Chat(ChatId(-5)), 1);
    s.push(Lane::Chat(ChatId(-5)), 2);
    s.push(Lane::Chat(ChatId(-1005)), 10);
    s.push(Lane::Chat(ChatId(7)), 70);
    // The first turn of -5 is in progress when the move is found.
    let turn = s.next().await.unwrap();
    assert_eq!((turn.lane, turn.item), (Lane::Chat(ChatId(-5)), 1));
    s.move_lane(Lane::Chat(ChatId(-5)), Lane::Chat(ChatId(-1005)));
    // Nothing of -5 goes while its turn is in progress: the chat's order is kept.
    let next = s.next().await.unwrap();
    assert_eq!((next.lane, next.item), (Lane::Chat(ChatId(-1005)), 10));
    s.done(next.lane);
    s.done(Lane::Chat(ChatId(-5)));
    let order = drain(&s).await;
    assert_eq!(
        order,
        vec![(Lane::Chat(ChatId(7)), 70), (Lane::Chat(ChatId(-1005)), 2)]
    );
    assert_eq!(s.held(), 0);
    // A waiting lane moves too (and leaves the line).
    s.push(Lane::Chat(ChatId(-6)), 3);
    s.move_lane(Lane::Chat(ChatId(-6)), Lane::Chat(ChatId(-1006)));
    assert_eq!(drain(&s).await, vec![(Lane::Chat(ChatId(-1006)), 3)]);
}
