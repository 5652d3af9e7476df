package stepfunctions

import "testing"

func TestEventLogKeepsOrderAcrossChunks(t *testing.T) {
	var l eventLog
	const n = 2*eventChunk + 100
	for i := 1; i <= n; i++ {
		l.add(HistoryEvent{ID: int64(i)})
	}
	all := l.all()
	if l.len() != n || len(all) != n {
		t.Fatalf("len %d, all %d, want %d", l.len(), len(all), n)
	}
	for i, ev := range all {
		if ev.ID != int64(i+1) {
			t.Fatalf("event %d has id %d", i, ev.ID)
		}
	}
}
