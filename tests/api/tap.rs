//! The TAP source against the fake portal of `fake_tap.rs`: what a sync reads and how many
//! requests it makes, what the next sync finds new, changed, gone and ended, that every kind
//! of failure keeps the last good data, the "open now" query with its staleness, the follows
//! and their digests, the checks of `content/tap.toml`, and `tap-sync` as a real binary. No
//! request leaves 127.0.0.1.

use std::time::Duration;

use lidzdaliba_bot::content;
use lidzdaliba_bot::ids::ChatId;
use lidzdaliba_bot::store::Store;
use lidzdaliba_bot::tap::{
    self, Db, DetailState, Filter, Followed, HttpOptions, HttpSource, Mapping, SyncError, Syncer,
    Target,
};
use tempfile::TempDir;

use crate::fake_tap::{self, FakeTap, Fault, Item};
use crate::helpers;

/// The day the tests' syncs take as today (the fake's periods are set around it).
const TODAY: &str = "2026-09-14";

/// Noon of `today`, in Unix seconds.
fn noon(today: &str) -> u64 {
    u64::try_from(fake_tap::day_of(today) * 86_400 + 12 * 3600).unwrap()
}

fn day_after(today: &str, days: i64) -> String {
    fake_tap::date_of(fake_tap::day_of(today) + days)
}

struct Setup {
    fake: FakeTap,
    syncer: Syncer<HttpSource>,
    mapping: Mapping,
    store: Store,
    _dir: TempDir,
}

impl Setup {
    fn db(&self) -> &Db {
        self.syncer.db()
    }

    async fn sync(&self, today: &str) -> Result<tap::SyncReport, SyncError> {
        self.syncer.sync(&self.mapping, today, noon(today)).await
    }

    async fn open(&self, filter: Filter<'_>, today: &str) -> tap::OpenNow {
        self.db()
            .open_now(filter, today, noon(today), Duration::from_secs(7200))
            .await
            .unwrap()
    }
}

/// A fresh database, the repository's content for the names, and the fake with `items`
/// (`page_size` a page); requests without the pause of a second, and a 2 s timeout.
async fn setup(items: Vec<Item>, page_size: usize) -> Setup {
    helpers::init_tracing();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&format!("sqlite://{}/tap.db", dir.path().display()))
        .await
        .unwrap();
    let (_, content) = content::load_dir(&helpers::content_source()).unwrap();
    let fake = FakeTap::start(items, page_size).await;
    let options = HttpOptions {
        gap: Duration::ZERO,
        timeout: Duration::from_secs(2),
        ..HttpOptions::default()
    };
    let source = HttpSource::new(&fake.url, options).unwrap();
    Setup {
        syncer: Syncer::new(source, Db::new(store.pool().clone())),
        mapping: Mapping::of(&content),
        fake,
        store,
        _dir: dir,
    }
}

/// What the requests asked for, in order.
fn asked(fake: &FakeTap) -> Vec<String> {
    fake.take_requests()
        .into_iter()
        .map(|r| r.path_and_query)
        .collect()
}

fn listing(page: u32) -> String {
    format!("/public_participation?order_by=application_deadline&order_direction=desc&page={page}")
}

