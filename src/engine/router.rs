//! The one router: every request is parsed once into a [`Route`] and answered from one
//! exhaustive `match` per kind of input (commands, buttons, text), each arm calling its screen
//! in `screens/`. What a request counts is counted here (the request itself), plus what its
//! screen noted in the request's tally; the engine adds the language of the reply.

use super::action::Action;
use super::command::Command;
use super::reply::{InlineItem, Placement, Reply};
use super::request::{ChatKind, Input, Request};
use super::screens::Ctx;
use crate::clock;
use crate::ids::UserId;
use crate::stats::metric;
use crate::store::{ImportOutcome, StoreError, SyncError};

/// A request's input, parsed once.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Route<'a> {
    /// A command this user may use, and its argument text.
    Command(Command, &'a str),
    /// A command name this bot does not have, or an admin command sent by someone else.
    UnknownCommand(&'a str),
    /// A pressed button.
    Button(Action),
    /// A button whose data this version did not produce (stale, forged).
    StaleButton,
    Text(&'a str),
    NotText,
}

impl<'a> Route<'a> {
    fn parse(input: &'a Input, is_admin: bool) -> Self {
        match input {
            Input::Command { name, arg } => match Command::from_name(name) {
                // Admin commands do not exist for anyone else.
                Some(command) if command.is_admin_only() && !is_admin => {
                    Route::UnknownCommand(name)
                }
                Some(command) => Route::Command(command, arg),
                None => Route::UnknownCommand(name),
            },
            Input::Button(data) => Action::decode(data).map_or(Route::StaleButton, Route::Button),
            Input::Text(text) => Route::Text(text),
            Input::NotText => Route::NotText,
        }
    }
}

type Result<T> = std::result::Result<T, StoreError>;

/// The key of the toast that answers a button this version never made.
pub(super) const STALE_TOAST: &str = "stale_toast";

/// Answers `req` in `ctx` (see [`super::Engine::handle`]); `sync` imports the content folder
/// (for `/reload`).
pub(super) async fn handle<F, Sync>(ctx: &Ctx<'_>, req: &Request, sync: F) -> Option<Reply>
where
    F: FnOnce() -> Sync,
    Sync: Future<Output = std::result::Result<ImportOutcome, SyncError>>,
{
    let route = Route::parse(&req.input, ctx.admins.contains(&req.user_id));
    let private = req.chat == ChatKind::Private;
    let pressed = matches!(route, Route::Button(_));
    let answered = match route {
        Route::Command(command, arg) => {
            ctx.stats.count(metric::REQUEST, command.name());
            self::command(ctx, req, command, arg, sync).await.map(Some)
        }
        Route::UnknownCommand(name) => Ok(Some(ctx.unknown_command(name))),
        Route::Button(action) => {
            ctx.stats.count(metric::REQUEST, action.kind());
            button(ctx, req, &action).await.map(Some)
        }
        // A button this version never made: a toast, and the message stays as it is.
        Route::StaleButton => Ok(Some(ctx.toast(STALE_TOAST))),
        Route::Text(text) if private => text_in_private(ctx, req.user_id, text).await.map(Some),
        // In a group the bot answers commands only.
        Route::Text(_) => Ok(None),
        Route::NotText if private => Ok(Some(ctx.only_text())),
        Route::NotText => Ok(None),
    };
    match answered {
        // A pressed button's answer replaces its message, unless its screen placed it
        // elsewhere (a message of its own under the card: a prompt to answer, a refusal).
        Ok(reply) => reply.map(|r| match r.placement {
            Placement::New if pressed => r.placed(Placement::Edit),
            _ => r,
        }),
        Err(err) => {
            tracing::error!(error = %err, "store error while answering");
            Some(ctx.error())
        }
    }
}

/// Results for an inline query in `ctx` (see [`super::Engine::inline`]).
pub(super) async fn inline(ctx: &Ctx<'_>, query: &str) -> Vec<InlineItem> {
    match ctx.inline(query).await {
        Ok(items) => items,
        Err(err) => {
            tracing::error!(error = %err, "store error while answering an inline query");
            Vec::new()
        }
    }
}

async fn command<F, Sync>(
    ctx: &Ctx<'_>,
    req: &Request,
    command: Command,
    arg: &str,
    sync: F,
) -> Result<Reply>
where
    F: FnOnce() -> Sync,
    Sync: Future<Output = std::result::Result<ImportOutcome, SyncError>>,
{
    let user = req.user_id;
    let arg = arg.trim();
    Ok(match command {
        Command::Start if arg.is_empty() => ctx.main_menu(),
        // A deep link `t.me/<bot>?start=<payload>` opens exactly that item (a payload never
        // votes or reports: `Action::from_payload`).
        Command::Start => match Action::from_payload(arg) {
            Some(action) if ctx.exists(&action) => Box::pin(button(ctx, req, &action)).await?,
            _ => ctx.main_menu(),
        },
        Command::Help => ctx.help(),
        Command::Lessons if arg.is_empty() => ctx.lessons(),
        Command::Lessons => ctx.lesson_by_query(arg),
        Command::Guidelines if arg.is_empty() => ctx.guidelines(None),
        Command::Guidelines => ctx.section_by_query(arg),
        Command::Contact if arg.is_empty() => ctx.contacts(),
        Command::Contact => ctx.lookup(arg).await?,
        Command::Open => ctx.open_by_query(arg).await?,
        Command::Follow if arg.is_empty() => ctx.follows(user).await?,
        Command::Follow => ctx.follow_by_query(user, req.chat, arg).await?,
        Command::Unfollow if arg.is_empty() => ctx.follows(user).await?,
        Command::Unfollow => ctx.unfollow_by_query(user, arg).await?,
        Command::Specialists => ctx.specialists(),
        Command::Resources => ctx.resources(),
        Command::Search if arg.is_empty() => ctx.search_prompt(),
        Command::Search => ctx.search(arg).await?,
        Command::Language if arg.is_empty() => ctx.language_menu(),
        Command::Language => ctx.language_by_name(user, arg).await?,
        Command::About => ctx.about(),
        Command::Privacy => ctx.privacy(),
        Command::Forget => ctx.forget(user).await?,
        Command::Cancel => ctx.cancel_report(user),
        Command::Reload => ctx.reload(Box::pin(sync()).await),
        Command::Stats => ctx.stats(arg).await?,
        Command::Reports => ctx.reports(None).await?,
    })
}

async fn button(ctx: &Ctx<'_>, req: &Request, action: &Action) -> Result<Reply> {
    let user = req.user_id;
    Ok(match action {
        Action::Main => ctx.main_menu(),
        Action::Help => ctx.help(),
        Action::About => ctx.about(),
        Action::Lessons => ctx.lessons(),
        Action::Lesson(n) => ctx.lesson_or_list(*n),
        Action::Guidelines => ctx.guidelines(None),
        Action::Section(id) => ctx.section_or_list(id),
        Action::Contacts => ctx.contacts(),
        Action::Ministry(id) => ctx.ministry_card(id),
        Action::Area(id) => ctx.area_card(id),
        Action::Specialists => ctx.specialists(),
        Action::Resources => ctx.resources(),
        Action::Language => ctx.language_menu(),
        Action::SetLanguage(lang) => ctx.set_language(user, *lang).await?,
        Action::Vote { item, up } => {
            let day = clock::day(0);
            ctx.vote(item, *up, || ctx.ballots.cast(user, item, &day))
        }
        Action::Report(item) => ctx.ask_report(user, req.chat, item),
        Action::ReportContact(id) => ctx.consent_to_contact(user, *id).await?,
        Action::ReportClose { id, spam } if ctx.admins.contains(&user) => {
            ctx.close_report(*id, *spam).await?
        }
        // Admin buttons do not exist for anyone else.
        Action::ReportClose { .. } => ctx.stale_button(),
        Action::Open(target) => ctx.open(target.as_ref()).await?,
        Action::Follow(target) => ctx.follow(user, req.chat, target).await?,
        Action::Unfollow(target) => ctx.unfollow(user, target).await?,
        Action::Follows => ctx.follows(user).await?,
    })
}

/// Free text in a private chat: the report it was asked for (after 🚩), else a lookup.
async fn text_in_private(ctx: &Ctx<'_>, user: UserId, text: &str) -> Result<Reply> {
    match ctx.desk.take(user, clock::unix_now()) {
        Some(item) => {
            ctx.stats.count(metric::REQUEST, "report");
            ctx.file_report(user, &item, text).await
        }
        None => {
            ctx.stats.count(metric::REQUEST, "text");
            ctx.lookup(text).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn command(name: &str, arg: &str) -> Input {
        Input::Command {
            name: name.into(),
            arg: arg.into(),
        }
    }

    #[test]
    fn a_request_is_parsed_once_into_its_route() {
        let contact = command("kontakts", " VM ");
        assert_eq!(
            Route::parse(&contact, false),
            Route::Command(Command::Contact, " VM ")
        );
        let nope = command("nope", "");
        assert_eq!(Route::parse(&nope, true), Route::UnknownCommand("nope"));
        let lesson = Input::Button("l:3".into());
        assert_eq!(
            Route::parse(&lesson, false),
            Route::Button(Action::Lesson(3))
        );
        let forged = Input::Button("l:03".into());
        assert_eq!(Route::parse(&forged, false), Route::StaleButton);
        let text = Input::Text("veselība".into());
        assert_eq!(Route::parse(&text, false), Route::Text("veselība"));
        assert_eq!(Route::parse(&Input::NotText, false), Route::NotText);
    }

    #[test]
    fn admin_commands_exist_for_admins_only() {
        for &admin_only in Command::ADMIN {
            let input = command(admin_only.name(), "");
            assert_eq!(Route::parse(&input, true), Route::Command(admin_only, ""));
            assert_eq!(
                Route::parse(&input, false),
                Route::UnknownCommand(admin_only.name())
            );
        }
        let cancel = command("atcelt", "");
        assert_eq!(
            Route::parse(&cancel, false),
            Route::Command(Command::Cancel, "")
        );
    }
}
