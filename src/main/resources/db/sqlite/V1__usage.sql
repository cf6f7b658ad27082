-- One row per request that reached the gateway's routing: what it used and what it cost.
CREATE TABLE usage (
  request_id      TEXT    PRIMARY KEY,   -- the gateway's x-request-id; a replayed batch cannot count twice
  at_ms           INTEGER NOT NULL,      -- when the exchange ended, Unix milliseconds
  endpoint        TEXT    NOT NULL,      -- chat, embeddings, messages, converse, invoke, …
  model           TEXT,                  -- the logical model the client asked for
  deployment      TEXT,                  -- provider/upstream-model that served it
  provider        TEXT,
  region          TEXT,
  stream          INTEGER NOT NULL,
  status          INTEGER NOT NULL,
  outcome         TEXT    NOT NULL,
  attempts        INTEGER NOT NULL,
  input_tokens    INTEGER,
  output_tokens   INTEGER,
  cache_read_tokens  INTEGER,
  cache_write_tokens INTEGER,
  reasoning_tokens   INTEGER,
  estimated       INTEGER NOT NULL,      -- 1 when the tokens are Switchboard's estimate, not the upstream's
  cost_usd        TEXT,                  -- exact decimal, at the deployment's price in force then
  duration_ms     INTEGER NOT NULL,
  first_byte_ms   INTEGER
);
CREATE INDEX usage_by_model_time ON usage (model, at_ms);