#[tokio::test]
async fn a_first_sync_reads_the_pages_until_the_periods_end_and_each_open_page() {
    // 25 consultations, 5 a page, the first 13 (by deadline) open on TODAY.
    let items = fake_tap::sample(TODAY, 13);
    let s = setup(items.clone(), 5).await;
    let report = s.sync(TODAY).await.unwrap();
    // Pages 1-2 hold 10 open ones, page 3 the last 3 open and 2 ended: no page 4.
    let requests = s.fake.take_requests();
    let paths: Vec<&str> = requests.iter().map(|r| r.path_and_query.as_str()).collect();
    let mut expected = vec!["/robots.txt".to_string()];
    expected.extend((1..=3).map(listing));
    expected.extend(
        items[..13]
            .iter()
            .map(|i| format!("/public_participation/{}", i.id)),
    );
    assert_eq!(paths, expected);
    assert!(
        requests
            .iter()
            .all(|r| r.user_agent.starts_with("lidzdaliba-bot/")
                && r.user_agent.contains("once an hour")),
        "{:?}",
        requests[0].user_agent
    );
    assert_eq!((report.pages, report.details, report.requests), (3, 13, 17));
    assert_eq!(report.open, 13);
    assert_eq!(report.new.len(), 13);
    assert!(report.changed.is_empty() && report.gone.is_empty() && report.ended.is_empty());
    assert!(
        report.unknown_ministries.is_empty(),
        "{:?}",
        report.unknown_ministries
    );
    assert_eq!(report.unmapped_areas, vec![("Testa joma".to_string(), 9)]);

    let open = s.open(Filter::All, TODAY).await;
    assert!(!open.stale && !open.known_empty());
    assert_eq!(open.last_success, Some(noon(TODAY)));
    let numbers: Vec<&str> = open.items.iter().map(|i| i.number.as_str()).collect();
    let mut soonest: Vec<&Item> = items[..13].iter().collect();
    soonest.reverse();
    assert_eq!(
        numbers,
        soonest
            .iter()
            .map(|i| i.number.as_str())
            .collect::<Vec<_>>(),
        "closing soonest first"
    );
    let last_day = &open.items[0];
    assert_eq!((last_day.days_left, last_day.ends.as_str()), (0, TODAY));
    let first = open
        .items
        .iter()
        .find(|i| i.number == "26-TA-2228")
        .unwrap();
    assert_eq!(first.days_left, 12);
    assert_eq!(first.ministry_name, "Tieslietu ministrija");
    assert_eq!(first.ministry_id.as_deref(), Some("tm"));
    assert_eq!(first.kind, "Publiskā apspriešana");
    assert_eq!(
        first.responsible_person.as_deref(),
        Some("Atbildīgais 0 (TM)")
    );
    assert_eq!(first.prepared_by.as_deref(), Some("Sagatavotājs 0 (TM)"));
    assert_eq!(first.policy_areas, vec!["Vides aizsardzība".to_string()]);
    assert_eq!(first.area_ids, vec!["vides_aizsardziba".to_string()]);
    assert_eq!(first.detail, DetailState::Ok);
    assert!(first.started);
    assert_eq!(
        first.url,
        format!(
            "{}/public_participation/068eb73d-d89d-42ff-93c9-13421c4f9b09",
            s.fake.url
        )
    );
    assert_eq!(
        first.announced_at.as_deref(),
        Some(format!("{} 09:00", day_after(TODAY, 12 - 15)).as_str())
    );

    // Filters: a ministry, an area (through tap.toml), and counts for the cards.
    let tm = s.open(Filter::Ministry("tm"), TODAY).await;
    assert!(
        tm.items
            .iter()
            .all(|i| i.ministry_id.as_deref() == Some("tm"))
    );
    assert_eq!(tm.items.len(), 4);
    let green = s.open(Filter::Area("vides_aizsardziba"), TODAY).await;
    let green: Vec<&str> = green.items.iter().map(|i| i.number.as_str()).collect();
    assert_eq!(
        green,
        ["26-TA-1986", "26-TA-2033", "26-TA-2095", "26-TA-2228"]
    );
    assert!(
        s.open(Filter::Area("veseliba"), TODAY)
            .await
            .items
            .is_empty()
    );
    let counts = s.db().view(TODAY).await.unwrap().counts;
    assert_eq!(counts.by_ministry.get("tm"), Some(&4));
    assert_eq!(counts.by_ministry.get("vm"), Some(&3));
    assert_eq!(counts.by_area.get("vides_aizsardziba"), Some(&4));
    let status = s.db().status(TODAY).await.unwrap();
    assert_eq!(status.items_open, 13);
    assert_eq!(status.last_requests, Some(17));
    assert_eq!((status.last_error, status.failing), (None, None));
}

