-- A row of the verification check log now stands for every identical check in one second (same
-- serial, verdict, reason and channel), with how many there were: at a roadside rush the same QR is
-- checked again and again, and one row per check made the log's writes the verifier's largest cost.
-- Earlier rows are one check each. Nothing about who checked is kept, as before.
-- Adding the column with its default rewrites nothing (PostgreSQL 11+), however long the log already is.
ALTER TABLE "voucher_checks" ADD COLUMN "checks" integer DEFAULT 1 NOT NULL;
