package chatinctest_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatinc/chatinc-go/chatinctest"
)

// TestConcurrentClients has 32 clients at once create audiences, add
// contacts to a shared one, fill a variable group and run campaigns, and
// checks the state comes out exact.
func TestConcurrentClients(t *testing.T) {
	a := newAPI(t)
	a.post("/create/audience", map[string]any{"id": "shared", "name": "Shared"}).requireOK()
	a.post("/create/variable/group", map[string]any{"id": "users", "name": "users", "fields": []string{"n"}}).requireOK()
	const clients, perClient = 32, 20
	number := func(i int) string { return fmt.Sprintf("+1555%07d", i) }
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			own := make([]string, perClient)
			for i := range own {
				own[i] = number(c*perClient + i)
			}
			// Each client's contacts overlap the next client's by half.
			shared := make([]string, perClient)
			for i := range shared {
				shared[i] = number(c*perClient/2 + i)
			}
			id := fmt.Sprintf("client-%02d", c)
			a.post("/create/audience", map[string]any{"id": id, "name": id, "contacts": contacts(own[:perClient/2]...)}).requireOK()
			a.post("/create/audience", map[string]any{"id": id, "contacts": contacts(own[perClient/2:]...)}).requireOK()
			for i := 0; i < perClient; i += 5 {
				a.post("/create/audience", map[string]any{"id": "shared", "contacts": contacts(shared[i : i+5]...)}).requireOK()
			}
			a.post("/create/variable/group", map[string]any{"id": "users", "name": "users", "fields": []string{"n", "c" + id},
				"values": []map[string]any{{"number": own[0], "n": id}}}).requireOK()
			campaign := a.post("/create/campaign", map[string]any{
				"title": id, "message": "Hi {users.n}", "runImmediately": true, "audiences": []string{id},
			}).requireOK().object()["campaignId"]
			a.post("/run/campaign", map[string]any{"campaignId": campaign, "audiences": []string{"shared"}}).requireOK()
			a.get("/retrieve/campaigns").requireOK()
			a.post("/retrieve/campaign", map[string]any{"campaignId": campaign, "format": "csv"}).requireOK()
			a.get("/retrieve/audiences").requireOK()
		}()
	}
	wg.Wait()

	audiences := a.get("/retrieve/audiences").requireOK().object()["audiences"].([]any)
	require.Len(t, audiences, clients+1)
	for _, x := range audiences[:clients] {
		assert.Equal(t, float64(perClient), x.(map[string]any)["contactCount"])
	}
	sharedCount := (clients-1)*perClient/2 + perClient
	assert.Equal(t, "shared", audiences[clients].(map[string]any)["id"])
	assert.Equal(t, float64(sharedCount), audiences[clients].(map[string]any)["contactCount"])
	assert.Len(t, a.numbersOf("shared"), sharedCount)

	groups := a.post("/retrieve/variable/groups", nil).requireOK().list()
	require.Len(t, groups, 1)
	assert.Len(t, groups[0]["fields"], clients+1)

	campaigns := a.get("/retrieve/campaigns").requireOK().list()
	require.Len(t, campaigns, clients)
	for _, c := range campaigns {
		camp := c["campaigns"].(map[string]any)
		runs := camp["runs"].([]any)
		require.Len(t, runs, 2)
		assert.Equal(t, float64(perClient), runs[0].(map[string]any)["contacts"])
		// A run takes the audience as it is when the run starts.
		sharedRun := int(runs[1].(map[string]any)["contacts"].(float64))
		assert.GreaterOrEqual(t, sharedRun, perClient)
		assert.LessOrEqual(t, sharedRun, sharedCount)
		details := a.post("/retrieve/campaign", map[string]any{"campaignId": camp["campaignId"]}).requireOK().list()
		assert.Equal(t, perClient+sharedRun, len(details))
		assert.Equal(t, "Hi "+camp["title"].(string), details[0]["message"])
	}
	assert.Len(t, a.srv.Requests(), 2+clients*(2+perClient/5+6)+4+clients)
}

