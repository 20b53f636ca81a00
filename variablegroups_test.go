package chatinc_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	chatinc "github.com/chatinc/chatinc-go"
)

// createGroup returns a call of CreateVariableGroup with p.
func createGroup(p chatinc.VariableGroupParams) apiCall {
	return callWith((*chatinc.Client).CreateVariableGroup, p)
}

// groupFromFile returns a call of CreateVariableGroupFromFile with p.
func groupFromFile(p chatinc.VariableGroupFileParams) apiCall {
	return callWith((*chatinc.Client).CreateVariableGroupFromFile, p)
}

// groupWith returns a valid group with fields first_name and last_name and
// the given rows.
func groupWith(rows ...chatinc.Row) chatinc.VariableGroupParams {
	return chatinc.VariableGroupParams{ID: "g", Name: "users", Fields: []string{"first_name", "last_name"}, Values: rows}
}

func TestVariableGroupCallsOnTheWire(t *testing.T) {
	testWire(t, []wireCase{
		{
			name: "CreateVariableGroup, as in the docs", method: http.MethodPost, path: "/create/variable/group",
			body: `{"id":"myVariableGroupId","name":"My Variable Group","description":"This is my variable group",
				"fields":["first_name","last_name"],
				"values":[{"number":"15551230001","first_name":"John","last_name":"Doe"}]}`,
			call: createGroup(chatinc.VariableGroupParams{
				ID: "myVariableGroupId", Name: "My Variable Group", Description: "This is my variable group",
				Fields: []string{"first_name", "last_name"},
				Values: []chatinc.Row{{Number: "15551230001", Values: map[string]string{"first_name": "John", "last_name": "Doe"}}},
			}),
		},
		{
			name: "CreateVariableGroup, optionals omitted", method: http.MethodPost, path: "/create/variable/group",
			body: `{"id":"g","name":"users","fields":["first_name"]}`,
			call: createGroup(chatinc.VariableGroupParams{ID: "g", Name: "users", Fields: []string{"first_name"}}),
		},
		{
			name: "CreateVariableGroupFromFile", method: http.MethodPost, path: "/create/variable/group/from/file",
			parts: map[string]part{
				"file":       {FileName: "contacts.csv", ContentType: "text/csv", Body: testCSV},
				"name":       {Body: "large_group_10k_2"},
				"id":         {Body: "large_group_10k_2"},
				"audienceId": {Body: "30k"},
			},
			call: groupFromFile(chatinc.VariableGroupFileParams{ID: "large_group_10k_2", Name: "large_group_10k_2",
				AudienceID: "30k", File: csvReader()}),
		},
		{
			name: "RetrieveVariableGroups", method: http.MethodPost, path: "/retrieve/variable/groups",
			call: func(ctx context.Context, c *chatinc.Client) error {
				_, err := c.RetrieveVariableGroups(ctx)
				return err
			},
		},
	})
}

func TestVariableGroupInputValidation(t *testing.T) {
	row := func(number string, values map[string]string) chatinc.Row {
		return chatinc.Row{Number: number, Values: values}
	}
	ana := row("+15550000001", map[string]string{"first_name": "Ana"})
	withFields := func(fields ...string) apiCall {
		return createGroup(chatinc.VariableGroupParams{ID: "g", Name: "users", Fields: fields})
	}
	file := func(id, name, audienceID string) apiCall {
		return groupFromFile(chatinc.VariableGroupFileParams{ID: id, Name: name, AudienceID: audienceID, File: csvReader()})
	}
	testInputs(t, []inputCase{
		{"valid", "", nil, createGroup(groupWith(ana, row("15550000002", nil)))},
		{"id empty", "id", nil, createGroup(chatinc.VariableGroupParams{Name: "users", Fields: []string{"a"}})},
		{"name empty", "name", nil, createGroup(chatinc.VariableGroupParams{ID: "g", Fields: []string{"a"}})},
		{"no fields", "fields", nil, withFields()},
		{"empty field", "fields[1]", nil, withFields("a", "")},
		{"duplicate field", "fields[2]", nil, withFields("a", "b", "a")},
		{`field "number"`, "fields[0]", nil, withFields("number")},
		{"row without number", "values[1].number", nil, createGroup(groupWith(ana, row("", nil)))},
		{"row with a bad number", "values[0].number", nil, createGroup(groupWith(row("John", nil)))},
		{"row with an unknown field", "values[1].age", nil,
			createGroup(groupWith(ana, row("+15550000002", map[string]string{"first_name": "Bo", "age": "7"})))},
		{"row with unknown fields and a bad value: the first unknown, by name", "values[1].age", nil,
			createGroup(groupWith(ana, row("+15550000002", map[string]string{"first_name": "B\xff", "zone": "1", "age": "7"})))},
		{"row with a bad value", "values[2].first_name", nil,
			createGroup(groupWith(ana, ana, row("+15550000002", map[string]string{"first_name": "B\xffo"})))},
		{`row with a "number" value`, "values[0].number", nil,
			createGroup(groupWith(row("+15550000001", map[string]string{"number": "+15550000009"})))},
		{"from file: valid", "", nil, file("g", "users", "aud")},
		{"from file: id empty", "id", nil, file("", "users", "aud")},
		{"from file: name empty", "name", nil, file("g", "", "aud")},
		{"from file: audienceId empty", "audienceId", nil, file("g", "users", "")},
	})
}

