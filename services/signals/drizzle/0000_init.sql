CREATE TABLE "receivers" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"secret_hash" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	"revoked_reason" text
);
--> statement-breakpoint
CREATE TABLE "security_events" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"stream_id" uuid NOT NULL,
	"jti" text NOT NULL,
	"event_type" text NOT NULL,
	"source_id" text NOT NULL,
	"token" text NOT NULL,
	"state" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone,
	"last_error" text,
	"created_at" timestamp with time zone NOT NULL,
	"delivered_at" timestamp with time zone,
	CONSTRAINT "security_events_stream_jti_key" UNIQUE("stream_id","jti"),
	CONSTRAINT "security_events_state_known" CHECK ("security_events"."state" in ('pending', 'delivered', 'dead'))
);
--> statement-breakpoint
CREATE TABLE "streams" (
	"id" uuid PRIMARY KEY NOT NULL,
	"receiver_id" uuid NOT NULL,
	"aud" jsonb NOT NULL,
	"description" text,
	"events_requested" jsonb NOT NULL,
	"events_delivered" jsonb NOT NULL,
	"delivery_method" text NOT NULL,
	"endpoint_url" text NOT NULL,
	"authorization_header" text,
	"subject_format" text NOT NULL,
	"status" text NOT NULL,
	"status_reason" text,
	"min_verification_interval_seconds" integer NOT NULL,
	"last_verification_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "streams_status_known" CHECK ("streams"."status" in ('enabled', 'paused', 'disabled')),
	CONSTRAINT "streams_delivery_method_known" CHECK ("streams"."delivery_method" in ('urn:ietf:rfc:8935', 'urn:ietf:rfc:8936'))
);
--> statement-breakpoint
ALTER TABLE "security_events" ADD CONSTRAINT "security_events_stream_id_streams_id_fk" FOREIGN KEY ("stream_id") REFERENCES "streams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "streams" ADD CONSTRAINT "streams_receiver_id_receivers_id_fk" FOREIGN KEY ("receiver_id") REFERENCES "receivers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "security_events_pending_idx" ON "security_events" USING btree ("stream_id","seq") WHERE "security_events"."state" = 'pending';--> statement-breakpoint
CREATE INDEX "streams_receiver_id_idx" ON "streams" USING btree ("receiver_id");