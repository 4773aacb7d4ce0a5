-- How many applications each province has in each state, kept by the database itself in the same
-- transaction as the change (a trigger), so the staff queue's tab counts and the metrics read a few
-- rows instead of counting a province's applications on every request, and can never drift: whatever
-- writes `applications` (the state machine, imports, an administrator's SQL) passes the trigger.
-- Each (province, state) is spread over 8 slots by the application's id, so that concurrent changes in
-- one busy province rarely wait on the same counter row; a reader sums the slots.
CREATE TABLE "application_state_counts" (
	"province_code" text NOT NULL,
	"state" text NOT NULL,
	"slot" smallint NOT NULL,
	"n" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "application_state_counts_pk" PRIMARY KEY ("province_code", "state", "slot")
);--> statement-breakpoint
CREATE FUNCTION "application_state_counts_add"(p_province text, p_state text, p_slot smallint, p_delta bigint) RETURNS void
LANGUAGE sql AS $$
	INSERT INTO "application_state_counts" ("province_code", "state", "slot", "n") VALUES (p_province, p_state, p_slot, p_delta)
	ON CONFLICT ("province_code", "state", "slot") DO UPDATE SET "n" = "application_state_counts"."n" + excluded."n";
$$;--> statement-breakpoint
CREATE FUNCTION "application_state_counts_track"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		PERFORM application_state_counts_add(NEW.province_code, NEW.state, (hashtext(NEW.id::text) & 7)::smallint, 1);
	ELSIF TG_OP = 'DELETE' THEN
		PERFORM application_state_counts_add(OLD.province_code, OLD.state, (hashtext(OLD.id::text) & 7)::smallint, -1);
	ELSIF (OLD.province_code, OLD.state, OLD.id) IS DISTINCT FROM (NEW.province_code, NEW.state, NEW.id) THEN
		-- Counter rows are always taken in the same order, so two transactions moving applications
		-- opposite ways (returned -> submitted, submitted -> returned) cannot deadlock on them.
		IF (OLD.province_code, OLD.state) < (NEW.province_code, NEW.state) THEN
			PERFORM application_state_counts_add(OLD.province_code, OLD.state, (hashtext(OLD.id::text) & 7)::smallint, -1);
			PERFORM application_state_counts_add(NEW.province_code, NEW.state, (hashtext(NEW.id::text) & 7)::smallint, 1);
		ELSE
			PERFORM application_state_counts_add(NEW.province_code, NEW.state, (hashtext(NEW.id::text) & 7)::smallint, 1);
			PERFORM application_state_counts_add(OLD.province_code, OLD.state, (hashtext(OLD.id::text) & 7)::smallint, -1);
		END IF;
	END IF;
	RETURN NULL;
END;
$$;--> statement-breakpoint
CREATE FUNCTION "application_state_counts_reset"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM "application_state_counts";
	RETURN NULL;
END;
$$;--> statement-breakpoint
-- Taken before the first count, so no change can slip between the count and the trigger.
LOCK TABLE "applications" IN SHARE ROW EXCLUSIVE MODE;--> statement-breakpoint
CREATE TRIGGER "applications_state_counts" AFTER INSERT OR DELETE OR UPDATE OF "state", "province_code", "id" ON "applications"
	FOR EACH ROW EXECUTE FUNCTION "application_state_counts_track"();--> statement-breakpoint
CREATE TRIGGER "applications_state_counts_truncate" AFTER TRUNCATE ON "applications"
	FOR EACH STATEMENT EXECUTE FUNCTION "application_state_counts_reset"();--> statement-breakpoint
INSERT INTO "application_state_counts" ("province_code", "state", "slot", "n")
	SELECT "province_code", "state", (hashtext("id"::text) & 7)::smallint, count(*) FROM "applications" GROUP BY 1, 2, 3;
