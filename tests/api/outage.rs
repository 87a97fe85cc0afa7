//! The Bot API fails for a while (a bad minute of the operator's connection to Telegram, or of
//! Telegram): every reply arrives once after it, the bot does not hammer the API meanwhile, a
//! stop or a crash during it loses nothing, and a reply that cannot go before its deadline is
//! dropped in the open. Each test holds one outage of real seconds; they run side by side.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use crate::fake_api::FakeApi;
use crate::telegram::{Harness, signal, text, wait_exit};

/// Every user in `users` has exactly one reply, and it is the help (`/help`).
fn each_answered_once(api: &FakeApi, users: &[i64]) {
    for user in users {
        let replies = api.sent_to(*user);
        assert_eq!(replies.len(), 1, "user {user}: {replies:#?}");
        assert!(text(&replies[0]).contains("/lessons"), "{}", replies[0]);
    }
}

/// How many calls (of any method) came in each second from `from` to `to`.
fn per_second(api: &FakeApi, from: Instant, to: Instant) -> Vec<usize> {
    let seconds = (to - from).as_secs_f64().ceil() as u32;
    (0..seconds)
        .map(|s| {
            let start = from + Duration::from_secs(u64::from(s));
            api.calls_between(start, (start + Duration::from_secs(1)).min(to))
                .len()
        })
        .collect()
}

/// sendMessage answers 502 for 15 s while 30 users write: once it works again, all 30 are
/// answered, each once, within seconds (before: each reply was given up after 1.5 s).
#[tokio::test]
async fn a_15_s_send_message_outage_with_30_users_answers_all_30_once_after_it() {
    let h = Harness::new().await;
    let bot = h.start(false).await;
    h.ask("/start").await;
    h.api.outage("sendMessage", true);
    let outage = Instant::now();
    let users: Vec<i64> = (0..30).map(|k| 70_000 + k).collect();
    let ids: Vec<i64> = users
        .iter()
        .map(|user| h.api.private_text(*user, Some("lv"), "/help"))
        .collect();
    tokio::time::sleep(Duration::from_secs(15)).await;
    assert!(
        ids.iter().all(|id| h.api.times_handed_out(*id) > 0),
        "the updates reached the bot during the outage"
    );
    let failed = h
        .api
        .all_calls("sendMessage")
        .iter()
        .filter(|c| c.status == 502)
        .count();
    let inbox = h.inbox().await;
    assert!(
        ids.iter().all(|id| inbox.contains(id)),
        "every update waits in the inbox, not done: {inbox:?}"
    );
    h.api.outage("sendMessage", false);
    let back = Instant::now();
    h.api
        .wait_until(15, "a reply to every user", |api| {
            users.iter().all(|u| !api.sent_to(*u).is_empty())
        })
        .await;
    let flowed = back.elapsed();
    tokio::time::sleep(Duration::from_millis(500)).await;
    bot.stop().await;

    each_answered_once(&h.api, &users);
    eprintln!(
        "sendMessage outage of {:?}: {failed} failed calls; every reply {flowed:?} after it",
        back - outage
    );
    assert!(
        flowed < Duration::from_secs(6),
        "the replies went {flowed:?} after the outage"
    );
    // 30 first attempts at most, then one probe every few seconds.
    assert!(failed <= 45, "{failed} sendMessage calls during 15 s");
    assert!(h.inbox().await.is_empty(), "all done");
}

