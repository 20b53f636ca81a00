package chatinctest_test

import (
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatinc/chatinc-go/chatinctest"
)

// docsCreateCampaign is the body of the Chat Inc docs' create-campaign curl
// example, byte for byte: its trailing comma, its "my-imageurl" and all.
func docsCreateCampaign(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("testdata/docs-create-campaign.json")
	require.NoError(t, err)
	return string(b)
}

// TestDocsCurlBodies sends the docs' curl bodies as they are, then fixed
// one mistake at a time, and checks that each mistake gets an answer that
// names it.
func TestDocsCurlBodies(t *testing.T) {
	a := newAPI(t)
	body := docsCreateCampaign(t)

	// The docs' body as written: the trailing comma is a syntax error.
	a.send("POST", "/create/campaign", body, "application/json").requireError(400,
		"malformed JSON: a trailing comma before the '}' at byte 270: JSON allows no comma after the last element")

	// Without it: the image URL is not a URL WhatsApp can fetch.
	body = strings.Replace(body, "],\n}", "]\n}", 1)
	a.send("POST", "/create/campaign", body, "application/json").requireError(400,
		`imgUrl: "my-imageurl" is not an absolute http(s) URL`)

	// With an image URL: the docs' message has an empty placeholder, which
	// would go out as the literal "{}".
	body = strings.Replace(body, `"my-imageurl"`, `"https://example.com/spring.jpg"`, 1)
	a.send("POST", "/create/campaign", body, "application/json").requireError(400,
		"message: {} at byte 11: empty placeholder: a placeholder is {group.variable}")

	// With a message without braces: the docs' buttons break their own rule.
	body = strings.Replace(body, `"My message {}"`, `"My message"`, 1)
	a.send("POST", "/create/campaign", body, "application/json").requireError(400,
		"buttons: phone and url buttons cannot be mixed with input or journey buttons")

	// With the journey button alone: accepted, with no warning.
	body = strings.Replace(body, `,
{
"text": "Vist site",
"type" : "url",
"url": "https://www.google.com"
}`, "", 1)
	r := a.send("POST", "/create/campaign", body, "application/json").requireOK()
	assert.Empty(t, r.Header.Values(chatinctest.WarningHeader))

	// The docs' "Send Campaign" curl posts {"campaignId"} to /create/campaign:
	// campaignId is unknown there, and the title is missing.
	r = a.send("POST", "/create/campaign", `{ "campaignId": "myCampaignId" }`, "application/json")
	r.requireError(400, "title is required")
	assert.Equal(t, []string{`unknown field "campaignId"`}, r.Header.Values(chatinctest.WarningHeader))

	// To /run/campaign, as its table says, it lacks its audiences.
	r = a.send("POST", "/run/campaign", `{ "campaignId": "myCampaignId" }`, "application/json")
	r.requireError(400, "audiences is required")
	assert.Empty(t, r.Header.Values(chatinctest.WarningHeader))

	// The docs' campaign details body: known fields, an unknown campaign.
	r = a.send("POST", "/retrieve/campaign", `{
"campaignId":"c_B5ibuY0ubsjsGHE",
"format":"csv"
}`, "application/json")
	assert.Equal(t, http.StatusNotFound, r.Status)
	assert.Empty(t, r.Header.Values(chatinctest.WarningHeader))
}

// TestUnknownFieldWarnings checks the warnings for the mistakes a user of
// another language makes: a misspelt field, the JS library's nested
// options object, a field in the wrong case; and that WithStrict makes them
// a 400 that names them all, with nothing created.
func TestUnknownFieldWarnings(t *testing.T) {
	const body = `{
		"title": "Spring", "message": "Sale!",
		"runImediately": true,
		"options": {"runImmediately": true, "audiences": ["all"]},
		"LanguageCode": "enUS"
	}`
	wantWarnings := []string{
		`unknown field "runImediately" (did you mean "runImmediately"?)`,
		`unknown field "options": the API takes audiences, runImmediately at the top level of the body, not inside "options"`,
		`unknown field "LanguageCode" (did you mean "languageCode"?)`,
	}

	t.Run("lenient", func(t *testing.T) {
		a := newAPI(t)
		r := a.send("POST", "/create/campaign", body, "application/json").requireOK()
		assert.Equal(t, wantWarnings, r.Header.Values(chatinctest.WarningHeader))
		reqs := a.srv.Requests()
		require.Len(t, reqs, 1)
		assert.Equal(t, wantWarnings, reqs[0].Warnings)
		// The misspelt and nested fields were not read, as the API would
		// not read them: the campaign was created, not sent.
		campaigns := a.send("GET", "/retrieve/campaigns", nil, "").requireOK().list()
		require.Len(t, campaigns, 1)
		assert.Empty(t, campaigns[0]["campaigns"].(map[string]any)["runs"])
	})

	t.Run("strict", func(t *testing.T) {
		a := newAPI(t, chatinctest.WithStrict())
		a.send("POST", "/create/campaign", body, "application/json").requireError(400,
			strings.Join(wantWarnings, "; "))
		assert.Empty(t, a.send("GET", "/retrieve/campaigns", nil, "").requireOK().list())
		// Known fields only: accepted.
		a.send("POST", "/create/campaign", `{"title": "Spring", "message": "Sale!"}`, "application/json").requireOK()
	})

	t.Run("inside buttons and contacts", func(t *testing.T) {
		a := newAPI(t)
		r := a.send("POST", "/create/campaign", `{"title": "T", "message": "M", "buttons": [
			{"text": "Shop", "type": "input", "input": "shop"},
			{"text": "Start", "type": "journey", "journeyID": "j1", "colour": "red"}
		]}`, "application/json").requireOK()
		assert.Equal(t, []string{
			`unknown field "buttons[1].journeyID" (did you mean "buttons[1].journeyId"?)`,
			`unknown field "buttons[1].colour"`,
		}, r.Header.Values(chatinctest.WarningHeader))

		r = a.send("POST", "/create/audience", `{"id": "a", "name": "A", "contacts": [{"number": "+15550100001", "phone": "x"}]}`, "application/json").requireOK()
		assert.Equal(t, []string{`unknown field "contacts[0].phone"`}, r.Header.Values(chatinctest.WarningHeader))
	})

	t.Run("header values stay valid", func(t *testing.T) {
		a := newAPI(t)
		r := a.send("POST", "/retrieve/audience/contacts", "{\"id\": \"x\", \"caf\u00e9\\n\": 1}", "application/json")
		assert.Equal(t, http.StatusNotFound, r.Status)
		assert.Equal(t, []string{`unknown field "caf\u00e9\n"`}, r.Header.Values(chatinctest.WarningHeader))
	})
}
