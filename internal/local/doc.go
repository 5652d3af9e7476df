// Package local holds, in its subpackages, everything that exists only to
// run AWS on a laptop or in CI: the ASL interpreter (asl), the Step
// Functions service and its JSON API (stepfunctions, sfnapi), the npm
// emulators as child processes (emulators), the template deployed in
// process (deploy, sam), loopback-only serving (loopback) and the
// integration tests' emulator helper (localtest).
//
// The product (functions/ and the other internal/ packages) never imports
// it; only the CLI's `local up` and `demo`, the benches and tests do.
// TestProductDoesNotImportLocal holds that line.
package local
