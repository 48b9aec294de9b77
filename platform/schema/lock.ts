/**
 * Advisory lock key for every schema change: metadata writes and platform upgrades serialize
 * on it. Taken with the schema's hash as the second key, so two Kizunas in two schemas of one
 * database (tenants, parallel test runs) do not wait for each other.
 */
export const METADATA_LOCK = 0x4b5a4e41; // "KZNA"
