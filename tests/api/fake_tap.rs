//! A fake TAP portal on 127.0.0.1: the listing `/public_participation` in the live markup
//! (built from the saved copy of September 2026 in `tests/fixtures/tap/`), paged and sorted as
//! the portal does when asked (`order_by=application_deadline&order_direction=desc`, `page=N`),
//! and a page for each consultation with the labels the portal's pages show. Faults can be set
//! for the listing and for single consultations' pages: the firewall's "Request Rejected" page
//! (with 200), a status, no answer, broken markup, no rows, another page; and a `robots.txt`
//! (404 unless one is set). Every request is recorded with its User-Agent and time.
//!
//! Also used by `benches/tap.rs` (`#[path]`), so it depends on nothing else of the tests.

#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// The saved live listing: its head, rows and tail are the templates of every page served.
const LIVE: &str = include_str!("../fixtures/tap/listing-2026-09.html");
const ROW: &str = "<div class=\"grid grid--wrap grid--row flextable__row";

/// The firewall's answer to a request it rejects (served with 200).
pub const REJECTED: &str = "<html><head><title>Request Rejected</title></head><body>The \
    requested URL was rejected. Please consult with your administrator.<br><br>Your support ID \
    is: 11836571294626189251<br><br><a href='javascript:history.back();'>[Go Back]</a></body></html>";

/// One consultation the fake lists.
#[derive(Debug, Clone)]
pub struct Item {
    pub id: String,
    pub number: String,
    pub title: String,
    pub kind: String,
    /// `YYYY-MM-DD`.
    pub starts: String,
    pub ends: String,
    pub ministry: String,
    pub policy_areas: Vec<String>,
    pub prepared_by: String,
    pub person: String,
    /// `DD.MM.YYYY. HH:MM`, as the page shows it.
    pub announced: String,
}

/// What to answer instead of the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// The firewall's "Request Rejected" page, with 200.
    Rejected,
    Status(u16),
    /// No answer for this long.
    Hang(Duration),
    /// The live markup with the cells' column names changed.
    BrokenMarkup,
    /// The listing with no rows (as if nothing were listed).
    NoRows,
    /// A 200 with another page.
    OtherPage,
    /// A consultation's page whose labels are all renamed.
    NoLabels,
}

/// One request the fake answered.
#[derive(Debug, Clone)]
pub struct Request {
    pub path_and_query: String,
    pub user_agent: String,
    pub at: Instant,
}

#[derive(Default)]
struct Inner {
    items: Vec<Item>,
    page_size: usize,
    listing_fault: Option<Fault>,
    detail_faults: HashMap<String, Fault>,
    /// Serve the portal's default order (by number) whatever is asked.
    ignore_sort: bool,
    /// The `robots.txt` served (404 when `None`).
    robots: Option<String>,
    requests: Vec<Request>,
}

/// The fake portal's shared state.
#[derive(Clone)]
pub struct FakeTap {
    inner: Arc<Mutex<Inner>>,
    pub url: String,
}

impl FakeTap {
    /// Starts the fake on a free port of 127.0.0.1 with `items`, `page_size` rows a page.
    pub async fn start(items: Vec<Item>, page_size: usize) -> Self {
        let inner = Arc::new(Mutex::new(Inner {
            items,
            page_size,
            ..Inner::default()
        }));
        let app = Router::new()
            .route("/public_participation", get(listing))
            .route("/public_participation/{id}", get(detail))
            .route("/robots.txt", get(robots))
            .with_state(Arc::clone(&inner));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the fake TAP");
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { inner, url }
    }

    fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        f(&mut self.inner.lock().unwrap())
    }

    pub fn set_items(&self, items: Vec<Item>) {
        self.with(|i| i.items = items);
    }

    pub fn items(&self) -> Vec<Item> {
        self.with(|i| i.items.clone())
    }

    pub fn set_listing_fault(&self, fault: Option<Fault>) {
        self.with(|i| i.listing_fault = fault);
    }

    pub fn set_detail_fault(&self, id: &str, fault: Option<Fault>) {
        self.with(|i| match fault {
            Some(fault) => {
                i.detail_faults.insert(id.to_string(), fault);
            }
            None => {
                i.detail_faults.remove(id);
            }
        });
    }

    pub fn set_robots(&self, robots: Option<&str>) {
        self.with(|i| i.robots = robots.map(str::to_string));
    }

    pub fn ignore_sort(&self, ignore: bool) {
        self.with(|i| i.ignore_sort = ignore);
    }

    /// Every request so far, and forgets them.
    pub fn take_requests(&self) -> Vec<Request> {
        self.with(|i| std::mem::take(&mut i.requests))
    }
}

fn record(inner: &Arc<Mutex<Inner>>, path_and_query: String, headers: &HeaderMap) {
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    inner.lock().unwrap().requests.push(Request {
        path_and_query,
        user_agent,
        at: Instant::now(),
    });
}

fn html(body: String) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

/// What a fault answers, or `None` for the page itself (`Hang` waits first).
async fn faulted(fault: Option<Fault>) -> Option<Response> {
    match fault? {
        Fault::Rejected => Some(html(REJECTED.to_string())),
        Fault::Status(code) => Some(
            (
                StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                "<html><body><h1>Internal Server Error</h1></body></html>",
            )
                .into_response(),
        ),
        Fault::Hang(time) => {
            tokio::time::sleep(time).await;
            Some(html(REJECTED.to_string()))
        }
        Fault::OtherPage => Some(html(
            "<html><head><title>TAP portāls</title></head><body><h1>Notiek tehniskie darbi</h1>\
             <p>Lūdzu, mēģiniet vēlāk.</p></body></html>"
                .to_string(),
        )),
        Fault::BrokenMarkup | Fault::NoRows | Fault::NoLabels => None,
    }
}

