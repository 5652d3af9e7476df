package delivery

import (
	"encoding/json"
	"fmt"
	"strings"

	"breachflow/internal/email"
)

// FilingAddresses maps a filing to its regulator's filing address: the
// send function's FILING_ADDRESSES. Keys are tried in order: each
// obligation id the filing serves, the regulator's name, then "*". A value
// may hold "{id}", replaced by the filing's id, which lets a demo or a test
// send every filing to its own reserved-domain mailbox.
type FilingAddresses map[string]string

// ParseFilingAddresses reads the JSON object of FILING_ADDRESSES.
func ParseFilingAddresses(s string) (FilingAddresses, error) {
	if strings.TrimSpace(s) == "" {
		return FilingAddresses{}, nil
	}
	var m FilingAddresses
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, fmt.Errorf("FILING_ADDRESSES: want a JSON object of obligation id or regulator name to address: %w", err)
	}
	return m, nil
}

// For returns where f goes, or *SendConfigInvalid naming the filing when no
// address is configured: a filing is never dropped silently.
func (a FilingAddresses) For(f email.Filing) (string, error) {
	keys := append(append([]string{}, f.ObligationIDs...), f.Regulator, "*")
	for _, k := range keys {
		if addr, ok := a[k]; ok && addr != "" {
			return strings.ReplaceAll(addr, "{id}", f.ID), nil
		}
	}
	return "", &SendConfigInvalid{Reason: fmt.Sprintf("no filing address configured for %s (%s); set FILING_ADDRESSES", f.ID, f.Regulator)}
}