#[tokio::test]
async fn the_next_sync_reads_only_the_pages_of_what_is_new_or_changed() {
    let mut items = fake_tap::sample(TODAY, 13);
    let s = setup(items.clone(), 5).await;
    s.sync(TODAY).await.unwrap();
    s.fake.take_requests();

    // Unchanged: the listing pages only.
    let report = s.sync(TODAY).await.unwrap();
    assert_eq!(asked(&s.fake), (1..=3).map(listing).collect::<Vec<_>>());
    assert!(report.new.is_empty() && report.changed.is_empty());

    // A new consultation, a changed title, one withdrawn, and the next day one more ends.
    let tomorrow = day_after(TODAY, 1);
    let mut new = items[0].clone();
    new.id = "7a1b2c3d-0000-4000-8000-000000000001".into();
    new.number = "26-TA-2300".into();
    new.title = "Jauns noteikumu projekts".into();
    new.ministry = "Veselības ministrija".into();
    items[1].title.push_str(" (precizēts)");
    let withdrawn = items.remove(2);
    items.push(new.clone());
    s.fake.set_items(items.clone());
    let report = s.sync(&tomorrow).await.unwrap();
    let numbers = |list: &[tap::Change]| list.iter().map(|c| c.number.clone()).collect::<Vec<_>>();
    assert_eq!(numbers(&report.new), ["26-TA-2300"]);
    assert_eq!(numbers(&report.changed), ["26-TA-2227"]);
    assert_eq!(numbers(&report.gone), vec![withdrawn.number.clone()]);
    // Ended on TODAY, its last day: reported the next day.
    assert_eq!(numbers(&report.ended), vec![items[11].number.clone()]);
    assert_eq!(report.details, 2, "the new and the changed one");
    let requests = asked(&s.fake);
    assert!(requests.contains(&format!("/public_participation/{}", new.id)));
    assert!(requests.contains(&format!("/public_participation/{}", items[1].id)));

    let open = s.open(Filter::All, &tomorrow).await;
    assert_eq!(open.items.len(), 12);
    assert!(open.items.iter().all(|i| i.number != withdrawn.number));
    assert!(open.items.iter().any(|i| i.title.ends_with("(precizēts)")));
    // What ended is reported once.
    let again = s.sync(&tomorrow).await.unwrap();
    assert!(again.ended.is_empty() && again.gone.is_empty() && again.new.is_empty());
    // The digest for a follower of VM: the new one only.
    s.db()
        .follow(ChatId(7), &Target::Ministry("vm".into()))
        .await
        .unwrap();
    let digests = s.db().digests(&report.new_ids(), &tomorrow).await.unwrap();
    assert_eq!(digests.len(), 1);
    assert_eq!(digests[0].chat_id, ChatId(7));
    assert_eq!(numbers_of(&digests[0].items), ["26-TA-2300"]);
}

fn numbers_of(items: &[tap::OpenItem]) -> Vec<String> {
    items.iter().map(|i| i.number.clone()).collect()
}

#[tokio::test]
async fn every_kind_of_failure_keeps_the_last_good_data() {
    let metrics = lidzdaliba_bot::health::prometheus();
    tap::describe_metrics();
    let items = fake_tap::sample(TODAY, 13);
    let s = setup(items.clone(), 5).await;
    s.sync(TODAY).await.unwrap();
    let good = s.open(Filter::All, TODAY).await;
    assert_eq!(good.items.len(), 13);
    let cases = [
        (Fault::Rejected, "rejected"),
        (Fault::Status(500), "server_error"),
        (Fault::Status(403), "http_status"),
        (Fault::Hang(Duration::from_secs(5)), "timeout"),
        (Fault::BrokenMarkup, "markup"),
        (Fault::NoRows, "empty"),
        (Fault::OtherPage, "not_listing"),
    ];
    for (fault, kind) in cases {
        s.fake.set_listing_fault(Some(fault.clone()));
        let err = s.sync(TODAY).await.unwrap_err();
        assert_eq!(err.kind(), kind, "{fault:?}: {err}");
        assert_eq!(
            s.open(Filter::All, TODAY).await,
            good,
            "{fault:?} kept the data"
        );
        let status = s.db().status(TODAY).await.unwrap();
        assert_eq!(status.failing.as_deref(), Some(kind));
        assert_eq!(status.last_error, Some(err.to_string()));
        assert_eq!(status.last_success, Some(noon(TODAY)));
        assert_eq!(status.items_open, 13);
    }
    s.fake.set_listing_fault(None);

    // A listing that ignores the order asked for cannot show where the open ones end.
    let mut shuffled = items.clone();
    let (a, b) = (shuffled[0].ends.clone(), shuffled[3].ends.clone());
    (shuffled[0].ends, shuffled[3].ends) = (b, a);
    s.fake.set_items(shuffled);
    s.fake.ignore_sort(true);
    assert_eq!(s.sync(TODAY).await.unwrap_err().kind(), "unsorted");
    assert_eq!(s.open(Filter::All, TODAY).await, good);
    s.fake.ignore_sort(false);
    // Most of the open ones gone at once is a changed listing, not withdrawals.
    s.fake.set_items(items[..2].to_vec());
    let err = s.sync(TODAY).await.unwrap_err();
    assert!(
        matches!(err, SyncError::TooManyGone { gone: 11, open: 13 }),
        "{err}"
    );
    assert_eq!(s.open(Filter::All, TODAY).await, good);

    // A portal that cannot be reached at all.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let nowhere = Syncer::new(
        HttpSource::new(&url, HttpOptions::default()).unwrap(),
        Db::new(s.store.pool().clone()),
    );
    let err = nowhere
        .sync(&s.mapping, TODAY, noon(TODAY))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "network", "{err}");
    assert_eq!(s.open(Filter::All, TODAY).await, good);

    // Each outcome is counted (other tests count theirs in the same process, so at least).
    let shown = metrics.render();
    for outcome in [
        "ok",
        "rejected",
        "server_error",
        "timeout",
        "markup",
        "empty",
        "unsorted",
        "too_many_gone",
    ] {
        let line = shown
            .lines()
            .find(|l| l.starts_with(&format!("tap_sync_total{{outcome=\"{outcome}\"}}")))
            .unwrap_or_else(|| panic!("{outcome} in\n{shown}"));
        let count: f64 = line.rsplit(' ').next().unwrap().parse().unwrap();
        assert!(count >= 1.0, "{line}");
    }
    assert!(shown.contains("# HELP tap_items_open"), "{shown}");

    // Readable again: the status says so.
    s.fake.set_items(items);
    s.sync(TODAY).await.unwrap();
    let status = s.db().status(TODAY).await.unwrap();
    assert_eq!(status.failing, None);
    assert!(
        status
            .last_error
            .as_deref()
            .unwrap()
            .starts_with("listing page 1: cannot reach TAP (http://127.0.0.1:"),
        "{status:?}"
    );
}

