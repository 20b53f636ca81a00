package chatinctest_test

import (
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatinc/chatinc-go/chatinctest"
)

// campaignTitles returns the titles of the campaigns listed, in order.
func (a *api) campaignTitles() []string {
	a.t.Helper()
	var out []string
	for _, c := range a.get("/retrieve/campaigns").requireOK().list() {
		out = append(out, c["campaigns"].(map[string]any)["title"].(string))
	}
	return out
}

// listedIDs returns the "id" of each object under key of the answer (or of
// the bare array with key "").
func listedIDs(r response, key string) []string {
	var items []any
	if key == "" {
		for _, x := range r.list() {
			items = append(items, x)
		}
	} else {
		items = r.object()[key].([]any)
	}
	var out []string
	for _, x := range items {
		out = append(out, x.(map[string]any)["id"].(string))
	}
	return out
}

// newCampaign creates a campaign run at once to audiences (if any) and
// returns its ID.
func (a *api) newCampaign(title, message string, audiences ...string) string {
	a.t.Helper()
	body := map[string]any{"title": title, "message": message}
	if len(audiences) > 0 {
		body["runImmediately"], body["audiences"] = true, audiences
	}
	return a.post("/create/campaign", body).requireOK().object()["campaignId"].(string)
}

// TestRetentionOrder checks that WithRetention keeps the newest campaigns
// (by creation) and the audiences and groups written most recently, and
// that what it forgot answers as if it had never existed.
func TestRetentionOrder(t *testing.T) {
	a := newAPI(t, chatinctest.WithRetention(3))
	a.post("/create/audience", map[string]any{"id": "a", "name": "A", "contacts": contacts("+15550100001", "+15550100002")}).requireOK()
	var ids []string
	for i := range 5 {
		ids = append(ids, a.newCampaign(fmt.Sprint("c", i), "m", "a"))
		if i == 2 {
			assert.Equal(t, []string{"c0", "c1", "c2"}, a.campaignTitles(), "up to the retention, all are kept")
		}
	}
	ids = append(ids, a.newCampaign("draft", "m")) // never run: forgotten by age all the same
	assert.Equal(t, []string{"c3", "c4", "draft"}, a.campaignTitles())
	assert.Len(t, a.post("/retrieve/campaign", map[string]any{"campaignId": ids[4]}).requireOK().list(), 2)
	for _, id := range ids[:3] {
		a.post("/retrieve/campaign", map[string]any{"campaignId": id}).requireError(http.StatusNotFound, fmt.Sprintf("campaign %q not found", id))
		a.post("/retrieve/campaign", map[string]any{"campaignId": id, "format": "csv"}).requireError(http.StatusNotFound, fmt.Sprintf("campaign %q not found", id))
		a.post("/run/campaign", map[string]any{"campaignId": id, "audiences": []string{"a"}}).requireError(http.StatusNotFound, fmt.Sprintf("campaign %q not found", id))
	}
	// Running a kept campaign again does not make it newer.
	a.post("/run/campaign", map[string]any{"campaignId": ids[3], "audiences": []string{"a"}}).requireOK()
	a.newCampaign("c5", "m")
	assert.Equal(t, []string{"c4", "draft", "c5"}, a.campaignTitles())

	// Audiences: the least recently written goes first, and adding
	// contacts is a write; but "a", which the runs of kept campaigns (c4)
	// name, stays.
	for _, id := range []string{"x", "y"} {
		a.post("/create/audience", map[string]any{"id": id, "name": id, "contacts": contacts("+15550100003")}).requireOK()
	}
	a.post("/create/audience", map[string]any{"id": "x", "contacts": contacts("+15550100004")}).requireOK()
	a.post("/create/audience", map[string]any{"id": "z", "name": "z"}).requireOK()
	a.post("/create/audience", map[string]any{"id": "w", "name": "w"}).requireOK()
	assert.Equal(t, []string{"a", "w", "x", "z"}, listedIDs(a.get("/retrieve/audiences").requireOK(), "audiences"))
	a.post("/retrieve/audience/contacts", map[string]any{"id": "y"}).requireError(http.StatusNotFound, `audience "y" not found`)
	a.post("/create/audience", map[string]any{"id": "y", "contacts": contacts("+15550100005")}).requireError(http.StatusNotFound, `audience "y" not found`)
	// A run to "all" takes every audience kept when it starts; creating
	// its campaign forgets c4, and so "a", which nothing needs any more.
	details := a.post("/retrieve/campaign", map[string]any{"campaignId": a.newCampaign("to all", "m", "all")}).requireOK().list()
	assert.Len(t, details, 4, `"all": the contacts of a, w, x and z`)
	assert.Equal(t, []string{"draft", "c5", "to all"}, a.campaignTitles())
	assert.Equal(t, []string{"w", "x", "z"}, listedIDs(a.get("/retrieve/audiences").requireOK(), "audiences"))

	// Variable groups, likewise.
	for _, id := range []string{"g1", "g2", "g3", "g1", "g4"} {
		a.post("/create/variable/group", map[string]any{"id": id, "name": id, "fields": []string{"f"}}).requireOK()
	}
	assert.Equal(t, []string{"g1", "g3", "g4"}, listedIDs(a.post("/retrieve/variable/groups", nil).requireOK(), ""))
	a.post("/create/campaign", map[string]any{"title": "t", "message": "{g2.f}"}).requireError(http.StatusBadRequest,
		`message: {g2.f} at byte 0: unknown variable group "g2"`)
}

