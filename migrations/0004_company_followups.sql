-- Company follow-ups (issue 11): block by request, nothing the member writes is dropped,
-- and the honest "nobody is free" time per server.

-- A case made by request number (a block of an anonymous requester) names the request, never
-- the member: target_user_id stays NULL and request_id says which request it was.
ALTER TABLE cases ADD COLUMN request_id INTEGER;

-- Blocks made by request number keep the member's keyed tag only (as blocks always did).

-- What the member writes while waiting (and in the instant between a claim and the thread
-- opening): sealed like the topic, posted in the thread in order when the conversation opens,
-- then deleted. Goes with the request (ON DELETE CASCADE).
CREATE TABLE company_pending_messages (
    id          INTEGER PRIMARY KEY,
    request_id  INTEGER NOT NULL REFERENCES company_requests(id) ON DELETE CASCADE,
    text_enc    BLOB NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX company_pending_by_request ON company_pending_messages(request_id, id);

-- Minutes before a member whose request nobody took is told so honestly.
ALTER TABLE guilds ADD COLUMN company_honest_minutes INTEGER NOT NULL DEFAULT 60;
