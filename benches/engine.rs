//! Engine benchmark: the time of one request through `Engine::handle` / `inline`,
//! against the real content and against a generated content set 100 times larger.
//!
//! `cargo bench --bench engine` runs criterion's estimates and then prints a table of
//! per-request percentiles (p50/p90/p99/max over 10,000 timed calls each) for both content sets,
//! measured in alternating rounds, with the ratio of their medians, plus the throughput of
//! concurrent `/contact` requests. Filters work as usual with criterion:
//! `cargo bench --bench engine -- real/`. Knobs: `ENGINE_TABLE=off` skips the percentile table,
//! `ENGINE_CRITERION=off` skips criterion, `ENGINE_SETS=real` skips the large set. For a
//! profiler, criterion's `--profile-time 10 real/contact_exact` repeats one request without
//! analysis. `dictionary/` times the Hunspell dictionaries (Debian's `hunspell-lv`,
//! `hunspell-en-us`): reading them at start, and one word checked by a lookup.

use std::fmt::Write as _;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::Criterion;
use lidzdaliba_bot::engine::lookup::dictionary::{self, Dictionary};
use lidzdaliba_bot::engine::{ChatKind, Engine, Input, Request};
use lidzdaliba_bot::ids::UserId;
use lidzdaliba_bot::lang::Lang;
use lidzdaliba_bot::store::{ImportOutcome, Store};
use tokio::runtime::Runtime;

/// Synthetic ministries added to the real 15, so that the set holds 100 times the real
/// ministries, areas and aliases (15 real + 1,485 generated = 1,500 ministries).
const SYNTHETIC_MINISTRIES: usize = 1_485;
/// Areas per synthetic ministry (the real content has 58 areas over 15 ministries).
const AREAS_PER_MINISTRY: usize = 4;
/// Timed calls per request for the percentile table.
const TABLE_ITERATIONS: usize = 10_000;
/// Upper bound on the time spent on one row of the table (all sets together).
const TABLE_BUDGET: Duration = Duration::from_secs(40);
/// Calls of one set before the next set takes its turn, in the table.
const TABLE_ROUND: usize = 500;

/// One benchmarked request.
#[derive(Clone)]
enum Case {
    Handle(Request),
    Inline(&'static str),
}

fn cases() -> Vec<(&'static str, Case)> {
    let command = |name: &str, arg: &str| {
        Case::Handle(Request {
            user_id: UserId(7),
            language_code: Some("lv".into()),
            chat: ChatKind::Private,
            input: Input::Command {
                name: name.into(),
                arg: arg.into(),
            },
        })
    };
    vec![
        ("start", command("start", "")),
        ("lessons", command("lessons", "")),
        (
            "button_l3",
            Case::Handle(Request {
                user_id: UserId(7),
                language_code: Some("lv".into()),
                chat: ChatKind::Private,
                input: Input::Button("l:3".into()),
            }),
        ),
        ("contact_exact", command("contact", "veselība")),
        ("contact_inflected", command("contact", "veselības")),
        ("contact_typo", command("contact", "veslība")),
        ("contact_unknown", command("contact", "qqqxxz")),
        ("search", command("search", "atzinums")),
        ("inline", Case::Inline("veselība")),
    ]
}

async fn run_case(engine: &Engine, case: &Case) -> usize {
    match case {
        Case::Handle(req) => engine.handle(req).await.map_or(0, |r| r.text.len()),
        Case::Inline(query) => engine.inline(UserId(7), Some("lv"), query).await.len(),
    }
}

/// A content set in a temporary folder, imported into a fresh database.
struct Set {
    name: &'static str,
    engine: Arc<Engine>,
    _dir: tempfile::TempDir,
}

fn real_content() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("content")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create the content folder");
    for entry in std::fs::read_dir(from).expect("read the content folder") {
        let entry = entry.expect("read a folder entry");
        if entry.file_type().expect("file type").is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy a content file");
        }
    }
}