/// Every method answers 502 for 20 s while 20 users write (the long poll already waiting
/// brings their updates in): every reply arrives within 15 s after it, each once, and during
/// it the bot makes at most 10 calls a second once it has seen the outage (the first second
/// holds the first attempt of each reply, sent before any had failed).
#[tokio::test]
async fn a_20_s_outage_of_every_method_answers_everyone_soon_after_it_and_calls_little_during_it() {
    let h = Harness::new().await;
    let bot = h.start(false).await;
    h.ask("/start").await;
    h.api.long_poll_waiting().await;
    h.api.outage_all(true);
    let outage = Instant::now();
    let users: Vec<i64> = (0..20).map(|k| 80_000 + k).collect();
    let ids: Vec<i64> = users
        .iter()
        .map(|user| h.api.private_text(*user, Some("lv"), "/help"))
        .collect();
    tokio::time::sleep(Duration::from_secs(20)).await;
    h.api.outage_all(false);
    let back = Instant::now();
    assert!(
        ids.iter().all(|id| h.api.times_handed_out(*id) > 0),
        "the waiting long poll handed the updates out during the outage"
    );
    h.api
        .wait_until(15, "a reply to every user within 15 s", |api| {
            users.iter().all(|u| !api.sent_to(*u).is_empty())
        })
        .await;
    let flowed = back.elapsed();
    tokio::time::sleep(Duration::from_millis(500)).await;
    bot.stop().await;

    each_answered_once(&h.api, &users);
    let rates = per_second(&h.api, outage, back);
    eprintln!("calls in each second of the outage: {rates:?}; every reply {flowed:?} after it");
    assert!(rates[0] <= users.len() + 10, "{rates:?}");
    assert!(
        rates[1..].iter().all(|n| *n <= 10),
        "more than 10 calls a second: {rates:?}"
    );
    let total: usize = rates.iter().sum();
    assert!(
        total <= users.len() + 60,
        "{total} calls in 20 s: {rates:?}"
    );
}

/// SIGTERM during an outage stops the binary at once and keeps every update in the inbox;
/// a restart during it is killed with SIGKILL while its retries wait; a restart after it
/// answers every update once.
#[tokio::test]
async fn sigterm_and_sigkill_during_an_outage_then_a_restart_after_it_answer_everyone_once() {
    let h = Harness::new().await;
    let log = |name: &str| h.content.with_file_name(name);
    let child = h.spawn_binary(&[], &log("first.log"));
    h.ask("/start").await;
    h.api.outage("sendMessage", true);
    let users: Vec<i64> = (0..10).map(|k| 90_000 + k).collect();
    let ids: Vec<i64> = users
        .iter()
        .map(|user| h.api.private_text(*user, Some("lv"), "/help"))
        .collect();
    let failures = |api: &FakeApi| {
        api.all_calls("sendMessage")
            .iter()
            .filter(|c| c.status == 502)
            .count()
    };
    h.api
        .wait_until(10, "the replies failing", |api| {
            ids.iter().all(|id| api.times_handed_out(*id) > 0) && failures(api) >= 3
        })
        .await;
    let stopping = Instant::now();
    signal(&child, "TERM");
    let status = wait_exit(child, 15).await;
    let took = stopping.elapsed();
    let first_log = std::fs::read_to_string(log("first.log")).unwrap();
    assert!(status.success(), "{status:?}\n{first_log}");
    assert!(
        took < Duration::from_secs(3),
        "stopped in {took:?}\n{first_log}"
    );
    assert_eq!(h.inbox().await, ids, "every update kept for the next start");

    // A restart while the outage goes on: it retries what the inbox holds, and is killed.
    let before = failures(&h.api);
    let child = h.spawn_binary(&[], &log("second.log"));
    h.api
        .wait_until(15, "the restarted bot retrying", |api| {
            failures(api) >= before + 3
        })
        .await;
    signal(&child, "KILL");
    wait_exit(child, 10).await;
    assert_eq!(h.inbox().await, ids, "still all in the inbox");
    assert!(users.iter().all(|u| h.api.sent_to(*u).is_empty()));

    h.api.outage("sendMessage", false);
    let child = h.spawn_binary(&[], &log("third.log"));
    h.api
        .wait_until(15, "a reply to every user", |api| {
            users.iter().all(|u| !api.sent_to(*u).is_empty())
        })
        .await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    signal(&child, "TERM");
    assert!(wait_exit(child, 15).await.success());
    each_answered_once(&h.api, &users);
    assert!(h.inbox().await.is_empty());
}

