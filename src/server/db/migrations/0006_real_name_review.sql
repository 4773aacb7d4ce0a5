CREATE TABLE "id_card_photos" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"side" text NOT NULL,
	"storage_key" text NOT NULL,
	"sha256" text NOT NULL,
	"reading" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "real_name_submissions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"reference" text NOT NULL,
	"user_id" uuid NOT NULL,
	"province_code" text NOT NULL,
	"state" text NOT NULL,
	"id_number" text NOT NULL,
	"claimed" jsonb NOT NULL,
	"photo_id" text NOT NULL,
	"back_photo_id" text,
	"reading" jsonb NOT NULL,
	"differences" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"review_reasons" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"registry_names" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"identity_check" jsonb NOT NULL,
	"bound_user_id" uuid,
	"face_token" text,
	"face_url" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deadline" date,
	"decided_at" timestamp with time zone,
	"decided_by" uuid,
	"rejection_reasons" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"decision_note" text
);
--> statement-breakpoint
ALTER TABLE "provinces" ADD COLUMN "requires_id_card_back" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "id_card_photos" ADD CONSTRAINT "id_card_photos_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "real_name_submissions" ADD CONSTRAINT "real_name_submissions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "real_name_submissions" ADD CONSTRAINT "real_name_submissions_province_code_provinces_code_fk" FOREIGN KEY ("province_code") REFERENCES "public"."provinces"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "real_name_submissions" ADD CONSTRAINT "real_name_submissions_photo_id_id_card_photos_id_fk" FOREIGN KEY ("photo_id") REFERENCES "public"."id_card_photos"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "real_name_submissions" ADD CONSTRAINT "real_name_submissions_back_photo_id_id_card_photos_id_fk" FOREIGN KEY ("back_photo_id") REFERENCES "public"."id_card_photos"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "real_name_submissions" ADD CONSTRAINT "real_name_submissions_decided_by_staff_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "id_card_photos_user_idx" ON "id_card_photos" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "id_card_photos_sha_idx" ON "id_card_photos" USING btree ("sha256");--> statement-breakpoint
CREATE UNIQUE INDEX "real_name_submissions_reference_uq" ON "real_name_submissions" USING btree ("reference");--> statement-breakpoint
CREATE UNIQUE INDEX "real_name_submissions_one_open_uq" ON "real_name_submissions" USING btree ("user_id") WHERE "real_name_submissions"."state" in ('pending', 'face_check');--> statement-breakpoint
CREATE INDEX "real_name_submissions_queue_idx" ON "real_name_submissions" USING btree ("province_code","state","deadline");--> statement-breakpoint
CREATE INDEX "real_name_submissions_user_idx" ON "real_name_submissions" USING btree ("user_id","created_at");