fn open_set(rt: &Runtime, name: &'static str, large: bool) -> Set {
    let dir = tempfile::tempdir().expect("create a temporary folder");
    let content = dir.path().join("content");
    copy_dir(&real_content(), &content);
    if large {
        let path = content.join("ministries.toml");
        let mut text = std::fs::read_to_string(&path).expect("read ministries.toml");
        text.push_str(&synthetic_ministries(SYNTHETIC_MINISTRIES));
        std::fs::write(&path, text).expect("write ministries.toml");
    }
    let url = format!("sqlite://{}/bench.db", dir.path().display());
    let engine = rt.block_on(async {
        let store = Store::open(&url).await.expect("open the database");
        let started = Instant::now();
        let outcome = lidzdaliba_bot::engine::import(&store, &content)
            .await
            .unwrap_or_else(|e| panic!("the {name} content must import: {e}"));
        let ImportOutcome::Imported {
            ministries,
            contacts,
            ..
        } = outcome
        else {
            panic!("a fresh database must import");
        };
        // The cache holds the files themselves: the counts come from the parsed content.
        let cached = store.cached_content().await.expect("read the cache");
        let parsed = cached.expect("content is cached").content;
        let areas: usize = parsed.ministries.iter().map(|m| m.areas.len()).sum();
        let aliases = lidzdaliba_bot::engine::names::of(&parsed.ministries).len();
        eprintln!(
            "content set {name}: {ministries} ministries, {areas} areas, {aliases} lookup names, \
             {contacts} contacts; import {:.0} ms",
            started.elapsed().as_secs_f64() * 1000.0
        );
        Engine::new(store, Lang::Lv)
            .await
            .expect("start the engine")
    });
    Set {
        name,
        engine: Arc::new(engine),
        _dir: dir,
    }
}

/// A made-up word that no real alias folds or stems to: four syllables and a final `k`, so no
/// Latvian ending is stripped and `word(n)` is distinct for every `n < 65,536`. Endings added
/// to it (`-a`, `-as`, `-u`) stem back to the same key, like real inflected aliases.
fn word(n: usize) -> String {
    const SYLLABLES: [&str; 16] = [
        "ba", "de", "gi", "ko", "lu", "ma", "ne", "pi", "ro", "su", "ta", "ve", "zi", "do", "fu",
        "ha",
    ];
    let mut out = String::with_capacity(9);
    let mut rest = n;
    for _ in 0..4 {
        out.push_str(SYLLABLES[rest % 16]);
        rest /= 16;
    }
    assert_eq!(rest, 0, "word number {n} is out of range");
    out.push('k');
    out
}

/// `count` generated `[[ministry]]` entries shaped like the real ones: about seven names
/// per ministry, four areas with nine names each, one contact, a note and sources.
fn synthetic_ministries(count: usize) -> String {
    let mut out = String::new();
    let mut next = 0;
    let mut fresh = || {
        next += 1;
        word(next)
    };
    for i in 0..count {
        let id = format!("x{i:04}");
        let w = fresh();
        let we = fresh();
        let _ = write!(
            out,
            r#"
[[ministry]]
id = "{id}"
abbr = "X{i}"
name.lv = "{w}a ministrija"
name.en = "Ministry of {we}"
website = "https://www.{id}.gov.lv"
participation_page = "https://www.{id}.gov.lv/lv/lidzdaliba"
aliases = [
  "{w}as ministrija",
  "{w}as ministrijas",
  "{w}as ministrijai",
  "{w}as ministrijā",
  "{we} ministry",
  "ministry for {we}",
  "{w}m",
]
note.lv = "Sabiedrības līdzdalību {w}as jomā koordinē ministrijas komunikācijas nodaļa; projekti ir TAP portālā."
note.en = "Public participation in {we} is coordinated by the ministry's communication division; drafts are in the TAP portal."
sources = ["https://www.{id}.gov.lv/lv/lidzdaliba"]
"#
        );
        for j in 0..AREAS_PER_MINISTRY {
            let a = fresh();
            let b = fresh();
            let c = fresh();
            let d = fresh();
            let _ = write!(
                out,
                r#"
[[ministry.area]]
id = "{id}_a{j}"
name.lv = "{a}a"
name.en = "{b}"
aliases = [
  "{a}as",
  "{a}u",
  "{a}ai",
  "{a}as politika",
  "{b} policy",
  "{c}i",
  "{c}u",
  "{d}s",
  "{d}a {c}u",
]
sources = ["https://likumi.lv/ta/id/{j}"]
"#
            );
        }
        let _ = write!(
            out,
            r#"
[[ministry.contact]]
kind = "ngo"
name = "Vārds Uzvārds"
role.lv = "kontaktpersona sadarbībai ar NVO"
role.en = "contact person for cooperation with NGOs"
email = "nvo@{id}.gov.lv"
phone = "67{i:06}"
source = "https://www.{id}.gov.lv/lv/lidzdaliba"
"#
        );
    }
    out
}

