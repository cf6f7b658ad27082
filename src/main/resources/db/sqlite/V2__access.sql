-- Teams and virtual keys. Limits, budgets, allowed models and metadata are small JSON documents: they are read
-- whole into memory at start and never queried by field.
CREATE TABLE teams (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  spec        TEXT NOT NULL,               -- {"limits":…,"budgets":[…],"metadata":{…}}
  created_ms  INTEGER NOT NULL
);

CREATE TABLE keys (
  id            TEXT PRIMARY KEY,          -- also the public part of the key
  team_id       TEXT NOT NULL REFERENCES teams (id),
  name          TEXT NOT NULL,
  prefix        TEXT NOT NULL,
  hash          TEXT NOT NULL UNIQUE,      -- SHA-256 of the key, hex; the key itself is never stored
  spec          TEXT NOT NULL,               -- {"models":[…],"limits":…,"budgets":[…],"metadata":{…}}
  expires_ms    INTEGER,
  enabled       INTEGER NOT NULL,
  created_ms    INTEGER NOT NULL,
  access_key_id TEXT UNIQUE,               -- SigV4 pair, or NULL
  sealed_secret TEXT                       -- the SigV4 secret, AES-GCM under the encryption key
);

ALTER TABLE usage ADD COLUMN key_id TEXT;
ALTER TABLE usage ADD COLUMN team_id TEXT;
ALTER TABLE usage ADD COLUMN front_door TEXT;   -- openai, anthropic or bedrock
CREATE INDEX usage_by_key_time ON usage (key_id, at_ms);
CREATE INDEX usage_by_team_time ON usage (team_id, at_ms);