#[tokio::test]
async fn what_robots_txt_disallows_is_not_read() {
    let items = fake_tap::sample(TODAY, 4);
    let s = setup(items.clone(), 25).await;
    s.fake.set_robots(Some(
        "User-agent: *\nDisallow: /users/\n\nUser-agent: lidzdaliba-bot\nDisallow: /public_participation\n",
    ));
    let err = s.sync(TODAY).await.unwrap_err();
    assert_eq!(err.kind(), "robots", "{err}");
    assert_eq!(asked(&s.fake), ["/robots.txt"], "nothing else is asked");
    let status = s.db().status(TODAY).await.unwrap();
    assert_eq!(status.failing.as_deref(), Some("robots"));
    // robots.txt is read once a day, not at every sync: this source keeps its answer.
    assert_eq!(s.sync(TODAY).await.unwrap_err().kind(), "robots");
    assert!(asked(&s.fake).is_empty());
    // A portal that allows the listing (and forbids what the bot never reads) is read.
    let fresh = setup(items, 25).await;
    fresh.fake.set_robots(Some(
        "User-agent: *\nDisallow: /users/\nDisallow: /documents\n",
    ));
    let report = fresh.sync(TODAY).await.unwrap();
    assert_eq!((report.pages, report.details, report.requests), (1, 4, 6));
}

#[tokio::test]
async fn old_or_missing_data_is_never_said_to_be_empty() {
    let s = setup(fake_tap::sample(TODAY, 0), 5).await;
    let never = s.open(Filter::All, TODAY).await;
    assert!(never.stale && never.last_success.is_none() && !never.known_empty());
    // Nothing open (every period ended), read just now: that may be said.
    let report = s.sync(TODAY).await.unwrap();
    assert_eq!((report.pages, report.open), (1, 0));
    let fresh = s.open(Filter::All, TODAY).await;
    assert!(fresh.known_empty());
    // Three hours later with a one-hour interval (stale after two): not any more.
    let later = s
        .db()
        .open_now(
            Filter::All,
            TODAY,
            noon(TODAY) + 3 * 3600,
            tap::stale_after(Some(Duration::from_secs(3600))),
        )
        .await
        .unwrap();
    assert!(later.stale && !later.known_empty());
    assert_eq!(tap::stale_after(None), Duration::from_secs(7200));
}

