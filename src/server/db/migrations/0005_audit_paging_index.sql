DROP INDEX "applications_queue_idx";--> statement-breakpoint
CREATE INDEX "audit_log_province_id_idx" ON "audit_log" USING btree ("province_code","id");