-- Per-server settings made with /setup. Everything in Kohtaamo is keyed by guild_id.
CREATE TABLE guilds (
    guild_id    INTEGER PRIMARY KEY,
    locale      TEXT NOT NULL DEFAULT 'fi',
    timezone    TEXT NOT NULL DEFAULT 'Europe/Helsinki',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- The bot's roles (caregiver, youth_minor, youth_adult, volunteer, moderator, staff) mapped to Discord roles.
CREATE TABLE guild_roles (
    guild_id    INTEGER NOT NULL REFERENCES guilds(guild_id) ON DELETE CASCADE,
    role_key    TEXT NOT NULL,
    role_id     INTEGER NOT NULL,
    PRIMARY KEY (guild_id, role_key)
);

-- The bot's channels (modlog, volunteer_queue, announcements, welcome) mapped to Discord channels.
CREATE TABLE guild_channels (
    guild_id    INTEGER NOT NULL REFERENCES guilds(guild_id) ON DELETE CASCADE,
    channel_key TEXT NOT NULL,
    channel_id  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, channel_key)
);

-- A member's own choices (language now; audience later, from onboarding and /profile).
CREATE TABLE member_prefs (
    guild_id    INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    locale      TEXT,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);

-- Everything that fires later. The database is the truth; APScheduler only holds timers.
CREATE TABLE jobs (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER,
    kind        TEXT NOT NULL,
    ref_id      INTEGER NOT NULL,
    due_at      TEXT NOT NULL,            -- ISO 8601 UTC
    grace_s     INTEGER NOT NULL,         -- how late it may still fire after downtime
    status      TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'claimed', 'done', 'missed', 'cancelled')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX jobs_live ON jobs(kind, ref_id) WHERE status IN ('pending', 'claimed');
CREATE INDEX jobs_due ON jobs(status, due_at);
