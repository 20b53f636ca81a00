package chatinctest

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// allAudiences is the audience ID that targets every contact.
const allAudiences = "all"

// store is the simulator's state behind one lock, and the only way to it.
//
// The locking rule, for the whole package: a lock is taken by the methods
// of the type that holds it, never by their callers. So every method of
// *store takes mu itself (the read lock to look, the write lock to change)
// and returns values the caller owns, or that never change once made
// (phone numbers, a *campaign's fixed fields, a started *run); the methods
// of *state, and of the types it holds, run under mu, called from a method
// of *store. (The request log, the fault queue and the rate limiter keep
// the same rule with their own locks.) A request that changes the state is
// checked against it and applied in one critical section, so it is applied
// whole or not at all; handlers check what needs no state before they call
// the store.
type store struct {
	mu sync.RWMutex
	st state
}

// state is what the store holds.
type state struct {
	seed          int64
	retain        int // of each kind, as WithRetention says; 0: all
	audiences     map[string]*audience
	audienceIndex index // of audiences
	groups        map[string]*group
	groupIndex    index // of groups
	campaigns     map[string]*campaign
	campaignOrder []*campaign // in the order they were created
	campaignSeq   uint64      // IDs handed out so far
	runSeq        uint64
}

// newStore returns an empty store that keeps retain of each kind (see
// WithRetention); retain <= 0 keeps everything.
func newStore(seed int64, retain int) *store {
	return &store{st: state{
		seed:      seed,
		retain:    max(retain, 0),
		audiences: make(map[string]*audience),
		groups:    make(map[string]*group),
		campaigns: make(map[string]*campaign),
	}}
}

// audience is a named set of contacts.
type audience struct {
	indexed           // its ID; refs counts the runs of kept campaigns that name it
	name, description string
	contacts          phoneSet
}

// group is a variable group: for each contact (by phone key), a value per
// field. Fields are only ever appended, so an index into fields stays valid.
type group struct {
	indexed           // its ID; refs counts the placeholders of kept campaigns that name it
	name, description string
	fields            []string
	fieldIndex        map[string]int
	rows              map[string][]string // by phone key; may be shorter than fields
}

// value returns the group's value of field index f for the contact key; ""
// for a group that is gone (a campaign forgotten while its results were
// being read, and then its group).
func (g *group) value(key string, f int) string {
	if g == nil {
		return ""
	}
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

	// The template's review: PENDING before reviewedAt, then reviewed.
	reviewed   string
	reviewedAt time.Time

	// listed is the campaign's JSON in GET /retrieve/campaigns, kept while
	// it cannot change: all of its runs, which were completed, are in it.
	// Readers under the read lock fill it, hence the atomic.
	listed atomic.Pointer[listedJSON]
}

// Audiences.

// audienceChange is what a request did to an audience.
type audienceChange struct {
	created bool // it did not exist
	added   int  // contacts new to it
	total   int  // contacts it has now
}

// audienceSummary is an audience as listed.
type audienceSummary struct {
	id, name, description string
	contacts              int
}

// putAudience creates audience id named name, or renames it (and sets its
// description when one is given), and adds numbers to it.
func (s *store) putAudience(id, name, description string, numbers []phone) (audienceChange, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, created, err := s.st.ensureAudience("id", id, name)
	if err != nil {
		return audienceChange{}, err
	}
	a.name = name
	if description != "" {
		a.description = description
	}
	ch := a.add(numbers)
	ch.created = created
	s.st.audienceIndex.wrote(&a.indexed)
	s.st.trimAudiencesAndGroups()
	return ch, nil
}

// addContacts adds numbers to audience id, which must exist.
func (s *store) addContacts(id string, numbers []phone) (audienceChange, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.st.findAudience("id", id)
	if err != nil {
		return audienceChange{}, err
	}
	s.st.audienceIndex.wrote(&a.indexed)
	return a.add(numbers), nil
}

// audienceList returns every audience, by ID.
func (s *store) audienceList() []audienceSummary {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]audienceSummary, len(s.st.audienceIndex.ids))
	for i, id := range s.st.audienceIndex.ids {
		a := s.st.audiences[id]
		out[i] = audienceSummary{a.id, a.name, a.description, len(a.contacts.list)}
	}
	return out
}

// contacts returns the contacts of audience id.
func (s *store) contacts(id string) ([]phone, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a := s.st.audiences[id]
	if a == nil {
		return nil, &notFoundError{"audience", id}
	}
	return slices.Clip(a.contacts.list), nil // only ever appended to
}

// add adds numbers to a, each contact once.
func (a *audience) add(numbers []phone) audienceChange {
	added := 0
	for _, p := range numbers {
		if a.contacts.add(p) {
			added++
		}
	}
	return audienceChange{added: added, total: len(a.contacts.list)}
}

