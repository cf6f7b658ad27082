-- The shared store: the same tables as the embedded store's db/sqlite V1 and V2, in PostgreSQL's types. Costs are
-- NUMERIC(30,10) (the precision of routing.Cost) so that SQL sums them exactly; instants are Unix milliseconds.
CREATE TABLE teams (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  spec        TEXT NOT NULL,               -- {"limits":…,"budgets":[…],"metadata":{…}}
  created_ms  BIGINT NOT NULL
);

CREATE TABLE keys (
  id            TEXT PRIMARY KEY,          -- also the public part of the key
  team_id       TEXT NOT NULL REFERENCES teams (id),
  name          TEXT NOT NULL,
  prefix        TEXT NOT NULL,
  hash          TEXT NOT NULL UNIQUE,      -- SHA-256 of the key, hex; the key itself is never stored
  spec          TEXT NOT NULL,             -- {"models":[…],"limits":…,"budgets":[…],"metadata":{…}}
  expires_ms    BIGINT,
  enabled       BOOLEAN NOT NULL,
  created_ms    BIGINT NOT NULL,
  access_key_id TEXT UNIQUE,               -- SigV4 pair, or NULL
  sealed_secret TEXT                       -- the SigV4 secret, AES-GCM under the encryption key
);

-- One row per request that reached routing, from any instance: what it used and what it cost.
CREATE TABLE usage (
  request_id      TEXT    PRIMARY KEY,     -- the gateway's x-request-id; a replayed batch cannot count twice
  at_ms           BIGINT  NOT NULL,        -- when the exchange ended
  endpoint        TEXT    NOT NULL,
  model           TEXT,
  deployment      TEXT,
  provider        TEXT,
  region          TEXT,
  stream          BOOLEAN NOT NULL,
  status          INTEGER NOT NULL,
  outcome         TEXT    NOT NULL,
  attempts        INTEGER NOT NULL,
  input_tokens    BIGINT,
  output_tokens   BIGINT,
  cache_read_tokens  BIGINT,
  cache_write_tokens BIGINT,
  reasoning_tokens   BIGINT,
  estimated       BOOLEAN NOT NULL,        -- the tokens are Switchboard's estimate, not the upstream's
  cost_usd        NUMERIC(30, 10),
  duration_ms     BIGINT  NOT NULL,
  first_byte_ms   BIGINT,
  key_id          TEXT,
  team_id         TEXT,
  front_door      TEXT                     -- openai, anthropic or bedrock
);
CREATE INDEX usage_by_model_time ON usage (model, at_ms);
CREATE INDEX usage_by_key_time ON usage (key_id, at_ms);
CREATE INDEX usage_by_team_time ON usage (team_id, at_ms);
CREATE INDEX usage_by_time ON usage (at_ms);
