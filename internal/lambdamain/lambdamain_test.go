package lambdamain

import (
	"strings"
	"testing"
	"time"
)

func TestLoad(t *testing.T) {
	type config struct {
		Table   string        `env:"CASE_TABLE"`
		Rate    float64       `env:"RATE"`
		Workers int           `env:"WORKERS,optional"`
		Lease   time.Duration `env:"LEASE,optional"`
		Strict  bool          `env:"STRICT,optional"`
		Ignored string
	}
	env := func(m map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	var c config
	err := Load(&c, env(map[string]string{"CASE_TABLE": "cases", "RATE": "14.5", "LEASE": "90s", "STRICT": "true"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Table != "cases" || c.Rate != 14.5 || c.Workers != 0 || c.Lease != 90*time.Second || !c.Strict {
		t.Errorf("loaded %+v", c)
	}

	err = Load(&c, env(map[string]string{"RATE": "fast"}))
	if err == nil || !strings.Contains(err.Error(), "missing environment variables: CASE_TABLE") || !strings.Contains(err.Error(), `RATE="fast"`) {
		t.Errorf("bad environment: got %v, want the missing and the malformed variable named", err)
	}
	if err := Load(c, env(nil)); err == nil {
		t.Error("Load accepted a non-pointer")
	}
}
