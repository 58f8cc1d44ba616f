"""Every screen Rafiq shows outside a flow: welcome, menu, booklet pages, help contacts, privacy.

Each function takes a translator and returns `Message`s; every interface text goes through gettext
so `pybabel extract` finds it and each locale's catalog can translate it.
"""

from __future__ import annotations

from bot.core.model import Button, Content, Message, Position, Service, ServiceKind
from bot.core.ports import Translator

# Button data. Short, because Telegram allows 64 bytes a button.
MENU = "m:menu"
BOOKLET = "m:book"
EXERCISES = "m:ex"
HELP_NOW = "m:sos"
LANGUAGE = "m:lang"
PRIVACY = "m:priv"
FORGET = "m:forget"
AGREE = "ok:agree"
DECLINE = "ok:no"
RESUME = "r:resume"
FORGET_YES = "f:yes"
FORGET_NO = "f:no"
PERSON = "h:person"
COUNTRY = "m:country"
NO_COUNTRY = "cc:-"
SAFE = "s:safe"
STILL_NEED_HELP = "s:help"
END_HANDOFF = "h:end"


def country_data(code: str) -> str:
    return f"cc:{code}"


def topic_data(topic_id: str) -> str:
    return f"t:{topic_id}"


def page_data(topic_id: str, page: int) -> str:
    return f"p:{topic_id}:{page}"


def flow_data(flow_id: str) -> str:
    return f"x:{flow_id}"


def locale_data(locale: str) -> str:
    return f"l:{locale}"


def _msg(tr: Translator, text: str, buttons: tuple[Button, ...] = ()) -> Message:
    return Message(text, buttons, tr.direction)


def welcome(tr: Translator, languages: int) -> Message:
    _ = tr.gettext
    text = "\n\n".join(
        (
            _("Hello, I am Rafiq. I share short readings and simple exercises for hard times."),
            _(
                "I am a computer program. I am not a doctor and not an emergency service. "
                "When you need a person, I show you who to contact."
            ),
            _(
                "I keep very little: a random number for you, your chat number so my replies "
                "reach you, your language, and where you are in the booklet or an exercise. "
                "I do not keep what you write. You can delete everything at any time with "
                "/forget."
            ),
            _("Do you agree to continue?"),
        )
    )
    buttons = [Button(_("Yes, let us start"), AGREE)]
    if languages > 1:
        buttons.append(Button(_("Change language"), LANGUAGE))
    buttons += [Button(_("Get help now"), HELP_NOW), Button(_("Not now"), DECLINE)]
    return _msg(tr, text, tuple(buttons))


def declined(tr: Translator) -> Message:
    _ = tr.gettext
    return _msg(
        tr,
        _("That is fine. I have kept nothing. Send /start whenever you want to come back."),
        (Button(_("Get help now"), HELP_NOW),),
    )


def resume_button(tr: Translator, content: Content, position: Position) -> Button | None:
    _ = tr.gettext
    if position.flow and position.flow.flow in content.flows:
        return Button(_("Continue the exercise"), RESUME)
    if position.reading and position.reading[0] in content.topics:
        return Button(_("Continue reading"), RESUME)
    return None


def menu(
    tr: Translator, content: Content, position: Position, intro: str | None = None
) -> Message:
    _ = tr.gettext
    buttons = [
        Button(_("Read the booklet"), BOOKLET),
        Button(_("Do an exercise"), EXERCISES),
        Button(_("Get help now"), HELP_NOW),
        Button(_("Language"), LANGUAGE),
        Button(_("Privacy"), PRIVACY),
    ]
    resume = resume_button(tr, content, position)
    if resume:
        buttons.insert(0, resume)
    return _msg(tr, intro or _("What would you like to do?"), tuple(buttons))


def topics(tr: Translator, content: Content, position: Position) -> Message:
    _ = tr.gettext
    buttons: list[Button] = []
    if position.reading and position.reading[0] in content.topics:
        topic_id, page = position.reading
        title = tr.pgettext(content.topics[topic_id].context, content.topics[topic_id].title)
        buttons.append(
            Button(_("Continue: {title}").format(title=title), page_data(topic_id, page))
        )
    for topic in content.topic_order():
        buttons.append(Button(tr.pgettext(topic.context, topic.title), topic_data(topic.id)))
    buttons.append(Button(_("Menu"), MENU))
    return _msg(tr, _("The self-help booklet. Choose a topic:"), tuple(buttons))


