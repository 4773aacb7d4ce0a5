-- WeChat login: one WeChat person per account, one account per WeChat identity (openid per app, unionid).
CREATE TABLE "wechat_bindings" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"unionid" text,
	"web_app_id" text,
	"web_openid" text,
	"mini_app_id" text,
	"mini_openid" text,
	"nickname" text,
	"avatar_url" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_login_at" timestamp with time zone,
	CONSTRAINT "wechat_bindings_user_fk" FOREIGN KEY ("user_id") REFERENCES "users"("id"),
	CONSTRAINT "wechat_bindings_some_identity" CHECK ("web_openid" IS NOT NULL OR "mini_openid" IS NOT NULL)
);
--> statement-breakpoint
CREATE UNIQUE INDEX "wechat_bindings_unionid_uq" ON "wechat_bindings" USING btree ("unionid");--> statement-breakpoint
CREATE UNIQUE INDEX "wechat_bindings_web_openid_uq" ON "wechat_bindings" USING btree ("web_app_id","web_openid");--> statement-breakpoint
CREATE UNIQUE INDEX "wechat_bindings_mini_openid_uq" ON "wechat_bindings" USING btree ("mini_app_id","mini_openid");--> statement-breakpoint
-- Short-lived, single-use tickets of the WeChat flows: the OAuth state, a WeChat identity waiting for a
-- phone, a session handed to a mini program's web-view. Only the token's hash is stored.
CREATE TABLE "wechat_tickets" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"purpose" text NOT NULL,
	"kind" text,
	"app_id" text,
	"openid" text,
	"unionid" text,
	"nickname" text,
	"avatar_url" text,
	"scope" text,
	"redirect" text,
	"user_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "wechat_tickets_expires_idx" ON "wechat_tickets" USING btree ("expires_at");--> statement-breakpoint
-- How each driver session began (sms, wechat_web, wechat_mini_program): the account page lists it.
ALTER TABLE "sessions" ADD COLUMN "login_method" text;
