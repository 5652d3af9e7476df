package casetable

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

// Attribute names of the table's keys and of its one global secondary index.
const (
	AttrPK     = "pk"
	AttrSK     = "sk"
	AttrGSI1PK = "gsi1pk"
	AttrGSI1SK = "gsi1sk"
	// IndexGSI1 lists cases by time (gsi1pk = "CASES") and answers any other
	// lookup that is not by case.
	IndexGSI1 = "gsi1"
)

// DefaultShards is how many partitions a case's subjects spread over unless
// the case says otherwise. At 40M subjects and 64 shards each shard holds
// ~630k people; a send rate of 500/s writes ~8 send records a second into
// each shard's send partition (in batches of 25), far below DynamoDB's 1,000
// WCU a partition.
const DefaultShards = 64

// CasePK is the partition of everything about a case except its subjects.
func CasePK(caseID string) string { return "CASE#" + caseID }

// SubjectPK is the partition of one shard of a case's subjects.
func SubjectPK(caseID string, shard int) string { return fmt.Sprintf("CASE#%s#S#%d", caseID, shard) }

// SubjectSK is the sort key of a subject within its shard.
func SubjectSK(userID string) string { return "USER#" + userID }

// SendPK is the partition of one shard's send records and its send lease.
// Send records sit apart from the subjects so that writing one (a blind,
// batched put) can never overwrite the state an SES event set on a subject.
func SendPK(caseID string, shard int) string { return fmt.Sprintf("CASE#%s#M#%d", caseID, shard) }

// ChannelSendPK is the send partition of one shard on one channel: e-mail
// ("" or "email") keeps SendPK, every other channel ("sms") has a partition
// of its own, with its own lease and records, so a person is sent once per
// channel and one channel's run never waits for another's lease.
func ChannelSendPK(caseID string, shard int, channel string) string {
	if channel == "" || channel == ChannelEmail {
		return SendPK(caseID, shard)
	}
	return SendPK(caseID, shard) + "#" + channel
}

// Channels a notice goes out on.
const (
	ChannelEmail = "email"
	ChannelSMS   = "sms"
)

// SendSK is the sort key of a person's send record: the subject's own sort
// key, so a shard's subjects and its send records sort alike.
func SendSK(userID string) string { return SubjectSK(userID) }

// LeaseSK is the sort key of a shard's send lease, in the send partition.
const LeaseSK = "LEASE"

// AddressPK is the partition of one shard of a case's address claims, which
// make sure one address appears once per case.
func AddressPK(caseID string, shard int) string { return fmt.Sprintf("CASE#%s#A#%d", caseID, shard) }

// AddressSK is the sort key of an address claim: a hash of the normalised
// address, never the address itself, so keys carry no personal data.
func AddressSK(addressHash string) string { return "ADDR#" + addressHash }

// SharedPrefix starts the sort key of a shared-address item, in the
// address's claim partition (AddressPK): one per person whose address
// another person of the case already holds.
const SharedPrefix = "SHARED#"

// SharedSK is the sort key of the shared-address item of userID, whose
// address (by hash) another subject holds.
func SharedSK(addressHash, userID string) string { return SharedPrefix + addressHash + "#" + userID }

// SharedSummarySK is where a case's shared-address summary is recorded,
// under CasePK.
const SharedSummarySK = "SCOPE#SHARED"

// Shard places key (a user id or an address hash) in one of n shards. It is
// stable across processes and releases: changing it would split a case.
func Shard(key string, n int) int {
	if n <= 1 {
		return 0
	}
	h := fnv.New32a()
	h.Write([]byte(key))
	return int(h.Sum32() % uint32(n))
}

// SetID is the id a version of a case's report keys its subject set by:
// the people that version scoped, their address claims and shared-address
// items, their send records and leases, and the scope's segment records
// all live under "CASE#<SetID>…" partitions. Version 1 (and 0, a case that
// predates versions) is the case id itself, so a case that was never
// amended keeps the keys it always had; version n > 1 is "<case>#V<n>",
// which no case id can be ('#' is not in one), so the sets of two versions
// never share a partition. Each version's set is therefore a send stream of
// its own: its ledger, pages and leases are those of version 1, untouched,
// and nobody is sent the same version twice. A further dimension of the
// stream (a channel) slots in beside the version, in SendPK.
func SetID(caseID string, version int) string {
	if version <= 1 {
		return caseID
	}
	return fmt.Sprintf("%s#V%d", caseID, version)
}

// CaseOfSet splits a SetID into its case id and version.
func CaseOfSet(set string) (caseID string, version int) {
	i := strings.LastIndex(set, "#V")
	if i < 0 {
		return set, 1
	}
	n, err := strconv.Atoi(set[i+2:])
	if err != nil || n < 2 {
		return set, 1
	}
	return set[:i], n
}
