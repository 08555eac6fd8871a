-- The AutoMod rules of the 13–17 rooms (issue 6) keep no table: the bot finds its own rules on
-- Discord by creator and name (bot/ui/automod.py). This number was reserved for them while the
-- features were built side by side, and the runner refuses gaps, so it stays, changing nothing.
SELECT 1;
