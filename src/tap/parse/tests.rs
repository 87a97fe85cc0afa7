use super::*;

#[test]
fn latvian_dates_read_as_iso_dates() {
    assert_eq!(parse_date("03.10.2023.").as_deref(), Some("2023-10-03"));
    assert_eq!(parse_date(" 3.1.2024 ").as_deref(), Some("2024-01-03"));
    assert_eq!(parse_date("29.02.2024.").as_deref(), Some("2024-02-29"));
    for wrong in [
        "29.02.2023.",
        "31.04.2026.",
        "00.10.2023.",
        "10.13.2023.",
        "2023-10-03",
        "03.10.23.",
        "03.10.2023.1",
        "",
        "a.b.cdef",
    ] {
        assert_eq!(parse_date(wrong), None, "{wrong:?}");
    }
}

#[test]
fn periods_read_with_a_hyphen_or_a_dash_and_never_backwards() {
    let period = |s, e: &str| {
        Some(Period {
            starts: String::from(s),
            ends: e.into(),
        })
    };
    assert_eq!(
        parse_period("03.10.2023. - 16.10.2023."),
        period("2023-10-03", "2023-10-16")
    );
    assert_eq!(
        parse_period("11.09.2026.–25.09.2026."),
        period("2026-09-11", "2026-09-25")
    );
    assert_eq!(
        parse_period("25.09.2026. - 25.09.2026."),
        period("2026-09-25", "2026-09-25")
    );
    assert_eq!(parse_period("16.10.2023. - 03.10.2023."), None);
    assert_eq!(parse_period("03.10.2023."), None);
    assert_eq!(
        parse_period("03.10.2023. - 16.10.2023. - 17.10.2023."),
        None
    );
    assert_eq!(parse_period("līdz 16.10.2023."), None);
}

#[test]
fn announcement_times_read_with_their_minutes() {
    assert_eq!(
        parse_date_time("02.10.2023. 13:49").as_deref(),
        Some("2023-10-02 13:49")
    );
    assert_eq!(
        parse_date_time("2.10.2023. 9:05").as_deref(),
        Some("2023-10-02 09:05")
    );
    for wrong in [
        "02.10.2023.",
        "02.10.2023. 24:00",
        "02.10.2023. 13:60",
        "13:49",
        "02.10.2023. 13:4",
    ] {
        assert_eq!(parse_date_time(wrong), None, "{wrong:?}");
    }
}

/// The detail page as its stored text reads, each line in an element of its own.
fn detail_page(lines: &[&str]) -> String {
    let mut html = String::from(
        "<!DOCTYPE html><html><head><title>Sabiedrības līdzdalība</title>\
         <script>var label = \"Atbildīgā persona\";</script></head><body><main>",
    );
    for line in lines {
        html.push_str(&format!("<div class=\"x\"><span>{line}</span></div>\n"));
    }
    html.push_str("</main></body></html>");
    html
}

const TITLE: &str = "Grozījumi Ministru kabineta 2015. gada 13. janvāra noteikumos Nr. 18 \
                     &quot;Kārtība, kādā novērtē paredzētās darbības ietekmi uz vidi un \
                     akceptē paredzēto darbību&quot;";

fn stored_page() -> String {
    detail_page(&[
        "Projekta ID/ Uzdevuma numurs",
        "Tiesību akta/ diskusiju dokumenta nosaukums",
        TITLE,
        "Līdzdalības veids",
        "Publiskā apspriešana",
        "Dokumenti",
        "Mērķa apraksts",
        "Noteikumu projekts izstrādāts, lai īstenotu likumprojektu.",
        "Politikas jomas",
        "Vides aizsardzība",
        "Teritorija",
        "-",
        "Norises laiks",
        "03.10.2023. - 16.10.2023.",
        "Informācija",
        "Noteikumu projekts tiek nodots sabiedrības apspriedei.",
        "Sagatavoja",
        "Guna Šmerliņa (VARAM)",
        "Atbildīgā persona",
        "Laila Bremša (VARAM)",
        "Izsludināšanas datums",
        "02.10.2023. 13:49",
        "Iesniegtie iebildumi / priekšlikumi",
        "Atbildīgā persona",
        "Kāds cits",
    ])
}

fn listed_title() -> String {
    TITLE.replace("&quot;", "\"")
}

#[test]
fn a_detail_page_is_read_by_its_labels() {
    let detail = detail(&stored_page(), &listed_title()).unwrap();
    assert_eq!(
        detail,
        Detail {
            policy_areas: Some(vec!["Vides aizsardzība".into()]),
            held: Some(Period {
                starts: "2023-10-03".into(),
                ends: "2023-10-16".into()
            }),
            prepared_by: Some("Guna Šmerliņa (VARAM)".into()),
            responsible_person: Some("Laila Bremša (VARAM)".into()),
            announced: Some("2023-10-02 13:49".into()),
        }
    );
}