/// A reply that cannot go before `BOT_REPLY_DEADLINE` is dropped: one log line each,
/// `bot_replies_expired_total`, and the update leaves the inbox (a restart does not answer it
/// late). The bot answers the next message as usual.
#[tokio::test]
async fn a_reply_past_its_deadline_is_dropped_with_one_log_line_and_counted() {
    let h = Harness::new().await;
    let port = crate::telegram::free_port();
    let log = h.content.with_file_name("expired.log");
    let env = [
        ("BOT_REPLY_DEADLINE", "10s".to_string()),
        ("HEALTH_LISTEN", format!("127.0.0.1:{port}")),
    ];
    let child = h.spawn_binary(&env, &log);
    h.ask("/start").await;
    h.api.outage("sendMessage", true);
    let users: Vec<i64> = (0..3).map(|k| 95_000 + k).collect();
    for user in &users {
        h.api.private_text(*user, Some("lv"), "/help");
    }
    let dropped = "the reply is dropped";
    let count_dropped = || {
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains(dropped))
            .count()
    };
    let started = Instant::now();
    while count_dropped() < users.len() && started.elapsed() < Duration::from_secs(20) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(9),
        "dropped after {waited:?} only"
    );
    h.api.outage("sendMessage", false);
    let reply = h.ask("/help").await;
    assert!(text(&reply).contains("/lessons"), "and answers again");
    let metrics = reqwest::get(format!("http://127.0.0.1:{port}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    signal(&child, "TERM");
    assert!(wait_exit(child, 15).await.success());

    assert_eq!(count_dropped(), users.len(), "one line each");
    assert!(metrics.contains("bot_replies_expired_total 3"), "{metrics}");
    assert!(users.iter().all(|u| h.api.sent_to(*u).is_empty()));
    assert!(h.inbox().await.is_empty(), "the expired updates are done");
}

/// A group upgraded to a supergroup: the reply that met `migrate_to_chat_id` goes to the new
/// chat once, the chat's other waiting updates follow it there in order (no second 400), and
/// the move is kept in the inbox for a restart. Telegram's service message about a move is
/// followed too.
#[tokio::test]
async fn a_migrated_group_gets_its_replies_in_the_new_supergroup_once_and_in_order() {
    let h = Harness::new().await;
    let bot = h.start(false).await;
    h.ask("/start").await;
    let (old, new) = (-5_001, -1_005_001);
    h.api.migrate(old, new);
    for command in ["/help", "/about", "/lessons"] {
        h.api.basic_group_text(USER_IN_GROUP, old, command);
    }
    h.api
        .wait_until(10, "three replies in the supergroup", |api| {
            api.sent_to(new).len() == 3
        })
        .await;

    // The service message in another old group: the bot follows it before any 400.
    let (old2, new2) = (-5_002, -1_005_002);
    h.api.migration_notice(USER_IN_GROUP, old2, new2);
    h.api.migrate(old2, new2);
    h.api.basic_group_text(USER_IN_GROUP, old2, "/help");
    h.api
        .wait_until(10, "the reply in the second supergroup", |api| {
            api.sent_to(new2).len() == 1
        })
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    bot.stop().await;

    let replies: Vec<String> = h
        .api
        .sent_to(new)
        .iter()
        .map(|m| text(m).to_string())
        .collect();
    assert!(replies[0].contains("/lessons"), "{replies:#?}");
    assert!(replies[1].contains("Par botu"), "{replies:#?}");
    assert!(replies[2].contains("nodarbīb"), "{replies:#?}");
    let to_old: Vec<u16> = h
        .api
        .all_calls("sendMessage")
        .iter()
        .filter(|c| c.body["chat_id"] == old)
        .map(|c| c.status)
        .collect();
    assert_eq!(to_old, vec![400], "one 400, no retry to the old chat");
    assert!(
        h.api
            .all_calls("sendMessage")
            .iter()
            .all(|c| c.body["chat_id"] != old2),
        "nothing to the second old group"
    );
    let store = lidzdaliba_bot::store::Store::open(&h.db_url).await.unwrap();
    let moves: HashSet<(i64, i64)> = store
        .inbox()
        .chat_moves()
        .await
        .unwrap()
        .into_iter()
        .map(|(from, to)| (from.0, to.0))
        .collect();
    store.close().await;
    assert_eq!(moves, HashSet::from([(old, new), (old2, new2)]));
}

/// A member of the test groups.
const USER_IN_GROUP: i64 = 5_101;
