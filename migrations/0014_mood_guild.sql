-- A mood keeps the guild it was answered for, so that a stopped schedule (its occurrences are
-- deleted with it) does not leave moods that belong to no server: the privacy export, the
-- erasure, the retention purge and the impact report all read it.
ALTER TABLE checkin_moods ADD COLUMN guild_id INTEGER;
UPDATE checkin_moods SET guild_id = COALESCE(
    (SELECT o.guild_id FROM checkin_occurrences o WHERE o.id = checkin_moods.occurrence_id),
    (SELECT p.guild_id FROM checkin_personal p WHERE p.user_id = checkin_moods.user_id));
CREATE INDEX checkin_moods_by_guild ON checkin_moods(guild_id, answered_at);
