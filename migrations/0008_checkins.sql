-- Check-ins (issue 8): personal check-ins by DM, room check-ins, moods, the monthly loneliness item.
-- Times: a wall-clock minute on weekdays in an IANA zone; every due instant is computed from them
-- (bot/services/checkin.py) and fires as a job (kind checkin_me / checkin_room, ref = occurrence).

-- One personal schedule per member. The DM channel is opened once, at opt-in, and kept, so each
-- scheduled DM is one request (POST /channels/{dm}/messages), even after a restart.
CREATE TABLE checkin_personal (
    id              INTEGER PRIMARY KEY,
    user_id         INTEGER NOT NULL UNIQUE,
    guild_id        INTEGER NOT NULL,           -- where they opted in: the company button asks there
    dm_channel_id   INTEGER NOT NULL,
    weekdays        INTEGER NOT NULL,           -- bit 0 = Monday … bit 6 = Sunday
    minute          INTEGER NOT NULL,           -- local minutes after midnight
    zone            TEXT NOT NULL,
    locale          TEXT NOT NULL,
    paused_until    TEXT,                       -- no check-in before this instant
    dms_closed_at   TEXT,                       -- a DM answered 403 50007: paused until they opt in again
    dms_notice_due  INTEGER NOT NULL DEFAULT 0, -- tell them once, privately, on their next interaction
    loneliness      INTEGER NOT NULL DEFAULT 0, -- opted in to the monthly loneliness question
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

-- Room check-ins scheduled by staff.
CREATE TABLE checkin_rooms (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    channel_id  INTEGER NOT NULL,
    weekdays    INTEGER NOT NULL,
    minute      INTEGER NOT NULL,
    zone        TEXT NOT NULL,
    locale      TEXT NOT NULL,
    prompt      TEXT,                 -- staff's own text; NULL: the default prompts in turn
    created_at  TEXT NOT NULL
);
CREATE INDEX checkin_rooms_by_guild ON checkin_rooms(guild_id, id);

-- Each due time of a schedule, once (UNIQUE): the job's ref_id. A room prompt keeps its counts
-- when its schedule is removed (room_id set NULL), for the impact report.
CREATE TABLE checkin_occurrences (
    id           INTEGER PRIMARY KEY,
    guild_id     INTEGER NOT NULL,
    personal_id  INTEGER REFERENCES checkin_personal(id) ON DELETE CASCADE,
    room_id      INTEGER REFERENCES checkin_rooms(id) ON DELETE SET NULL,
    due_at       TEXT NOT NULL,
    sequence     INTEGER NOT NULL DEFAULT 0,  -- room: which default prompt (rotation)
    channel_id   INTEGER,                     -- room: where the prompt was posted
    message_id   INTEGER,
    UNIQUE (personal_id, due_at),
    UNIQUE (room_id, due_at)
);
CREATE INDEX checkin_occurrences_by_personal ON checkin_occurrences(personal_id, due_at);

-- A member's own moods from personal check-ins: the value sealed; one per DM (a second click changes it).
CREATE TABLE checkin_moods (
    id             INTEGER PRIMARY KEY,
    user_id        INTEGER NOT NULL,
    occurrence_id  INTEGER NOT NULL,   -- no foreign key: the history outlives a stopped schedule
    mood_enc       BLOB NOT NULL,
    answered_at    TEXT NOT NULL,
    UNIQUE (user_id, occurrence_id)
);
CREATE INDEX checkin_moods_by_user ON checkin_moods(user_id, answered_at);

-- Anonymous room votes: a keyed hash of (prompt, member) stops double votes; no member id.
CREATE TABLE checkin_votes (
    occurrence_id  INTEGER NOT NULL REFERENCES checkin_occurrences(id) ON DELETE CASCADE,
    voter_tag      TEXT NOT NULL,
    mood           INTEGER NOT NULL,
    PRIMARY KEY (occurrence_id, voter_tag)
);

-- The monthly loneliness item (Statistics Finland / Eurostat), sealed like moods; one per month.
CREATE TABLE checkin_loneliness (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL,
    guild_id     INTEGER NOT NULL,
    month        TEXT NOT NULL,        -- 2026-12, in the member's zone
    answer_enc   BLOB NOT NULL,
    answered_at  TEXT NOT NULL,
    UNIQUE (user_id, month)
);
CREATE INDEX checkin_loneliness_by_month ON checkin_loneliness(guild_id, month);
