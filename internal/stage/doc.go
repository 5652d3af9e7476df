// Package stage keeps a case's staged duties and runs them when they fall
// due.
//
// A staged duty is the second stage of a notification duty, due well after
// the first: Japan's final report (確報, within 30 days of knowing, 60 for
// an act with unjust purpose; PPC Rules Art. 8(2)), the information a GDPR
// notification left for later (Art. 33(4), "in phases without undue
// further delay"), Korea's supplementary report once the items are
// confirmed (PIPA Enforcement Decree Art. 40(2)), and NYDFS's written
// explanation of an extortion payment (23 NYCRR 500.17(c)(2), 30 days; from
// secondary sources, marked S). The rulebook (package rules) marks such an
// obligation with stage_of: the id of the duty it follows up. It is
// required only when its first stage is, and its deadline runs from its own
// clock: the day of knowing, the payment, or the moment an amendment
// records the pending facts as confirmed (timeline.facts_confirmed; until
// then the task waits with no date).
//
// # The task
//
// The assess stage calls Store.Sync with every assessment, the first and
// each amendment's: a staged duty new to the case becomes a Task (item
// "STAGE#<obligation id>" under the case), a task not yet started takes the
// assessment's date and status, and one the assessment no longer requires
// is cancelled. A scheduled task is also in the table's gsi1 under
// "STAGES#SCHEDULED", keyed by its due time, so finding what comes due is
// one query over all cases. The first drafting run leaves staged duties out
// (draft.Drafted), and approval deadlines ignore them: they are approved in
// their own round.
//
// # Drafting it when due
//
// A scheduled function (StageDueFunction, every 15 minutes; in the local
// stack a ticker, and tests call it with the time they stand for) sweeps
// the tasks due within a lead time (STAGE_LEAD_HOURS, default 48) and, for
// each, claims it (scheduled to started, one conditional write) and starts
// a short execution of statemachine/stage.asl.json named after the task and
// the attempt. That run drafts the filing from the case's current report
// and assessment, naming the first filing as the ledger recorded it
// (date and message id), checks it for the elements its law requires,
// stores it content-addressed ("STAGEDRAFT#..."), asks for the approval of
// exactly that filing (an approval request carrying the stage, bound to its
// hash and its one recipient), verifies the sealed approval records, sends
// it once through the ledger's claim-and-complete filing records, and
// records on that ledger record which filing it follows up and under which
// message id. A run that stops (the first filing not sent yet, an element
// missing, a rejection, a superseded round, sending paused) gives the task
// back to the sweeper with the error's name as its note. A started task is
// also in gsi1, under "STAGES#STARTED": each sweep first looks at those
// runs, and gives back a task whose run ended without moving it (an error
// no Catch names, an operator's StopExecution) or was never started (the
// sweep stopped between the claim and StartExecution; after StartGrace),
// with a note and a "stage.recovered" audit entry, so one lost run cannot
// hold a case's staged duties for good. Escalation
// (approval.Service.Escalate) warns the escalation contacts as a task that
// has not started comes within a margin of its due time, and `breachflow
// status` shows every task with its due time and a warning as it nears.
//
// Why a sweep and short runs, not a Wait state in the case's execution or
// a one-time EventBridge Scheduler schedule per task:
//   - A case's execution that waited 30 to 60 days for its final report
//     would hold the case's one execution (intake refuses a second one
//     while it runs), so an amendment in the meantime (the count grows, a
//     category is added) could not start its run without stopping the
//     wait; and a Wait state's date is fixed when the state is entered,
//     while an amendment can move it (facts confirmed earlier) or remove
//     the duty (a possible leak ruled out).
//   - A one-time schedule per task moves the same problem into the
//     scheduler: each amendment must find, update or delete the right
//     schedules, and a schedule created before a failed write outlives it.
//   - With the case table as the single record of what is due, an
//     amendment changes the task in the same assessment that decides it;
//     the sweep reads the table, so there is nothing else to keep in step;
//     and running it again is safe (claims, fixed run names). It costs 96
//     small invocations a day, whatever the number of cases.
//
// A stage run and the case's own run must not overlap: both ask for
// approval of the same case, and a new approval round supersedes the open
// one. So the sweep defers a task while the case's execution runs or
// another stage run of the case is under way, and an amendment that starts
// a run while a stage waits for approval supersedes the stage's round: the
// stage run ends, the task is scheduled again, and the next sweep after the
// amendment's run drafts it from the amended facts.
//
// Locally the same template runs: the stage state machine in the local
// engine, the two functions in process, and the sweep on a one-minute
// ticker (cmd/breachflow local up).
package stage
