CREATE TABLE "registry_imports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"province_code" text,
	"file_name" text NOT NULL,
	"format" text NOT NULL,
	"encoding" text NOT NULL,
	"dry_run" boolean NOT NULL,
	"rows_total" integer DEFAULT 0 NOT NULL,
	"rows_inserted" integer DEFAULT 0 NOT NULL,
	"rows_updated" integer DEFAULT 0 NOT NULL,
	"rows_unchanged" integer DEFAULT 0 NOT NULL,
	"rows_refused" integer DEFAULT 0 NOT NULL,
	"refused_report" text DEFAULT '' NOT NULL,
	"refused_report_truncated" boolean DEFAULT false NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "registry_imports_province_idx" ON "registry_imports" USING btree ("province_code","started_at");
--> statement-breakpoint
CREATE TABLE "exchange_changes" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"id" uuid NOT NULL,
	"type" text NOT NULL,
	"province_code" text NOT NULL,
	"authority_code" text NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"body" text NOT NULL,
	"kid" text NOT NULL,
	"signature" text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "exchange_changes_id_uq" ON "exchange_changes" USING btree ("id");
--> statement-breakpoint
CREATE INDEX "exchange_changes_province_seq_idx" ON "exchange_changes" USING btree ("province_code","seq");
--> statement-breakpoint
ALTER TABLE "exchange_changes" ADD CONSTRAINT "exchange_changes_kid_signing_keys_kid_fk" FOREIGN KEY ("kid") REFERENCES "public"."signing_keys"("kid") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
CREATE TABLE "exchange_partners" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"key_prefix" text NOT NULL,
	"key_hash" text NOT NULL,
	"provinces" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	"last_pull_at" timestamp with time zone,
	"last_cursor" text
);
--> statement-breakpoint
CREATE UNIQUE INDEX "exchange_partners_key_hash_uq" ON "exchange_partners" USING btree ("key_hash");
--> statement-breakpoint
CREATE UNIQUE INDEX "exchange_partners_name_uq" ON "exchange_partners" USING btree ("name") WHERE "revoked_at" is null;
--> statement-breakpoint
CREATE TABLE "exchange_calls" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"partner_id" uuid,
	"method" text NOT NULL,
	"route" text NOT NULL,
	"status" integer NOT NULL,
	"ip" text,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "exchange_calls_partner_idx" ON "exchange_calls" USING btree ("partner_id","id");
--> statement-breakpoint
CREATE TABLE "exchange_inbound" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"partner_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"external_id" text NOT NULL,
	"province_code" text NOT NULL,
	"certificate_id" uuid,
	"body" text NOT NULL,
	"state" text DEFAULT 'received' NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "exchange_inbound_external_uq" ON "exchange_inbound" USING btree ("partner_id","kind","external_id");
--> statement-breakpoint
CREATE INDEX "exchange_inbound_province_idx" ON "exchange_inbound" USING btree ("province_code","state","received_at");
--> statement-breakpoint
ALTER TABLE "exchange_inbound" ADD CONSTRAINT "exchange_inbound_partner_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."exchange_partners"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "exchange_inbound" ADD CONSTRAINT "exchange_inbound_certificate_id_fk" FOREIGN KEY ("certificate_id") REFERENCES "public"."certificates"("id") ON DELETE no action ON UPDATE no action;
