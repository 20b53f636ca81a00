package chatinctest

import (
	"container/list"
	"slices"
	"time"
)

// Retention (WithRetention). A write that adds a campaign, an audience or a
// variable group then trims the state to the newest st.retain of each kind
// (campaigns by creation, audiences and groups by their last write), but
// for what a kept campaign needs: a campaign with a run still to come, the
// audiences its runs name and the groups its message refers to (each
// counted in refs) are kept. So the state holds at most st.retain of each
// kind beside those, and trimming costs in proportion to them.

// pinGroups counts (delta 1) or uncounts (-1) c's placeholders in the refs
// of their groups.
func (st *state) pinGroups(c *campaign, delta int) {
	for _, s := range c.segments {
		if s.ref != "" {
			st.groups[s.groupID].refs += delta
		}
	}
}

// pinAudiences counts (delta 1) or uncounts (-1) the audiences r names in
// their refs ("all" is no audience).
func (st *state) pinAudiences(r *run, delta int) {
	for _, id := range r.audiences {
		if a := st.audiences[id]; a != nil {
			a.refs += delta
		}
	}
}

// trimCampaigns forgets the campaigns older than the newest st.retain but
// those with a run still to come at now.
func (st *state) trimCampaigns(now time.Time) {
	old := len(st.campaignOrder) - st.retain
	if st.retain == 0 || old <= 0 {
		return
	}
	kept := st.campaignOrder[:0]
	for _, c := range st.campaignOrder[:old] {
		if c.pending(now) {
			kept = append(kept, c)
			continue
		}
		delete(st.campaigns, c.id)
		st.pinGroups(c, -1)
		for _, r := range c.runs {
			st.pinAudiences(r, -1)
		}
	}
	kept = append(kept, st.campaignOrder[old:]...)
	clear(st.campaignOrder[len(kept):]) // no longer reachable from here
	st.campaignOrder = kept
}

// trimAudiencesAndGroups forgets the audiences and the groups written less
// recently than the newest st.retain but those a kept campaign needs.
func (st *state) trimAudiencesAndGroups() {
	st.audienceIndex.trim(st.retain, func(id string) { delete(st.audiences, id) })
	st.groupIndex.trim(st.retain, func(id string) { delete(st.groups, id) })
}

// index orders the audiences, or the variable groups, for the lists and
// for WithRetention: their IDs in order, and the order they were written
// in (created or changed).
type index struct {
	ids     []string  // sorted
	written list.List // of *indexed, the least recently written first
}

// indexed is what an index holds of an audience or a variable group.
type indexed struct {
	id      string
	written *list.Element // in its index's written
	refs    int           // what kept campaigns need it: never forgotten while > 0
}

// add adds a new audience or group, as the most recently written.
func (x *index) add(v *indexed) {
	i, _ := slices.BinarySearch(x.ids, v.id)
	x.ids = slices.Insert(x.ids, i, v.id)
	v.written = x.written.PushBack(v)
}

// wrote makes v the most recently written.
func (x *index) wrote(v *indexed) { x.written.MoveToBack(v.written) }

// trim removes, and has forget forget, each of those but the keep most
// recently written that no kept campaign needs (keep 0: none).
func (x *index) trim(keep int, forget func(id string)) {
	if keep == 0 {
		return
	}
	e := x.written.Front()
	for old := x.written.Len() - keep; e != nil && old > 0; old-- {
		next := e.Next()
		if v := e.Value.(*indexed); v.refs == 0 {
			x.written.Remove(e)
			if i, ok := slices.BinarySearch(x.ids, v.id); ok {
				x.ids = slices.Delete(x.ids, i, i+1)
			}
			forget(v.id)
		}
		e = next
	}
}
