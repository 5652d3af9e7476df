// Package emulators runs breachflow's local AWS stand-ins: dynalite for
// DynamoDB and aws-ses-v2-local for SES v2 as child processes, both
// installed by `npm ci` in infra/ from the committed lockfile, and a KMS.
//
// Each emulator is bound to 127.0.0.1 only, on a fixed port (the CLI's
// defaults: DynamoDB 8000, SES 8005) or on a free one (tests). Start waits
// until each answers; Close stops each whole process group, and the children
// are also tied to this process's life (Linux parent-death signal), so a
// killed test binary or CLI leaves no node process behind.
//
// KMS runs in process (package localkms, the local-kms emulator's handlers
// on a loopback listener): Start serves it after the two children answer and
// creates the audit key behind audit.DefaultKey if its folder has none.
// S3 runs in process too (package locals3, gofakes3's handler; CLI default
// port 8009), with the notice bucket (NoticeBucket) created versioned, as
// template.yaml's NoticeBucket is.
//
// The local Step Functions engine is not here: it runs in process (package
// stepfunctions), and the CLI composes the two.
package emulators
