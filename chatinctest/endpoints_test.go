package chatinctest_test

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatinc/chatinc-go/chatinctest"
)

func TestServerURLAndKey(t *testing.T) {
	a := newAPI(t)
	assert.True(t, strings.HasPrefix(a.srv.URL, "http://127.0.0.1:"), a.srv.URL)
	assert.True(t, strings.HasSuffix(a.srv.URL, "/v1"), a.srv.URL)
	assert.Regexp(t, `^sk_test_[0-9a-f]{32}$`, a.srv.APIKey)
	assert.NotEqual(t, a.srv.APIKey, newAPI(t).srv.APIKey, "keys are random")
	assert.Equal(t, "my-key", newAPI(t, chatinctest.WithAPIKey("my-key")).srv.APIKey)
	assert.Regexp(t, `^sk_test_`, newAPI(t, chatinctest.WithAPIKey("")).srv.APIKey)
}

func TestAuthorization(t *testing.T) {
	a := newAPI(t)
	for name, key := range map[string]string{
		"missing":      "",
		"wrong":        "sk_test_wrong",
		"bearer":       "Bearer " + a.srv.APIKey,
		"key as query": "",
	} {
		t.Run(name, func(t *testing.T) {
			path := "/retrieve/audiences"
			if name == "key as query" {
				path += "?key=" + a.srv.APIKey
			}
			a.withKey(key, http.MethodGet, path, nil).
				requireError(http.StatusUnauthorized, "invalid or missing API key")
		})
	}
	// An unauthorized request does nothing, even on an unknown path.
	a.withKey("nope", http.MethodPost, "/create/audience", map[string]any{"id": "x", "name": "X"}).
		requireError(http.StatusUnauthorized, "invalid or missing API key")
	a.withKey("", http.MethodGet, "/no/such/path", nil).
		requireError(http.StatusUnauthorized, "invalid or missing API key")
	assert.Empty(t, a.get("/retrieve/audiences").requireOK().object()["audiences"])

	for _, r := range a.srv.Requests() {
		assert.NotContains(t, r.RawQuery+string(r.Body), "Bearer", "the Authorization value is never logged")
		if r.Path == "/create/audience" {
			assert.False(t, r.Authorized)
			assert.Nil(t, r.Body, "an unauthorized body is not read")
		}
	}
}

func TestRoutingErrors(t *testing.T) {
	a := newAPI(t)
	a.get("/no/such/endpoint").requireError(http.StatusNotFound, "no such endpoint: GET /v1/no/such/endpoint")
	a.get("/create/audience/").requireError(http.StatusNotFound, "no such endpoint: GET /v1/create/audience/")

	// Outside /v1.
	resp, err := http.Get(strings.TrimSuffix(a.srv.URL, "/v1") + "/retrieve/audiences")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	r := a.withKey(a.srv.APIKey, http.MethodGet, "/../v2/retrieve/audiences", nil)
	assert.Equal(t, http.StatusNotFound, r.Status)

	for path, method := range map[string]string{
		"/create/audience":                 http.MethodPost,
		"/create/audience/from/file":       http.MethodPost,
		"/retrieve/audiences":              http.MethodGet,
		"/retrieve/audience/contacts":      http.MethodPost,
		"/create/variable/group":           http.MethodPost,
		"/create/variable/group/from/file": http.MethodPost,
		"/retrieve/variable/groups":        http.MethodPost,
		"/create/campaign":                 http.MethodPost,
		"/run/campaign":                    http.MethodPost,
		"/retrieve/campaigns":              http.MethodGet,
		"/retrieve/campaign":               http.MethodPost,
	} {
		wrong := http.MethodPut
		if method == http.MethodGet {
			wrong = http.MethodPost
		}
		r := a.send(wrong, path, nil, "")
		r.requireError(http.StatusMethodNotAllowed, "method "+wrong+" not allowed on /v1"+path+"; use "+method)
		assert.Equal(t, method, r.Header.Get("Allow"))
	}
}