// TestRetentionKeepsWhatIsNeeded checks what WithRetention never forgets: a
// campaign with a run still to come, the audiences its runs name and the
// variable groups its message refers to, for as long as the campaign is
// kept; and that they go once nothing needs them.
func TestRetentionKeepsWhatIsNeeded(t *testing.T) {
	clk := &clock{now: time.Date(2030, 1, 2, 9, 0, 0, 0, time.UTC)}
	a := newAPI(t, chatinctest.WithRetention(2), chatinctest.WithClock(clk.Now))
	a.post("/create/variable/group", map[string]any{"id": "users", "name": "users", "fields": []string{"first_name"},
		"values": []map[string]any{{"number": "+15550100001", "first_name": "Ana"}}, "audienceId": "vip"}).requireOK()
	scheduled := a.post("/create/campaign", map[string]any{"title": "scheduled", "message": "Hi {users.first_name}", "runImmediately": true,
		"audiences": []string{"vip"}, "timeToRun": clk.Now().Add(time.Hour).Unix()}).requireOK().object()["campaignId"]
	for i := range 4 {
		a.newCampaign(fmt.Sprint("c", i), "m")
	}
	assert.Equal(t, []string{"scheduled", "c2", "c3"}, a.campaignTitles(), "a campaign with a run to come is kept")
	a.post("/run/campaign", map[string]any{"campaignId": scheduled, "audiences": []string{"vip"}}).requireOK()

	// Its audience and its group are kept however many come after them.
	for i := range 4 {
		id := fmt.Sprint("aud", i)
		a.post("/create/audience", map[string]any{"id": id, "name": id}).requireOK()
		a.post("/create/variable/group", map[string]any{"id": fmt.Sprint("g", i), "name": id, "fields": []string{"f"}}).requireOK()
	}
	assert.Equal(t, []string{"aud2", "aud3", "vip"}, listedIDs(a.get("/retrieve/audiences").requireOK(), "audiences"))
	assert.Equal(t, []string{"g2", "g3", "users"}, listedIDs(a.post("/retrieve/variable/groups", nil).requireOK(), ""))

	// Its run takes place; it is now the oldest, and goes with the next
	// campaign created, and then its audience and group with the next
	// writes.
	clk.Add(time.Hour)
	rows := a.post("/retrieve/campaign", map[string]any{"campaignId": scheduled}).requireOK().list()
	require.Len(t, rows, 2)
	assert.Equal(t, "Hi Ana", rows[0]["message"], "rendered from its kept group")
	a.newCampaign("c4", "m")
	assert.Equal(t, []string{"c3", "c4"}, a.campaignTitles())
	a.post("/retrieve/campaign", map[string]any{"campaignId": scheduled}).requireError(http.StatusNotFound, fmt.Sprintf("campaign %q not found", scheduled))
	a.post("/create/audience", map[string]any{"id": "aud4", "name": "aud4"}).requireOK()
	assert.Equal(t, []string{"aud3", "aud4"}, listedIDs(a.get("/retrieve/audiences").requireOK(), "audiences"))
	a.post("/create/variable/group", map[string]any{"id": "g4", "name": "g4", "fields": []string{"f"}}).requireOK()
	assert.Equal(t, []string{"g3", "g4"}, listedIDs(a.post("/retrieve/variable/groups", nil).requireOK(), ""))
}