def page(
    tr: Translator, content: Content, topic_id: str, number: int, nav: bool = True
) -> Message:
    """One page of a topic (numbered from 1). Without `nav`, as shown inside a flow."""
    _ = tr.gettext
    topic = content.topics[topic_id]
    number = max(1, min(number, len(topic.pages)))
    title = tr.pgettext(topic.context, topic.title)
    body = tr.pgettext(topic.context, topic.pages[number - 1]).strip()
    header = _("{title} ({page}/{pages})").format(title=title, page=number, pages=len(topic.pages))
    if not nav:
        return _msg(tr, f"{header}\n\n{body}")
    buttons: list[Button] = []
    if number < len(topic.pages):
        buttons.append(Button(_("Next page"), page_data(topic_id, number + 1)))
    if number > 1:
        buttons.append(Button(_("Back"), page_data(topic_id, number - 1)))
    if number == len(topic.pages):
        for flow_id in topic.try_flows:
            flow = content.flows[flow_id]
            label = _("Try: {title}").format(title=tr.pgettext(flow.context, flow.title))
            buttons.append(Button(label, flow_data(flow_id)))
        for other in topic.related:
            related = content.topics[other]
            label = _("Read: {title}").format(title=tr.pgettext(related.context, related.title))
            buttons.append(Button(label, topic_data(other)))
    buttons += [Button(_("Topics"), BOOKLET), Button(_("Menu"), MENU)]
    return _msg(tr, f"{header}\n\n{body}", tuple(buttons))


def exercises(tr: Translator, content: Content) -> Message:
    _ = tr.gettext
    buttons = []
    for flow in content.flows.values():
        title = tr.pgettext(flow.context, flow.title)
        minutes = tr.ngettext("{n} minute", "{n} minutes", flow.minutes).format(n=flow.minutes)
        buttons.append(Button(f"{title} ({minutes})", flow_data(flow.id)))
    buttons.append(Button(_("Menu"), MENU))
    text = _("Short exercises for hard moments. You can stop any of them at any time. Choose one:")
    return _msg(tr, text, tuple(buttons))


def _service_lines(tr: Translator, service: Service) -> str:
    ctx = service.context
    lines = [f"• {tr.pgettext(ctx, service.name)}"]
    if service.phones:
        lines.append(
            "  " + tr.gettext("Phone: {numbers}").format(numbers=", ".join(service.phones))
        )
    if service.url:
        lines.append(f"  {service.url}")
    details = [tr.pgettext(ctx, t) for t in (service.hours, service.note) if t]
    lines += [f"  {d}" for d in details]
    return "\n".join(lines)


def contacts(
    tr: Translator, content: Content, country: str | None, categories: tuple[str, ...] = ()
) -> Message:
    """The help contacts, emergency numbers first; for a risk, only the few that fit it."""
    _ = tr.gettext
    if categories:
        services = content.referrals.for_risk(country, categories)
    else:
        services = content.referrals.for_country(country)
    parts = [_("People who can help:")]
    parts += [_service_lines(tr, s) for s in services]
    if not any(s.kind == ServiceKind.EMERGENCY for s in services):
        parts.append(_("If you are in danger now, call the local emergency number."))
    parts.append(
        _(
            "Rafiq is a computer program: it cannot call anyone or send help. If you or someone "
            "near you is in danger, call an emergency number now."
        )
    )
    return _msg(tr, "\n\n".join(parts))


def countries(tr: Translator, options: tuple[tuple[str, str], ...], first_time: bool) -> Message:
    """`options` are (code, name in the person's language)."""
    _ = tr.gettext
    text = _(
        "Which country are you in now? I use it only to show you the right help numbers. "
        "You can skip this."
    )
    buttons = tuple(Button(name, country_data(code)) for code, name in options)
    skip = _("Skip") if first_time else _("Another country / none")
    return _msg(tr, text, (*buttons, Button(skip, NO_COUNTRY)))


def person_requested(tr: Translator) -> Message:
    _ = tr.gettext
    return _msg(
        tr,
        _(
            "I have told the programme's team, without sharing what you wrote. Someone will "
            "write to you here when they can; this may not be right away. If you are in danger "
            "now, please call an emergency number."
        ),
    )


def end_handoff_button(tr: Translator) -> Button:
    return Button(tr.gettext("End the conversation"), END_HANDOFF)


def staff_joined(tr: Translator) -> Message:
    _ = tr.gettext
    text = _(
        "Someone from the programme's team is here now. You can write to them in this chat; "
        "they are a person, not Rafiq."
    )
    return _msg(tr, text, (end_handoff_button(tr),))


def from_staff(tr: Translator, text: str) -> Message:
    return _msg(
        tr, tr.gettext("A counsellor: {text}").format(text=text), (end_handoff_button(tr),)
    )


def handoff_over(tr: Translator) -> str:
    return tr.gettext(
        "The conversation with the team has ended. You can come back any time; /sos shows the "
        "help contacts."
    )


def after_hours(tr: Translator, hours: str) -> Message:
    _ = tr.gettext
    return _msg(
        tr,
        _(
            "The team answers {hours}. Right now it may be a while before someone writes back. "
            "If you are in danger, please call an emergency number now."
        ).format(hours=hours),
    )


def safety_check(tr: Translator) -> Message:
    _ = tr.gettext
    return _msg(
        tr,
        _("I am checking on you after earlier. Are you safe now?"),
        (Button(_("I'm safe"), SAFE), Button(_("I still need help"), STILL_NEED_HELP)),
    )