func TestAudiences(t *testing.T) {
	a := newAPI(t)
	got := a.post("/create/audience", map[string]any{
		"id": "vip", "name": "VIP", "description": "Best customers",
		"contacts": contacts("+1 (555) 010-0001", "15550100002", "+15550100001"),
	}).requireOK().object()
	assert.Equal(t, map[string]any{
		"status": "success", "message": "audience created", "id": "vip",
		"contactsAdded": 2.0, "totalContacts": 2.0,
	}, got)

	// Without a name: add contacts; the same digits are the same contact.
	got = a.post("/create/audience", map[string]any{
		"id": "vip", "contacts": append(contacts("+15550100002", "1.555.010.0003"), map[string]any{"number": 15550100004}),
	}).requireOK().object()
	assert.Equal(t, "contacts added", got["message"])
	assert.Equal(t, 2.0, got["contactsAdded"])
	assert.Equal(t, 4.0, got["totalContacts"])
	assert.Equal(t, []string{"+15550100001", "15550100002", "15550100003", "15550100004"}, a.numbersOf("vip"))

	// With a name again: rename, keep the description unless given.
	got = a.post("/create/audience", map[string]any{"id": "vip", "name": "V.I.P."}).requireOK().object()
	assert.Equal(t, "audience updated", got["message"])
	a.post("/create/audience", map[string]any{"id": "alpha", "name": "Alpha"}).requireOK()

	assert.Equal(t, map[string]any{"status": "success", "audiences": []any{
		map[string]any{"id": "alpha", "name": "Alpha", "description": "", "contactCount": 0.0},
		map[string]any{"id": "vip", "name": "V.I.P.", "description": "Best customers", "contactCount": 4.0},
	}}, a.get("/retrieve/audiences").requireOK().object())

	assert.Equal(t, map[string]any{"status": "success", "id": "alpha", "contacts": []any{}},
		a.post("/retrieve/audience/contacts", map[string]any{"id": "alpha"}).requireOK().object())
	assert.Equal(t, map[string]any{"status": "success", "audiences": []any{}},
		newAPI(t).get("/retrieve/audiences").requireOK().object(), "an empty list is [], not null")
}

func TestVariableGroups(t *testing.T) {
	a := newAPI(t)
	assert.Equal(t, "[]\n", string(a.post("/retrieve/variable/groups", nil).requireOK().Body))

	got := a.post("/create/variable/group", map[string]any{
		"id": "users", "name": "users", "description": "People",
		"fields": []string{"first_name", "age"},
		"values": []map[string]any{
			{"number": "+15550100001", "first_name": "Ada", "age": 36},
			{"number": 15550100002, "first_name": "Grace", "age": nil},
			{"number": "+15550100003", "first_name": true},
		},
		"audienceId": "people",
	}).requireOK().object()
	assert.Equal(t, map[string]any{
		"status": "success", "message": "variable group created", "id": "users", "rows": 3.0,
		"totalRows": 3.0, "audienceId": "people", "contactsAdded": 3.0,
	}, got)
	assert.Equal(t, []string{"+15550100001", "15550100002", "+15550100003"}, a.numbersOf("people"))
	audiences := a.get("/retrieve/audiences").requireOK().object()["audiences"].([]any)
	assert.Equal(t, "people", audiences[0].(map[string]any)["name"], "the audience is named after its ID")

	// Upsert: fields are unioned, rows replace the values of their fields.
	got = a.post("/create/variable/group", map[string]any{
		"id": "users", "name": "Users", "fields": []string{"city", "age"},
		"values": []map[string]any{{"number": "15550100001", "city": "London", "age": "37"}, {"number": "+15550100009", "city": "Oslo"}},
	}).requireOK().object()
	assert.Equal(t, "variable group updated", got["message"])
	assert.Equal(t, 2.0, got["rows"])
	assert.Equal(t, 4.0, got["totalRows"])
	a.post("/create/variable/group", map[string]any{"id": "a-first", "name": "orders", "fields": []string{"last"}}).requireOK()

	assert.Equal(t, []map[string]any{
		{"id": "a-first", "name": "orders", "fields": []any{"last"}},
		{"id": "users", "name": "Users", "description": "People", "fields": []any{"first_name", "age", "city"}},
	}, a.post("/retrieve/variable/groups", nil).requireOK().list())

	// The values show in a campaign's results.
	a.post("/create/audience", map[string]any{"id": "all-users", "name": "All", "contacts": contacts("+15550100001", "+15550100002", "+15550100009")}).requireOK()
	id := a.post("/create/campaign", map[string]any{
		"title": "t", "message": "Hi {Users.first_name} ({Users.age}) from {Users.city}!",
		"runImmediately": true, "audiences": []string{"all-users"},
	}).requireOK().object()["campaignId"].(string)
	var messages []string
	for _, row := range a.post("/retrieve/campaign", map[string]any{"campaignId": id}).requireOK().list() {
		messages = append(messages, row["message"].(string))
	}
	assert.Equal(t, []string{"Hi Ada (37) from London!", "Hi Grace () from !", "Hi  () from Oslo!"}, messages)
}

