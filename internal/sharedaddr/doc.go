// Package sharedaddr is the shared-address idea: one e-mail address held by
// several people in scope. One notice reaches them all, so it must be
// written for all of them, every holder's law and every holder's data.
// Everything breachflow knows about shared addresses lives here, in the
// order a case meets it:
//
//  1. Scoping (package scope) claims each address once per case. A person
//     who finds their address claimed records it with Share: one item per
//     such person, "CASE#<id>#A#<shard>" / "SHARED#<address hash>#<user
//     id>", holding both people's jurisdictions and categories (Person).
//     It is keyed by the person, so reruns rewrite the same item and
//     segments never contend, and it leaves the holder's subject alone:
//     another segment may not have written it yet and would overwrite it
//     with a blind put.
//  2. After every segment has finished, the aggregate step runs
//     Folder.Fold: it reads only the shared items, adds each address's
//     union to its holder's subject (casetable.Subject.HolderJurisdictions
//     and HolderCategories, the stored form of this package's data), and
//     records a Summary of the case's jurisdiction combinations, with the
//     language and reader each is sent in, under "CASE#<id>" /
//     "SCOPE#SHARED".
//  3. Drafting (package draft) loads the Summary and asks it for a Plan:
//     each combination to check in every language, and the samples to keep
//     so the approvers read every combination the way it will be sent.
//  4. Sending renders each holder's notice for Holders(subject): every
//     holder's jurisdiction and the union of their data.
//
// What this package does not do is write the notice: package notice renders
// one notice for several jurisdictions (notice.Recipient.Holders) and
// refuses a combination drafting did not approve; this package decides
// which jurisdictions and data that notice must cover. The dependency runs
// one way: sharedaddr uses notice's locale and combination rules, notice
// knows nothing of addresses.
//
// # Cost at 40M people
//
// DynamoDB on-demand. With d people who share an address and s shared
// addresses (s <= d; ~1% of people share an address in the demo data, so
// d ~ 400k): scoping writes one extra item per such person (d WCU, about
// $0.25 at 400k), and claim items grow by a jurisdiction and a few category
// names (still one WCU each, so nothing extra for the other 39.6M). The
// fold reads the d shared items (~250 bytes each: d/16 RCU with strongly
// consistent reads) and reads and rewrites s subjects (s RCU + s WCU, items
// under 1 KB): well under $1 at 400k, nothing when no address is shared.
// Its time is the catch: it runs in the one aggregate Lambda, Workers
// shards at a time at ~5-10 ms a read or write, so ~2-3k addresses a
// second: 400k take 2-3 minutes, more than the 60 s the CountAffectedPeople
// state and the function's timeout allow today (both must grow with the
// case's expected sharing; at 900 s the fold covers ~2M shared addresses).
// A fold cut short is safe to run again: merging a union already there
// writes nothing. Scoping and the aggregate step need no IAM action beyond
// the GetItem, PutItem and Query they already have.
package sharedaddr
