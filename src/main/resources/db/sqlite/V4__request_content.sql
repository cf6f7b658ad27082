-- Prompts and answers of keys with content logging on (off by default), secrets redacted, at most 64 KiB each.
-- Kept apart from usage so that the ledger's rows stay small and keys without content logging write nothing here.
CREATE TABLE request_content (
  request_id        TEXT    PRIMARY KEY,   -- the usage row's request_id
  at_ms             INTEGER NOT NULL,
  request           TEXT,
  request_truncated INTEGER NOT NULL,
  answer            TEXT,
  answer_truncated  INTEGER NOT NULL
);