// setUpCampaign creates two audiences, a variable group and a campaign
// that has run once, and returns the campaign's ID.
func setUpCampaign(a *api) string {
	a.t.Helper()
	a.post("/create/audience", map[string]any{"id": "vip", "name": "VIP", "contacts": contacts("+15550100001", "+15550100002")}).requireOK()
	a.post("/create/audience", map[string]any{"id": "new", "name": "New", "contacts": contacts("+15550100002", "+15550100003")}).requireOK()
	a.post("/create/variable/group", map[string]any{
		"id": "users", "name": "users", "fields": []string{"first_name"},
		"values": []map[string]any{{"number": "+15550100001", "first_name": "Ada"}},
	}).requireOK()
	return a.post("/create/campaign", map[string]any{
		"title": "Spring", "message": "Hi {users.first_name}!", "runImmediately": true, "audiences": []string{"vip"},
	}).requireOK().object()["campaignId"].(string)
}

func TestCampaigns(t *testing.T) {
	a := newAPI(t)
	assert.Equal(t, "[]\n", string(a.get("/retrieve/campaigns").requireOK().Body))
	setUpCampaign(a)

	created := a.post("/create/campaign", map[string]any{
		"title": "Sale", "message": "Hello {users.first_name}, {users.first_name}!", "imgUrl": "https://example.com/a.png",
		"buttons": []map[string]any{
			{"text": "Shop", "type": "url", "url": "https://example.com"},
			{"text": "Call", "type": "phone", "phoneNumber": "+15550199999"},
		},
		"languageCode": "ptBR", "templateType": "MARKETING",
	}).requireOK().object()
	id := created["campaignId"].(string)
	assert.Regexp(t, `^c_[A-Za-z0-9]{15}$`, id)
	assert.Equal(t, map[string]any{"status": "success", "message": "campaign created", "campaignId": id}, created)

	ran := a.post("/run/campaign", map[string]any{"campaignId": id, "audiences": []string{"vip", "new"}}).requireOK().object()
	runID := ran["runId"].(string)
	assert.Regexp(t, `^r_[A-Za-z0-9]{15}$`, runID)
	assert.Equal(t, map[string]any{"status": "success", "message": "campaign run started",
		"campaignId": id, "runId": runID, "contacts": 3.0, "missingValues": 2.0}, ran,
		"the union, deduplicated; two of them have no first_name")
	ran = a.post("/run/campaign", map[string]any{"campaignId": id, "audiences": []string{"all"}}).requireOK().object()
	assert.Equal(t, 3.0, ran["contacts"])

	list := a.get("/retrieve/campaigns").requireOK().list()
	require.Len(t, list, 2)
	assert.Equal(t, "success", list[1]["status"])
	c := list[1]["campaigns"].(map[string]any)
	runs := c["runs"].([]any)
	require.Len(t, runs, 2)
	run0 := runs[0].(map[string]any)
	assert.Equal(t, runID, run0["runId"])
	assert.Equal(t, []any{"vip", "new"}, run0["audiences"])
	assert.Equal(t, "completed", run0["status"])
	assert.Equal(t, 3.0, run0["contacts"])
	assert.InDelta(t, float64(time.Now().Unix()), run0["timeToRun"], 5)
	delete(c, "runs")
	for _, k := range []string{"totalSent", "totalDelivered", "totalRead", "totalSendErrors", "totalDeliveryErrors", "totalNotOnWhatsApp"} {
		delete(c, k) // checked against the details below
	}
	assert.Equal(t, map[string]any{
		"campaignId": id, "title": "Sale", "message": "Hello {users.first_name}, {users.first_name}!",
		"imgUrl": "https://example.com/a.png",
		"buttons": []any{
			map[string]any{"text": "Shop", "type": "url", "url": "https://example.com"},
			map[string]any{"text": "Call", "type": "phone", "phoneNumber": "+15550199999"},
		},
		"variables": []any{"users.first_name"}, "locale": "pt_BR", "templateId": id,
		"whatsAppTemplatesStatus": "APPROVED",
	}, c)
	first := list[0]["campaigns"].(map[string]any)
	assert.Equal(t, "Spring", first["title"], "in the order they were created")
	assert.Equal(t, "en_US", first["locale"])
	assert.Equal(t, []any{}, first["buttons"])

	// Details: one row per run and contact.
	details := a.post("/retrieve/campaign", map[string]any{"campaignId": id}).requireOK().list()
	require.Len(t, details, 6)
	counts := map[string]int{}
	// The first run in the order of its audiences, the second ("all") in the
	// order of the audiences' IDs.
	numbers := []string{"+15550100001", "+15550100002", "+15550100003", "+15550100002", "+15550100003", "+15550100001"}
	for i, d := range details {
		assert.Equal(t, numbers[i], d["number"])
		want := "Hello , !"
		if numbers[i] == "+15550100001" {
			want = "Hello Ada, Ada!"
		}
		assert.Equal(t, want, d["message"])
		assert.Contains(t, []string{"sent", "delivered", "read", "send_error", "delivery_error", "not_on_whatsapp"}, d["action"])
		assert.IsType(t, 0.0, d["timestamp"])
		counts[d["action"].(string)]++
	}
	assert.Equal(t, runID, details[0]["runId"])
	assert.Equal(t, ran["runId"], details[5]["runId"])
	totals := a.get("/retrieve/campaigns").list()[1]["campaigns"].(map[string]any)
	assert.Equal(t, float64(counts["sent"]+counts["delivered"]+counts["read"]+counts["delivery_error"]), totals["totalSent"])
	assert.Equal(t, float64(counts["delivered"]+counts["read"]), totals["totalDelivered"])
	assert.Equal(t, float64(counts["read"]), totals["totalRead"])
	assert.Equal(t, float64(counts["send_error"]), totals["totalSendErrors"])
	assert.Equal(t, float64(counts["delivery_error"]), totals["totalDeliveryErrors"])
	assert.Equal(t, float64(counts["not_on_whatsapp"]), totals["totalNotOnWhatsApp"])

	// The same as CSV.
	r := a.post("/retrieve/campaign", map[string]any{"campaignId": id, "format": "csv"}).requireOK()
	assert.Equal(t, "text/csv", r.Header.Get("Content-Type"))
	records, err := csv.NewReader(strings.NewReader(string(r.Body))).ReadAll()
	require.NoError(t, err)
	require.Len(t, records, 7)
	assert.Equal(t, []string{"number", "action", "runId", "message", "timestamp"}, records[0])
	for i, d := range details {
		assert.Equal(t, []string{d["number"].(string), d["action"].(string), d["runId"].(string), d["message"].(string),
			strconv.FormatInt(int64(d["timestamp"].(float64)), 10)}, records[i+1])
	}

	// A campaign that never ran has no results.
	quiet := a.post("/create/campaign", map[string]any{"title": "q", "message": "m"}).requireOK().object()["campaignId"]
	assert.Equal(t, "[]\n", string(a.post("/retrieve/campaign", map[string]any{"campaignId": quiet, "format": "json"}).requireOK().Body))
	r = a.post("/retrieve/campaign", map[string]any{"campaignId": quiet, "format": "csv"}).requireOK()
	assert.Equal(t, "number,action,runId,message,timestamp\n", string(r.Body))
}

