// The people and names the specs create and look for, shared so a later spec finds what an
// earlier one made.
export const ADMIN = { username: 'admin', display: 'Ada Admin', password: 'correct-horse-battery-1' };
export const OPERATOR = { username: 'olga', display: 'Olga Operator', email: 'olga@example.com', password: 'operator-pass-12345' };
export const VIEWER = { username: 'victor', display: 'Victor Viewer', password: 'viewer-pass-123456' };

/** The repository 07 creates, 08 links, 09 initializes and backs up to, 10 schedules backups to, 11 browses, 12 fails to delete. */
export const REPO_NAME = 'e2e-local';
/** The host enrolled with the install command's token (its agent keeps running). */
export const TOKEN_HOST = 'e2e-token-host';
/** The host enrolled by announcing itself and being accepted (deleted at the end). */
export const ANNOUNCE_HOST = 'e2e-announce-host';
