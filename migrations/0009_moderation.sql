-- Moderation (issue 7): cases grow what warnings, timeouts and channel actions need; every
-- correction of a case's reason is kept; reports; safety alerts and each server's own terms.

-- What a case did: a timeout's or slowmode's length, a warning's expiry, the channel acted on,
-- and whether the member could be told (NULL: not meant to be told, e.g. a private note).
ALTER TABLE cases ADD COLUMN duration_seconds INTEGER;
ALTER TABLE cases ADD COLUMN expires_at TEXT;
ALTER TABLE cases ADD COLUMN channel_id INTEGER;
ALTER TABLE cases ADD COLUMN member_told INTEGER CHECK (member_told IN (0, 1));
CREATE INDEX cases_by_target ON cases(guild_id, target_user_id);

-- A case's reason before each correction (sealed like the reason itself).
CREATE TABLE case_reason_edits (
    id              INTEGER PRIMARY KEY,
    case_id         INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    moderator_id    INTEGER NOT NULL,
    old_reason_enc  BLOB,
    edited_at       TEXT NOT NULL
);

-- Days a warning counts as active (/setup).
ALTER TABLE guilds ADD COLUMN warning_expiry_days INTEGER NOT NULL DEFAULT 90;

-- Moderators' own crisis phrases (``!`` first: a figurative use); not personal data.
CREATE TABLE safety_terms (
    guild_id    INTEGER NOT NULL,
    term        TEXT NOT NULL,
    added_by    INTEGER NOT NULL,
    added_at    TEXT NOT NULL,
    PRIMARY KEY (guild_id, term)
);

-- A safety alert: one per writer per few hours; later matches raise ``messages``.
CREATE TABLE safety_alerts (
    id                INTEGER PRIMARY KEY,
    guild_id          INTEGER NOT NULL,
    user_id           INTEGER NOT NULL,
    channel_id        INTEGER NOT NULL,
    message_id        INTEGER NOT NULL,       -- the latest matching message
    minor             INTEGER NOT NULL CHECK (minor IN (0, 1)),
    reached           INTEGER NOT NULL CHECK (reached IN (0, 1)),  -- the writer got the DM
    messages          INTEGER NOT NULL DEFAULT 1,
    status            TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'claimed', 'resolved')),
    claimed_by        INTEGER,
    writer_ok_at      TEXT,                   -- the writer pressed "I'm OK"
    card_channel_id   INTEGER,
    card_message_id   INTEGER,
    created_at        TEXT NOT NULL,
    last_at           TEXT NOT NULL
);
CREATE INDEX safety_alerts_by_writer ON safety_alerts(guild_id, user_id, created_at);

-- A reported message: one row and one card however many report it. The text is sealed.
CREATE TABLE reports (
    id                INTEGER PRIMARY KEY,
    guild_id          INTEGER NOT NULL,
    channel_id        INTEGER NOT NULL,
    message_id        INTEGER NOT NULL,
    author_id         INTEGER NOT NULL,
    text_enc          BLOB,
    status            TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'claimed', 'resolved')),
    claimed_by        INTEGER,
    outcome           TEXT,
    resolved_by       INTEGER,
    card_channel_id   INTEGER,
    card_message_id   INTEGER,
    created_at        TEXT NOT NULL,
    resolved_at       TEXT
);
CREATE UNIQUE INDEX reports_open_message ON reports(guild_id, message_id) WHERE status != 'resolved';

-- Who reported it, why, and their optional words (sealed). Only moderators see the reporter.
CREATE TABLE report_reporters (
    report_id    INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    reporter_id  INTEGER NOT NULL,
    reason       TEXT NOT NULL CHECK (reason IN ('harassment', 'unsafe', 'spam', 'other')),
    note_enc     BLOB,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (report_id, reporter_id)
);
CREATE INDEX report_reporters_by_reporter ON report_reporters(reporter_id);

-- A channel /mod lock closed: what each overwrite allowed before, so /mod unlock puts it back.
CREATE TABLE channel_locks (
    channel_id  INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    previous    TEXT NOT NULL,           -- JSON: {target id: {permission: true | false | null}}
    locked_at   TEXT NOT NULL
);
