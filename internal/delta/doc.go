// Package delta decides who a later version of a case's report notifies.
//
// Each version of a report scopes its own subject set (casetable.SetID):
// version n's people are written apart from version 1's, so the proof of
// what earlier versions sent is never touched. Compare then walks version
// n's set shard by shard, in key order, beside the sets of every earlier
// version whose notices went out (a merge of sorted streams: memory stays
// at one page per set), and settles each person version n would mail:
//
//   - nobody earlier sent them a notice: they stay pending and get the
//     first notice (newly in scope, or never reached before);
//   - their last notice said all they must know under version n (MustKnow
//     equal): they become "current" (casetable.StatusCurrent) and get
//     nothing, so nobody is told the same thing twice;
//   - it did not: they stay pending, marked as an update of that notice
//     (NoticeKind "update", UpdateOf its date), and get the update notice.
//
// A person counts as sent a notice by an earlier version when its e-mail
// went out (whatever SES said of it since) or, failing that, its text did
// (an SMS record with a message id, package sms; whatever the receipt
// said): a phone-only person is updated, not told everything again, and
// their update names the day of that text. The SMS records are read
// beside the subjects, in the same key order; a shard nobody was texted
// in costs one query.
//
// People of earlier versions that version n no longer scopes are simply
// not in its set: their records, sends and delivery events stay where
// they are, and they get nothing more.
//
// What a person must know is their data categories (with those of
// everyone sharing their address, whose notice they read) and the report
// facts their regime's individual notice states: mustknow.json lists the
// fields per regime, with the citation; MustKnow hashes them.
//
// Caller: the aggregate function (scope.AggregateHandler), after the fold,
// for versions after the first. It writes only the people whose outcome is
// not the default (current or update), one conditional write each (status
// still pending), so running it again changes nothing. People without a
// usable e-mail address ("no_contact" from scoping on, whom their plan may
// text or post a letter) are settled the same way; their status stays
// no_contact unless they become current.
//
// Known limits: the address claims of each version are its own, so when
// two people share an address and a later version makes the other one its
// holder, that person gets a first notice at an address an earlier
// version already mailed. The comparison runs in the aggregate Lambda, one
// shard after another: a few minutes per million people of the earlier
// sets; a Map over shards is the way past 15 minutes.
package delta
