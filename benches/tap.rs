//! TAP benchmark: the time to read one listing page (25 rows, the live markup) and one
//! consultation's page, and whole syncs of 25 listing pages against the fake portal of
//! `tests/api/fake_tap.rs` on 127.0.0.1, without the pause of a second between requests (so
//! that what is timed is the bot's work and the loopback, not the politeness).
//!
//! `cargo bench --bench tap` runs criterion's estimates for the two parsers and then prints
//! the syncs: a first sync (25 pages and the 600 open consultations' pages, into an empty
//! database) and a sync of the same listing again (25 pages, nothing to write but the
//! status). `TAP_CRITERION=off` skips criterion, `TAP_SYNCS=off` the syncs.

#[path = "../tests/api/fake_tap.rs"]
mod fake_tap;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::Criterion;
use lidzdaliba_bot::content;
use lidzdaliba_bot::store::Store;
use lidzdaliba_bot::tap::{Db, HttpOptions, HttpSource, Mapping, Syncer, parse};
use tokio::runtime::Runtime;

/// Open consultations in the synced listing: 24 pages of them, and a 25th of ended ones.
const OPEN: usize = 600;
const TOTAL: usize = 625;
const PAGE: usize = 25;

fn on(knob: &str) -> bool {
    std::env::var(knob).map_or(true, |v| v != "off")
}

fn parsers(c: &mut Criterion) {
    let today = lidzdaliba_bot::clock::today_in_latvia();
    let items = fake_tap::many(&today, OPEN, TOTAL);
    let page = fake_tap::listing_html(&items, 1, PAGE);
    let detail = fake_tap::detail_html(&items[0]);
    let live = include_str!("../tests/fixtures/tap/listing-2026-09.html");
    let mut group = c.benchmark_group("tap");
    group.bench_function("listing_page_25_rows", |b| {
        b.iter(|| parse::listing(black_box(&page), "https://tapportals.mk.gov.lv").unwrap())
    });
    group.bench_function("listing_live_4_rows", |b| {
        b.iter(|| parse::listing(black_box(live), "https://tapportals.mk.gov.lv").unwrap())
    });
    group.bench_function("detail_page", |b| {
        b.iter(|| parse::detail(black_box(&detail), &items[0].title).unwrap())
    });
    group.finish();
    println!(
        "page sizes: listing {} KB (25 rows), detail {} KB",
        page.len() / 1024,
        detail.len() / 1024
    );
}

/// One sync into the database at `url`: its time, pages and detail pages.
fn sync_once(rt: &Runtime, fake: &str, url: &str, mapping: &Mapping) -> (Duration, u32, u32) {
    rt.block_on(async {
        let store = Store::open(url).await.expect("open the database");
        let options = HttpOptions {
            gap: Duration::ZERO,
            ..HttpOptions::default()
        };
        let syncer = Syncer::new(
            HttpSource::new(fake, options).expect("a source"),
            Db::new(store.pool().clone()),
        );
        let today = lidzdaliba_bot::clock::today_in_latvia();
        let started = Instant::now();
        let report = syncer
            .sync(mapping, &today, lidzdaliba_bot::clock::unix_now())
            .await
            .expect("the sync succeeds");
        let took = started.elapsed();
        assert_eq!(report.open, OPEN);
        store.close().await;
        (took, report.pages, report.details)
    })
}

fn syncs(rt: &Runtime) {
    let today = lidzdaliba_bot::clock::today_in_latvia();
    let fake = rt.block_on(fake_tap::FakeTap::start(
        fake_tap::many(&today, OPEN, TOTAL),
        PAGE,
    ));
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let (_, content) = content::load_dir(&root.join("content")).expect("the content is valid");
    let mapping = Mapping::of(&content);
    let dir = tempfile::tempdir().expect("a temporary folder");
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("\nsyncs against the fake portal on 127.0.0.1 (no pause between requests):");
    println!(
        "  {:<34} {:>9} {:>7} {:>9} {:>11}",
        "", "total ms", "pages", "details", "ms/request"
    );
    for round in 0..3 {
        let url = format!("sqlite://{}/cold-{round}.db", dir.path().display());
        let (took, pages, details) = sync_once(rt, &fake.url, &url, &mapping);
        let per = ms(took) / f64::from(pages + details);
        println!(
            "  {:<34} {:>9.0} {pages:>7} {details:>9} {per:>11.2}",
            format!("first sync, round {}", round + 1),
            ms(took)
        );
    }
    let url = format!("sqlite://{}/cold-0.db", dir.path().display());
    let mut warm = Vec::new();
    for _ in 0..10 {
        let (took, pages, details) = sync_once(rt, &fake.url, &url, &mapping);
        assert_eq!((pages, details), (25, 0));
        warm.push(took);
    }
    warm.sort();
    println!(
        "  {:<34} {:>9.0} {:>7} {:>9} {:>11.2}   (median of 10; min {:.0}, max {:.0})",
        "the same listing again",
        ms(warm[5]),
        25,
        0,
        ms(warm[5]) / 25.0,
        ms(warm[0]),
        ms(warm[9])
    );
}

fn main() {
    let rt = Runtime::new().expect("a tokio runtime");
    if on("TAP_CRITERION") {
        let mut c = Criterion::default().configure_from_args();
        parsers(&mut c);
        c.final_summary();
    }
    if on("TAP_SYNCS") {
        syncs(&rt);
    }
}
