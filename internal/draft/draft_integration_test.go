//go:build integration

package draft_test

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"breachflow/internal/draft"
	"breachflow/internal/local/localtest"
)

func TestMain(m *testing.M) { os.Exit(localtest.Main(m)) }

// TestStoreAndLoadDynalite runs the store's contract against dynalite
// through the real SDK.
func TestStoreAndLoadDynalite(t *testing.T) {
	db := localtest.DynamoDB(t)
	storeContract(t, db, localtest.NewTable(t, db))
}

// TestConcurrentDraftingDynalite races several drafting runs: exactly one
// set is current afterwards, and it loads whole and verified.
func TestConcurrentDraftingDynalite(t *testing.T) {
	ctx := context.Background()
	db := localtest.DynamoDB(t)
	table := localtest.NewTable(t, db)
	r, a, at := sample(t, "kakaopay-alipay.json")
	const runs = 6
	hashes := make([]string, runs)
	errs := make([]error, runs)
	var wg sync.WaitGroup
	for i := range runs {
		day := at.Add(time.Duration(i) * 24 * time.Hour)
		ds, err := draft.Build(r, a, day)
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			hashes[i], errs[i] = draft.Store(ctx, db, table, "race", ds, day)
		}()
	}
	wg.Wait()
	won := map[string]bool{}
	for i, err := range errs {
		var conc *draft.ConcurrentDraftError
		switch {
		case err == nil:
			won[hashes[i]] = true
		case !errors.As(err, &conc):
			t.Errorf("run %d: %v", i, err)
		}
	}
	if len(won) == 0 {
		t.Fatal("no run stored its drafts")
	}
	got, hash, err := draft.Load(ctx, db, table, "race")
	if err != nil {
		t.Fatal(err)
	}
	if !won[hash] || draft.ContentHash(got) != hash {
		t.Errorf("current hash %s is not one a winning run stored (%v)", hash, won)
	}
}
