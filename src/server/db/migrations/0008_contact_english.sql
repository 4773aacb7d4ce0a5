-- 联系我们 in English too: a province enters the English name, person and hours beside the Chinese.
ALTER TABLE "contacts" ADD COLUMN "name_en" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "contacts" ADD COLUMN "title_en" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "contacts" ADD COLUMN "hours_en" text DEFAULT '' NOT NULL;