#[tokio::test]
async fn a_page_that_does_not_read_leaves_the_listing_data_only() {
    let items = fake_tap::sample(TODAY, 4);
    let s = setup(items.clone(), 25).await;
    s.fake.set_detail_fault(&items[0].id, Some(Fault::NoLabels));
    s.fake.set_detail_fault(&items[1].id, Some(Fault::Rejected));
    let report = s.sync(TODAY).await.unwrap();
    assert_eq!(report.unreadable, vec![items[0].number.clone()]);
    assert!(report.detail_error.as_deref().unwrap().contains("firewall"));
    // After the firewall answered, the portal is asked nothing more in this sync.
    assert_eq!(report.details, 2);
    let open = s.open(Filter::All, TODAY).await;
    let by = |n: usize| {
        open.items
            .iter()
            .find(|i| i.id == items[n].id)
            .unwrap()
            .clone()
    };
    assert_eq!(by(0).detail, DetailState::Unreadable);
    assert_eq!(by(0).responsible_person, None);
    assert_eq!(by(0).title, items[0].title, "the listing's data stays");
    assert_eq!(by(1).detail, DetailState::Failed);
    assert_eq!(by(2).detail, DetailState::Failed);

    // The next sync asks again for the failed ones, not the unreadable one (for a day).
    s.fake.set_detail_fault(&items[1].id, None);
    s.fake.take_requests();
    let report = s.sync(TODAY).await.unwrap();
    assert_eq!(report.details, 3);
    let asked = asked(&s.fake);
    assert!(!asked.contains(&format!("/public_participation/{}", items[0].id)));
    let open = s.open(Filter::All, TODAY).await;
    let person = open.items.iter().find(|i| i.id == items[1].id).unwrap();
    assert_eq!(
        person.responsible_person.as_deref(),
        Some("Atbildīgais 1 (TM)")
    );
    assert_eq!(person.detail, DetailState::Ok);
}

#[tokio::test]
async fn an_unknown_institution_is_kept_as_written_and_reported() {
    let mut items = fake_tap::sample(TODAY, 3);
    items[0].ministry = "Pārresoru koordinācijas centrs".into();
    let s = setup(items.clone(), 25).await;
    let report = s.sync(TODAY).await.unwrap();
    assert_eq!(
        report.unknown_ministries,
        vec![("Pārresoru koordinācijas centrs".to_string(), 1)]
    );
    let open = s.open(Filter::All, TODAY).await;
    let item = open.items.iter().find(|i| i.id == items[0].id).unwrap();
    assert_eq!(item.ministry_name, "Pārresoru koordinācijas centrs");
    assert_eq!(item.ministry_id, None);
    let text = tap::report_text(&report);
    assert!(
        text.contains("\"Pārresoru koordinācijas centrs\": 1"),
        "{text}"
    );
}

#[tokio::test]
async fn follows_hold_a_chat_and_what_it_follows_and_give_one_digest_per_chat() {
    let items = fake_tap::sample(TODAY, 13);
    let s = setup(items.clone(), 25).await;
    let db = s.db();
    let vm = Target::Ministry("vm".into());
    let green = Target::Area("vides_aizsardziba".into());
    assert_eq!(db.follow(ChatId(1), &vm).await.unwrap(), Followed::New);
    assert_eq!(db.follow(ChatId(1), &vm).await.unwrap(), Followed::Already);
    assert_eq!(db.follow(ChatId(1), &green).await.unwrap(), Followed::New);
    assert_eq!(db.follow(ChatId(2), &green).await.unwrap(), Followed::New);
    assert_eq!(
        db.follow(ChatId(3), &Target::Ministry("tm".into()))
            .await
            .unwrap(),
        Followed::New
    );
    assert_eq!(
        db.follows(ChatId(1)).await.unwrap(),
        vec![vm.clone(), green.clone()]
    );
    assert_eq!(
        db.follower_counts().await.unwrap(),
        vec![
            (green.clone(), 2),
            (Target::Ministry("tm".into()), 1),
            (vm.clone(), 1)
        ]
    );
    let report = s.sync(TODAY).await.unwrap();
    let digests = db.digests(&report.new_ids(), TODAY).await.unwrap();
    let chats: Vec<i64> = digests.iter().map(|d| d.chat_id.0).collect();
    assert_eq!(chats, [1, 2, 3]);
    // Chat 1: VM's three and the "Vides aizsardzība" four, closing soonest first, each once.
    let one = numbers_of(&digests[0].items);
    assert_eq!(
        one,
        [
            "26-TA-1986",
            "26-TA-2001",
            "26-TA-2033",
            "26-TA-2037",
            "26-TA-2066",
            "26-TA-2095",
            "26-TA-2228"
        ]
    );
    assert_eq!(
        numbers_of(&digests[1].items),
        ["26-TA-1986", "26-TA-2033", "26-TA-2095", "26-TA-2228"]
    );
    assert_eq!(digests[2].items.len(), 4);
    assert!(db.digests(&[], TODAY).await.unwrap().is_empty());

    assert!(db.unfollow(ChatId(1), &vm).await.unwrap());
    assert!(!db.unfollow(ChatId(1), &vm).await.unwrap());
    assert_eq!(db.forget_chat(ChatId(1)).await.unwrap(), 1);
    assert!(db.follows(ChatId(1)).await.unwrap().is_empty());
    // A chat follows at most MAX_FOLLOWS.
    for n in 0..tap::MAX_FOLLOWS {
        assert_eq!(
            db.follow(ChatId(9), &Target::Area(format!("a{n}")))
                .await
                .unwrap(),
            Followed::New
        );
    }
    assert_eq!(
        db.follow(ChatId(9), &Target::Area("one_more".into()))
            .await
            .unwrap(),
        Followed::TooMany
    );
    assert_eq!(
        db.follow(ChatId(9), &Target::Area("a0".into()))
            .await
            .unwrap(),
        Followed::Already
    );
    // Only the chat id and what it follows are stored.
    let columns: Vec<String> =
        sqlx::query_scalar("SELECT name FROM pragma_table_info('tap_follows') ORDER BY cid")
            .fetch_all(s.store.pool())
            .await
            .unwrap();
    assert_eq!(columns, ["chat_id", "target", "target_id"]);
}

