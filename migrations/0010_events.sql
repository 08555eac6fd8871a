-- Events with RSVP, waiting lists and reminders; staff announcements (issue 9).

-- A weekly series: the template each occurrence is made from, ahead of time, by a job.
CREATE TABLE event_series (
    id              INTEGER PRIMARY KEY,
    guild_id        INTEGER NOT NULL,
    occurrences     INTEGER NOT NULL,          -- how many in all, the first included
    made            INTEGER NOT NULL DEFAULT 1, -- how many have been made so far
    status          TEXT NOT NULL DEFAULT 'active',  -- active | ended
    created_at      TEXT NOT NULL
);

-- One event (one occurrence of a series): its card, its Discord Scheduled Event, its RSVPs.
-- starts_at / ends_at are UTC; timezone is the server's zone when it was made, for the .ics
-- and for the next occurrence's wall-clock time. sequence rises on every change (the .ics).
CREATE TABLE events (
    id               INTEGER PRIMARY KEY,
    guild_id         INTEGER NOT NULL,
    series_id        INTEGER REFERENCES event_series(id),
    occurrence       INTEGER NOT NULL DEFAULT 1,
    channel_id       INTEGER NOT NULL,
    message_id       INTEGER,
    thread_id        INTEGER,
    discord_event_id INTEGER,
    organiser_id     INTEGER NOT NULL,
    title            TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    place            TEXT,
    voice_channel_id INTEGER,
    starts_at        TEXT NOT NULL,
    ends_at          TEXT NOT NULL,
    timezone         TEXT NOT NULL,
    capacity         INTEGER,                  -- NULL: no limit
    audience         TEXT,                     -- NULL: everyone; else caregiver | youth_minor | youth_adult
    locale           TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'scheduled',  -- scheduled | cancelled
    sequence         INTEGER NOT NULL DEFAULT 0,
    uid              TEXT NOT NULL UNIQUE,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX events_upcoming ON events(guild_id, status, starts_at);
CREATE INDEX events_by_discord_event ON events(discord_event_id);

-- A member's answer. going | waiting | maybe | no; waiting members are promoted in
-- ``position`` order. source 'interested' marks a Maybe that came from Discord's Interested.
-- previous: the status before the latest answer (one statement records an answer and says
-- what it replaced).
CREATE TABLE event_rsvps (
    event_id    INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL,
    status      TEXT NOT NULL,
    previous    TEXT,
    position    INTEGER NOT NULL,
    source      TEXT NOT NULL DEFAULT 'card',
    locale      TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (event_id, user_id)
);
CREATE INDEX event_rsvps_by_status ON event_rsvps(event_id, status, position);
CREATE INDEX event_rsvps_by_user ON event_rsvps(user_id);

-- Each reminder to each member, so a retried or re-run job never sends one twice:
-- sending (claimed, the send carries a nonce) → dm | thread | failed.
CREATE TABLE event_reminders (
    event_id    INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,   -- 24h | 1h
    user_id     INTEGER NOT NULL,
    outcome     TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (event_id, kind, user_id)
);

-- Staff announcements: a draft with a preview, then sent now or at send_at.
CREATE TABLE announcements (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    channel_id  INTEGER NOT NULL,
    author_id   INTEGER,                 -- NULL once the author's data is erased
    title       TEXT NOT NULL,
    text        TEXT NOT NULL,
    role_id     INTEGER,
    send_at     TEXT,
    status      TEXT NOT NULL DEFAULT 'draft',  -- draft | sending | scheduled | sent | cancelled | failed
    message_id  INTEGER,
    locale      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX announcements_by_guild ON announcements(guild_id, status, send_at);
