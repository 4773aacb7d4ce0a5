-- Every voucher and certificate has an entry in the signed status list (/.well-known/rto-status.json).
CREATE SEQUENCE "status_list_index_seq" AS integer MINVALUE 0 START WITH 0;
--> statement-breakpoint
ALTER TABLE "vouchers" ADD COLUMN "status_index" integer;
--> statement-breakpoint
ALTER TABLE "certificates" ADD COLUMN "status_index" integer;
--> statement-breakpoint
UPDATE "vouchers" SET "status_index" = nextval('status_list_index_seq') WHERE "status_index" IS NULL;
--> statement-breakpoint
UPDATE "certificates" SET "status_index" = nextval('status_list_index_seq') WHERE "status_index" IS NULL;
--> statement-breakpoint
ALTER TABLE "vouchers" ALTER COLUMN "status_index" SET DEFAULT nextval('status_list_index_seq'), ALTER COLUMN "status_index" SET NOT NULL;
--> statement-breakpoint
ALTER TABLE "certificates" ALTER COLUMN "status_index" SET DEFAULT nextval('status_list_index_seq'), ALTER COLUMN "status_index" SET NOT NULL;
--> statement-breakpoint
CREATE UNIQUE INDEX "vouchers_status_index_uq" ON "vouchers" ("status_index");
--> statement-breakpoint
CREATE UNIQUE INDEX "certificates_status_index_uq" ON "certificates" ("status_index");
--> statement-breakpoint
-- Version stamps the verifiers of every instance compare cheaply to keep their in-memory state current.
CREATE TABLE "verify_state" (
  "id" smallint PRIMARY KEY CHECK ("id" = 1),
  "status_version" bigint NOT NULL DEFAULT 0,
  "keys_version" bigint NOT NULL DEFAULT 0
);
--> statement-breakpoint
INSERT INTO "verify_state" ("id") VALUES (1);
--> statement-breakpoint
ALTER TABLE "vouchers" ADD COLUMN "status_version" bigint NOT NULL DEFAULT 0;
--> statement-breakpoint
ALTER TABLE "certificate_categories" ADD COLUMN "status_version" bigint NOT NULL DEFAULT 0;
--> statement-breakpoint
UPDATE "verify_state" SET "status_version" = 1, "keys_version" = 1;
--> statement-breakpoint
UPDATE "vouchers" SET "status_version" = 1 WHERE "revoked_at" IS NOT NULL OR "superseded_by" IS NOT NULL;
--> statement-breakpoint
UPDATE "certificate_categories" SET "status_version" = 1 WHERE "cancelled_at" IS NOT NULL;
--> statement-breakpoint
-- A status change takes the next version (the row lock orders them as they commit) and stamps the row.
CREATE FUNCTION "voucher_status_bump"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.revoked_at IS NULL AND NEW.superseded_by IS NULL THEN RETURN NEW; END IF;
  ELSIF NEW.revoked_at IS NOT DISTINCT FROM OLD.revoked_at AND NEW.superseded_by IS NOT DISTINCT FROM OLD.superseded_by THEN
    RETURN NEW;
  END IF;
  UPDATE "verify_state" SET "status_version" = "status_version" + 1 WHERE "id" = 1 RETURNING "status_version" INTO NEW.status_version;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE FUNCTION "category_status_bump"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.cancelled_at IS NULL THEN RETURN NEW; END IF;
  ELSIF NEW.cancelled_at IS NOT DISTINCT FROM OLD.cancelled_at THEN
    RETURN NEW;
  END IF;
  UPDATE "verify_state" SET "status_version" = "status_version" + 1 WHERE "id" = 1 RETURNING "status_version" INTO NEW.status_version;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER "vouchers_status_version" BEFORE INSERT OR UPDATE ON "vouchers" FOR EACH ROW EXECUTE FUNCTION "voucher_status_bump"();
--> statement-breakpoint
CREATE TRIGGER "certificate_categories_status_version" BEFORE INSERT OR UPDATE ON "certificate_categories" FOR EACH ROW EXECUTE FUNCTION "category_status_bump"();
--> statement-breakpoint
CREATE FUNCTION "verify_keys_bump"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "verify_state" SET "keys_version" = "keys_version" + 1 WHERE "id" = 1;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "signing_keys_version" AFTER INSERT OR UPDATE OR DELETE ON "signing_keys" FOR EACH STATEMENT EXECUTE FUNCTION "verify_keys_bump"();
--> statement-breakpoint
-- Vouchers rendered once: the PNG and PDF as stored (through the file storage, encrypted there).
CREATE TABLE "voucher_renderings" (
  "voucher_id" uuid NOT NULL REFERENCES "vouchers"("id"),
  "format" text NOT NULL CHECK ("format" IN ('png', 'pdf')),
  "base_url" text NOT NULL,
  "storage_key" text NOT NULL,
  "etag" text NOT NULL,
  "bytes" integer NOT NULL,
  "created_at" timestamp with time zone DEFAULT now() NOT NULL,
  PRIMARY KEY ("voucher_id", "format")
);
