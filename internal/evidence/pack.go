package evidence

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"time"

	"breachflow/internal/audit"
)

// The pack's own files: the manifest of every other file, and the audit
// chain with its signed head and keys, which the manifest cannot list
// because the chain records the manifest's hash.
const (
	ManifestFile = "manifest.json"
	AuditFile    = "audit.json"
	HeadFile     = "audit-head.json"
)

// ActionPackWritten is the audit action that records a pack's manifest.
const ActionPackWritten = "evidence.pack_written"

// Manifest lists a pack's files with their SHA-256.
type Manifest struct {
	Version   int         `json:"version"`
	CaseID    string      `json:"case_id"`
	WrittenAt time.Time   `json:"written_at"`
	Files     []FileEntry `json:"files"`
}

// FileEntry is one file of the pack: its path relative to the pack (with
// forward slashes), size and SHA-256.
type FileEntry struct {
	Path   string `json:"path"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// chainFile is audit.json: the case's entries as the table held them.
type chainFile struct {
	CaseID  string        `json:"case_id"`
	Entries []audit.Entry `json:"entries"`
}

// headFile is audit-head.json: the signed head and the public keys (DER
// SubjectPublicKeyInfo, base64) of every key that signed, with their
// fingerprints to compare with the ones the company publishes.
type headFile struct {
	Head         *audit.Head       `json:"head"`
	PublicKeys   map[string]string `json:"public_keys"`
	Fingerprints map[string]string `json:"fingerprints"`
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// ownFile reports whether rel is one of the files the manifest leaves out.
func ownFile(rel string) bool {
	return rel == ManifestFile || rel == AuditFile || rel == HeadFile
}

// walk lists the pack's regular files, sorted, as forward-slash paths.
func walk(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	sort.Strings(out)
	return out, err
}

func writeManifest(dir, caseID string, at time.Time) (Manifest, []byte, error) {
	m := Manifest{Version: 1, CaseID: caseID, WrittenAt: at.UTC()}
	files, err := walk(dir)
	if err != nil {
		return m, nil, err
	}
	for _, rel := range files {
		if ownFile(rel) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			return m, nil, err
		}
		m.Files = append(m.Files, FileEntry{Path: rel, Bytes: int64(len(b)), SHA256: sha256Hex(b)})
	}
	raw, err := render(m)
	if err != nil {
		return m, nil, err
	}
	return m, raw, os.WriteFile(filepath.Join(dir, ManifestFile), raw, 0o644)
}

// render is the one JSON form of the pack's own files: the verifier
// renders what it parsed and compares bytes, so a change that parses to
// the same values (a space, a reordered key) is caught too.
func render(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	return append(b, '\n'), err
}

func writeChain(dir, caseID string, c audit.Chain) error {
	entries := c.Entries
	if entries == nil {
		entries = []audit.Entry{}
	}
	raw, err := render(chainFile{CaseID: caseID, Entries: entries})
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, AuditFile), raw, 0o644); err != nil {
		return err
	}
	h := headFile{Head: c.Head, PublicKeys: map[string]string{}, Fingerprints: map[string]string{}}
	for id, k := range c.Keys {
		der, err := x509.MarshalPKIXPublicKey(k)
		if err != nil {
			return err
		}
		h.PublicKeys[id] = base64.StdEncoding.EncodeToString(der)
		h.Fingerprints[id] = audit.Fingerprint(k)
	}
	if raw, err = render(h); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, HeadFile), raw, 0o644)
}

// PackError names the file, and for the audit chain the entry, where an
// evidence pack stops proving itself.
type PackError struct {
	File string
	// Entry is the audit entry's sequence number when File is audit.json
	// and the chain breaks; 0 otherwise.
	Entry  int64
	Reason string
}

func (e *PackError) Error() string {
	if e.Entry > 0 {
		return fmt.Sprintf("%s: entry %d: %s", e.File, e.Entry, e.Reason)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Reason)
}

// Verified is what VerifyPack found in a pack that proves itself.
type Verified struct {
	CaseID string
	// Files is how many files the manifest lists; Entries the length of
	// the audit chain.
	Files, Entries int
	Head           audit.Head
	// Fingerprints are the SHA-256 fingerprints of the signing keys'
	// public keys, by key ARN.
	Fingerprints map[string]string
}

// VerifyOptions pin what the pack alone cannot prove.
type VerifyOptions struct {
	// KeyFingerprints, when set, are the only signing keys accepted
	// (SHA-256 of the public key's DER, hex): the fingerprint the company
	// publishes for its audit key. Without it, a pack re-signed whole
	// under someone else's key verifies; VerifyPack reports the
	// fingerprints it trusted so they can be compared by hand.
	KeyFingerprints []string
}

// VerifyPack checks an evidence pack from its folder alone: every file
// against the manifest (none missing, changed or added), the manifest
// against the hash the audit chain records in its last entry, the audit
// chain's links and signatures against its signed head and the pack's
// public keys, and the chain files against their one written form. The
// first failure is a *PackError naming the file (and the entry).
func VerifyPack(dir string, opts VerifyOptions) (Verified, error) {
	var v Verified
	fail := func(file string, entry int64, format string, args ...any) (Verified, error) {
		return Verified{}, &PackError{File: file, Entry: entry, Reason: fmt.Sprintf(format, args...)}
	}
	rawManifest, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return fail(ManifestFile, 0, "cannot be read: %v", errors.Unwrap(err))
	}
	var m Manifest
	if err := strictJSON(rawManifest, &m); err != nil {
		return fail(ManifestFile, 0, "not a manifest: %v", err)
	}
	if again, err := render(m); err != nil || !bytes.Equal(again, rawManifest) {
		return fail(ManifestFile, 0, "changed since the pack was written (not in its written form)")
	}
	var chain chainFile
	if err := readOwn(dir, AuditFile, &chain); err != nil {
		return Verified{}, err
	}
	var hf headFile
	if err := readOwn(dir, HeadFile, &hf); err != nil {
		return Verified{}, err
	}
	if len(hf.Fingerprints) != len(hf.PublicKeys) {
		return fail(HeadFile, 0, "lists %d fingerprints for %d public keys", len(hf.Fingerprints), len(hf.PublicKeys))
	}
	keys := audit.Keys{}
	v.Fingerprints = map[string]string{}
	for id, b64 := range hf.PublicKeys {
		der, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			return fail(HeadFile, 0, "public key %s is not base64", id)
		}
		k, err := audit.ParsePublicKey(der)
		if err != nil {
			return fail(HeadFile, 0, "public key %s: %v", id, err)
		}
		fp := audit.Fingerprint(k)
		if hf.Fingerprints[id] != fp {
			return fail(HeadFile, 0, "the fingerprint given for key %s is not its public key's", id)
		}
		if len(opts.KeyFingerprints) > 0 && !slices.Contains(opts.KeyFingerprints, fp) {
			return fail(HeadFile, 0, "key %s (fingerprint %s) is not the audit key you named", id, fp)
		}
		keys[id], v.Fingerprints[id] = k, fp
	}
	if err := audit.Verify(chain.Entries, hf.Head, keys); err != nil {
		var brk *audit.BreakError
		if errors.As(err, &brk) {
			if brk.Head {
				return fail(HeadFile, 0, "%s", brk.Reason)
			}
			return fail(AuditFile, brk.Seq, "%s", brk.Reason)
		}
		return Verified{}, err
	}
	if len(chain.Entries) == 0 || hf.Head == nil {
		return fail(AuditFile, 0, "the pack's audit chain is empty")
	}
	if chain.CaseID != hf.Head.CaseID {
		return fail(AuditFile, 0, "is for case %s, the signed head for %s", chain.CaseID, hf.Head.CaseID)
	}
	last := chain.Entries[len(chain.Entries)-1]
	if last.Action != ActionPackWritten || last.Detail["manifest_sha256"] != sha256Hex(rawManifest) {
		return fail(ManifestFile, 0, "does not match the hash the audit chain's last entry (%d, %s) records for this pack", last.Seq, last.Action)
	}
	if m.CaseID != chain.CaseID {
		return fail(ManifestFile, 0, "is for case %s, the audit chain for %s", m.CaseID, chain.CaseID)
	}
	listed := map[string]FileEntry{}
	for _, f := range m.Files {
		if !filepath.IsLocal(filepath.FromSlash(f.Path)) || ownFile(f.Path) {
			return fail(ManifestFile, 0, "lists %q, which is not a file of the pack", f.Path)
		}
		listed[f.Path] = f
	}
	present, err := walk(dir)
	if err != nil {
		return Verified{}, err
	}
	for _, rel := range present {
		if _, ok := listed[rel]; !ok && !ownFile(rel) {
			return fail(rel, 0, "is not in the manifest (added after the pack was written)")
		}
	}
	for _, f := range m.Files {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.Path)))
		switch {
		case err != nil:
			return fail(f.Path, 0, "missing from the pack")
		case sha256Hex(b) != f.SHA256:
			return fail(f.Path, 0, "changed since the pack was written (sha256 %.12s, manifest says %.12s)", sha256Hex(b), f.SHA256)
		}
	}
	v.CaseID, v.Files, v.Entries, v.Head = m.CaseID, len(m.Files), len(chain.Entries), *hf.Head
	return v, nil
}

// readOwn reads one of the pack's own JSON files and holds it to its one
// written form.
func readOwn(dir, name string, into any) error {
	raw, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return &PackError{File: name, Reason: "missing from the pack"}
	}
	if err := strictJSON(raw, into); err != nil {
		return &PackError{File: name, Reason: fmt.Sprintf("not valid: %v", err)}
	}
	if again, err := render(into); err != nil || !bytes.Equal(again, raw) {
		return &PackError{File: name, Reason: "changed since the pack was written (not in its written form)"}
	}
	return nil
}

func strictJSON(raw []byte, into any) error {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.DisallowUnknownFields()
	return d.Decode(into)
}
