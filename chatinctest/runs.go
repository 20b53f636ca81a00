package chatinctest

import (
	"sync"
	"time"
)

// run is one sending of a campaign: the contacts it targets are fixed when
// it starts. It is scheduled until its time comes, then completed; nothing
// of it changes after it starts.
type run struct {
	id        string
	audiences []string
	at        time.Time
	contacts  []phone
	missing   int // contacts without a value for some placeholder, at the start

	tallyOnce sync.Once
	counts    tally
}

// completed reports whether the run has taken place by now.
func (r *run) completed(now time.Time) bool { return !r.at.After(now) }

// pending reports whether a run of c is still to come at now (scheduled):
// WithRetention never forgets such a campaign.
func (c *campaign) pending(now time.Time) bool {
	for _, r := range c.runs {
		if !r.completed(now) {
			return true
		}
	}
	return false
}

// tally counts the outcomes of the run's messages (computed once).
func (r *run) tally(seed int64, campaignID string) tally {
	r.tallyOnce.Do(func() {
		for _, p := range r.contacts {
			a, _ := outcome(seed, campaignID, r.id, p.key())
			r.counts[a]++
		}
	})
	return r.counts
}
