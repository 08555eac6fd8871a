-- Privacy: how long each kind of data is kept, per guild, and who runs the service there.
ALTER TABLE guilds ADD COLUMN privacy_contact TEXT;                                   -- shown by /privacy
ALTER TABLE guilds ADD COLUMN retention_company_days INTEGER NOT NULL DEFAULT 30;     -- after a request ends
ALTER TABLE guilds ADD COLUMN retention_mood_days INTEGER NOT NULL DEFAULT 365;       -- moods, loneliness answers
ALTER TABLE guilds ADD COLUMN retention_case_days INTEGER NOT NULL DEFAULT 730;       -- closed reports, cases, alerts
ALTER TABLE guilds ADD COLUMN retention_job_days INTEGER NOT NULL DEFAULT 30;         -- finished scheduled jobs
ALTER TABLE guilds ADD COLUMN leaver_grace_days INTEGER NOT NULL DEFAULT 30;          -- a member who left is erased after

-- A member who left a server: erased there after the grace period unless they come back.
-- The row's id is the ref_id of its scheduled erase job.
CREATE TABLE member_departures (
    id        INTEGER PRIMARY KEY,
    guild_id  INTEGER NOT NULL,
    user_id   INTEGER NOT NULL,
    left_at   TEXT NOT NULL,
    UNIQUE (guild_id, user_id)
);