// findAudience returns the audience id. label names the ID's field in
// errors.
func (st *state) findAudience(label, id string) (*audience, error) {
	if err := checkAudienceID(label, id); err != nil {
		return nil, err
	}
	if a := st.audiences[id]; a != nil {
		return a, nil
	}
	return nil, &notFoundError{"audience", id}
}

// ensureAudience returns the audience id, creating it, named name, if it
// does not exist. label names the ID's field in errors.
func (st *state) ensureAudience(label, id, name string) (a *audience, created bool, err error) {
	if err := checkAudienceID(label, id); err != nil {
		return nil, false, err
	}
	if a := st.audiences[id]; a != nil {
		return a, false, nil
	}
	a = &audience{indexed: indexed{id: id}, name: name}
	st.audiences[id] = a
	st.audienceIndex.add(&a.indexed)
	return a, true, nil
}

// checkAudiences checks that every audience of a run exists; "all" always
// does.
func (st *state) checkAudiences(ids []string) error {
	for i, id := range ids {
		if _, ok := st.audiences[id]; !ok && id != allAudiences {
			return invalid("audiences[%d]: audience %q not found", i, id)
		}
	}
	return nil
}

// contactsOf returns the contacts of the audiences, each once: "all" is
// every audience, in the order of their IDs.
func (st *state) contactsOf(ids []string) []phone {
	if slices.Contains(ids, allAudiences) {
		ids = st.audienceIndex.ids
	}
	var set phoneSet
	for _, id := range ids {
		for _, p := range st.audiences[id].contacts.list {
			set.add(p)
		}
	}
	return set.list
}

// Variable groups.

// groupInput is a variable group to create or extend, validated.
type groupInput struct {
	id, name, description string
	fields                []string
	rows                  []groupRow
	audienceID            string // "": none
}

// groupRow is one contact's values, in the order of groupInput.fields.
type groupRow struct {
	number phone
	values []string
}

// groupChange is what a request did to a variable group.
type groupChange struct {
	created   bool
	totalRows int             // contacts with values now
	audience  *audienceChange // the audience of groupInput.audienceID, if any
}

// groupSummary is a variable group as listed.
type groupSummary struct {
	id, name, description string
	fields                []string
}

// putGroup creates the variable group, or renames it and extends it: its
// fields become the union of the old and the new, and each row replaces the
// values of the fields it has for its number. With an audience ID, the
// audience (created if need be, named after its ID) gets every row's number.
func (s *store) putGroup(in groupInput) (groupChange, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var aud *audience
	if in.audienceID != "" {
		var err error
		if aud, _, err = s.st.ensureAudience("audienceId", in.audienceID, in.audienceID); err != nil {
			return groupChange{}, err
		}
	}
	var ch groupChange
	g := s.st.groups[in.id]
	if g == nil {
		g = &group{indexed: indexed{id: in.id}, fieldIndex: make(map[string]int), rows: make(map[string][]string)}
		s.st.groups[in.id] = g
		s.st.groupIndex.add(&g.indexed)
		ch.created = true
	}
	s.st.groupIndex.wrote(&g.indexed)
	g.name = in.name
	if in.description != "" {
		g.description = in.description
	}
	g.put(in.fields, in.rows)
	ch.totalRows = len(g.rows)
	if aud != nil {
		numbers := make([]phone, len(in.rows))
		for i, r := range in.rows {
			numbers[i] = r.number
		}
		ac := aud.add(numbers)
		ch.audience = &ac
		s.st.audienceIndex.wrote(&aud.indexed)
	}
	s.st.trimAudiencesAndGroups()
	return ch, nil
}

// put adds fields to g and sets each row's values of them.
func (g *group) put(fields []string, rows []groupRow) {
	cols := make([]int, len(fields)) // where each input field is in g.fields
	for i, f := range fields {
		j, ok := g.fieldIndex[f]
		if !ok {
			j = len(g.fields)
			g.fields = append(g.fields, f)
			g.fieldIndex[f] = j
		}
		cols[i] = j
	}
	for _, r := range rows {
		key := r.number.key()
		row := g.rows[key]
		if len(row) < len(g.fields) {
			row = append(row, make([]string, len(g.fields)-len(row))...)
		}
		for i, v := range r.values {
			row[cols[i]] = v
		}
		g.rows[key] = row
	}
}

// groupList returns every variable group, by ID.
func (s *store) groupList() []groupSummary {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]groupSummary, len(s.st.groupIndex.ids))
	for i, id := range s.st.groupIndex.ids {
		g := s.st.groups[id]
		out[i] = groupSummary{g.id, g.name, g.description, slices.Clone(g.fields)}
	}
	return out
}