func TestScheduledRuns(t *testing.T) {
	a := newAPI(t)
	id := setUpCampaign(a)
	future := time.Now().Add(time.Hour).Unix()
	ran := a.post("/run/campaign", map[string]any{"campaignId": id, "audiences": []string{"new"}, "timeToRun": future}).requireOK().object()
	assert.Equal(t, "campaign run scheduled", ran["message"])

	created := a.post("/create/campaign", map[string]any{
		"title": "Later", "message": "m", "runImmediately": true, "audiences": []string{"vip"}, "timeToRun": future,
	}).requireOK().object()
	assert.NotEmpty(t, created["runId"])
	a.post("/create/campaign", map[string]any{"title": "Never run", "message": "m"}).requireOK()

	all := a.get("/retrieve/campaigns").requireOK().list()
	require.Len(t, all, 3)
	active := a.get("/retrieve/campaigns?active=true").requireOK().list()
	require.Len(t, active, 2)
	assert.Equal(t, id, active[0]["campaigns"].(map[string]any)["campaignId"])
	later := active[1]["campaigns"].(map[string]any)
	assert.Equal(t, "Later", later["title"])
	assert.Equal(t, "scheduled", later["runs"].([]any)[0].(map[string]any)["status"])
	assert.Equal(t, float64(future), later["runs"].([]any)[0].(map[string]any)["timeToRun"])
	assert.Equal(t, 0.0, later["totalSent"], "a scheduled run has no results yet")
	assert.Len(t, a.get("/retrieve/campaigns?active=false").requireOK().list(), 3)

	assert.Len(t, a.post("/retrieve/campaign", map[string]any{"campaignId": id}).requireOK().list(), 2, "only the completed run")
	assert.Equal(t, "[]\n", string(a.post("/retrieve/campaign", map[string]any{"campaignId": created["campaignId"]}).requireOK().Body))

	// A timeToRun in the past is a run that has taken place.
	past := time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC).Unix()
	ran = a.post("/run/campaign", map[string]any{"campaignId": created["campaignId"], "audiences": []string{"vip"}, "timeToRun": past}).requireOK().object()
	assert.Equal(t, "campaign run started", ran["message"])
	for _, d := range a.post("/retrieve/campaign", map[string]any{"campaignId": created["campaignId"]}).requireOK().list() {
		assert.GreaterOrEqual(t, d["timestamp"], float64(past))
		assert.Less(t, d["timestamp"], float64(past+3600))
	}
}