#[tokio::test]
async fn a_new_mapping_re_maps_what_is_stored() {
    let items = fake_tap::sample(TODAY, 4);
    let s = setup(items, 25).await;
    s.sync(TODAY).await.unwrap();
    assert!(
        s.open(Filter::Area("veseliba"), TODAY)
            .await
            .items
            .is_empty()
    );
    let (_guard, dir) = helpers::content_copy();
    let text = std::fs::read_to_string(dir.join("tap.toml")).unwrap();
    std::fs::write(
        dir.join("tap.toml"),
        format!(
            "{text}\n[[area]]\ntap = \"Testa joma\"\nareas = [\"veseliba\", \"farmacija\"]\n\
             source = \"https://tapportals.mk.gov.lv/public_participation\"\n"
        ),
    )
    .unwrap();
    let (_, content) = content::load_dir(&dir).unwrap();
    s.db().remap(&Mapping::of(&content)).await.unwrap();
    let health = s.open(Filter::Area("veseliba"), TODAY).await;
    assert_eq!(
        numbers_of(&health.items),
        ["26-TA-2104", "26-TA-2217", "26-TA-2227"]
    );
    assert_eq!(health.items[0].area_ids, ["farmacija", "veseliba"]);
}

#[test]
fn tap_toml_is_checked_with_file_and_line() {
    let problems = |tap: &str| -> Vec<String> {
        let (_guard, dir) = helpers::content_copy();
        std::fs::write(dir.join("tap.toml"), tap).unwrap();
        match content::load_dir(&dir) {
            Ok(_) => Vec::new(),
            Err(errors) => errors
                .0
                .iter()
                .map(|p| {
                    let file = std::path::Path::new(&p.file)
                        .file_name()
                        .unwrap()
                        .to_string_lossy()
                        .into_owned();
                    format!("{file}:{}: {}", p.line, p.message)
                })
                .collect(),
        }
    };
    let source = "source = \"https://tapportals.mk.gov.lv/public_participation\"";
    assert_eq!(
        problems(&format!(
            "[[area]]\ntap = \"Veselība\"\nareas = [\n  \"veseliba\",\n  \"nav_tadas\",\n]\n{source}\n"
        )),
        ["tap.toml:5: [[area]] 'Veselība': area 'nav_tadas' is not defined in ministries.toml"]
    );
    assert_eq!(
        problems(&format!(
            "[[area]]\ntap = \"Veselība\"\nareas = [\"veseliba\"]\n{source}\n\n\
             [[area]]\ntap = \"veselība\"\nareas = [\"farmacija\"]\n{source}\n"
        )),
        ["tap.toml:6: TAP policy area 'veselība' is written twice (first at line 1)"]
    );
    assert_eq!(
        problems(&format!(
            "[[area]]\ntap = \"Veselība\"\nareas = []\n{source}\n"
        )),
        ["tap.toml:3: [[area]]: 'areas' lists no area (name at least one id of ministries.toml)"]
    );
    assert_eq!(
        problems(&format!(
            "[[ministry]]\ntap = \"Veselības ministrija\"\nministry = \"vm\"\n{source}\n\n\
             [[ministry]]\ntap = \"Sabiedrības integrācijas fonds\"\nministry = \"sif\"\n{source}\n"
        )),
        [
            "tap.toml:2: [[ministry]] 'Veselības ministrija' is already the name of ministry 'vm' in ministries.toml, which TAP's names are matched with anyway: remove this entry",
            "tap.toml:8: [[ministry]] 'Sabiedrības integrācijas fonds': ministry 'sif' is not defined in ministries.toml",
        ]
    );
    let unknown = problems(
        "[[area]]\ntap = \"Veselība\"\nareas = [\"veseliba\"]\nsource = \"x\"\nnote = 1\n",
    );
    assert_eq!(unknown.len(), 2, "{unknown:?}");
    assert!(
        unknown[0].starts_with("tap.toml:5: [[area]]: unknown field 'note'"),
        "{unknown:?}"
    );
    assert!(
        unknown[1].starts_with("tap.toml:4: [[area]]: 'source'"),
        "{unknown:?}"
    );
    assert!(
        problems("").is_empty(),
        "an empty tap.toml maps ministries by name only"
    );
}

