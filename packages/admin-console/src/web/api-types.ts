// The auth API's shapes as the console reads them (docs/api.md): the browser cannot import the
// service's types, and declares only what it uses.

/** An account as the admin API shows it. */
export interface AdminUser {
  readonly id: string;
  readonly email: string;
  readonly role: 'user' | 'admin';
  readonly createdAt: string;
  readonly bannedAt: string | null;
  readonly banReason: string | null;
}

/** The signed-in user, from sign-in or `GET /api/users/me`. */
export interface SessionUser {
  readonly id: string;
  readonly email: string;
  readonly role: 'user' | 'admin';
}

/** One page of a list route. */
export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

/** One audit-log entry (the fields the console shows). */
export interface AuditEntry {
  readonly createdAt: string;
  readonly action: string;
  readonly reason: string | null;
  readonly eventId: string;
}

/** What ban, unban and revoke-sessions answer. */
export interface ActionResult {
  readonly user: AdminUser;
  readonly eventId: string | null;
}

/** An instance that applied the event. */
export interface EnforcedInstance {
  readonly service: string;
  readonly instanceId: string;
  readonly appliedAt: string | null;
  readonly afterMs: number | null;
}

/** A live instance that has not applied the event yet. */
export interface MissingInstance {
  readonly service: string;
  readonly instanceId: string;
  readonly state: string;
  readonly reason: string | null;
  readonly lastSeq: number | null;
  readonly lastSeenAt: string;
}

/** `GET /api/admin/events/{eventId}/enforcement`. */
export interface Enforcement {
  readonly eventId: string;
  readonly type: string;
  readonly userId: string | null;
  readonly occurredAt: string;
  readonly published: boolean;
  readonly streamSeq: number | null;
  readonly enforcedEverywhere: boolean;
  readonly instances: { readonly total: number; readonly enforced: number };
  readonly enforced: EnforcedInstance[];
  readonly missing: MissingInstance[];
  readonly checkedAt: string;
}

/** One live instance of `GET /api/admin/instances`. */
export interface FleetInstance {
  readonly service: string;
  readonly instanceId: string;
  readonly state: string;
  readonly reason: string | null;
  readonly lastSeq: number | null;
  readonly lastEventId: string | null;
  readonly lastAppliedAt: string | null;
  readonly lagMs: number | null;
  readonly lastSeenAt: string;
  readonly expiresAt: string;
}

/** `GET /api/admin/instances`. */
export interface Fleet {
  readonly instances: FleetInstance[];
  readonly checkedAt: string;
}