func TestRowJSON(t *testing.T) {
	tests := []struct {
		name string
		row  chatinc.Row
		want string // exactly
	}{
		{"flat, number first, fields sorted",
			chatinc.Row{Number: "15551230001", Values: map[string]string{"last_name": "Doe", "first_name": "John"}},
			`{"number":"15551230001","first_name":"John","last_name":"Doe"}`},
		{"no values", chatinc.Row{Number: "+15550000001"}, `{"number":"+15550000001"}`},
		{"escaped", chatinc.Row{Number: "1", Values: map[string]string{`say "hi"`: "line\nbreak \\ é 👋"}},
			`{"number":"1","say \"hi\"":"line\nbreak \\ é 👋"}`},
		{`a "number" value does not override the number`,
			chatinc.Row{Number: "1", Values: map[string]string{"number": "2"}}, `{"number":"1"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(tt.row)
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(got))
		})
	}
}

func TestRowUnmarshal(t *testing.T) {
	var got []chatinc.Row
	require.NoError(t, json.Unmarshal([]byte(`[{"number":15550000001,"age":42,"vip":true,"name":"Ana","note":null},{"number":"2"}]`), &got))
	assert.Equal(t, []chatinc.Row{
		{Number: "15550000001", Values: map[string]string{"age": "42", "vip": "true", "name": "Ana", "note": ""}},
		{Number: "2", Values: map[string]string{}},
	}, got)

	var row chatinc.Row
	assert.Error(t, json.Unmarshal([]byte(`{"number":"1","nested":{"a":1}}`), &row), "a nested value is not a variable")
	assert.Error(t, json.Unmarshal([]byte(`["1"]`), &row))
}

func TestRetrieveVariableGroupsDecodes(t *testing.T) {
	users := chatinc.VariableGroup{Name: "users", Fields: []string{"first_name", "last_name"}}
	retrieve := func(ctx context.Context, c *chatinc.Client) ([]chatinc.VariableGroup, error) {
		return c.RetrieveVariableGroups(ctx)
	}
	testDecode(t, http.MethodPost, "/retrieve/variable/groups", retrieve, []decodeCase[[]chatinc.VariableGroup]{
		{"the docs' example", `[{"name": "users", "fields": ["first_name", "last_name"]}]`, []chatinc.VariableGroup{users}},
		{"wrapped in variableGroups", `{"status":"success","variableGroups":[{"name":"users","fields":["first_name","last_name"]}]}`,
			[]chatinc.VariableGroup{users}},
		{"wrapped under another name", `{"status":"success","groups":[{"name":"users","fields":["first_name","last_name"]}]}`,
			[]chatinc.VariableGroup{users}},
		{"with an id and unknown fields", `[{"id":7,"name":"inputs","fields":["answer",1],"rows":1200,"source":{"campaign":"c"}}]`,
			[]chatinc.VariableGroup{{ID: "7", Name: "inputs", Fields: []string{"answer", "1"}}}},
		{"no fields", `[{"name":"empty"}]`, []chatinc.VariableGroup{{Name: "empty", Fields: []string{}}}},
		{"empty body", ``, []chatinc.VariableGroup{}},
	})
}
