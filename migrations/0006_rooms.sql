-- Moderated peer rooms (issue 6): a text channel bound to an audience, with optional opening
-- hours. Rooms hold no personal data: no member ids, no message text.
CREATE TABLE rooms (
    id                INTEGER PRIMARY KEY,
    guild_id          INTEGER NOT NULL,
    channel_id        INTEGER NOT NULL UNIQUE,
    name              TEXT NOT NULL,
    name_key          TEXT NOT NULL,      -- the name as Discord compares text channel names
    audience          TEXT NOT NULL
                      CHECK (audience IN ('caregivers', 'youth_13_17', 'youth_18_29', 'adults')),
    topic             TEXT,
    hours             TEXT,               -- canonical opening hours (bot/services/hours.py); NULL = always open
    language          TEXT NOT NULL,      -- the language of the pinned rules and the notices
    status            TEXT NOT NULL DEFAULT 'live' CHECK (status IN ('live', 'archived', 'gone')),
    closed            INTEGER NOT NULL DEFAULT 0,   -- the state the bot last put the channel in
    notice_message_id INTEGER,            -- the "closed until …" notice while closed
    next_change_id    INTEGER,            -- room_changes.id of its scheduled opening or closing
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE UNIQUE INDEX rooms_live_name ON rooms(guild_id, name_key) WHERE status = 'live';
CREATE INDEX rooms_by_guild ON rooms(guild_id, status);

-- The categories the bot made for rooms and archived rooms, one of each per server.
CREATE TABLE room_categories (
    guild_id    INTEGER NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('rooms', 'archive')),
    channel_id  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, kind)
);

-- A room's next opening or closing, the scheduled job's ref_id. A fresh row each time, so the
-- next change can be scheduled while the job of the last one is still running (a job's
-- (kind, ref_id) is unique while it is pending or running); older rows are deleted.
CREATE TABLE room_changes (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: a new id is a new job
    room_id  INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    due_at   TEXT NOT NULL
);
CREATE INDEX room_changes_by_room ON room_changes(room_id);