func TestValidationErrors(t *testing.T) {
	a := newAPI(t)
	campaignID := setUpCampaign(a)
	tooMany := make([]map[string]any, 11)
	for i := range tooMany {
		tooMany[i] = map[string]any{"text": "b", "type": "input", "input": "x"}
	}
	camp := func(extra map[string]any) map[string]any {
		body := map[string]any{"title": "t", "message": "m"}
		for k, v := range extra {
			body[k] = v
		}
		return body
	}
	for _, tc := range []struct {
		path    string
		body    any
		status  int
		message string
	}{
		// Malformed bodies.
		{"/create/audience", `{"id":`, 400, "malformed JSON: unexpected end of the body"},
		{"/create/audience", `{"id": "a",}`, 400, "malformed JSON: a trailing comma before the '}' at byte 12: JSON allows no comma after the last element"},
		{"/create/audience", `[1, 2]`, 400, "malformed JSON: the body must be a JSON object, not array"},
		{"/create/audience", `"id"`, 400, "malformed JSON: the body must be a JSON object, not string"},
		{"/create/audience", `{"id": "a"} {"id": "b"}`, 400, "malformed JSON: unexpected data after the object"},
		{"/create/audience", `{"id": 7}`, 400, "id: expected a string, got number"},
		{"/create/audience", `{"id": "a", "contacts": {"number": "1"}}`, 400, "contacts: expected an array, got object"},
		{"/create/campaign", `{"title": "t", "message": "m", "timeToRun": "soon"}`, 400, "timeToRun: expected an integer, got string"},
		{"/create/campaign", `{"title": "t", "message": "m", "timeToRun": 1.5}`, 400, "timeToRun: expected an integer, got number 1.5"},
		{"/create/campaign", `{"title": "t", "message": "m", "runImmediately": "yes"}`, 400, "runImmediately: expected a boolean, got string"},

		// Audiences.
		{"/create/audience", map[string]any{"name": "x"}, 400, "id is required"},
		{"/create/audience", nil, 400, "id is required"},
		{"/create/audience", map[string]any{"id": "all", "name": "All"}, 400, `id: "all" is reserved: it targets every contact`},
		{"/create/audience", map[string]any{"id": "a", "name": "A", "contacts": contacts("1", "+15550100001", "not a phone")}, 400, "contacts[0].number: not a phone number"},
		{"/create/audience", map[string]any{"id": "a", "name": "A", "contacts": contacts("+15550100001", "+15550100001", "12-34")}, 400, "contacts[2].number: not a phone number"},
		{"/create/audience", map[string]any{"id": "a", "name": "A", "contacts": contacts("+1555010000123456")}, 400, "contacts[0].number: not a phone number"},
		{"/create/audience", map[string]any{"id": "a", "name": "A", "contacts": []any{map[string]any{}}}, 400, "contacts[0].number is required"},
		{"/create/audience", map[string]any{"id": "a", "name": "A", "contacts": []any{map[string]any{"number": []int{1}}}}, 400, "contacts[0].number: expected a string, number or boolean"},
		{"/create/audience", map[string]any{"id": "nope", "contacts": contacts("+15550100001")}, 404, `audience "nope" not found`},
		{"/retrieve/audience/contacts", nil, 400, "id is required"},
		{"/retrieve/audience/contacts", map[string]any{"id": "nope"}, 404, `audience "nope" not found`},

		// Variable groups.
		{"/create/variable/group", map[string]any{"name": "g", "fields": []string{"a"}}, 400, "id is required"},
		{"/create/variable/group", map[string]any{"id": "g", "fields": []string{"a"}}, 400, "name is required"},
		{"/create/variable/group", map[string]any{"id": "g", "name": "g"}, 400, "fields is required"},
		{"/create/variable/group", map[string]any{"id": "g", "name": "g", "fields": []string{"a", "b", "a"}}, 400, `fields[2]: duplicate field "a"`},
		{"/create/variable/group", map[string]any{"id": "g", "name": "g", "fields": []string{"a", "Number"}}, 400, `fields[1]: a field may not be named "number": that key holds each row's phone number`},
		{"/create/variable/group", map[string]any{"id": "g", "name": "g", "fields": []string{" "}}, 400, "fields[0]: the field has no name"},
		{"/create/variable/group", map[string]any{"id": "g", "name": "g", "fields": []string{"a"}, "values": []map[string]any{
			{"number": "+15550100001", "a": "1"}, {"a": "2"}}}, 400, "values[1].number is required"},
		{"/create/variable/group", map[string]any{"id": "g", "name": "g", "fields": []string{"a"}, "values": []map[string]any{
			{"number": "+15550100001", "a": "1"}, {"number": "12"}}}, 400, "values[1].number: not a phone number"},
		{"/create/variable/group", map[string]any{"id": "g", "name": "g", "fields": []string{"a"}, "values": []map[string]any{
			{"number": "+15550100001"}, {"number": "+15550100001"}, {"number": "+15550100001"}, {"number": "+15550100002", "x": "1", "y": "2"}}}, 400, `values[3]: unknown field "x"`},
		{"/create/variable/group", map[string]any{"id": "g", "name": "g", "fields": []string{"a"}, "values": []map[string]any{
			{"number": "+15550100001", "a": map[string]any{}}}}, 400, "values[0].a: expected a string, number or boolean"},
		{"/create/variable/group", map[string]any{"id": "g", "name": "g", "fields": []string{"a"}, "audienceId": "all"}, 400, `audienceId: "all" is reserved: it targets every contact`},

		// Campaigns.
		{"/create/campaign", map[string]any{"message": "m"}, 400, "title is required"},
		{"/create/campaign", map[string]any{"title": "t", "message": "  "}, 400, "message is required"},
		{"/create/campaign", camp(map[string]any{"templateType": "PROMO"}), 400, `templateType: "PROMO" is not a template type: use MARKETING, UTILITY, AUTHENTICATION`},
		{"/create/campaign", camp(map[string]any{"message": strings.Repeat("é", 1025)}), 400, "message: 1025 characters; the limit is 1024"},
		{"/create/campaign", camp(map[string]any{"languageCode": "english"}), 400, `languageCode: "english" is not a language code such as "enUS"`},
		{"/create/campaign", camp(map[string]any{"message": "Hi {users.last_name}"}), 400, `message: {users.last_name} at byte 3: variable group "users" has no variable "last_name"`},
		{"/create/campaign", camp(map[string]any{"message": "Hi {people.first_name}"}), 400, `message: {people.first_name} at byte 3: unknown variable group "people"`},
		{"/create/campaign", camp(map[string]any{"message": "Hi {first_name}"}), 400, `message: {first_name} at byte 3: no variable group: a placeholder is {group.variable}`},
		{"/create/campaign", camp(map[string]any{"buttons": []map[string]any{{"text": strings.Repeat("ß", 26), "type": "input", "input": "x"}}}), 400,
			"buttons[0].text: 26 characters; WhatsApp allows at most 25"},
		{"/create/campaign", camp(map[string]any{"buttons": []map[string]any{
			{"text": "a", "type": "url", "url": "https://a.io"}, {"text": "b", "type": "url", "url": "https://b.io"}, {"text": "c", "type": "url", "url": "https://c.io"}}}), 400,
			"buttons: 3 url buttons; WhatsApp allows at most 2"},
		{"/create/campaign", camp(map[string]any{"buttons": []map[string]any{
			{"text": "a", "type": "phone", "phoneNumber": "+15550100001"}, {"text": "b", "type": "phone", "phoneNumber": "+15550100002"}}}), 400,
			"buttons: 2 phone buttons; WhatsApp allows at most 1"},
		{"/create/campaign", camp(map[string]any{"buttons": tooMany}), 400, "buttons: at most 10 buttons, got 11"},
		{"/create/campaign", camp(map[string]any{"buttons": []map[string]any{{"text": "b"}}}), 400, "buttons[0].type is required"},
		{"/create/campaign", camp(map[string]any{"buttons": []map[string]any{{"text": "b", "type": "link"}}}), 400, `buttons[0].type: "link" is not a button type: use input, journey, phone or url`},
		{"/create/campaign", camp(map[string]any{"buttons": []map[string]any{{"type": "input", "input": "x"}}}), 400, "buttons[0].text is required"},
		{"/create/campaign", camp(map[string]any{"buttons": []map[string]any{{"text": "b", "type": "input"}}}), 400, "buttons[0].input is required"},
		{"/create/campaign", camp(map[string]any{"buttons": []map[string]any{{"text": "b", "type": "journey", "input": "x"}}}), 400, "buttons[0].journeyId is required"},
		{"/create/campaign", camp(map[string]any{"buttons": []map[string]any{{"text": "b", "type": "phone"}}}), 400, "buttons[0].phoneNumber is required"},
		{"/create/campaign", camp(map[string]any{"buttons": []map[string]any{{"text": "b", "type": "phone", "phoneNumber": "call me"}}}), 400, "buttons[0].phoneNumber: not a phone number"},
		{"/create/campaign", camp(map[string]any{"buttons": []map[string]any{{"text": "b", "type": "url"}}}), 400, "buttons[0].url is required"},
		{"/create/campaign", camp(map[string]any{"buttons": []map[string]any{{"text": "b", "type": "url", "url": "example.com"}}}), 400, `buttons[0].url: "example.com" is not an http or https URL`},
		{"/create/campaign", camp(map[string]any{"buttons": []map[string]any{
			{"text": "a", "type": "journey", "journeyId": "j"}, {"text": "b", "type": "url", "url": "https://x.io"}}}), 400,
			"buttons: phone and url buttons cannot be mixed with input or journey buttons"},
		{"/create/campaign", camp(map[string]any{"runImmediately": true}), 400, "audiences is required when runImmediately is true"},
		{"/create/campaign", camp(map[string]any{"audiences": []string{"vip", "nope"}}), 400, `audiences[1]: audience "nope" not found`},
		{"/create/campaign", camp(map[string]any{"timeToRun": -5, "runImmediately": true, "audiences": []string{"all"}}), 400, "timeToRun: -5 is not a Unix time in seconds"},
		{"/create/campaign", camp(map[string]any{"timeToRun": time.Now().UnixMilli(), "runImmediately": true, "audiences": []string{"all"}}), 400, "timeToRun: " + "%MILLIS%" + " is not a Unix time in seconds"},
		{"/run/campaign", map[string]any{"audiences": []string{"all"}}, 400, "campaignId is required"},
		{"/run/campaign", map[string]any{"campaignId": campaignID}, 400, "audiences is required"},
		{"/run/campaign", map[string]any{"campaignId": "c_nope", "audiences": []string{"all"}}, 404, `campaign "c_nope" not found`},
		{"/run/campaign", map[string]any{"campaignId": campaignID, "audiences": []string{"vip", "x"}}, 400, `audiences[1]: audience "x" not found`},
		{"/retrieve/campaign", nil, 400, "campaignId is required"},
		{"/retrieve/campaign", map[string]any{"campaignId": campaignID, "format": "xml"}, 400, `format: "xml" is neither "json" nor "csv"`},
		{"/retrieve/campaign", map[string]any{"campaignId": "c_nope"}, 404, `campaign "c_nope" not found`},
	} {
		name := tc.path + " " + tc.message
		t.Run(name, func(t *testing.T) {
			r := a.post(tc.path, tc.body)
			if strings.Contains(tc.message, "%MILLIS%") {
				assert.Regexp(t, `^timeToRun: \d{13} is not a Unix time in seconds$`, r.object()["message"])
				assert.Equal(t, tc.status, r.Status)
				return
			}
			r.requireError(tc.status, tc.message)
		})
	}
	a.get("/retrieve/campaigns?active=maybe").requireError(400, `active: "maybe" is neither "true" nor "false"`)

	// Nothing invalid was stored.
	assert.Len(t, a.get("/retrieve/audiences").object()["audiences"], 2)
	assert.Len(t, a.post("/retrieve/variable/groups", nil).list(), 1)
	assert.Len(t, a.get("/retrieve/campaigns").list(), 1)
}

