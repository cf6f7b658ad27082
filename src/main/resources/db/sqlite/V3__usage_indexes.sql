-- Cheaper ledger inserts (every routed request writes one row): the model index becomes a time index, which new rows
-- append to, and the key and team indexes skip the master key's rows (no key, no team), which budgets never read.
DROP INDEX usage_by_model_time;
CREATE INDEX usage_by_time ON usage (at_ms);
DROP INDEX usage_by_key_time;
CREATE INDEX usage_by_key_time ON usage (key_id, at_ms) WHERE key_id IS NOT NULL;
DROP INDEX usage_by_team_time;
CREATE INDEX usage_by_team_time ON usage (team_id, at_ms) WHERE team_id IS NOT NULL;
