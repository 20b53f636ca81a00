package simulator

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// allAudiences is the audience ID that targets every contact.
const allAudiences = "all"

// store is the simulator's state: one lock over all of it. Endpoints
// validate what they can before taking the lock, and check and change the
// state in one critical section, so a request is applied whole or not at
// all.
type store struct {
	seed int64

	mu            sync.RWMutex
	audiences     map[string]*audience
	groups        map[string]*group
	campaigns     map[string]*campaign
	campaignOrder []*campaign // in the order they were created
	campaignSeq   uint64      // IDs handed out so far
	runSeq        uint64
}

func newStore(seed int64) *store {
	return &store{
		seed:      seed,
		audiences: make(map[string]*audience),
		groups:    make(map[string]*group),
		campaigns: make(map[string]*campaign),
	}
}

// audience is a named set of contacts.
type audience struct {
	id, name, description string
	contacts              phoneSet
}

// group is a variable group: for each contact (by phone key), a value per
// field. Fields are only ever appended, so an index into fields stays valid.
type group struct {
	id, name, description string
	fields                []string
	fieldIndex            map[string]int
	rows                  map[string][]string // by phone key; may be shorter than fields
}

// value returns the group's value of field index f for the contact key.
func (g *group) value(key string, f int) string {
	if row := g.rows[key]; f < len(row) {
		return row[f]
	}
	return ""
}

// campaign is a campaign and its runs. All but runs is fixed at creation.
type campaign struct {
	id, title, message, imgURL, locale string
	example                            string // messageExample, as given
	buttons                            []button
	variables                          []string  // the placeholders, as "group.field"
	segments                           []segment // the message, split at its placeholders
	runs                               []*run

	// listed is the campaign's JSON in GET /retrieve/campaigns, kept while
	// it cannot change: all of its runs, which were completed, are in it.
	// Readers under the read lock fill it, hence the atomic.
	listed atomic.Pointer[listedJSON]
}

// listedJSON is a campaign's listing as JSON, for its first runs runs,
// the last of which was at latest.
type listedJSON struct {
	runs   int
	latest time.Time
	data   []byte
}

// run is one sending of a campaign: the contacts it targets are fixed when
// it starts. It is scheduled until its time comes, then completed.
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

// audienceFor returns the audience id, creating it (named name) when create
// is set and it does not exist. label names the ID's field in errors. The
// caller holds the write lock.
func (st *store) audienceFor(label, id, name string, create bool) (a *audience, created bool, err error) {
	if id == allAudiences {
		return nil, false, badRequest("%s: %q is reserved: it targets every contact", label, allAudiences)
	}
	if a := st.audiences[id]; a != nil {
		return a, false, nil
	}
	if !create {
		return nil, false, notFound("audience %q not found", id)
	}
	a = &audience{id: id, name: name}
	st.audiences[id] = a
	return a, true, nil
}

// checkAudiences checks that every audience of a run exists; "all" always
// does.
func (st *store) checkAudiences(ids []string) error {
	for i, id := range ids {
		if _, ok := st.audiences[id]; !ok && id != allAudiences {
			return badRequest("audiences[%d]: audience %q not found", i, id)
		}
	}
	return nil
}

// contactsOf returns the contacts of the audiences, each once: "all" is
// every audience, in the order of their IDs. The caller holds the lock.
func (st *store) contactsOf(ids []string) []phone {
	if slices.Contains(ids, allAudiences) {
		ids = sortedKeys(st.audiences)
	}
	var set phoneSet
	for _, id := range ids {
		for _, p := range st.audiences[id].contacts.list {
			set.add(p)
		}
	}
	return set.list
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
