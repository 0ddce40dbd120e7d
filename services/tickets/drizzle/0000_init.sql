CREATE TABLE "seller_moderation" (
	"owner_id" text PRIMARY KEY NOT NULL,
	"banned" boolean NOT NULL,
	"changed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tickets" (
	"id" uuid PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"price" integer NOT NULL,
	"owner_id" text NOT NULL,
	"version" integer NOT NULL,
	"listed" boolean NOT NULL,
	"unlisted_reason" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "tickets_price_positive" CHECK ("tickets"."price" > 0),
	CONSTRAINT "tickets_unlisted_reason_known" CHECK ("tickets"."unlisted_reason" in ('owner', 'seller_banned')),
	CONSTRAINT "tickets_unlisted_has_reason" CHECK ("tickets"."listed" = ("tickets"."unlisted_reason" is null))
);
--> statement-breakpoint
CREATE INDEX "tickets_listed_created_at_id_idx" ON "tickets" USING btree ("created_at","id") WHERE "tickets"."listed";--> statement-breakpoint
CREATE INDEX "tickets_owner_id_idx" ON "tickets" USING btree ("owner_id");