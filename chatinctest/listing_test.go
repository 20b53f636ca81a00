package chatinctest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRetrieveCampaignsKeptJSON checks that GET /retrieve/campaigns, which
// keeps the JSON of campaigns that cannot change, answers exactly what
// encoding every listing afresh answers, with its exact Content-Length:
// after new runs, with a run still scheduled, with ?active=true.
func TestRetrieveCampaignsKeptJSON(t *testing.T) {
	sim := NewHandler()
	do := func(method, path, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, "/v1"+path, strings.NewReader(body))
		req.Header.Set("Authorization", sim.APIKey())
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		sim.ServeHTTP(w, req)
		require.Less(t, w.Code, 300, "%s %s: %s", method, path, w.Body)
		return w
	}
	fresh := func(activeOnly bool) string {
		type envelope struct {
			Status    string       `json:"status"`
			Campaigns campaignJSON `json:"campaigns"`
		}
		list := []envelope{}
		now := time.Now()
		for _, l := range sim.store.freshListings(now) {
			if l.active || !activeOnly {
				list = append(list, envelope{"success", l.campaignJSON})
			}
		}
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		require.NoError(t, enc.Encode(list))
		return b.String()
	}
	check := func(when string) {
		for _, active := range []bool{false, true} {
			path := "/retrieve/campaigns"
			if active {
				path += "?active=true"
			}
			for range 2 { // the second answer comes from the kept JSON
				w := do(http.MethodGet, path, "")
				assert.Equal(t, fresh(active), w.Body.String(), "%s, active=%v", when, active)
				assert.Equal(t, strconv.Itoa(w.Body.Len()), w.Header().Get("Content-Length"), "%s, active=%v", when, active)
			}
		}
	}
	check("no campaigns")
	do(http.MethodPost, "/create/audience", `{"id":"a","name":"A","contacts":[{"number":"+15550100001"},{"number":"+15550100002"}]}`)
	var ids []string
	for i := range 3 {
		w := do(http.MethodPost, "/create/campaign", fmt.Sprintf(`{"title":"T%d","message":"Hi <b>&","runImmediately":true,"audiences":["a"]}`, i))
		var r struct{ CampaignID string }
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &r))
		ids = append(ids, r.CampaignID)
	}
	check("three campaigns sent")
	do(http.MethodPost, "/run/campaign", fmt.Sprintf(`{"campaignId":%q,"audiences":["a"]}`, ids[1]))
	check("one sent again")
	do(http.MethodPost, "/run/campaign", fmt.Sprintf(`{"campaignId":%q,"audiences":["a"],"timeToRun":%d}`, ids[2], time.Now().Add(time.Hour).Unix()))
	check("one scheduled")
}

// freshListing is a campaign's listing encoded afresh, not kept.
type freshListing struct {
	campaignJSON
	active bool
}

// freshListings returns the listing of each campaign at now, in the order
// they were created, each computed afresh.
func (s *store) freshListings(now time.Time) []freshListing {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []freshListing
	for _, c := range s.st.campaignOrder {
		j, active := s.st.listing(c, now)
		out = append(out, freshListing{j, active})
	}
	return out
}

// TestResultsOfForgottenCampaign checks that results being read when their
// campaign, and then its variable group, are forgotten (WithRetention) are
// still answered, the placeholders then rendered as "".
func TestResultsOfForgottenCampaign(t *testing.T) {
	s := newStore(1, 1)
	_, err := s.putGroup(groupInput{id: "users", name: "users", fields: []string{"n"}, audienceID: "a",
		rows: []groupRow{{number: "+15550100001", values: []string{"Ana"}}}})
	require.NoError(t, err)
	segments, err := splitMessage("Hi {users.n}")
	require.NoError(t, err)
	now := time.Now()
	id, _, err := s.addCampaign(&campaign{segments: segments}, []string{"a"}, true, now, now)
	require.NoError(t, err)
	c, runs, err := s.completedRuns(id, now)
	require.NoError(t, err)

	// A newer campaign, audience and group push them all out.
	_, _, err = s.addCampaign(&campaign{segments: []segment{{literal: "m"}}}, nil, false, now, now)
	require.NoError(t, err)
	_, err = s.putGroup(groupInput{id: "other", name: "other", fields: []string{"n"}, audienceID: "b"})
	require.NoError(t, err)
	_, _, err = s.completedRuns(id, now)
	require.Error(t, err, "forgotten")
	assert.Equal(t, []string{"b"}, []string{s.audienceList()[0].id})
	assert.Equal(t, "other", s.groupList()[0].id)

	var messages []string
	require.NoError(t, s.eachDetail(c, runs, func(d *detailRow) error {
		messages = append(messages, d.Message)
		return nil
	}))
	assert.Equal(t, []string{"Hi "}, messages)
}
