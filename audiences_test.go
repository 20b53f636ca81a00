package chatinc_test

import (
	"context"
	"net/http"
	"testing"

	chatinc "github.com/chatinc/chatinc-go"
)

// createAudience returns a call of CreateAudience with p.
func createAudience(p chatinc.AudienceParams) apiCall {
	return callWith((*chatinc.Client).CreateAudience, p)
}

// addContacts returns a call of AddContactsToAudience.
func addContacts(id string, contacts ...chatinc.Contact) apiCall {
	return func(ctx context.Context, c *chatinc.Client) error {
		_, err := c.AddContactsToAudience(ctx, id, contacts)
		return err
	}
}

// audienceFromFile returns a call of CreateAudienceFromFile with p.
func audienceFromFile(p chatinc.AudienceFileParams) apiCall {
	return callWith((*chatinc.Client).CreateAudienceFromFile, p)
}

// contactsOf returns contacts with the given numbers.
func contactsOf(numbers ...string) []chatinc.Contact {
	cs := make([]chatinc.Contact, len(numbers))
	for i, n := range numbers {
		cs[i] = chatinc.Contact{Number: n}
	}
	return cs
}

func TestAudienceCallsOnTheWire(t *testing.T) {
	testWire(t, []wireCase{
		{
			name: "CreateAudience, as in the docs", method: http.MethodPost, path: "/create/audience",
			body: `{"id":"myAudienceId","name":"My Audience","description":"This is my audience","contacts":[{"number":"15551230001"}]}`,
			call: createAudience(chatinc.AudienceParams{ID: "myAudienceId", Name: "My Audience",
				Description: "This is my audience", Contacts: contactsOf("15551230001")}),
		},
		{
			name: "CreateAudience, optionals omitted", method: http.MethodPost, path: "/create/audience",
			body: `{"id":"a","name":"A"}`,
			call: createAudience(chatinc.AudienceParams{ID: "a", Name: "A"}),
		},
		{
			name: "AddContactsToAudience posts id and contacts only to create/audience", method: http.MethodPost, path: "/create/audience",
			body: `{"id":"myAudienceId","contacts":[{"number":"15551230001"},{"number":"+44 20 7946 0958"}]}`,
			call: addContacts("myAudienceId", contactsOf("15551230001", "+44 20 7946 0958")...),
		},
		{
			name: "CreateAudienceFromFile", method: http.MethodPost, path: "/create/audience/from/file",
			parts: map[string]part{
				"file": {FileName: "contacts.csv", ContentType: "text/csv", Body: testCSV},
				"name": {Body: "testos"},
				"id":   {Body: "testos-id"},
			},
			call: audienceFromFile(chatinc.AudienceFileParams{ID: "testos-id", Name: "testos", File: csvReader()}),
		},
		{
			name: "RetrieveAudiences", method: http.MethodGet, path: "/retrieve/audiences",
			call: func(ctx context.Context, c *chatinc.Client) error {
				_, err := c.RetrieveAudiences(ctx)
				return err
			},
		},
		{
			name: "RetrieveAudienceContacts", method: http.MethodPost, path: "/retrieve/audience/contacts",
			body: `{"id":"myAudienceId"}`,
			call: callWith((*chatinc.Client).RetrieveAudienceContacts, "myAudienceId"),
		},
	})
}