def glad_safe(tr: Translator) -> str:
    return tr.gettext(
        "Thank you for telling me. If things change, /sos shows the help contacts at any time."
    )


def with_buttons(message: Message, buttons: tuple[Button, ...]) -> Message:
    return Message(message.text, buttons, message.direction)


def back_buttons(tr: Translator, content: Content, position: Position) -> tuple[Button, ...]:
    """'Back to where I was' when there is somewhere to go back to, and the menu."""
    _ = tr.gettext
    resume = resume_button(tr, content, position)
    back = (Button(_("Back to where I was"), RESUME),) if resume else ()
    return (*back, Button(_("Menu"), MENU))


def urgent(tr: Translator) -> Message:
    _ = tr.gettext
    return _msg(
        tr,
        _(
            "Thank you for telling me. What you feel matters, and you do not have to face this "
            "alone. Please reach out to a person now. The contacts are below."
        ),
    )


def concern(tr: Translator) -> Message:
    _ = tr.gettext
    return _msg(
        tr,
        _(
            "That sounds very heavy. Feeling like this makes sense when life is this hard, "
            "and you do not have to carry it alone. Here are some things that may help."
        ),
    )


def privacy(tr: Translator, agreed_on: str | None = None) -> Message:
    _ = tr.gettext
    agreed = (_("You agreed to use Rafiq on {date}.").format(date=agreed_on),) if agreed_on else ()
    text = "\n\n".join(
        (
            *agreed,
            _("What Rafiq keeps about you:"),
            _(
                "• a random number instead of your name\n"
                "• your chat number, so replies reach you\n"
                "• your language and country\n"
                "• when you agreed to use Rafiq and when you last wrote\n"
                "• where you are in the booklet or in an exercise"
            ),
            _(
                "Rafiq does not keep what you write. A few exercises remember a word you choose "
                "to type, only until the exercise ends."
            ),
            _("You can delete everything now with the button below, or at any time with /forget."),
        )
    )
    return _msg(tr, text, (Button(_("Delete my data"), FORGET), Button(_("Menu"), MENU)))


def forget_confirm(tr: Translator) -> Message:
    _ = tr.gettext
    return _msg(
        tr,
        _("Delete everything Rafiq keeps about you? This cannot be undone."),
        (Button(_("Yes, delete everything"), FORGET_YES), Button(_("No, keep it"), FORGET_NO)),
    )


def forgotten(tr: Translator) -> Message:
    _ = tr.gettext
    return _msg(
        tr,
        _(
            "Done. Everything Rafiq kept about you is deleted. "
            "Send /start if you want to begin again."
        ),
    )


def command_lines(tr: Translator) -> tuple[str, ...]:
    """Each command with what it does, as "/sos - help contacts, at once", in the locale."""
    _ = tr.gettext
    return (
        _("/sos - help contacts, at once"),
        _("/menu - the main menu"),
        _("/stop - leave the current exercise"),
        _("/language - change language"),
        _("/country - change the country for help numbers"),
        _("/privacy - what Rafiq keeps about you"),
        _("/forget - delete everything about you"),
        _("/start - start again"),
        _("/help - this list"),
    )


def command_descriptions(tr: Translator) -> tuple[tuple[str, str], ...]:
    """(command, description) pairs, for a channel's command menu."""
    pairs = []
    for line in command_lines(tr):
        command, _, description = line.partition(" - ")
        pairs.append((command.strip().lstrip("/"), description.strip() or command))
    return tuple(pairs)


def commands(tr: Translator) -> Message:
    _ = tr.gettext
    intro = _("You can type these at any time, even in the middle of an exercise:")
    text = "\n".join((intro, "", *command_lines(tr)))
    return _msg(tr, text, (Button(_("Menu"), MENU),))


def languages(tr: Translator, options: tuple[tuple[str, str], ...]) -> Message:
    """`options` are (locale, name in its own language)."""
    _ = tr.gettext
    buttons = tuple(Button(name, locale_data(code)) for code, name in options)
    return _msg(tr, _("Choose your language:"), (*buttons, Button(_("Menu"), MENU)))


def stale_button(tr: Translator) -> str:
    return tr.gettext("That button is no longer active. Here is where you are now.")


def not_understood(tr: Translator) -> str:
    return tr.gettext("I understand the buttons best. Here is the menu.")


def choose_a_button(tr: Translator) -> str:
    return tr.gettext("Please choose one of the buttons.")


def nothing_to_read(tr: Translator) -> str:
    return tr.gettext("I can only read text messages. Here is the menu.")


def exercise_stopped(tr: Translator) -> str:
    return tr.gettext("We stopped the exercise. You can come back to it any time.")


def no_exercise(tr: Translator) -> str:
    return tr.gettext("You are not in an exercise right now.")


def exercise_done(tr: Translator) -> str:
    return tr.gettext("The exercise is finished. What would you like to do now?")


def empty_message(tr: Translator) -> str:
    return tr.gettext("I did not get any words. You can type a few, or use a button.")


def language_set(tr: Translator) -> str:
    return tr.gettext("Language changed.")