// ---- the real binary ---------------------------------------------------------------------

/// `tap-sync` against the fake: prints what changed, waits a second between requests, and
/// exits 1 with the last good data kept when the portal fails.
#[tokio::test]
async fn tap_sync_prints_what_changed_and_exits_1_when_it_failed() {
    let today = lidzdaliba_bot::clock::today_in_latvia();
    // 6 consultations, 3 open: one listing page and three consultations' pages.
    let items = fake_tap::sample(&today, 3);
    let fake = FakeTap::start(items[..6].to_vec(), 25).await;
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/bot.db", dir.path().display());
    let command = |args: &[&str]| {
        let mut cmd = helpers::binary();
        cmd.args(args)
            .env("DATABASE_URL", &db)
            .env("CONTENT_DIR", helpers::content_source())
            .env("TAP_URL", &fake.url);
        cmd
    };
    // `tap-sync` off the test's runtime (the fake answers on it): status, stdout, stderr.
    let tap_sync = || {
        let mut cmd = command(&["tap-sync"]);
        async move {
            let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
                .await
                .unwrap();
            (
                out.status.code(),
                String::from_utf8_lossy(&out.stdout).into_owned(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )
        }
    };
    // No database yet: nothing is created, nothing is asked.
    let (code, _, stderr) = tap_sync().await;
    assert_eq!(code, Some(1));
    assert!(stderr.contains("there is no database"), "{stderr}");
    assert!(fake.take_requests().is_empty());
    assert!(
        command(&["import", "--create"])
            .output()
            .unwrap()
            .status
            .success()
    );

    let (code, stdout, stderr) = tap_sync().await;
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("1 listing page(s) and 3 consultation page(s), 5 request(s)"),
        "{stdout}"
    );
    assert!(stdout.contains("open now: 3\nnew: 3\n"), "{stdout}");
    let line = format!(
        "  26-TA-2228  until {}  Tieslietu ministrija  Likumprojekts",
        items[0].ends
    );
    assert!(stdout.contains(&line), "{stdout}");
    let requests = fake.take_requests();
    assert_eq!(requests.len(), 5, "robots.txt, the listing, three pages");
    assert_eq!(requests[0].path_and_query, "/robots.txt");
    for pair in requests.windows(2) {
        let gap = pair[1].at.duration_since(pair[0].at);
        assert!(gap >= Duration::from_millis(950), "requests {gap:?} apart");
    }

    fake.set_listing_fault(Some(Fault::Status(503)));
    let (code, stdout, stderr) = tap_sync().await;
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("TAP sync failed: listing page 1: TAP answered 503"),
        "{stderr}"
    );
    assert!(
        stderr.contains("kept: the last good data, 3 open consultation(s), read"),
        "{stderr}"
    );
    assert!(
        stderr.contains("TAP sync failed; the last good data stays"),
        "logged: {stderr}"
    );
    // The same failure again is printed, but not logged again.
    let (code, _, stderr) = tap_sync().await;
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("TAP sync failed: listing page 1"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("the last good data stays"),
        "logged twice: {stderr}"
    );
}

/// The console reads no portal, whatever TAP_URL and TAP_SYNC_INTERVAL say.
#[tokio::test]
async fn the_console_never_reads_tap() {
    let fake = FakeTap::start(fake_tap::sample(TODAY, 3), 25).await;
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = helpers::binary();
    cmd.arg("console")
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/c.db", dir.path().display()),
        )
        .env("CONTENT_DIR", helpers::content_source())
        .env("TAP_URL", &fake.url)
        .env("TAP_SYNC_INTERVAL", "1s");
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(fake.take_requests().is_empty());
}