func TestAudienceInputValidation(t *testing.T) {
	withNumbers := func(numbers ...string) apiCall {
		return createAudience(chatinc.AudienceParams{ID: "a", Name: "A", Contacts: contactsOf(numbers...)})
	}
	testInputs(t, []inputCase{
		{"valid numbers", "", nil, withNumbers("2904567", "+1 (555) 123-4567", "44.20.7946.0958", "491234567890123")},
		{"id empty", "id", nil, createAudience(chatinc.AudienceParams{Name: "A"})},
		{"name empty", "name", nil, createAudience(chatinc.AudienceParams{ID: "a"})},
		{"number empty", "contacts[1].number", nil, withNumbers("+15550000001", "")},
		{"number with letters", "contacts[0].number", nil, withNumbers("+1 555 CALL NOW")},
		{"number with a plus inside", "contacts[0].number", nil, withNumbers("1555+0000001")},
		{"too few digits", "contacts[0].number", nil, withNumbers("+123456")},
		{"too many digits", "contacts[0].number", nil, withNumbers("+1234567890123456")},
		{"add: valid", "", nil, addContacts("a", contactsOf("+15550000001")...)},
		{"add: id empty", "id", nil, addContacts("", contactsOf("+15550000001")...)},
		{"add: no contacts", "contacts", nil, addContacts("a")},
		{"add: bad number", "contacts[2].number", nil, addContacts("a", contactsOf("+15550000001", "+15550000002", "12")...)},
		{"from file: id empty", "id", nil, audienceFromFile(chatinc.AudienceFileParams{Name: "A", File: csvReader()})},
		{"from file: name empty", "name", nil, audienceFromFile(chatinc.AudienceFileParams{ID: "a", File: csvReader()})},
		{"contacts: id empty", "id", nil, callWith((*chatinc.Client).RetrieveAudienceContacts, "")},
	})
}

func TestRetrieveAudiencesDecodes(t *testing.T) {
	const a = `{"id":"a","name":"A","description":"first","contactCount":3}`
	want := []chatinc.Audience{{ID: "a", Name: "A", Description: "first", ContactCount: 3}}
	retrieve := func(ctx context.Context, c *chatinc.Client) ([]chatinc.Audience, error) {
		return c.RetrieveAudiences(ctx)
	}
	testDecode(t, http.MethodGet, "/retrieve/audiences", retrieve, []decodeCase[[]chatinc.Audience]{
		{"bare array", `[` + a + `]`, want},
		{"wrapped in audiences", `{"status":"success","audiences":[` + a + `]}`, want},
		{"wrapped in data", `{"status":"success","data":[` + a + `]}`, want},
		{"wrapped in an array", `[{"status":"success","audiences":[` + a + `]}]`, want},
		{"unknown fields, numbers as text and text as numbers",
			`[{"id":42,"name":"A","contactCount":"7","createdAt":"2024-01-01","owner":{"uid":1},"contacts":[{"number":"1"}]}]`,
			[]chatinc.Audience{{ID: "42", Name: "A", ContactCount: 7}}},
		{"empty body", ``, []chatinc.Audience{}},
		{"no audiences", `{"status":"success","audiences":[]}`, []chatinc.Audience{}},
	})
}

func TestRetrieveAudienceContactsDecodes(t *testing.T) {
	want := contactsOf("+15550000001", "15550000002")
	retrieve := func(ctx context.Context, c *chatinc.Client) ([]chatinc.Contact, error) {
		return c.RetrieveAudienceContacts(ctx, "a")
	}
	testDecode(t, http.MethodPost, "/retrieve/audience/contacts", retrieve, []decodeCase[[]chatinc.Contact]{
		{"bare array", `[{"number":"+15550000001"},{"number":"15550000002"}]`, want},
		{"wrapped in contacts", `{"contacts":[{"number":"+15550000001"},{"number":"15550000002"}]}`, want},
		{"wrapped in data", `{"status":"success","data":[{"number":"+15550000001"},{"number":"15550000002"}]}`, want},
		{"beside the audience", `{"status":"success","audience":{"id":"a","tags":["x"]},"contacts":[{"number":"+15550000001"},{"number":"15550000002"}]}`, want},
		{"numbers as JSON numbers, unknown fields", `[{"number":"+15550000001","name":"Ana"},{"number":15550000002,"optedIn":true}]`, want},
		{"empty body", ``, []chatinc.Contact{}},
		{"null", `null`, []chatinc.Contact{}},
	})
}
