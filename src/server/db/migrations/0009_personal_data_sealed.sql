-- Personal data sealed at rest (secrets/fieldCipher.ts): the sealed columns become text, equality
-- lookups move to keyed blind indexes. Rows written before this migration are still plaintext: the
-- server seals them (fields and stored files) at its next start, before it serves, and records it in
-- data_sealing; no SQL can do it here, as the key never reaches the database.
ALTER TABLE "users" ALTER COLUMN "birth_date" SET DATA TYPE text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "phone_index" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "id_number_index" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "id_tail_index" text;--> statement-breakpoint
-- Every row written from now on carries its index (rows from before get theirs when sealed).
ALTER TABLE "users" ADD CONSTRAINT "users_phone_index_present" CHECK ("phone_index" IS NOT NULL) NOT VALID;--> statement-breakpoint
DROP INDEX IF EXISTS "users_phone_uq";--> statement-breakpoint
DROP INDEX IF EXISTS "users_id_number_uq";--> statement-breakpoint
DROP INDEX IF EXISTS "users_id_tail_idx";--> statement-breakpoint
CREATE UNIQUE INDEX "users_phone_index_uq" ON "users" USING btree ("phone_index");--> statement-breakpoint
CREATE UNIQUE INDEX "users_id_number_index_uq" ON "users" USING btree ("id_number_index");--> statement-breakpoint
CREATE INDEX "users_id_tail_index_idx" ON "users" USING btree ("id_tail_index");--> statement-breakpoint
ALTER TABLE "sms_codes" ADD COLUMN "phone_index" text;--> statement-breakpoint
ALTER TABLE "sms_codes" ADD CONSTRAINT "sms_codes_phone_index_present" CHECK ("phone_index" IS NOT NULL) NOT VALID;--> statement-breakpoint
DROP INDEX IF EXISTS "sms_codes_phone_idx";--> statement-breakpoint
CREATE INDEX "sms_codes_phone_index_idx" ON "sms_codes" USING btree ("phone_index","purpose","created_at");--> statement-breakpoint
ALTER TABLE "certificates" ALTER COLUMN "birth_date" SET DATA TYPE text;--> statement-breakpoint
ALTER TABLE "certificates" ALTER COLUMN "address" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "certificates" ADD COLUMN "holder_id_number_index" text;--> statement-breakpoint
ALTER TABLE "certificates" ADD COLUMN "number_index" text;--> statement-breakpoint
ALTER TABLE "certificates" ADD CONSTRAINT "certificates_number_index_present" CHECK ("number_index" IS NOT NULL) NOT VALID;--> statement-breakpoint
DROP INDEX IF EXISTS "certificates_number_uq";--> statement-breakpoint
CREATE UNIQUE INDEX "certificates_number_index_uq" ON "certificates" USING btree ("number_index");--> statement-breakpoint
ALTER TABLE "certificates" ADD CONSTRAINT "certificates_holder_id_number_index_present" CHECK ("holder_id_number_index" IS NOT NULL) NOT VALID;--> statement-breakpoint
DROP INDEX IF EXISTS "certificates_holder_idx";--> statement-breakpoint
CREATE INDEX "certificates_holder_index_idx" ON "certificates" USING btree ("holder_id_number_index");--> statement-breakpoint
ALTER TABLE "applications" ALTER COLUMN "personal_info" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "applications" ALTER COLUMN "personal_info" SET DATA TYPE text USING "personal_info"::text;--> statement-breakpoint
ALTER TABLE "id_card_photos" ALTER COLUMN "reading" SET DATA TYPE text USING "reading"::text;--> statement-breakpoint
ALTER TABLE "real_name_submissions" ALTER COLUMN "claimed" SET DATA TYPE text USING "claimed"::text;--> statement-breakpoint
ALTER TABLE "real_name_submissions" ALTER COLUMN "reading" SET DATA TYPE text USING "reading"::text;--> statement-breakpoint
ALTER TABLE "real_name_submissions" ALTER COLUMN "differences" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "real_name_submissions" ALTER COLUMN "differences" SET DATA TYPE text USING "differences"::text;--> statement-breakpoint
ALTER TABLE "real_name_submissions" ALTER COLUMN "registry_names" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "real_name_submissions" ALTER COLUMN "registry_names" SET DATA TYPE text USING "registry_names"::text;--> statement-breakpoint
CREATE TABLE "data_sealing" (
	"name" text PRIMARY KEY NOT NULL,
	"completed_at" timestamp with time zone
);--> statement-breakpoint
-- A database with rows from before is sealed at the next start; an empty one has nothing to seal.
INSERT INTO "data_sealing" ("name", "completed_at")
SELECT 'plaintext_from_before', CASE WHEN EXISTS (SELECT 1 FROM "users") OR EXISTS (SELECT 1 FROM "certificates") OR EXISTS (SELECT 1 FROM "sms_codes") THEN NULL ELSE now() END;
