-- Anonymous "I need company" requests, routed to volunteers (PRODUCT.md §6).

-- Volunteers who take requests. /volunteer remove deletes the row.
CREATE TABLE volunteers (
    id              INTEGER PRIMARY KEY,      -- ref_id of the volunteer's off-duty job
    guild_id        INTEGER NOT NULL,
    user_id         INTEGER NOT NULL,
    display_name    TEXT NOT NULL,            -- what members see in the relay
    languages       TEXT NOT NULL,            -- comma-separated: en,fi,sv
    audiences       TEXT NOT NULL,            -- comma-separated: caregiver,youth_adult,youth_minor
    minors_cleared  INTEGER NOT NULL CHECK (minors_cleared IN (0, 1)),
    on_duty         INTEGER NOT NULL DEFAULT 0 CHECK (on_duty IN (0, 1)),
    on_duty_until   TEXT,                     -- ISO 8601 UTC; NULL while on duty = until /volunteer off
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    UNIQUE (guild_id, user_id)
);

-- One row per request. The member's user id is never stored in clear: requester_enc holds it
-- encrypted (for the relay and a moderator's reveal) and requester_tag a keyed fingerprint of
-- it (for "one open request per member", the daily cap and finding the member's request from a DM).
CREATE TABLE company_requests (
    id                INTEGER PRIMARY KEY,
    guild_id          INTEGER NOT NULL,
    requester_tag     TEXT NOT NULL,
    requester_enc     BLOB NOT NULL,
    pseudonym         INTEGER NOT NULL CHECK (pseudonym BETWEEN 1000 AND 9999),
    audience          TEXT NOT NULL CHECK (audience IN ('caregiver', 'youth_minor', 'youth_adult', 'unknown')),
    language          TEXT NOT NULL CHECK (language IN ('fi', 'sv', 'en')),
    kind              TEXT NOT NULL CHECK (kind IN ('chat_now', 'later_today', 'listen')),
    topic_enc         BLOB,                   -- encrypted; NULL when the member gave none
    locale            TEXT NOT NULL,          -- the member's language for DMs
    status            TEXT NOT NULL DEFAULT 'open'
                      CHECK (status IN ('open', 'claimed', 'ended', 'cancelled', 'withdrawn')),
    created_at        TEXT NOT NULL,
    give_up_at        TEXT NOT NULL,          -- when the member hears nobody is free ("keep waiting" moves it)
    escalated_at      TEXT,
    claimed_by        INTEGER,                -- the volunteer's user id
    claimed_at        TEXT,
    ended_at          TEXT,
    ended_by          TEXT CHECK (ended_by IN ('member', 'volunteer', 'moderator', 'system')),
    card_channel_id   INTEGER,
    card_message_id   INTEGER,
    thread_id         INTEGER,
    concern_raised_at TEXT
);
-- One open or claimed request per member, and a pseudonym is unique among a guild's live ones:
-- the database refuses a double click even if the service's checks were raced.
CREATE UNIQUE INDEX company_one_live_per_member ON company_requests(requester_tag)
    WHERE status IN ('open', 'claimed');
CREATE UNIQUE INDEX company_live_pseudonym ON company_requests(guild_id, pseudonym)
    WHERE status IN ('open', 'claimed');
CREATE INDEX company_by_member ON company_requests(requester_tag, created_at);
CREATE INDEX company_by_status ON company_requests(guild_id, status, created_at);
CREATE INDEX company_by_volunteer ON company_requests(guild_id, claimed_by) WHERE status = 'claimed';
CREATE UNIQUE INDEX company_by_thread ON company_requests(thread_id) WHERE thread_id IS NOT NULL;

-- Anonymous feedback, once per ended conversation.
CREATE TABLE company_feedback (
    request_id  INTEGER PRIMARY KEY REFERENCES company_requests(id) ON DELETE CASCADE,
    rating      INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    text_enc    BLOB,
    created_at  TEXT NOT NULL
);

-- Every /company reveal: who looked, when and why. Kept when the member's data is erased
-- (an audit trail), which is why request_id is not a foreign key.
CREATE TABLE company_reveals (
    id            INTEGER PRIMARY KEY,
    guild_id      INTEGER NOT NULL,
    request_id    INTEGER NOT NULL,
    moderator_id  INTEGER NOT NULL,
    reason_enc    BLOB NOT NULL,
    created_at    TEXT NOT NULL
);

-- Numbered moderation cases, per guild. Company blocks use it now; the moderation feature reuses it.
CREATE TABLE cases (
    id              INTEGER PRIMARY KEY,
    guild_id        INTEGER NOT NULL,
    number          INTEGER NOT NULL,
    kind            TEXT NOT NULL,            -- 'company_block', 'company_unblock', …
    target_user_id  INTEGER,                  -- moderators see this; never shown to volunteers
    moderator_id    INTEGER NOT NULL,
    reason_enc      BLOB,
    created_at      TEXT NOT NULL,
    UNIQUE (guild_id, number)
);

-- Members a moderator has blocked from asking for company, by the same keyed tag as requests.
CREATE TABLE company_blocks (
    guild_id    INTEGER NOT NULL,
    member_tag  TEXT NOT NULL,
    case_id     INTEGER NOT NULL REFERENCES cases(id),
    created_at  TEXT NOT NULL,
    PRIMARY KEY (guild_id, member_tag)
);
