/**
 * The stream of user changes between user-service (which writes it) and the gateway (which follows it to keep the
 * users it looked up): one contract for both ends, as the event contracts are for publishers and consumers.
 */
export const USER_CHANGES_PATH = '/internal/users/changes';

/** A user changed (updated or deleted: its id), or every user may have (the table was emptied). */
export type UserChange = { id: number } | { all: true };
