-- Versions of data that readers cache: every write to park profiles, industries, plots
-- or units bumps 'parks', so a cached routing table is reused until something changed.
CREATE TABLE data_versions (
    name    TEXT PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO data_versions (name, version) VALUES ('parks', 0);