/// The loop for `run`: a sync at once, then one every interval, a new mapping applied at once,
/// and an end as soon as shutdown is asked.
#[tokio::test]
async fn run_every_syncs_at_once_then_every_interval_until_shutdown() {
    let today = lidzdaliba_bot::clock::today_in_latvia();
    let s = setup(fake_tap::sample(&today, 4), 25).await;
    let syncer = std::sync::Arc::new(Syncer::new(
        HttpSource::new(
            &s.fake.url,
            HttpOptions {
                gap: Duration::ZERO,
                ..HttpOptions::default()
            },
        )
        .unwrap(),
        Db::new(s.store.pool().clone()),
    ));
    let (mapping_tx, mapping_rx) =
        tokio::sync::watch::channel(std::sync::Arc::new(s.mapping.clone()));
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let (reports_tx, mut reports) = tokio::sync::mpsc::unbounded_channel();
    let task = tokio::spawn(tap::run_every(
        syncer,
        mapping_rx,
        Duration::from_millis(300),
        stopped,
        move |report| {
            let _ = reports_tx.send(report);
        },
    ));
    let first = tokio::time::timeout(Duration::from_secs(5), reports.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((first.new.len(), first.open), (4, 4));
    let second = tokio::time::timeout(Duration::from_secs(5), reports.recv())
        .await
        .unwrap()
        .unwrap();
    assert!(second.new.is_empty() && second.details == 0, "{second:?}");

    // New content: "Testa joma" now maps to health; applied without waiting for a sync.
    let (_guard, dir) = helpers::content_copy();
    let text = std::fs::read_to_string(dir.join("tap.toml")).unwrap();
    std::fs::write(
        dir.join("tap.toml"),
        format!(
            "{text}\n[[area]]\ntap = \"Testa joma\"\nareas = [\"veseliba\"]\n\
             source = \"https://tapportals.mk.gov.lv/public_participation\"\n"
        ),
    )
    .unwrap();
    let (_, content) = content::load_dir(&dir).unwrap();
    mapping_tx
        .send(std::sync::Arc::new(Mapping::of(&content)))
        .unwrap();
    let mut mapped = 0;
    for _ in 0..100 {
        mapped = s.open(Filter::Area("veseliba"), &today).await.items.len();
        if mapped == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(mapped, 3);

    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .expect("the loop ends on shutdown")
        .unwrap();
}

// ---- the parsers on what no page should be --------------------------------------------------

mod hostile_pages {
    use lidzdaliba_bot::tap::parse;
    use proptest::prelude::*;

    const LIVE: &str = include_str!("../fixtures/tap/listing-2026-09.html");

    /// The live page cut at `cut` and with `junk` put in at `at` (both as fractions of it).
    fn mangled(page: &str, cut: f64, at: f64, junk: &str) -> String {
        let boundary = |f: f64| {
            let mut i = ((page.len() as f64) * f) as usize;
            while !page.is_char_boundary(i) {
                i -= 1;
            }
            i
        };
        let (cut, at) = (boundary(cut), boundary(at).min(boundary(cut)));
        format!("{}{junk}{}", &page[..at], &page[at..cut])
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        /// Cut anywhere, with anything put in: the parsers never panic, and a listing they
        /// accept has in every row what a row must have.
        #[test]
        fn a_mangled_page_is_read_or_refused_never_a_panic(
            cut in 0.0f64..=1.0,
            at in 0.0f64..=1.0,
            junk in "(<[a-z/]{0,8}( data-url=\"/public_participation/x\")?>|&[a-z]{0,6};?|[\"' <>=a-zāē0-9.\\-]{0,12}){0,6}",
        ) {
            let page = mangled(LIVE, cut, at, &junk);
            if let Ok(listing) = parse::listing(&page, "https://tapportals.mk.gov.lv") {
                for row in &listing.rows {
                    prop_assert!(!row.number.is_empty() && !row.title.is_empty());
                    prop_assert!(row.period.starts <= row.period.ends);
                    prop_assert!(parse::is_item_id(&row.id));
                }
            }
            if let Ok(detail) = parse::detail(&page, "Grozījumi Kriminālprocesa likumā")
                && let Some(person) = detail.responsible_person
            {
                prop_assert!(person.chars().count() <= 150);
            }
        }
    }
}