// TestRetentionDefault checks that a server keeps 1000 campaigns unless
// told otherwise, and everything with WithRetention(0).
func TestRetentionDefault(t *testing.T) {
	for _, tt := range []struct {
		opts []chatinctest.Option
		kept int
	}{{nil, 1000}, {[]chatinctest.Option{chatinctest.WithRetention(0)}, 1001}, {[]chatinctest.Option{chatinctest.WithRetention(-1)}, 1001}} {
		h := chatinctest.NewHandler(tt.opts...)
		for i := range 1001 {
			serve(t, h, http.MethodPost, "/create/campaign", fmt.Sprintf(`{"title":"c%d","message":"m"}`, i))
		}
		list := serve(t, h, http.MethodGet, "/retrieve/campaigns", "")
		assert.Equal(t, tt.kept, strings.Count(list, `"title":`))
		assert.Equal(t, tt.kept == 1001, strings.Contains(list, `"title":"c0"`))
	}
}

// TestRetentionBoundsMemory creates 20,000 campaigns, each run at once (an
// audience of 20 contacts and a variable group for every 10 of them), and
// checks that with a retention of 100 the live heap stays under a bound
// that the same load without a retention goes far beyond.
func TestRetentionBoundsMemory(t *testing.T) {
	const campaigns = 20_000
	const bound = 8 << 20
	load := func(opts ...chatinctest.Option) uint64 {
		return liveHeapGrowth(func() any {
			h := chatinctest.NewHandler(opts...)
			numbers := make([]string, 20)
			for i := range campaigns {
				if i%10 == 0 {
					for j := range numbers {
						numbers[j] = fmt.Sprintf(`{"number":"+1555%07d"}`, (i*2+j)%10_000_000)
					}
					serve(t, h, http.MethodPost, "/create/audience", fmt.Sprintf(`{"id":"aud-%d","name":"A","contacts":[%s]}`, i, strings.Join(numbers, ",")))
					serve(t, h, http.MethodPost, "/create/variable/group", fmt.Sprintf(`{"id":"g-%d","name":"g-%d","fields":["first_name"],"values":[{"number":"+1555%07d","first_name":"Ana"}]}`, i, i, i*2))
				}
				serve(t, h, http.MethodPost, "/create/campaign", fmt.Sprintf(`{"title":"T","message":"Hi {g-%d.first_name}","runImmediately":true,"audiences":["aud-%d"]}`, i/10*10, i/10*10))
			}
			return h
		})
	}
	kept := load(chatinctest.WithRetention(100))
	t.Logf("live heap after %d campaigns, retention 100: %.1f MiB", campaigns, float64(kept)/(1<<20))
	assert.Less(t, kept, uint64(bound), "the live heap with a retention of 100")
	if testing.Short() {
		return
	}
	all := load(chatinctest.WithRetention(0))
	t.Logf("live heap after %d campaigns, no retention: %.1f MiB", campaigns, float64(all)/(1<<20))
	assert.Greater(t, all, uint64(2*bound), "without a retention the state grows: the bound means something")
}

// liveHeapGrowth returns how much the live heap (after a collection) grew
// while f ran, with what f returns still reachable.
func liveHeapGrowth(f func() any) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	v := f()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(v)
	if after.HeapAlloc < before.HeapAlloc {
		return 0
	}
	return after.HeapAlloc - before.HeapAlloc
}