// runScenario sends the same requests to a server with opts and returns
// what they produced: campaign IDs, results and totals.
func runScenario(t *testing.T, opts ...chatinctest.Option) []byte {
	a := newAPI(t, opts...)
	numbers := make([]string, 200)
	for i := range numbers {
		numbers[i] = fmt.Sprintf("+4420%08d", i*7919)
	}
	a.post("/create/audience", map[string]any{"id": "all-of-them", "name": "All", "contacts": contacts(numbers...)}).requireOK()
	past := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC).Unix()
	var out bytes.Buffer
	for i := range 2 {
		id := a.post("/create/campaign", map[string]any{
			"title": fmt.Sprint("c", i), "message": "m", "runImmediately": true, "audiences": []string{"all"}, "timeToRun": past,
		}).requireOK().object()["campaignId"]
		out.Write(a.post("/retrieve/campaign", map[string]any{"campaignId": id, "format": "csv"}).requireOK().Body)
	}
	out.Write(a.get("/retrieve/campaigns").requireOK().Body)
	return out.Bytes()
}

func TestDeterministicOutcomes(t *testing.T) {
	first := runScenario(t)
	assert.Equal(t, string(first), string(runScenario(t)), "the same requests give the same results")
	assert.Equal(t, string(first), string(runScenario(t, chatinctest.WithSeed(1))), "the default seed is 1")
	assert.Equal(t, string(runScenario(t, chatinctest.WithSeed(42))), string(runScenario(t, chatinctest.WithSeed(42))))
	other := runScenario(t, chatinctest.WithSeed(2))
	assert.NotEqual(t, string(first), string(other))

	// The actions differ, not only the IDs.
	actions := func(csvText []byte) []string {
		var out []string
		for _, line := range strings.Split(string(csvText), "\n") {
			if f := strings.Split(line, ","); len(f) == 5 && f[0] != "number" {
				out = append(out, f[1])
			}
		}
		return out
	}
	assert.Len(t, actions(first), 400)
	assert.NotEqual(t, actions(first), actions(other))
}

// TestRobustness sends bad bodies of every kind to every endpoint: each
// gets an error in the API's shape, never a 500, and the server goes on.
func TestRobustness(t *testing.T) {
	a := newAPI(t)
	setUpCampaign(a)
	bodies := []string{
		"", "null", "{}", "[]", "0", `"x"`, "{", "}", `{"id":null}`, "\x00\xff\xfe", "\xef\xbb\xbf{}",
		strings.Repeat("[", 100_000), strings.Repeat(`{"a":`, 10_000),
		`{"id":"a","name":"A","contacts":[null,{"number":{"x":1}}]}`,
		`{"id":"a","name":"a","fields":["f"],"values":[null,[],{"number":1e400}]}`,
		`{"title":"t","message":"{{{.}}}{a.}{.b}{a.b.c}","buttons":[null,{}]}`,
		`{"campaignId":"` + strings.Repeat("x", 64<<10) + `","audiences":["all"]}`,
		`{"id":"a","name":"A","contacts":[{"number":"+` + strings.Repeat("1", 10_000) + `"}]}`,
		`{"timeToRun":9223372036854775807,"title":"t","message":"m"}`,
		`{"timeToRun":99999999999999999999999,"title":"t","message":"m"}`,
	}
	paths := []string{
		"/create/audience", "/create/audience/from/file", "/retrieve/audience/contacts", "/create/variable/group",
		"/create/variable/group/from/file", "/retrieve/variable/groups", "/create/campaign", "/run/campaign", "/retrieve/campaign",
	}
	for _, path := range paths {
		contentTypes := []string{"application/json"} // the JSON endpoints read any body as JSON
		if strings.HasSuffix(path, "/from/file") {
			contentTypes = append(contentTypes, "multipart/form-data; boundary=zz", "multipart/form-data")
		}
		for _, body := range bodies {
			for _, ct := range contentTypes {
				r := a.send(http.MethodPost, path, body, ct)
				if r.Status == http.StatusOK {
					continue
				}
				assert.Contains(t, []int{400, 404, 413}, r.Status, "%s %q %q: %s", path, ct, body, r.Body)
				assert.Equal(t, "error", r.object()["status"])
				assert.NotEmpty(t, r.object()["message"])
			}
		}
	}

	// A body over the limit.
	huge := `{"id":"` + strings.Repeat("x", 33<<20) + `"}`
	a.post("/create/audience", huge).requireError(http.StatusRequestEntityTooLarge, "request body too large: the limit is 33554432 bytes")

	// The server still works, and the valid bodies above did what they should.
	a.get("/retrieve/audiences").requireOK()
	assert.Len(t, a.get("/retrieve/campaigns").requireOK().list(), 1)
}
