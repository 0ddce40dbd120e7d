DROP INDEX "outbox_pending_idx";--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "seq" bigserial NOT NULL;--> statement-breakpoint
CREATE INDEX "outbox_pending_seq_idx" ON "outbox" USING btree ("seq") WHERE "outbox"."published_at" is null;