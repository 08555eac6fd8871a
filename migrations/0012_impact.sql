-- The impact report (issue 10, PRODUCT.md §8): daily aggregates only, no member ids.

-- One count per guild, local day, measure and band: members active (rolled up from
-- impact_seen), joins, room messages, volunteers' seconds on duty.
CREATE TABLE impact_daily (
    guild_id  INTEGER NOT NULL,
    day       TEXT NOT NULL,               -- 2026-12-01, in the guild's time zone
    metric    TEXT NOT NULL CHECK (metric IN ('active', 'joins', 'messages', 'duty_seconds')),
    band      TEXT NOT NULL DEFAULT '',    -- active: the member's audience; messages: the room's; else ''
    value     INTEGER NOT NULL,
    PRIMARY KEY (guild_id, metric, day, band)
);

-- Who was active today, as a keyed tag of (guild, day, member) that changes every day, so one
-- day's tags cannot be linked to another's. Rolled up into impact_daily and deleted once the
-- day is over (the daily job impact_rollup).
CREATE TABLE impact_seen (
    guild_id  INTEGER NOT NULL,
    day       TEXT NOT NULL,
    tag       TEXT NOT NULL,
    band      TEXT NOT NULL,
    PRIMARY KEY (guild_id, day, tag)
);

-- A volunteer's duty that has started and not ended yet (keyed by the volunteers row id, no
-- member id); when it ends, its seconds go to impact_daily per day and the row is deleted.
CREATE TABLE impact_duty_open (
    volunteer_id  INTEGER PRIMARY KEY,
    guild_id      INTEGER NOT NULL,
    since         TEXT NOT NULL
);