// Campaigns and runs.

// runStart is a run that a request started.
type runStart struct {
	campaignID, runID string
	at                time.Time
	contacts          int // contacts it targets
	missing           int // of which without a value for some placeholder
}

// addCampaign stores c once its placeholders and audiences check out, and
// with runNow starts a run of it at a time that may be in the future (now
// is the server's clock). It returns c's new ID and the run, if any.
func (s *store) addCampaign(c *campaign, audiences []string, runNow bool, at, now time.Time) (string, *runStart, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	variables, err := s.st.resolve(c.segments)
	if err != nil {
		return "", nil, err
	}
	if err := s.st.checkAudiences(audiences); err != nil {
		return "", nil, err
	}
	if runNow {
		if err := c.checkApproved(now); err != nil {
			return "", nil, err
		}
	}
	s.st.campaignSeq++
	c.id = makeID(s.st.seed, "c_", s.st.campaignSeq)
	c.variables = variables
	s.st.campaigns[c.id] = c
	s.st.campaignOrder = append(s.st.campaignOrder, c)
	s.st.pinGroups(c, 1)
	var r *runStart
	if runNow {
		started := s.st.startRun(c, audiences, at)
		r = &started
	}
	s.st.trimCampaigns(now)
	s.st.trimAudiencesAndGroups()
	return c.id, r, nil
}

// runCampaign starts a run of the campaign id at a time that may be in the
// future.
func (s *store) runCampaign(id string, audiences []string, at, now time.Time) (runStart, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.st.campaigns[id]
	if c == nil {
		return runStart{}, &notFoundError{"campaign", id}
	}
	if err := s.st.checkAudiences(audiences); err != nil {
		return runStart{}, err
	}
	if err := c.checkApproved(now); err != nil {
		return runStart{}, err
	}
	return s.st.startRun(c, audiences, at), nil
}

// startRun starts a run of c for the contacts of audiences (which exist).
func (st *state) startRun(c *campaign, audiences []string, at time.Time) runStart {
	st.runSeq++
	r := &run{
		id:        makeID(st.seed, "r_", st.runSeq),
		audiences: slices.Clone(audiences),
		at:        at,
		contacts:  st.contactsOf(audiences),
	}
	for _, p := range r.contacts {
		if len(c.missing(st.groups, p.key())) > 0 {
			r.missing++
		}
	}
	c.runs = append(c.runs, r)
	st.pinAudiences(r, 1)
	return runStart{c.id, r.id, r.at, len(r.contacts), r.missing}
}

// campaignListings returns the JSON listing of each campaign at now (only
// the active ones, those with a run still to come, with activeOnly), in the
// order they were created.
func (s *store) campaignListings(now time.Time, activeOnly bool) [][]byte {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([][]byte, 0, len(s.st.campaignOrder))
	for _, c := range s.st.campaignOrder {
		if data, active := s.st.listingJSON(c, now); active || !activeOnly {
			out = append(out, data)
		}
	}
	return out
}

// completedRuns returns the campaign id and its runs completed by now.
func (s *store) completedRuns(id string, now time.Time) (*campaign, []*run, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c := s.st.campaigns[id]
	if c == nil {
		return nil, nil, &notFoundError{"campaign", id}
	}
	var runs []*run
	for _, r := range c.runs {
		if r.completed(now) {
			runs = append(runs, r)
		}
	}
	return c, runs, nil
}

// eachDetail calls visit with each result row of the runs of c, in run
// order, then contact order. It renders a chunk at a time under the read
// lock and calls visit outside it, so a slow reader holds up no one.
func (s *store) eachDetail(c *campaign, runs []*run, visit func(*detailRow) error) error {
	const chunk = 1024
	rows := make([]detailRow, 0, chunk)
	for _, r := range runs {
		for lo := 0; lo < len(r.contacts); lo += chunk {
			s.mu.RLock()
			rows = s.st.details(c, r, r.contacts[lo:min(lo+chunk, len(r.contacts))], rows[:0])
			s.mu.RUnlock()
			for i := range rows {
				if err := visit(&rows[i]); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// details appends to rows the results of run r of c for contacts.
func (st *state) details(c *campaign, r *run, contacts []phone, rows []detailRow) []detailRow {
	for _, p := range contacts {
		a, after := outcome(st.seed, c.id, r.id, p.key())
		rows = append(rows, detailRow{string(p), a.String(), r.id, c.render(st.groups, p.key()), r.at.Add(after).Unix(),
			c.missing(st.groups, p.key())})
	}
	return rows
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
