-- Per-server limits of company requests, set with /setup.
ALTER TABLE guilds ADD COLUMN company_nudge_minutes INTEGER NOT NULL DEFAULT 10;
ALTER TABLE guilds ADD COLUMN company_daily_cap INTEGER NOT NULL DEFAULT 3;
