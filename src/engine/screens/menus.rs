//! The main menu, help, the about screen and the language choice.

use super::{Ctx, Result, show_date, show_time};
use crate::engine::action::Action;
use crate::engine::reply::{Button, Reply};
use crate::ids::UserId;
use crate::lang::Lang;
use crate::render::{Html, html};

impl Ctx<'_> {
    pub(in crate::engine) fn main_menu(&self) -> Reply {
        let b = |key: &'static str, action| Button::action(self.t(key), action);
        self.reply(
            Html::text(self.t("welcome")),
            vec![
                vec![
                    b("menu_lessons", Action::Lessons),
                    b("menu_guidelines", Action::Guidelines),
                ],
                vec![
                    b("menu_contacts", Action::Contacts),
                    b("menu_specialists", Action::Specialists),
                ],
                vec![
                    b("menu_open", Action::Open(None)),
                    b("follows_button", Action::Follows),
                ],
                vec![
                    b("menu_resources", Action::Resources),
                    b("menu_language", Action::Language),
                ],
                vec![b("menu_about", Action::About), b("menu_help", Action::Help)],
            ],
        )
    }

    pub(in crate::engine) fn help(&self) -> Reply {
        self.reply(Html::text(self.t("help")), vec![vec![self.main_button()]])
    }

    pub(in crate::engine) fn about(&self) -> Reply {
        let mut text = Html::bold(self.t("about_heading"));
        let info = &self.catalog().info;
        text.push(&html!(
            "\n\n{}\n\n{}: {}\n{}: {}\n{}: {} ({})",
            Html::content(info.about.get(self.lang)),
            Html::bold(self.t("source")),
            Html::link(&info.source_url, info.source_name.get(self.lang)),
            Html::bold(self.t("content_date")),
            Html::text(&show_date(&info.content_date, self.lang)),
            Html::bold(self.t("imported_at")),
            Html::text(&show_time(&info.imported_at, self.lang)),
            Html::text(info.hash.short()),
        ));
        self.reply(
            text,
            vec![vec![
                Button::action(self.t("menu_help"), Action::Help),
                self.main_button(),
            ]],
        )
    }

    pub(in crate::engine) fn language_menu(&self) -> Reply {
        self.reply(
            Html::text(self.t("language_prompt")),
            vec![
                vec![
                    Button::action("🇱🇻 Latviešu", Action::SetLanguage(Lang::Lv)),
                    Button::action("🇬🇧 English", Action::SetLanguage(Lang::En)),
                ],
                vec![self.main_button()],
            ],
        )
    }

    pub(in crate::engine) async fn set_language(
        &self,
        user_id: UserId,
        lang: Lang,
    ) -> Result<Reply> {
        Box::pin(self.store.set_language(user_id, lang)).await?;
        let ctx = self.in_lang(lang);
        let mut reply = ctx.main_menu();
        reply.text = html!("{}\n\n{}", Html::text(ctx.t("language_set")), reply.text);
        Ok(reply)
    }
}
