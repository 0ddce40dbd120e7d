ALTER TABLE "outbox" ADD COLUMN "stream_seq" bigint;--> statement-breakpoint
CREATE INDEX "outbox_published_at_idx" ON "outbox" USING btree ("published_at") WHERE "outbox"."published_at" is not null;