fn criterion_benches(c: &mut Criterion, rt: &Runtime, sets: &[Set]) {
    for set in sets {
        let mut group = c.benchmark_group(set.name);
        for (name, case) in cases() {
            let engine = Arc::clone(&set.engine);
            group.bench_function(name, |b| {
                b.iter(|| rt.block_on(run_case(&engine, black_box(&case))))
            });
        }
        group.finish();
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// Timed calls of one request: its samples, sorted.
struct Timings {
    sorted: Vec<Duration>,
    total: Duration,
}

impl Timings {
    fn p(&self, percent: f64) -> Duration {
        percentile(&self.sorted, percent)
    }
}

/// 10,000 timed calls of each request on each set (after 200 warm-up calls). The sets take
/// turns in rounds of [`TABLE_ROUND`] calls, so that other work on the machine weighs on both
/// alike and the last table, the ratio of each set's median to the first set's, compares like
/// with like.
fn latency_tables(rt: &Runtime, sets: &[Set]) {
    let cases = cases();
    // timings[set][case]
    let mut timings: Vec<Vec<Timings>> = sets.iter().map(|_| Vec::new()).collect();
    for (_, case) in &cases {
        let mut samples: Vec<Vec<Duration>> = sets
            .iter()
            .map(|_| Vec::with_capacity(TABLE_ITERATIONS))
            .collect();
        rt.block_on(async {
            for set in sets {
                for _ in 0..200 {
                    black_box(run_case(&set.engine, case).await);
                }
            }
            let budget = Instant::now();
            while samples[0].len() < TABLE_ITERATIONS && budget.elapsed() < TABLE_BUDGET {
                for (set, samples) in sets.iter().zip(samples.iter_mut()) {
                    for _ in 0..TABLE_ROUND {
                        let started = Instant::now();
                        black_box(run_case(&set.engine, case).await);
                        samples.push(started.elapsed());
                    }
                }
            }
        });
        for (set_timings, mut samples) in timings.iter_mut().zip(samples) {
            let total = samples.iter().sum();
            samples.sort_unstable();
            set_timings.push(Timings {
                sorted: samples,
                total,
            });
        }
    }
    for (set, set_timings) in sets.iter().zip(&timings) {
        println!(
            "\n{}: per-request latency over up to {TABLE_ITERATIONS} sequential calls (µs)",
            set.name
        );
        println!(
            "{:<18} {:>7} {:>9} {:>9} {:>9} {:>9} {:>9} {:>10}",
            "request", "calls", "mean", "p50", "p90", "p99", "max", "req/s"
        );
        for ((name, _), t) in cases.iter().zip(set_timings) {
            let calls = t.sorted.len();
            println!(
                "{:<18} {:>7} {:>9.1} {:>9.1} {:>9.1} {:>9.1} {:>9.1} {:>10.0}",
                name,
                calls,
                micros(t.total / calls as u32),
                micros(t.p(50.0)),
                micros(t.p(90.0)),
                micros(t.p(99.0)),
                micros(*t.sorted.last().expect("at least one sample")),
                calls as f64 / t.total.as_secs_f64(),
            );
        }
    }
    if let [first, rest @ ..] = sets
        && !rest.is_empty()
    {
        println!("\nmedian (p50) of each set over that of {}", first.name);
        print!("{:<18}", "request");
        for set in rest {
            print!(" {:>9}", set.name);
        }
        println!();
        for (i, (name, _)) in cases.iter().enumerate() {
            print!("{name:<18}");
            for set_timings in &timings[1..] {
                let ratio =
                    set_timings[i].p(50.0).as_secs_f64() / timings[0][i].p(50.0).as_secs_f64();
                print!(" {ratio:>8.2}x");
            }
            println!();
        }
    }
}

/// Requests per second when `tasks` tasks send `/contact <area>` at once (on the bot's kind of
/// runtime: multi-threaded, one worker per core).
fn concurrent_throughput(rt: &Runtime, set: &Set) {
    const AREAS: [&str; 6] = [
        "veselība",
        "izglītība",
        "tieslietas",
        "kultūra",
        "satiksme",
        "labklājība",
    ];
    println!(
        "\n{}: concurrent /contact <area> throughput (3,000 requests per run)",
        set.name
    );
    println!("{:>6} {:>10} {:>12}", "tasks", "req/s", "µs/request");
    for tasks in [1usize, 4, 16, 64] {
        let per_task = 3_000 / tasks;
        let started = Instant::now();
        rt.block_on(async {
            let mut joins = Vec::new();
            for t in 0..tasks {
                let engine = Arc::clone(&set.engine);
                joins.push(tokio::spawn(async move {
                    for i in 0..per_task {
                        let req = Request {
                            user_id: UserId((t * per_task + i) as i64),
                            language_code: Some("lv".into()),
                            chat: ChatKind::Private,
                            input: Input::Command {
                                name: "contact".into(),
                                arg: AREAS[i % AREAS.len()].into(),
                            },
                        };
                        black_box(engine.handle(&req).await);
                    }
                }));
            }
            for join in joins {
                join.await.expect("a benchmark task panicked");
            }
        });
        let elapsed = started.elapsed();
        let done = (per_task * tasks) as f64;
        println!(
            "{:>6} {:>10.0} {:>12.1}",
            tasks,
            done / elapsed.as_secs_f64(),
            elapsed.as_secs_f64() * 1e6 / done
        );
    }
}

/// What the dictionaries cost: reading both files once at start, and checking one word (a
/// real word, one typed without its marks, which tries the spellings with them, and a slip).
fn dictionary_benches(c: &mut Criterion) {
    let dir = Path::new(dictionary::DEFAULT_DIR);
    let mut group = c.benchmark_group("dictionary");
    group.sample_size(10);
    group.bench_function("load", |b| b.iter(|| black_box(Dictionary::read(dir))));
    group.finish();
    let loaded = Dictionary::read(dir);
    assert!(
        loaded.is_present(),
        "install hunspell-lv and hunspell-en-us"
    );
    let mut group = c.benchmark_group("dictionary");
    for (name, word) in [
        ("word_known", "medības"),
        ("word_without_marks", "medibas"),
        ("word_slip", "veslība"),
        ("word_english", "hunting"),
    ] {
        group.bench_function(name, |b| b.iter(|| black_box(loaded.may_be_typo(word))));
    }
    group.finish();
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("start the async runtime");
    // `ENGINE_SETS=real` skips the large set (for quick runs and profiling).
    let wanted = std::env::var("ENGINE_SETS").unwrap_or_else(|_| "real,x100".into());
    let sets: Vec<Set> = [("real", false), ("x100", true)]
        .into_iter()
        .filter(|(name, _)| wanted.split(',').any(|w| w.trim() == *name))
        .map(|(name, large)| open_set(&rt, name, large))
        .collect();

    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(50)
        .configure_from_args();
    // `ENGINE_CRITERION=off` leaves only the tables (a quicker run that compares the sets).
    if std::env::var("ENGINE_CRITERION").as_deref() != Ok("off") {
        dictionary_benches(&mut criterion);
        criterion_benches(&mut criterion, &rt, &sets);
        criterion.final_summary();
    }

    // Only under `cargo bench` (criterion's test mode, `cargo test --benches`, skips it).
    let benching = std::env::args().any(|a| a == "--bench");
    if benching && std::env::var("ENGINE_TABLE").as_deref() != Ok("off") {
        latency_tables(&rt, &sets);
        for set in &sets {
            concurrent_throughput(&rt, set);
        }
    }
}