#[test]
fn a_label_and_its_value_may_share_one_element_split_by_markup() {
    let html = format!(
        "<html><body><p>{}</p><dl><dt>Politikas jomas:</dt><dd>Veselība, <b>Farmācija</b></dd>\
         <dt>Atbildīgā persona</dt><dd>Vārds Uzvārds (VM)<br><a href=\"mailto:a@vm.gov.lv\">a@vm.gov.lv</a></dd>\
         <dt>Norises laiks</dt><dd>1.9.2026.&nbsp;-&nbsp;15.9.2026.</dd></dl></body></html>",
        "Cilvēkiem paredzēto zāļu klīnisko pētījumu noteikumi"
    );
    let detail = detail(
        &html,
        "Cilvēkiem paredzēto zāļu klīnisko pētījumu noteikumi",
    )
    .unwrap();
    assert_eq!(
        detail.policy_areas,
        Some(vec!["Veselība".to_string(), "Farmācija".into()])
    );
    assert_eq!(
        detail.responsible_person.as_deref(),
        Some("Vārds Uzvārds (VM)")
    );
    assert_eq!(detail.held.unwrap().ends, "2026-09-15");
    assert_eq!((detail.prepared_by, detail.announced), (None, None));
}

#[test]
fn what_does_not_read_as_its_field_stays_unknown() {
    let html = stored_page()
        .replace("03.10.2023. - 16.10.2023.", "oktobrī")
        .replace("02.10.2023. 13:49", "vakar")
        .replace("Laila Bremša (VARAM)", "-")
        .replace("Vides aizsardzība", "-");
    let detail = detail(&html, &listed_title()).unwrap();
    assert_eq!(detail.held, None);
    assert_eq!(detail.announced, None);
    assert_eq!(detail.responsible_person, None);
    assert_eq!(detail.policy_areas, Some(vec![]), "'-' is: no policy area");
    assert_eq!(detail.prepared_by.as_deref(), Some("Guna Šmerliņa (VARAM)"));
    assert_eq!(detail.fields_read(), 2);
}

#[test]
fn a_page_without_the_title_or_without_labels_is_not_taken() {
    assert_eq!(
        detail(&stored_page(), "Kāds cits likumprojekts"),
        Err(PageError::Markup(
            "the page does not show the consultation's title".into()
        ))
    );
    let renamed = stored_page()
        .replace("Politikas jomas", "Jomas")
        .replace("Norises laiks", "Laiks")
        .replace("Sagatavoja", "Autors")
        .replace("Atbildīgā persona", "Kontakts")
        .replace("Izsludināšanas datums", "Datums");
    assert!(matches!(
        detail(&renamed, &listed_title()),
        Err(PageError::Markup(m)) if m.starts_with("none of the labels")
    ));
    // A label only in a script, or only in the objections, is no label.
    let script = "<html><head><script>Atbildīgā persona</script></head><body>\
                  Kritisko izejvielu likums</body></html>";
    assert!(detail(script, "Kritisko izejvielu likums").is_err());
}

#[test]
fn the_firewall_page_is_told_apart() {
    let waf = "<html><head><title>Request Rejected</title></head><body>The requested URL \
               was rejected. Please consult with your administrator.<br><br>Your support \
               ID is: 1234567890<br><br><a href='javascript:history.back();'>[Go Back]</a>\
               </body></html>";
    assert_eq!(detail(waf, "x"), Err(PageError::Rejected));
    assert_eq!(listing(waf, ""), Err(PageError::Rejected));
    assert_eq!(
        listing(
            "<html><body><h1>Sabiedrības līdzdalība</h1></body></html>",
            ""
        ),
        Err(PageError::NotListing)
    );
}

/// A trimmed copy of the live listing of September 2026 (head, four rows, the pager).
const LIVE: &str = include_str!("../../../tests/fixtures/tap/listing-2026-09.html");

#[test]
fn the_live_listing_reads_row_by_row() {
    let page = listing(LIVE, "https://tapportals.mk.gov.lv").unwrap();
    assert_eq!(page.total, Some(3082));
    assert!(page.has_next);
    let numbers: Vec<&str> = page.rows.iter().map(|r| r.number.as_str()).collect();
    assert_eq!(
        numbers,
        ["26-TA-2228", "26-TA-2066", "26-TA-2001", "26-TA-1836"]
    );
    assert_eq!(
        page.rows[0],
        ListedItem {
            id: "068eb73d-d89d-42ff-93c9-13421c4f9b09".into(),
            url: "https://tapportals.mk.gov.lv/public_participation/068eb73d-d89d-42ff-93c9-13421c4f9b09".into(),
            number: "26-TA-2228".into(),
            title: "Likumprojekts \"Grozījumi likumā \"Par audzinoša rakstura piespiedu \
                    līdzekļu piemērošanu bērniem\"\""
                .into(),
            kind: "Publiskā apspriešana".into(),
            period: Period {
                starts: "2026-09-11".into(),
                ends: "2026-09-25".into()
            },
            ministry: "Tieslietu ministrija".into(),
        }
    );
    assert_eq!(page.rows[1].kind, "Apspriede");
    assert_eq!(page.rows[1].ministry, "Veselības ministrija");
    // The login options of the last cell belong to no column.
    assert!(page.rows.iter().all(|r| !r.ministry.contains("persona")));
}

#[test]
fn a_row_that_no_longer_reads_fails_the_page() {
    let broken = LIVE.replacen("11.09.2026. - 25.09.2026.", "drīzumā", 1);
    assert!(matches!(
        listing(&broken, ""),
        Err(PageError::Markup(m)) if m.contains("row 1") && m.contains("drīzumā")
    ));
    let renamed = LIVE.replace(
        "data-column-header-name=\"Termiņš\"",
        "data-column=\"Termiņš\"",
    );
    assert!(matches!(listing(&renamed, ""), Err(PageError::Markup(_))));
    let no_rows = LIVE.replace("data-url=", "data-href=");
    let page = listing(&no_rows, "").unwrap();
    assert!(page.rows.is_empty(), "the sync decides what no rows mean");
}
