from __future__ import annotations

import warnings
from datetime import date, timedelta

import pytest

from bot.services.crisis import crisis_contacts

LOCALES = ("fi", "sv", "en")
STALE_AFTER = timedelta(days=180)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_language_loads_with_the_emergency_number(locale):
    contacts = crisis_contacts(locale)
    assert contacts.locale == locale
    assert "112" in {c.detail for c in contacts.contacts}
    assert all(c.name and c.detail and c.note and c.key for c in contacts.contacts)


def test_every_language_lists_the_same_contacts_with_the_same_numbers():
    by_locale = {loc: {c.key: c.detail for c in crisis_contacts(loc).contacts} for loc in LOCALES}
    assert by_locale["fi"] == by_locale["sv"] == by_locale["en"]
    assert {"emergency", "mieli_fi", "mieli_sv", "sekasin", "mll_children", "caregivers"} <= set(by_locale["fi"])
    assert by_locale["fi"]["mll_children"] == "116 111"  # onboarding refers under-13s there


def test_no_contact_promises_an_immediate_answer():
    promises = ("heti vastaa", "vastataan heti", "svarar direkt", "answers at once", "answers immediately",
                "right away")
    for locale in LOCALES:
        for contact in crisis_contacts(locale).contacts:
            assert not any(p in contact.note.lower() for p in promises), contact


def test_unknown_language_gets_finnish():
    assert crisis_contacts("de").locale == "fi"
    assert crisis_contacts("sv-SE").locale == "sv"


@pytest.mark.parametrize("locale", LOCALES)
def test_warns_when_the_contacts_were_not_verified_lately(locale):
    verified = crisis_contacts(locale).last_verified
    assert verified <= date.today() + timedelta(days=1), "last_verified is in the future"
    if date.today() - verified > STALE_AFTER:
        warnings.warn(
            f"crisis contacts ({locale}) were last verified on {verified}: check every number and hour "
            "and update last_verified in bot/data/crisis/",
            stacklevel=1,
        )
