-- Which broker connection (source) each log entry and rejection came through; the dialect is already kept.
ALTER TABLE connection_log ADD COLUMN source text;
ALTER TABLE rejected_message ADD COLUMN source text;
