"""Crisis contacts as the bot shows them: one list, in the reader's language."""

from __future__ import annotations

from bot.i18n import I18n
from bot.services.crisis import crisis_contacts


def crisis_text(i18n: I18n, locale: str) -> str:
    data = crisis_contacts(locale)
    lines = [i18n.t(locale, "If you need help now:")]
    lines += [f"• **{c.name}**: {c.detail}" + (f" ({c.note})" if c.note else "") for c in data.contacts]
    return "\n".join(lines)
