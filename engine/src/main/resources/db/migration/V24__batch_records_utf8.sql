-- steward batch: a batch row's effects as UTF-8 bytes (effects_utf8) instead of text. H2 writes a
-- text into its pages a character at a time and bytes in one copy; the text column was most of
-- what a batch's chunk commit wrote (bench/batch.md, round 6). Rows of earlier versions keep
-- their text in effects, which is read when effects_utf8 is null.
ALTER TABLE batch_records ADD COLUMN effects_utf8 BYTEA;
ALTER TABLE batch_records ALTER COLUMN effects DROP NOT NULL;
