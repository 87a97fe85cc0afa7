//! What is open for public consultation on the TAP portal now (`/open`), following a ministry
//! or an area (`/follow`, `/unfollow`, 🔔), the message to a follower after a sync, and what
//! the cards show of TAP (a count and a button, the responsible persons).
//!
//! A list that is empty because TAP could not be read is never shown as "nothing is open":
//! when the last good read is older than twice the sync interval, the screen says when TAP was
//! last read and leads to the portal itself.

use super::{Ctx, Result, echo};
use crate::clock;
use crate::engine::action::Action;
use crate::engine::lookup::{Found, Target as Named};
use crate::engine::reply::{Button, Reply};
use crate::engine::request::ChatKind;
use crate::ids::UserId;
use crate::render::{Html, html};
use crate::tap::{self, Filter, Followed, OpenItem, OpenNow, Target};

/// At most this many consultations in one list (each with its own button): the rest are
/// counted, with the portal's own list one tap away.
pub(crate) const MAX_LISTED: usize = 10;

/// The portal's list of public consultations, for a person (the bot reads the same list,
/// sorted by deadline).
const PORTAL_LIST: &str = "https://tapportals.mk.gov.lv/public_participation";

impl Ctx<'_> {
    // ---- /open ---------------------------------------------------------------------------

    /// `/open` and its button: what is open now, closing soonest first.
    pub(in crate::engine) async fn open(&self, target: Option<&Target>) -> Result<Reply> {
        let filter = match target {
            None => Filter::All,
            Some(Target::Ministry(id)) => Filter::Ministry(id),
            Some(Target::Area(id)) => Filter::Area(id),
        };
        let open = self.open_now(filter).await?;
        let scope = target.map(|t| self.target_name(t));
        let mut text = Html::bold(self.t("open_title"));
        if let Some(scope) = &scope {
            text.push(&html!(" — {}", Html::text(scope)));
        }
        self.list_items(&mut text, &open, scope.is_some());
        let mut rows = self.item_rows(&open.items);
        rows.push(vec![self.portal_button()]);
        if let Some(target) = target {
            rows.push(vec![self.follow_button(target)]);
        }
        rows.push(vec![self.main_button()]);
        Ok(self.reply(text, rows))
    }

    /// `/open <words>`: the area or ministry the words name (the lookup of `/contact`), then
    /// what is open there.
    pub(in crate::engine) async fn open_by_query(&self, query: &str) -> Result<Reply> {
        if query.is_empty() {
            return self.open(None).await;
        }
        match self.resolve(query) {
            Resolved::One { target, note } => {
                let mut reply = self.open(Some(&target)).await?;
                if let Some(note) = note {
                    reply.text = html!("{}\n\n{}", Html::text(&note), reply.text);
                }
                Ok(reply)
            }
            Resolved::Choice(targets) => {
                Ok(self.choose(query, &targets, |t| Action::Open(Some(t))))
            }
            Resolved::Nothing => Ok(self.not_followable(query)),
        }
    }

    /// The consultations `filter` selects, or none (and a log line) when the tables cannot
    /// be read: the screen then says that TAP could not be read, not that nothing is open.
    async fn open_now(&self, filter: Filter<'_>) -> Result<OpenNow> {
        let today = clock::today_in_latvia();
        match self
            .tap
            .open_now(filter, &today, clock::unix_now(), self.tap_stale_after)
            .await
        {
            Ok(open) => Ok(open),
            Err(err) => {
                tracing::error!(error = %err, "cannot read the TAP consultations");
                Ok(OpenNow {
                    items: Vec::new(),
                    last_success: None,
                    stale: true,
                })
            }
        }
    }

    /// The items of `open` (at most [`MAX_LISTED`]) under `text`, then how to take part and
    /// when TAP was read; or why the list is empty.
    fn list_items(&self, text: &mut Html, open: &OpenNow, scoped: bool) {
        let read = open.last_success.map(|at| self.when(at));
        if open.items.is_empty() {
            let key = match (&read, open.stale) {
                (None, _) => "open_never",
                (Some(_), true) => "open_stale_empty",
                (Some(_), false) if scoped => "open_none_here",
                (Some(_), false) => "open_none",
            };
            let when = read.clone().unwrap_or_default();
            text.push(&html!(
                "\n\n{}",
                Html::text(&self.fill(key, &[("time", &when)]))
            ));
            return;
        }
        for (n, item) in open.items.iter().take(MAX_LISTED).enumerate() {
            text.push(&html!("\n\n{}", self.consultation(n + 1, item)));
        }
        if open.items.len() > MAX_LISTED {
            let more = (open.items.len() - MAX_LISTED).to_string();
            text.push(&html!(
                "\n\n{}",
                Html::text(&self.fill("open_more", &[("n", &more)]))
            ));
        }
        text.push(&html!("\n\n{}", Html::text(self.t("open_how"))));
        if let Some(read) = read {
            let key = if open.stale {
                "open_stale"
            } else {
                "open_read_at"
            };
            text.push(&html!(
                "\n{}",
                Html::text(&self.fill(key, &[("time", &read)]))
            ));
        }
    }

    /// One consultation: its title, TAP number and kind, period, ministry and responsible
    /// person.
    fn consultation(&self, n: usize, item: &OpenItem) -> Html {
        let mut text = Html::bold(&format!("{n}. {}", item.title));
        text.push(&html!(
            "\n{} · {}",
            Html::text(&item.number),
            Html::text(&item.kind)
        ));
        let left = if item.started {
            self.loaded.strings.plural(
                self.lang,
                "open_days_left",
                u64::try_from(item.days_left).unwrap_or(0),
            )
        } else {
            self.fill(
                "open_not_started",
                &[("date", &super::show_date(&item.starts, self.lang))],
            )
        };
        let period = self.fill(
            "open_period",
            &[
                ("starts", &super::show_date(&item.starts, self.lang)),
                ("ends", &super::show_date(&item.ends, self.lang)),
                ("left", &left),
            ],
        );
        text.push(&html!("\n{}", Html::text(&period)));
        let ministry = item
            .ministry_id
            .as_deref()
            .and_then(|id| self.catalog().ministry(id))
            .map_or(item.ministry_name.as_str(), |m| m.name.get(self.lang));
        if !ministry.is_empty() {
            text.push(&html!(
                "\n{}: {}",
                Html::text(self.t("open_ministry")),
                Html::text(ministry)
            ));
        }
        let person = item
            .responsible_person
            .as_deref()
            .map_or_else(|| Html::text(self.t("open_person_unknown")), Html::text);
        text.push(&html!(
            "\n{}: {}",
            Html::text(self.t("open_person")),
            person
        ));
        text
    }

    /// A button to each listed consultation's page on TAP, two a row.
    fn item_rows(&self, items: &[OpenItem]) -> Vec<Vec<Button>> {
        let buttons: Vec<Button> = items
            .iter()
            .take(MAX_LISTED)
            .enumerate()
            .map(|(n, item)| Button::Url {
                label: self.fill(
                    "open_item_button",
                    &[("n", &(n + 1).to_string()), ("number", &item.number)],
                ),
                url: item.url.clone(),
            })
            .collect();
        buttons.chunks(2).map(<[Button]>::to_vec).collect()
    }

    fn portal_button(&self) -> Button {
        Button::Url {
            label: self.t("open_portal").to_string(),
            url: PORTAL_LIST.to_string(),
        }
    }

    /// A time TAP was read, as a person reads it.
    fn when(&self, unix: u64) -> String {
        super::show_time(&clock::utc_time(unix), self.lang)
    }

    // ---- the cards -----------------------------------------------------------------------

    /// Under a ministry's card (or a lesson's): "open now at VM: 3" when something is open
    /// there, and 🔔 to follow it.
    pub(super) fn open_rows(&self, ministry: &str) -> Vec<Vec<Button>> {
        let target = Target::Ministry(ministry.to_string());
        let mut row = Vec::new();
        let count = self.tap_view.open_at_ministry(ministry);
        if count > 0 {
            let abbr = self.abbr(ministry);
            row.push(Button::action(
                self.fill(
                    "open_count_button",
                    &[("abbr", abbr), ("n", &count.to_string())],
                ),
                Action::Open(Some(target.clone())),
            ));
        }
        row.push(self.follow_button(&target));
        vec![row]
    }

    /// For a card of a ministry that names no NGO contact: the responsible persons of its
    /// drafts open now, as TAP names them; `None` when there are none.
    pub(super) fn open_persons(&self, ministry: &str) -> Option<Html> {
        let persons = self.tap_view.persons.get(ministry)?;
        if persons.is_empty() {
            return None;
        }
        Some(Html::text(&self.fill(
            "open_persons",
            &[
                ("abbr", self.abbr(ministry)),
                ("persons", &persons.join("; ")),
            ],
        )))
    }

    // ---- /follow -------------------------------------------------------------------------

    /// `/follow <words>`: follow the area or ministry they name.
    pub(in crate::engine) async fn follow_by_query(
        &self,
        user: UserId,
        chat: ChatKind,
        query: &str,
    ) -> Result<Reply> {
        match self.resolve(query) {
            Resolved::One { target, note } => {
                let mut reply = self.follow(user, chat, &target).await?;
                if let Some(note) = note {
                    reply.text = html!("{}\n\n{}", Html::text(&note), reply.text);
                }
                Ok(reply)
            }
            Resolved::Choice(targets) => Ok(self.choose(query, &targets, Action::Follow)),
            Resolved::Nothing => Ok(self.not_followable(query)),
        }
    }

    /// 🔔 and `/follow`: `user` (a private chat) follows `target`.
    pub(in crate::engine) async fn follow(
        &self,
        user: UserId,
        chat: ChatKind,
        target: &Target,
    ) -> Result<Reply> {
        if chat != ChatKind::Private {
            return Ok(self.plain_reply(self.t("follow_private")));
        }
        if !self.knows(target) {
            return Ok(self.stale_button());
        }
        let name = self.target_name(target);
        let key = match self.tap.follow(user.private_chat(), target).await {
            Ok(Followed::New) => {
                self.stats
                    .count(crate::stats::metric::REQUEST, "follow:new");
                "follow_done"
            }
            Ok(Followed::Already) => "follow_already",
            Ok(Followed::TooMany) => "follow_too_many",
            Err(err) => {
                tracing::error!(error = %err, "cannot store a follow");
                return Ok(self.error());
            }
        };
        let text = self.fill(
            key,
            &[("name", &name), ("max", &tap::MAX_FOLLOWS.to_string())],
        );
        let rows = vec![
            vec![Button::action(
                self.t("open_button"),
                Action::Open(Some(target.clone())),
            )],
            vec![
                Button::action(self.t("follows_button"), Action::Follows),
                self.main_button(),
            ],
        ];
        Ok(self.reply(Html::text(&text), rows))
    }

    /// `/unfollow <words>`: stop following what they name.
    pub(in crate::engine) async fn unfollow_by_query(
        &self,
        user: UserId,
        query: &str,
    ) -> Result<Reply> {
        match self.resolve(query) {
            Resolved::One { target, .. } => self.unfollow(user, &target).await,
            Resolved::Choice(targets) => Ok(self.choose(query, &targets, Action::Unfollow)),
            Resolved::Nothing => Ok(self.not_followable(query)),
        }
    }

    pub(in crate::engine) async fn unfollow(&self, user: UserId, target: &Target) -> Result<Reply> {
        let name = self.target_name(target);
        let key = match self.tap.unfollow(user.private_chat(), target).await {
            Ok(true) => "unfollow_done",
            Ok(false) => "unfollow_not",
            Err(err) => {
                tracing::error!(error = %err, "cannot delete a follow");
                return Ok(self.error());
            }
        };
        let rows = vec![vec![
            Button::action(self.t("follows_button"), Action::Follows),
            self.main_button(),
        ]];
        Ok(self.reply(Html::text(&self.fill(key, &[("name", &name)])), rows))
    }

    /// `/follow` alone: what this chat follows, each with its 🔕.
    pub(in crate::engine) async fn follows(&self, user: UserId) -> Result<Reply> {
        let targets = match self.tap.follows(user.private_chat()).await {
            Ok(targets) => targets,
            Err(err) => {
                tracing::error!(error = %err, "cannot read the follows");
                return Ok(self.error());
            }
        };
        let mut rows = Vec::new();
        let text = if targets.is_empty() {
            Html::text(self.t("follows_none"))
        } else {
            let mut text = Html::bold(self.t("follows_heading"));
            for target in &targets {
                let name = self.target_name(target);
                text.push(&html!("\n• {}", Html::text(&name)));
                rows.push(vec![
                    Button::action(
                        self.fill("open_button_named", &[("name", &name)]),
                        Action::Open(Some(target.clone())),
                    ),
                    Button::action(
                        self.fill("unfollow_button", &[("name", &name)]),
                        Action::Unfollow(target.clone()),
                    ),
                ]);
            }
            text.push(&html!("\n\n{}", Html::text(self.t("follows_how"))));
            text
        };
        rows.push(vec![self.main_button()]);
        Ok(self.reply(text, rows))
    }

    /// The message to a follower about new consultations it follows (after a sync).
    pub(in crate::engine) fn digest(&self, items: &[OpenItem]) -> Reply {
        let mut text = Html::bold(self.t("digest_heading"));
        for (n, item) in items.iter().take(MAX_LISTED).enumerate() {
            text.push(&html!("\n\n{}", self.consultation(n + 1, item)));
        }
        if items.len() > MAX_LISTED {
            let more = (items.len() - MAX_LISTED).to_string();
            text.push(&html!(
                "\n\n{}",
                Html::text(&self.fill("open_more", &[("n", &more)]))
            ));
        }
        text.push(&html!("\n\n{}", Html::text(self.t("open_how"))));
        let mut rows = self.item_rows(items);
        rows.push(vec![
            Button::action(self.t("follows_button"), Action::Follows),
            self.main_button(),
        ]);
        self.reply(text, rows)
    }

    // ---- pieces --------------------------------------------------------------------------

    /// What the words of `/open` or `/follow` name, as a TAP target: an area that `tap.toml`
    /// maps TAP's policy areas to is followed as itself; any other area by its ministry (TAP
    /// sorts drafts by ministry), which the note then says.
    fn resolve(&self, query: &str) -> Resolved {
        let found = self.loaded.index.lookup(query);
        match found.found {
            Found::One(named) => {
                let (target, by_ministry) = self.tap_target(&named);
                let mut note = (!found.as_typed).then(|| {
                    self.fill(
                        "lookup_showing",
                        &[("query", &echo(query)), ("match", &self.named(&named))],
                    )
                });
                if let Some(area) = by_ministry {
                    let line = self.fill(
                        "open_area_by_ministry",
                        &[("area", &area), ("abbr", self.abbr(&named.ministry))],
                    );
                    note = Some(match note {
                        Some(note) => format!("{note}\n{line}"),
                        None => line,
                    });
                }
                Resolved::One { target, note }
            }
            Found::Choice(named) => {
                let mut targets: Vec<Target> = Vec::new();
                for one in &named {
                    let target = self.tap_target(one).0;
                    if !targets.contains(&target) {
                        targets.push(target);
                    }
                }
                match <[Target; 1]>::try_from(targets) {
                    // The choices all come down to one ministry.
                    Ok([target]) => Resolved::One { target, note: None },
                    Err(targets) => Resolved::Choice(targets),
                }
            }
            Found::Nothing(_) => Resolved::Nothing,
        }
    }

    /// The TAP target of a lookup's answer, and the area's name when it stands for its
    /// ministry.
    fn tap_target(&self, named: &Named) -> (Target, Option<String>) {
        match &named.area {
            Some(area) if self.tap_maps(area) => (Target::Area(area.clone()), None),
            Some(area) => {
                let name = self
                    .catalog()
                    .area(area)
                    .map(|(a, _)| a.name.get(self.lang).to_string());
                (Target::Ministry(named.ministry.clone()), name)
            }
            None => (Target::Ministry(named.ministry.clone()), None),
        }
    }

    /// Whether `tap.toml` maps some TAP policy area to area `id`.
    fn tap_maps(&self, id: &str) -> bool {
        self.catalog()
            .tap
            .areas
            .iter()
            .any(|a| a.areas.iter().any(|x| x == id))
    }

    /// Whether the content has `target` (a button may be older than the content).
    fn knows(&self, target: &Target) -> bool {
        match target {
            Target::Ministry(id) => self.catalog().ministry(id).is_some(),
            Target::Area(id) => self.catalog().area(id).is_some(),
        }
    }

    /// "VM" for a ministry, "veselība (VM)" for an area.
    pub(super) fn target_name(&self, target: &Target) -> String {
        match target {
            Target::Ministry(id) => self.abbr(id).to_string(),
            Target::Area(id) => match self.catalog().area(id) {
                Some((area, ministry)) => {
                    format!("{} ({})", area.name.get(self.lang), ministry.abbr)
                }
                None => id.clone(),
            },
        }
    }

    fn named(&self, named: &Named) -> String {
        match &named.area {
            Some(area) => self.target_name(&Target::Area(area.clone())),
            None => self.target_name(&Target::Ministry(named.ministry.clone())),
        }
    }

    fn abbr<'s>(&'s self, ministry: &'s str) -> &'s str {
        self.catalog()
            .ministry(ministry)
            .map_or(ministry, |m| m.abbr.as_str())
    }

    fn follow_button(&self, target: &Target) -> Button {
        Button::action(
            self.fill("follow_button", &[("name", &self.target_name(target))]),
            Action::Follow(target.clone()),
        )
    }

    /// Several ministries fit the words: one button each.
    fn choose(&self, query: &str, targets: &[Target], action: impl Fn(Target) -> Action) -> Reply {
        let text = Html::text(&self.fill("ambiguous", &[("query", &echo(query))]));
        let mut rows: Vec<Vec<Button>> = targets
            .iter()
            .map(|t| vec![Button::action(self.target_name(t), action(t.clone()))])
            .collect();
        rows.push(vec![self.main_button()]);
        self.reply(text, rows)
    }

    /// Words that name no area or ministry.
    fn not_followable(&self, query: &str) -> Reply {
        self.unmatched(query);
        let text = Html::text(&self.fill("open_not_found", &[("query", &echo(query))]));
        let rows = vec![
            vec![Button::action(self.t("menu_contacts"), Action::Contacts)],
            vec![
                Button::action(self.t("open_button"), Action::Open(None)),
                self.main_button(),
            ],
        ];
        self.reply(text, rows)
    }
}

/// What the words of `/open`, `/follow` or `/unfollow` name.
enum Resolved {
    One {
        target: Target,
        /// Said above the answer: the words were read as another (a typo), or an area stands
        /// for its ministry.
        note: Option<String>,
    },
    Choice(Vec<Target>),
    Nothing,
}
