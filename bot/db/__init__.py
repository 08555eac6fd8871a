"""Storage: one aiosqlite connection, the migration runner and the repositories (the only SQL)."""
