// Package audit keeps each case's append-only audit log in the case table:
// a hash chain whose entries are keyed and whose head is signed with an
// asymmetric KMS key, so that removing, altering, reordering or adding an
// entry shows, online against the table and offline in an evidence pack.
//
// Entries live under the case's partition (casetable.CasePK) with sort keys
// "AUDIT#<seq>" (seq zero-padded to 12 digits, so the keys sort in order).
// Each entry stores the hash of the entry before it and its own hash, a
// SHA-256 over the canonical JSON of its fields (see Entry.ComputeHash), so
// changing, removing or reordering any entry breaks the chain at that entry.
//
// # The anchor: a head signed with kms:Sign
//
// A hash chain alone proves nothing to someone who can write the table: the
// last entries can be deleted, or the whole chain recomputed. So each
// Append also signs, with the audit key (KMS, ECC_NIST_P256, ECDSA_SHA_256),
//   - the entry itself (its case, number and hash): the entry is keyed, and
//     one written into the table by anyone without kms:Sign shows as
//     unsigned;
//   - the head: (case, count, hash of the last entry, time), stored as the
//     case's "AUDITHEAD" item. Verify compares the chain with it, so a
//     chain cut short ("entries 8 to 9 of the 9 the signed head counts are
//     missing"), rewritten or extended unsigned is named.
//
// Only the functions that append hold kms:Sign on the key (template.yaml);
// the private half never leaves KMS. Verifying needs the public key only,
// which the evidence pack carries: a regulator checks a pack with no AWS
// account, and compares the key's fingerprint with the one the company
// publishes (the key's ARN and fingerprint are printed by `breachflow
// evidence`), so a pack re-signed under another key is told apart.
//
// Why a KMS signature rather than S3 Object Lock: a signature travels with
// the evidence and is checked offline with crypto/ecdsa; an object in a
// locked bucket can only be checked by someone with access to the bucket.
// It also runs locally for real (package localkms serves the emulator's
// KMS), where no Object Lock emulator could be installed here.
//
// What it does not stop, written down so no one relies on it: a head once
// signed stays a valid signature. Someone with table access who kept a copy
// of an earlier head (or restores a point-in-time backup of the table) can
// delete the entries after it and put that head back: a rollback to a true
// earlier state. Append makes that loud at the case's next step (it refuses
// to chain onto a head its table contradicts, or one not signed by the
// key), and every evidence pack already handed out holds a later head that
// contradicts the rollback; closing it fully needs the heads written where
// nobody can delete them (an S3 bucket with Object Lock in compliance
// mode), which is the next step if the threat model demands it. Whoever may
// sign (the functions' roles, and the responders' role that runs
// `breachflow approve` and `evidence` in AWS) can append entries of its
// own; the chain proves order and completeness, not who wrote each line.
//
// Append writes the next entry with a conditional put on a key that must not
// exist yet: two writers racing for the same sequence number cannot both
// win, so the chain never forks; the loser re-reads the head and tries the
// next number. The head item is written only if it moves forward. dynalite
// has no transactions, and none are needed.
//
// Entries carry ids, hashes and staff identities, never personal data of
// affected people. The workflow's functions and the approval service write
// it; `breachflow evidence`, `status` and the console read it.
package audit