func TestTemplateTypesAndMessageExample(t *testing.T) {
	a := newAPI(t)
	for _, tt := range []string{"MARKETING", "UTILITY", "AUTHENTICATION"} {
		a.post("/create/campaign", map[string]any{"title": tt, "message": "Your code is ready", "templateType": tt,
			"messageExample": "Your code is ready"}).requireOK()
	}
	list := a.get("/retrieve/campaigns").requireOK().list()
	require.Len(t, list, 3)
	assert.Equal(t, "Your code is ready", list[0]["campaigns"].(map[string]any)["messageExample"])
}

// The simulator, unlike the API as documented, says when a run's messages
// have placeholders it had no value for.
func TestMissingValues(t *testing.T) {
	a := newAPI(t)
	a.post("/create/audience", map[string]any{"id": "vip", "name": "VIP", "contacts": contacts("+15550100001", "+15550100002", "+15550100003")}).requireOK()
	a.post("/create/variable/group", map[string]any{
		"id": "users", "name": "users", "fields": []string{"first_name", "code"},
		"values": []map[string]any{
			{"number": "+15550100001", "first_name": "Ada", "code": "A1"},
			{"number": "+15550100002", "first_name": "Grace"},
		},
	}).requireOK()
	created := a.post("/create/campaign", map[string]any{"title": "t", "message": "Hi {users.first_name}, your code is {users.code}.",
		"runImmediately": true, "audiences": []string{"all"}}).requireOK().object()
	assert.Equal(t, 2.0, created["missingValues"], "two of three contacts lack a value")
	ran := a.post("/run/campaign", map[string]any{"campaignId": created["campaignId"], "audiences": []string{"vip"}}).requireOK().object()
	assert.Equal(t, 2.0, ran["missingValues"])

	rows := a.post("/retrieve/campaign", map[string]any{"campaignId": created["campaignId"]}).requireOK().list()
	require.Len(t, rows, 6)
	byNumber := map[string]any{}
	for _, r := range rows {
		byNumber[r["number"].(string)] = r["missingValues"]
		if r["number"] == "+15550100003" {
			assert.Equal(t, "Hi , your code is .", r["message"])
		}
	}
	assert.Equal(t, map[string]any{
		"+15550100001": nil,
		"+15550100002": []any{"users.code"},
		"+15550100003": []any{"users.first_name", "users.code"},
	}, byNumber)

	plain := a.post("/create/campaign", map[string]any{"title": "p", "message": "Hello", "runImmediately": true,
		"audiences": []string{"vip"}}).requireOK().object()
	assert.Equal(t, 0.0, plain["missingValues"])
}