async fn listing(State(inner): State<Arc<Mutex<Inner>>>, uri: Uri, headers: HeaderMap) -> Response {
    let query: HashMap<String, String> =
        url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
            .into_owned()
            .collect();
    let mut shown: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
    shown.sort();
    record(
        &inner,
        format!("/public_participation?{}", shown.join("&")),
        &headers,
    );
    let (mut items, page_size, fault, ignore_sort) = {
        let inner = inner.lock().unwrap();
        (
            inner.items.clone(),
            inner.page_size.max(1),
            inner.listing_fault.clone(),
            inner.ignore_sort,
        )
    };
    if let Some(response) = faulted(fault.clone()).await {
        return response;
    }
    let by_deadline = query.get("order_by").map(String::as_str) == Some("application_deadline")
        && query.get("order_direction").map(String::as_str) == Some("desc");
    if by_deadline && !ignore_sort {
        items.sort_by(|a, b| b.ends.cmp(&a.ends).then_with(|| b.number.cmp(&a.number)));
    } else {
        items.sort_by(|a, b| b.number.cmp(&a.number));
    }
    if fault == Some(Fault::NoRows) {
        items.clear();
    }
    let page: usize = query
        .get("page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1)
        .max(1);
    let mut body = listing_html(&items, page, page_size);
    if fault == Some(Fault::BrokenMarkup) {
        body = body.replace("data-column-header-name=", "data-column-name=");
    }
    html(body)
}

async fn robots(State(inner): State<Arc<Mutex<Inner>>>, headers: HeaderMap) -> Response {
    record(&inner, "/robots.txt".into(), &headers);
    let robots = inner.lock().unwrap().robots.clone();
    match robots {
        Some(text) => {
            (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain")], text).into_response()
        }
        None => (StatusCode::NOT_FOUND, "Not Found").into_response(),
    }
}

async fn detail(
    State(inner): State<Arc<Mutex<Inner>>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    record(&inner, format!("/public_participation/{id}"), &headers);
    let (item, fault) = {
        let inner = inner.lock().unwrap();
        (
            inner.items.iter().find(|i| i.id == id).cloned(),
            inner.detail_faults.get(&id).cloned(),
        )
    };
    if let Some(response) = faulted(fault.clone()).await {
        return response;
    }
    let Some(item) = item else {
        return (
            StatusCode::NOT_FOUND,
            "<html><body>Ieraksts nav atrasts.</body></html>",
        )
            .into_response();
    };
    let mut body = detail_page(&item);
    if fault == Some(Fault::NoLabels) {
        for (from, to) in [
            ("Politikas jomas", "Jomas"),
            ("Norises laiks", "Laiks"),
            ("Sagatavoja", "Autors"),
            ("Atbildīgā persona", "Kontaktpersona"),
            ("Izsludināšanas datums", "Datums"),
        ] {
            body = body.replace(from, to);
        }
    }
    html(body)
}

/// Today in Latvia as the bot takes it: which rows show the login options of an open
/// consultation.
fn today() -> String {
    lidzdaliba_bot::clock::today_in_latvia()
}

/// The date `days` after 1970-01-01.
pub fn date_of(days: i64) -> String {
    lidzdaliba_bot::clock::date_of_day(days)
}

/// The day number of `YYYY-MM-DD` (days since 1970-01-01).
pub fn day_of(date: &str) -> i64 {
    lidzdaliba_bot::clock::day_number(date).expect("a YYYY-MM-DD date")
}

/// `YYYY-MM-DD` as the portal writes it: `DD.MM.YYYY.`.
pub fn latvian(date: &str) -> String {
    let (y, rest) = date.split_once('-').unwrap();
    let (m, d) = rest.split_once('-').unwrap();
    format!("{d}.{m}.{y}.")
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The live listing's rows of September 2026: the first open (with the login options), the
/// third ended (without), as templates.
fn templates() -> (&'static str, &'static str) {
    let rows: Vec<&str> = LIVE.split(ROW).skip(1).collect();
    (rows[0], rows[2])
}

fn row(item: &Item, open: bool) -> String {
    let (open_row, ended_row) = templates();
    let (template, id, number, title, period, ministry) = if open {
        (
            open_row,
            "068eb73d-d89d-42ff-93c9-13421c4f9b09",
            "26-TA-2228",
            "Likumprojekts \"Grozījumi likumā \"Par audzinoša rakstura piespiedu līdzekļu piemērošanu bērniem\"\"",
            "11.09.2026. - 25.09.2026.",
            "Tieslietu ministrija",
        )
    } else {
        (
            ended_row,
            "f6a3b624-7be3-4fbd-8b14-8f4f049b005e",
            "26-TA-2001",
            "Nacionālie antidopinga noteikumi",
            "27.08.2026. - 10.09.2026.",
            "Veselības ministrija",
        )
    };
    // The template's own row ends where the pager or the next row starts.
    let template = template.split("<div class=\"pagination").next().unwrap();
    let kind_cell = |kind: &str| format!("<span class=\"flextable__value\">{kind}</span>");
    let filled = template
        .replacen(id, &item.id, 1)
        .replacen(number, &escape(&item.number), 1)
        .replacen(title, &escape(&item.title), 1)
        .replacen(
            &kind_cell("Publiskā apspriešana"),
            &kind_cell(&escape(&item.kind)),
            1,
        )
        .replacen(
            period,
            &format!("{} - {}", latvian(&item.starts), latvian(&item.ends)),
            1,
        )
        .replacen(ministry, &escape(&item.ministry), 1);
    format!("{ROW}{filled}")
}

/// Page `page` (from 1) of a listing of `items` (in the order given), `page_size` a page,
/// as the fake serves it.
pub fn listing_html(items: &[Item], page: usize, page_size: usize) -> String {
    let today = today();
    let rows: String = items
        .iter()
        .skip((page - 1) * page_size)
        .take(page_size)
        .map(|item| row(item, item.ends.as_str() >= today.as_str()))
        .collect();
    listing_page(
        &rows,
        page,
        items.len().div_ceil(page_size).max(1),
        items.len(),
    )
}

/// A consultation's page as the fake serves it.
pub fn detail_html(item: &Item) -> String {
    detail_page(item)
}

/// A listing page in the live markup: its head, `rows`, a pager for `page` of `pages`, and
/// "Atlasīti N ieraksti".
fn listing_page(rows: &str, page: usize, pages: usize, total: usize) -> String {
    let head = &LIVE[..LIVE.find(ROW).unwrap()];
    let tail = &LIVE[LIVE
        .find("</div><script>new VKPPub.ModaalFormLoader()")
        .unwrap()..];
    let link = |n: usize, rel: &str| {
        format!(
            "<span class=\"pagination__page\"><a {rel}href=\"/public_participation?order_by=application_deadline&amp;order_direction=desc&amp;page={n}\">{n}</a></span>"
        )
    };
    let mut nav = String::new();
    for n in 1..=pages {
        if n == page {
            nav.push_str(&format!(
                "<span class=\"pagination__page pagination__page--current\">{n}</span>"
            ));
        } else {
            nav.push_str(&link(n, if n == page + 1 { "rel=\"next\" " } else { "" }));
        }
    }
    format!(
        "{head}{rows}<div class=\"pagination grid grid--row grid__cell--justify--center grid--wrap\" \
         id=\"paginator-5712008\"><div class=\"grid__cell--lg--1 grid__cell--sm--12\"></div><div \
         class=\"pagination__block grid__cell--lg--6 grid__cell--md--7 grid__cell--sm--12 \
         grid__cell--justify--center\"><nav>{nav}</nav></div><div class=\"pagination__block \
         pagination__select grid__cell--lg--5 grid__cell--md--5 grid__cell--sm--12 \
         grid__cell--allign--center grid__cell--justify--center\"><div \
         class=\"pagination__total\">Atlasīti <span class=\"pagination__total-number\">{total}</span> \
         ieraksti.</div><div><span class=\"pagination__select-text\">Ierakstu skaits lapā</span><span \
         class=\"pagination__tooltip\">25</span></div></div><script>new VKP.Pagination;</script></div>{tail}"
    )
}

/// A consultation's page: the labels in the order the portal's pages show them, each with its
/// value, then the table of objections.
fn detail_page(item: &Item) -> String {
    let field = |label: &str, value: &str| {
        format!(
            "<div class=\"grid form__row\"><div class=\"form__label grid__cell--sm--12 \
             grid__cell--lg--3\">{label}</div><div class=\"form__value grid__cell--sm--12 \
             grid__cell--lg--9\">{value}</div></div>\n"
        )
    };
    let areas = if item.policy_areas.is_empty() {
        "-".to_string()
    } else {
        item.policy_areas
            .iter()
            .map(|a| format!("<div>{}</div>", escape(a)))
            .collect()
    };
    let mut body = String::from(
        "<!DOCTYPE html><html><head><title>Sabiedrības līdzdalība</title><script>\
         gon.labels={\"person\":\"Atbildīgā persona\"};</script></head><body><main>\
         <div class=\"content\">\n",
    );
    body.push_str(&field("Projekta ID/ Uzdevuma numurs", ""));
    body.push_str(&field(
        "Tiesību akta/ diskusiju dokumenta nosaukums",
        &escape(&item.title),
    ));
    body.push_str(&field("Līdzdalības veids", &escape(&item.kind)));
    body.push_str(&field(
        "Dokumenti",
        "<a href=\"/documents/1\">Projekts.docx</a>",
    ));
    body.push_str(&field(
        "Mērķa apraksts",
        "Projekta mērķis ir precizēt regulējumu.",
    ));
    body.push_str(&field("Politikas jomas", &areas));
    body.push_str(&field("Teritorija", "-"));
    body.push_str(&field(
        "Norises laiks",
        &format!("{} - {}", latvian(&item.starts), latvian(&item.ends)),
    ));
    body.push_str(&field(
        "Informācija",
        "Projekts tiek nodots sabiedrības apspriedei.",
    ));
    body.push_str(&field("Sagatavoja", &escape(&item.prepared_by)));
    body.push_str(&field("Atbildīgā persona", &escape(&item.person)));
    body.push_str(&field("Izsludināšanas datums", &item.announced));
    body.push_str(
        "<h2>Iesniegtie iebildumi / priekšlikumi</h2><table><tr><th>Iebilduma / priekšlikuma \
         iesniedzējs</th><th>Iebilduma / priekšlikuma būtība</th><th>Iesniegts</th></tr><tr>\
         <td>Biedrība</td><td>Atbildīgā persona</td><td>Sagatavoja</td></tr></table>",
    );
    body.push_str("</div></main></body></html>");
    body
}

/// 25 rows of the live listing of September 2026 (numbers, titles, kinds, ministries and
/// ids as published), with periods set around `today` so that the first `open` (by deadline)
/// have not ended: consultation `n` (0-based, latest deadline first) ends `open - 1 - n` days
/// after `today`, and lasts 14 days. Their pages name placeholder persons, and the policy
/// area "Vides aizsardzība" (every fourth, from the first) or a placeholder one.
pub fn sample(today: &str, open: usize) -> Vec<Item> {
    const ROWS: &[(&str, &str, &str, &str, &str)] = &[
        (
            "068eb73d-d89d-42ff-93c9-13421c4f9b09",
            "26-TA-2228",
            "Likumprojekts \"Grozījumi likumā \"Par audzinoša rakstura piespiedu līdzekļu piemērošanu bērniem\"\"",
            "Publiskā apspriešana",
            "Tieslietu ministrija",
        ),
        (
            "42d96ede-af00-4136-b5fe-9a067f5e9737",
            "26-TA-2227",
            "Likumprojekts \"Grozījumi Kriminālprocesa likumā\"",
            "Publiskā apspriešana",
            "Tieslietu ministrija",
        ),
        (
            "e312eed2-109a-427a-9670-dcf653859495",
            "26-TA-2217",
            "Likumprojekts \"Grozījumi Krimināllikumā\"",
            "Publiskā apspriešana",
            "Tieslietu ministrija",
        ),
        (
            "fb8e6ca9-2ffd-4f9e-ac2f-9b4558f7b0d6",
            "26-TA-2104",
            "Grozījumi Ministru kabineta 2020. gada 30. jūnija noteikumos Nr. 422 \"Kārtība, kādā paziņo lēmumu par soda piemērošanu par apstāšanās vai stāvēšanas noteikumu pārkāpumiem, ja transportlīdzekļa vadītājs neatrodas pārkāpuma izdarīšanas vietā\"",
            "Publiskā apspriešana",
            "Satiksmes ministrija",
        ),
        (
            "900fe3a3-6776-435f-8b1c-a5f859dfb4c8",
            "26-TA-2095",
            "Kritisko izejvielu likums",
            "Publiskā apspriešana",
            "Ekonomikas ministrija",
        ),
        (
            "bd4fa25b-84c5-4463-b3d2-d95789a8bc0f",
            "26-TA-2087",
            "Grozījumi Rūpnieciskā īpašuma institūciju un procedūru likumā",
            "Publiskā apspriešana",
            "Tieslietu ministrija",
        ),
        (
            "11b735fe-f972-4f48-aa28-1934ac2c4f5c",
            "26-TA-2066",
            "Cilvēkiem paredzēto zāļu klīnisko pētījumu noteikumi",
            "Apspriede",
            "Veselības ministrija",
        ),
        (
            "0434271b-9d74-42d0-a1a8-9d0ce3c756da",
            "26-TA-2037",
            "Par Zāļu valsts aģentūras 2027. gada budžeta apstiprināšanu",
            "Publiskā apspriešana",
            "Veselības ministrija",
        ),
        (
            "8921c9e8-7e65-4a92-a261-db58c6d6df59",
            "26-TA-2033",
            "Kārtība, kādā valsts dibinātas augstskolas un koledžas finansē no valsts budžeta līdzekļiem",
            "Publiskā apspriešana",
            "Izglītības un zinātnes ministrija",
        ),
        (
            "0a2cd2bf-b9fb-48ef-8df8-4a9fec22afd5",
            "26-TA-2028",
            "Grozījums likumā \"Par interešu konflikta novēršanu valsts amatpersonu darbībā\"",
            "Publiskā apspriešana",
            "Iekšlietu ministrija",
        ),
        (
            "96b17cb1-d586-4981-885c-b66eb9b7a09d",
            "26-TA-2002",
            "Grozījums Ministru kabineta 2014. gada 23. decembra noteikumos Nr. 796 \"Noteikumi par rūpnieciskās zvejas limitiem un to izmantošanas kārtību iekšējos ūdeņos\"",
            "Publiskā apspriešana",
            "Zemkopības ministrija",
        ),
        (
            "f6a3b624-7be3-4fbd-8b14-8f4f049b005e",
            "26-TA-2001",
            "Nacionālie antidopinga noteikumi",
            "Publiskā apspriešana",
            "Veselības ministrija",
        ),
        (
            "822ded44-6149-4457-81cc-2c8657b5f110",
            "26-TA-1986",
            "Kritēriji un kārtība izglītības apguvei ģimenē, tālmācībā un nepilna laika klātienē",
            "Publiskā apspriešana",
            "Izglītības un zinātnes ministrija",
        ),
        (
            "fd847840-519a-427e-aa83-a72a52aa5d0f",
            "26-TA-1985",
            "Grozījumi Bērnu tiesību aizsardzības likumā",
            "Publiskā apspriešana",
            "Labklājības ministrija",
        ),
        (
            "a9d9303b-8a87-4171-8aea-5edd695c02dd",
            "26-TA-1980",
            "Grozījumi Ministru kabineta 2010. gada 10. augusta noteikumos Nr. 764 \"Noteikumi par sertificēšanas institūcijām, kuras izsniedz sertifikātu ģeodēzisko darbu veicējam, zemes kadastrālajam uzmērītājam un zemes ierīcības darbu veicējam\"",
            "Publiskā apspriešana",
            "Tieslietu ministrija",
        ),
        (
            "1e29542c-0890-4892-a880-174d70c5eb07",
            "26-TA-1974",
            "Grozījumi Ministru kabineta 2018. gada 20. februāra noteikumos Nr. 95 \"Noteikumi par valsts palīdzību dzīvojamās telpas iegādei vai būvniecībai\"",
            "Publiskā apspriešana",
            "Ekonomikas ministrija",
        ),
        (
            "0b0eab98-4a5d-4d60-bbe5-cb53ae3df9c3",
            "26-TA-1919",
            "Grozījums Ministru kabineta 2024. gada 27. augusta noteikumos Nr. 577 \"Vēja elektrostaciju maksājumu kārtība vietējās kopienas attīstībai\"",
            "Publiskā apspriešana",
            "Klimata un enerģētikas ministrija",
        ),
        (
            "4f4003da-207f-4099-8030-3cf0c26a4437",
            "26-TA-1911",
            "Grozījumi Ministru kabineta 2022. gada 13. septembra noteikumos Nr. 572 \"Valsts un Eiropas Savienības atbalsta piešķiršanas kārtība pasākumā \"Investīcijas zvejas un akvakultūras produktu apstrādē\"\"",
            "Publiskā apspriešana",
            "Zemkopības ministrija",
        ),
        (
            "a886c048-189e-42d2-9995-c1390e9106bc",
            "26-TA-1901",
            "Grozījumi Ministru kabineta 2018. gada 26. jūnija noteikumos Nr. 354 \"Audžuģimenes noteikumi\"",
            "Publiskā apspriešana",
            "Labklājības ministrija",
        ),
        (
            "d0d80171-1f68-46ad-9d92-b71604f6dfc2",
            "26-TA-1895",
            "Noteikumi par ievešanai (importēšanai) Latvijā aizliegtām rūpniecības precēm",
            "Publiskā apspriešana",
            "Ārlietu ministrija",
        ),
        (
            "05b9bd02-19f0-4cac-bc0c-18b101c9a1b4",
            "26-TA-1893",
            "Grozījumi likumā \"Par valsts sociālo apdrošināšanu\"",
            "Publiskā apspriešana",
            "Ekonomikas ministrija",
        ),
        (
            "740b73e2-6874-419e-9f56-c67d2aa7f1d2",
            "26-TA-1884",
            "Grozījumi Ministru kabineta 2015. gada 15. decembra noteikumos Nr. 720 \"Patentu valdes nolikums\"",
            "Publiskā apspriešana",
            "Tieslietu ministrija",
        ),
        (
            "c6a0bb40-57a2-411b-a820-07c692e7d0c1",
            "26-TA-1883",
            "Grozījumi Ministru kabineta 2024. gada 5. novembra noteikumos Nr. 702 \"Vienotā valsts interneta plūsmu apmaiņas punkta darbības noteikumi\"",
            "Publiskā apspriešana",
            "Aizsardzības ministrija",
        ),
        (
            "5341f46a-41e8-4aa0-960e-615a2dc98e61",
            "26-TA-1864",
            "Grozījums Ministru kabineta 2022. gada 20. septembra noteikumos Nr. 594 \"Eiropas Savienības Atveseļošanas un noturības mehānisma plāna 1.2. reformu un investīciju virziena \"Energoefektivitātes uzlabošana\"\"",
            "Publiskā apspriešana",
            "Ekonomikas ministrija",
        ),
        (
            "c880ba3d-6789-494e-98c8-6ad8f93ec4cd",
            "26-TA-1836",
            "Grozījumi Kriminālprocesa likumā",
            "Publiskā apspriešana",
            "Tieslietu ministrija",
        ),
    ];
    let today = day_of(today);
    ROWS.iter()
        .enumerate()
        .map(|(n, (id, number, title, kind, ministry))| {
            let ends = today + open as i64 - 1 - n as i64;
            let abbr = abbreviation(ministry);
            let green = n % 4 == 0;
            Item {
                id: id.to_string(),
                number: number.to_string(),
                title: title.to_string(),
                kind: kind.to_string(),
                starts: date_of(ends - 14),
                ends: date_of(ends),
                ministry: ministry.to_string(),
                policy_areas: if green {
                    vec!["Vides aizsardzība".into()]
                } else {
                    vec!["Testa joma".into()]
                },
                prepared_by: format!("Sagatavotājs {n} ({abbr})"),
                person: format!("Atbildīgais {n} ({abbr})"),
                announced: format!("{} 09:{:02}", latvian(&date_of(ends - 15)), n % 60),
            }
        })
        .collect()
}

/// `total` consultations shaped like [`sample`]'s (its rows over again, each with an id and a
/// number of its own), 25 ending each day, the first `open` of them open on `today`.
pub fn many(today: &str, open: usize, total: usize) -> Vec<Item> {
    let base = sample(today, 0);
    let today = day_of(today);
    (0..total)
        .map(|n| {
            let mut item = base[n % base.len()].clone();
            let ends = today + (open as i64 - 1 - n as i64).div_euclid(25);
            item.id = format!("00000000-0000-4000-8000-{n:012}");
            item.number = format!("26-TA-{}", 9000 + n);
            item.ends = date_of(ends);
            item.starts = date_of(ends - 14);
            item
        })
        .collect()
}

fn abbreviation(ministry: &str) -> &'static str {
    match ministry {
        "Tieslietu ministrija" => "TM",
        "Satiksmes ministrija" => "SM",
        "Ekonomikas ministrija" => "EM",
        "Veselības ministrija" => "VM",
        "Izglītības un zinātnes ministrija" => "IZM",
        "Iekšlietu ministrija" => "IeM",
        "Zemkopības ministrija" => "ZM",
        "Labklājības ministrija" => "LM",
        "Klimata un enerģētikas ministrija" => "KEM",
        "Ārlietu ministrija" => "ĀM",
        "Aizsardzības ministrija" => "AM",
        _ => "-",
    }
}
