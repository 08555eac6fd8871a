-- Onboarding: the community rules staff edit per language, each member's choices, the panel.

-- Staff-edited community rules, one text per language. ``version`` is the guild's edit counter
-- at the time of this text: the guild's current version is the largest of its rows.
CREATE TABLE community_rules (
    guild_id    INTEGER NOT NULL,
    locale      TEXT NOT NULL,
    text        TEXT NOT NULL,
    version     INTEGER NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (guild_id, locale)
);

-- What a member chose when they accepted the rules (personal data: export and erase).
-- ``age_band``: '13-17', '18-29', or NULL for someone who is not a young person.
CREATE TABLE member_onboarding (
    guild_id       INTEGER NOT NULL,
    user_id        INTEGER NOT NULL,
    caregiver      INTEGER NOT NULL CHECK (caregiver IN (0, 1)),
    age_band       TEXT CHECK (age_band IN ('13-17', '18-29')),
    rules_version  INTEGER NOT NULL,
    accepted_at    TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (guild_id, user_id),
    CHECK (caregiver = 1 OR age_band IS NOT NULL)
);

-- The pinned "Start here" panel in the welcome channel, so /setup posts it once.
CREATE TABLE onboarding_panels (
    guild_id    INTEGER PRIMARY KEY,
    channel_id  INTEGER NOT NULL,
    message_id  INTEGER NOT NULL
);
