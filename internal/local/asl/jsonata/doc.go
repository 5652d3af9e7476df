// Package jsonata evaluates the JSONata expressions of Amazon States
// Language definitions ("{% ... %}") as AWS Step Functions does, for the
// local engine (package asl). It adds what Step Functions adds to JSONata —
// $partition, $range, $hash, $random with an optional seed, $uuid and $parse
// — binds $now() and $millis() to the engine's clock, converts the engine's
// values (numbers as json.Number) both ways, writes numbers as JavaScript
// does (FormatNumber), and reports failures as AWS words them: ErrUndefined
// ("returned nothing (undefined)"), ErrUnsupportedResult, and *EvalError
// carrying JSONata's error code ("T1006: Attempted to invoke a
// non-function").
//
// # The library
//
// Evaluation is github.com/blues/jsonata-go v1.5.4, a Go port of jsonata-js,
// used unmodified. Every Go JSONata module that the module proxy here
// serves was measured; the two that resolve are both ports of JSONata 1.5:
//
//	                                      blues v1.5.4    xiatechs v1.8.8
//	jsonata-js 2.0.6 test suite (1625)    1261 pass       1282 pass
//	{caseId, count, sum} over 10k items   1.6 ms          17.7 ms
//	filter $[$ % 7 = 0] over 10k items    16.9 ms         65.3 ms
//	1/7, 22/7                             exact doubles   rounded to 8 places
//	functions AWS does not have           none            $sjoin, $objmerge, $eval, ...
//
// (each run compiles, binds $states and evaluates; go test -bench on this
// machine). xiatechs/jsonata-go, the more recently released, computes
// division through an 8-decimal type ("foo.bar / bar" gives 0.42857143,
// not 0.42857142857142855) and puts functions of its own into the global
// namespace, so an expression could pass locally and fail in AWS; blues is
// exact and several times faster. The modules whose documentation targets
// newer JSONata — github.com/jsonata-go/jsonata (which opens "v2.0.6"),
// github.com/tiaanduplessis/jsonata-go v0.1.0 (baseline jsonata-js 2.2.2)
// and github.com/sjhoeksma/jsonata-go — answer 403 from the module proxy
// here, so they could not be measured or used.
//
// Two hazards of the library are worked around here, both found by tests:
// its built-in functions are shared objects into which each call writes its
// evaluation context, so concurrent evaluations (Map iterations) would read
// each other's data (evaluations are serialized by a lock); and "~>" rewrites
// the compiled tree each time it is evaluated, so an expression is compiled
// afresh for every evaluation (a few microseconds).
//
// # Differences from AWS (JSONata 2.0.6)
//
// On jsonata-js 2.0.6's own test suite the library fails 364 of 1625 cases;
// the groups that matter for state machines:
//   - not implemented: the parent operator (%), the context and index
//     binding operators (@, #) used for joins, $formatInteger,
//     $parseInteger, $base64encode, $base64decode, $assert, and most
//     picture strings of $fromMillis and $toMillis;
//   - a string literal as a path step (foo."bar baz") is refused: use
//     back-quotes (foo.`bar baz`);
//   - numbers become strings ($string, &) in Go's shortest round-trip form,
//     where JSONata keeps 15 significant digits: $string(22/7) gives
//     "3.142857142857143", AWS "3.14285714285714"; $string has no
//     prettify argument;
//   - strings compare (<, >, $sort) by code point, JSONata by UTF-16 code
//     unit: they differ only between characters above U+FFFF and those in
//     U+E000-U+FFFF;
//   - objects are Go maps: their members come out in sorted order, where
//     JSONata keeps insertion order ($keys, $each, $string of an object);
//   - error codes and texts are JSONata's for the common errors (T1006,
//     T2001-T2004, T2009, T2010, T0410, D1001, D2014) and the library's
//     own otherwise; the Step Functions functions use codes D3040-D3045 of
//     their own, AWS's texts for them not being on record;
//   - $random(seed) is java.util.Random(seed).nextDouble(), deterministic as
//     AWS documents, but its value for a given seed is not confirmed equal
//     to AWS's;
//   - there is no limit on evaluation time or depth: an expression that
//     recurses without end exhausts the stack of the local stack's process.
package jsonata
