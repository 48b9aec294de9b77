/** Advisory lock key for every schema change: metadata writes and platform upgrades serialize on it. */
export const METADATA_LOCK = 0x4b5a4e41; // "KZNA"
