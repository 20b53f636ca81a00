package chatinc_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	chatinc "github.com/chatinc/chatinc-go"
	"github.com/chatinc/chatinc-go/chatinctest"
	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// docsGroups are the variable groups of the Chat Inc docs' examples.
var docsGroups = []chatinc.VariableGroup{
	{Name: "users", Fields: []string{"first_name", "last_name", "code"}},
	{Name: "orders", Fields: []string{"number", "total"}},
}

func TestPlaceholders(t *testing.T) {
	ph := func(group, variable, text string, offset int) chatinc.Placeholder {
		return chatinc.Placeholder{Group: group, Variable: variable, Text: text, Offset: offset}
	}
	tests := []struct {
		message string
		want    []chatinc.Placeholder
	}{
		{"", nil},
		{"no placeholders", nil},
		{"Hello, {users.first_name} {users.last_name}", []chatinc.Placeholder{
			ph("users", "first_name", "{users.first_name}", 7), ph("users", "last_name", "{users.last_name}", 26)}},
		{"My message {}", []chatinc.Placeholder{ph("", "", "{}", 11)}},
		{"Hi {first_name}", []chatinc.Placeholder{ph("", "first_name", "{first_name}", 3)}},
		{"{users}{users.}{.x}", []chatinc.Placeholder{ph("", "users", "{users}", 0), ph("users", "", "{users.}", 7), ph("", "x", "{.x}", 15)}},
		{"{ users.x }", []chatinc.Placeholder{ph(" users", "x ", "{ users.x }", 0)}},
		{"{a.b.c}", []chatinc.Placeholder{ph("a", "b.c", "{a.b.c}", 0)}},
		// Unclosed: to the next "{", or to the end.
		{"Hi {users.first_name, code {users.code}", []chatinc.Placeholder{
			ph("users", "first_name, code ", "{users.first_name, code ", 3), ph("users", "code", "{users.code}", 27)}},
		{"Hi {users.first", []chatinc.Placeholder{ph("users", "first", "{users.first", 3)}},
		{"{", []chatinc.Placeholder{ph("", "", "{", 0)}},
		{"a } b", nil},
		// Offsets are in bytes: "é" is 2, "😀" is 4.
		{"Olá, {users.first_name} 😀 {users.code}", []chatinc.Placeholder{
			ph("users", "first_name", "{users.first_name}", 6), ph("users", "code", "{users.code}", 30)}},
	}
	for _, tt := range tests {
		t.Run(tt.message, func(t *testing.T) {
			got := chatinc.Placeholders(tt.message)
			assert.Equal(t, tt.want, got)
			for _, p := range got {
				assert.True(t, strings.HasPrefix(tt.message[p.Offset:], p.Text), "Offset points at Text")
			}
		})
	}
}

func TestValidateMessage(t *testing.T) {
	type pr = chatinc.Problem
	long := strings.Repeat("é", chatinc.MaxMessageLength+1) // 1025 runes, 2050 bytes
	tests := []struct {
		name    string
		message string
		want    []pr
	}{
		{"docs example", "Hello, {users.first_name} {users.last_name}", nil},
		{"no placeholders", "Spring sale!", nil},
		{"exactly the limit, in runes", strings.Repeat("é", chatinc.MaxMessageLength), nil},
		{"docs curl: empty placeholder", "My message {}", []pr{
			{Field: "message", Offset: 11, Text: "{}", Reason: "empty placeholder: a placeholder is {group.variable}"}}},
		{"no group, suggested from the one group that has the variable", "Hi {first_name}", []pr{
			{Field: "message", Offset: 3, Text: "{first_name}", Reason: "no variable group: a placeholder is {group.variable}", Suggestion: "{users.first_name}"}}},
		{"no group, variable unknown", "Hi {nickname}", []pr{
			{Field: "message", Offset: 3, Text: "{nickname}", Reason: "no variable group: a placeholder is {group.variable}"}}},
		{"misspelt variable", "Hi {users.frist_name}", []pr{
			{Field: "message", Offset: 3, Text: "{users.frist_name}", Reason: `variable group "users" has no variable "frist_name"`, Suggestion: "{users.first_name}"}}},
		{"two edits in eight: suggested", "Hi {users.frst_nme}", []pr{
			{Field: "message", Offset: 3, Text: "{users.frst_nme}", Reason: `variable group "users" has no variable "frst_nme"`, Suggestion: "{users.first_name}"}}},
		{"three edits in seven: too far to guess", "Hi {users.fst_nme}", []pr{
			{Field: "message", Offset: 3, Text: "{users.fst_nme}", Reason: `variable group "users" has no variable "fst_nme"`}}},
		{"misspelt group and variable", "Hi {user.firstname}", []pr{
			{Field: "message", Offset: 3, Text: "{user.firstname}", Reason: `unknown variable group "user"`, Suggestion: "{users.first_name}"}}},
		{"unknown group, nothing close", "Hi {customers.first_name}", []pr{
			{Field: "message", Offset: 3, Text: "{customers.first_name}", Reason: `unknown variable group "customers"`}}},
		{"unknown variable, nothing close", "Total {orders.vat}", []pr{
			{Field: "message", Offset: 6, Text: "{orders.vat}", Reason: `variable group "orders" has no variable "vat"`}}},
		{"group names match exactly", "Hi {Users.first_name}", []pr{
			{Field: "message", Offset: 3, Text: "{Users.first_name}", Reason: `unknown variable group "Users"`, Suggestion: "{users.first_name}"}}},
		{"spaces inside", "Hi { users.code }", []pr{
			{Field: "message", Offset: 3, Text: "{ users.code }", Reason: "space next to a brace or the dot: a placeholder is {group.variable}", Suggestion: "{users.code}"}}},
		{"space next to the dot", "Hi {users . code}", []pr{
			{Field: "message", Offset: 3, Text: "{users . code}", Reason: "space next to a brace or the dot: a placeholder is {group.variable}", Suggestion: "{users.code}"}}},
		{"a group's Name with inner spaces", "Hi {My Variable Group.given_name}", nil},
		{"a group's ID: unknown, named by its Name", "Hi {mvg.given_name}", []pr{
			{Field: "message", Offset: 3, Text: "{mvg.given_name}", Reason: `unknown variable group "mvg": it is the ID of the group named "My Variable Group", and a placeholder names a group by its Name`,
				Suggestion: "{My Variable Group.given_name}"}}},
		{"two dots", "Hi {users.first.name}", []pr{
			{Field: "message", Offset: 3, Text: "{users.first.name}", Reason: `more than one ".": a placeholder is {group.variable}, and neither name holds a "."`, Suggestion: "{users.first_name}"}}},
		{"a line break inside", "Hi {users.first\nname}", []pr{
			{Field: "message", Offset: 3, Text: "{users.first\nname}", Reason: "a line break or control character inside a placeholder: a placeholder is {group.variable}", Suggestion: "{users.first_name}"}}},
		{"empty names", "{users.} {.code}", []pr{
			{Field: "message", Offset: 0, Text: "{users.}", Reason: "empty variable name: a placeholder is {group.variable}"},
			{Field: "message", Offset: 9, Text: "{.code}", Reason: "empty group name: a placeholder is {group.variable}", Suggestion: "{users.code}"}}},
		{"group without variable", "Hi {users}", []pr{
			{Field: "message", Offset: 3, Text: "{users}", Reason: "no variable group: a placeholder is {group.variable}"}}},
		{"unclosed runs to the next {", "Hi {users.first_name, code {users.cod}", []pr{
			{Field: "message", Offset: 3, Text: "{users.first_name, code ", Reason: `unclosed placeholder: no "}"`},
			{Field: "message", Offset: 27, Text: "{users.cod}", Reason: `variable group "users" has no variable "cod"`, Suggestion: "{users.code}"}}},
		{"unclosed at the end, closing suggested", "Hi {users.code", []pr{
			{Field: "message", Offset: 3, Text: "{users.code", Reason: `unclosed placeholder: no "}"`, Suggestion: "{users.code}"}}},
		{"every problem, in order, byte offsets in multibyte text", "¡Hola {users.frist_name}! Tu código 😀 es {users.cde} {}", []pr{
			{Field: "message", Offset: 7, Text: "{users.frist_name}", Reason: `variable group "users" has no variable "frist_name"`, Suggestion: "{users.first_name}"},
			{Field: "message", Offset: 46, Text: "{users.cde}", Reason: `variable group "users" has no variable "cde"`, Suggestion: "{users.code}"},
			{Field: "message", Offset: 58, Text: "{}", Reason: "empty placeholder: a placeholder is {group.variable}"}}},
		{"too long, listed last with offset -1", long + "{users.x}", []pr{
			{Field: "message", Offset: 2050, Text: "{users.x}", Reason: `variable group "users" has no variable "x"`},
			{Field: "message", Offset: -1, Reason: "1034 characters; the limit is 1024"}}},
		{"too long alone", long, []pr{{Field: "message", Offset: -1, Reason: "1025 characters; the limit is 1024"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := chatinc.ValidateMessage(tt.message, append(docsGroups[:len(docsGroups):len(docsGroups)],
				chatinc.VariableGroup{ID: "mvg", Name: "My Variable Group", Fields: []string{"given_name"}}))
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			var ce *chatinc.CheckError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, tt.want, ce.Problems)
			for _, p := range ce.Problems {
				if p.Offset >= 0 {
					assert.True(t, strings.HasPrefix(tt.message[p.Offset:], p.Text), "Offset points at Text")
				}
			}
		})
	}
	t.Run("no groups at all", func(t *testing.T) {
		var ce *chatinc.CheckError
		require.ErrorAs(t, chatinc.ValidateMessage("Hi {users.first_name}", nil), &ce)
		assert.Equal(t, []pr{{Field: "message", Offset: 3, Text: "{users.first_name}", Reason: `unknown variable group "users"`}}, ce.Problems)
	})
}

func TestCheckErrorString(t *testing.T) {
	one := &chatinc.CheckError{Problems: []chatinc.Problem{{Field: "message", Offset: 3, Text: "{users.frist_name}",
		Reason: `variable group "users" has no variable "frist_name"`, Suggestion: "{users.first_name}"}}}
	assert.Equal(t, `chatinc: message: {users.frist_name} at byte 3: variable group "users" has no variable "frist_name" (did you mean {users.first_name}?)`, one.Error())

	two := &chatinc.CheckError{Problems: []chatinc.Problem{
		{Field: "message", Offset: 11, Text: "{}", Reason: "empty placeholder"},
		{Field: "audiences[1]", Offset: -1, Text: "vps", Reason: `audience "vps" not found`, Suggestion: "vip"}}}
	assert.Equal(t, `chatinc: 2 problems: message: {} at byte 11: empty placeholder; audiences[1]: vps: audience "vps" not found (did you mean vip?)`, two.Error())

	many := &chatinc.CheckError{}
	for range 12 {
		many.Problems = append(many.Problems, chatinc.Problem{Field: "message", Offset: 0, Text: "{}", Reason: "empty"})
	}
	assert.True(t, strings.HasPrefix(many.Error(), "chatinc: 12 problems: message: {} at byte 0: empty; "))
	assert.True(t, strings.HasSuffix(many.Error(), "; and 2 more"))
}

func TestRenderMessage(t *testing.T) {
	values := map[string]map[string]string{
		"users": {"first_name": "Zoë", "last_name": "Doe", "code": ""},
	}
	tests := []struct {
		message, want string
		problems      []chatinc.Problem
	}{
		{"Hello, {users.first_name} {users.last_name}", "Hello, Zoë Doe", nil},
		{"Hello!", "Hello!", nil},
		{"{users.first_name}{users.first_name}", "ZoëZoë", nil},
		{"Hi {users.first_name}, your code is {users.code}.", "", []chatinc.Problem{
			{Field: "message", Offset: 36, Text: "{users.code}", Reason: "no value for {users.code}"}}},
		{"Hi {users.nick} {orders.total}", "", []chatinc.Problem{
			{Field: "message", Offset: 3, Text: "{users.nick}", Reason: "no value for {users.nick}"},
			{Field: "message", Offset: 16, Text: "{orders.total}", Reason: "no value for {orders.total}"}}},
		{"My message {}", "", []chatinc.Problem{
			{Field: "message", Offset: 11, Text: "{}", Reason: "empty placeholder: a placeholder is {group.variable}"}}},
		{"Hi {first_name", "", []chatinc.Problem{
			{Field: "message", Offset: 3, Text: "{first_name", Reason: `unclosed placeholder: no "}"`}}},
	}
	for _, tt := range tests {
		t.Run(tt.message, func(t *testing.T) {
			got, err := chatinc.RenderMessage(tt.message, values)
			if tt.problems == nil {
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
				return
			}
			var ce *chatinc.CheckError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, tt.problems, ce.Problems)
			assert.Empty(t, got)
		})
	}
}

func TestMessageLimitsAndExample(t *testing.T) {
	c, mock := answering(t, http.MethodPost, "/create/campaign", 200, `{"status":"success","campaignId":"c1"}`)
	ctx := context.Background()

	_, err := c.CreateCampaign(ctx, chatinc.CampaignParams{Title: "t", Message: strings.Repeat("ü", 1025)}, chatinc.CampaignOptions{})
	var ve *chatinc.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "message", ve.Field)
	assert.Equal(t, "1025 characters; the limit is 1024", ve.Reason)
	assert.Equal(t, 0, calls(mock, http.MethodPost, "/create/campaign"), "nothing sent")

	var bodies []string
	mock.RegisterResponder(http.MethodPost, apiURL("/create/campaign"), func(r *http.Request) (*http.Response, error) {
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, string(b))
		return httpmock.NewStringResponse(200, `{"status":"success","campaignId":"c1"}`), nil
	})
	_, err = c.CreateCampaign(ctx, chatinc.CampaignParams{Title: "t", Message: "Hi {users.first_name}", MessageExample: "Hi Ada"},
		chatinc.CampaignOptions{WhatsAppTemplateType: chatinc.TemplateUtility})
	require.NoError(t, err)
	// 1024 runes of two bytes each are within the limit.
	_, err = c.CreateCampaign(ctx, chatinc.CampaignParams{Title: "t", Message: strings.Repeat("ü", 1024)},
		chatinc.CampaignOptions{WhatsAppTemplateType: chatinc.TemplateAuthentication})
	require.NoError(t, err)
	require.Len(t, bodies, 2)
	assert.JSONEq(t, `{"title":"t","message":"Hi {users.first_name}","messageExample":"Hi Ada","templateType":"UTILITY"}`, bodies[0])
	assert.JSONEq(t, mustJSON(t, map[string]string{"title": "t", "message": strings.Repeat("ü", 1024), "templateType": "AUTHENTICATION"}), bodies[1])

	_, err = c.CreateCampaign(ctx, chatinc.CampaignParams{Title: "t", Message: "m", MessageExample: strings.Repeat("x", 1025)}, chatinc.CampaignOptions{})
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "messageExample", ve.Field)
	assert.Len(t, bodies, 2, "nothing sent")
}

func TestTimeToRunInThePast(t *testing.T) {
	c, mock := newTestClient(t)
	mock.RegisterResponder(http.MethodPost, apiURL("/create/campaign"), httpmock.NewStringResponder(200, `{"status":"success"}`))
	mock.RegisterResponder(http.MethodPost, apiURL("/run/campaign"), httpmock.NewStringResponder(200, `{"status":"success"}`))
	ctx := context.Background()
	p := chatinc.CampaignParams{Title: "t", Message: "m"}
	for _, tt := range []struct {
		name string
		at   time.Time
		ok   bool
	}{
		{"zero: at once", time.Time{}, true},
		{"in the future", time.Now().Add(time.Hour), true},
		{"30 seconds ago: a slow clock", time.Now().Add(-30 * time.Second), true},
		{"two minutes ago", time.Now().Add(-2 * time.Minute), false},
		{"a time-zone slip", time.Now().Add(-5 * time.Hour), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := mock.GetTotalCallCount()
			_, errCreate := c.CreateCampaign(ctx, p, chatinc.CampaignOptions{RunImmediately: true, Audiences: []string{"all"}, TimeToRun: tt.at})
			_, errRun := c.RunCampaign(ctx, chatinc.RunCampaignParams{CampaignID: "c1", Audiences: []string{"all"}, TimeToRun: tt.at})
			for _, err := range []error{errCreate, errRun} {
				if tt.ok {
					require.NoError(t, err)
					continue
				}
				var ve *chatinc.ValidationError
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, "timeToRun", ve.Field)
				assert.Contains(t, ve.Reason, "in the past")
			}
			if !tt.ok {
				assert.Equal(t, before, mock.GetTotalCallCount(), "nothing sent")
			}
		})
	}
}

// The simulator refuses what ValidateMessage finds, in the same words.
func TestSimulatorAgreesWithValidateMessage(t *testing.T) {
	c, _ := newSimClient(t)
	ctx := context.Background()
	_, err := c.CreateVariableGroup(ctx, chatinc.VariableGroupParams{ID: "users", Name: "users", Fields: []string{"first_name", "last_name", "code"}})
	require.NoError(t, err)
	groups, err := c.RetrieveVariableGroups(ctx)
	require.NoError(t, err)
	for _, message := range []string{
		"Olá {users.frist_name}!",
		"Hi {people.first_name}",
		"Hello, {users.first_name} {users.last_name}", // the docs' example: both accept it
	} {
		t.Run(message, func(t *testing.T) {
			checkErr := chatinc.ValidateMessage(message, groups)
			_, createErr := c.CreateCampaign(ctx, chatinc.CampaignParams{Title: "t", Message: message}, chatinc.CampaignOptions{})
			if checkErr == nil {
				require.NoError(t, createErr)
				return
			}
			var ce *chatinc.CheckError
			require.ErrorAs(t, checkErr, &ce)
			var apiErr *chatinc.APIError
			require.ErrorAs(t, createErr, &apiErr)
			assert.Equal(t, 400, apiErr.StatusCode)
			p := ce.Problems[0]
			p.Suggestion = "" // the SDK's own help
			assert.Equal(t, p.String(), apiErr.Message)
		})
	}
}

func TestTemplateTypesAgainstSimulator(t *testing.T) {
	c, _ := newSimClient(t)
	for _, tt := range []chatinc.TemplateType{chatinc.TemplateMarketing, chatinc.TemplateUtility, chatinc.TemplateAuthentication} {
		err := c.CheckCampaign(context.Background(), chatinc.CampaignParams{Title: "t", Message: "Your code is ready"},
			chatinc.CampaignOptions{WhatsAppTemplateType: tt})
		require.NoError(t, err)
		_, err = c.CreateCampaign(context.Background(), chatinc.CampaignParams{Title: "t", Message: "Your code is ready",
			MessageExample: "Your code is ready"}, chatinc.CampaignOptions{WhatsAppTemplateType: tt})
		require.NoError(t, err, tt)
	}
}

func TestCheckCampaign(t *testing.T) {
	c, srv := newSimClient(t)
	ctx := context.Background()
	_, err := c.CreateAudience(ctx, chatinc.AudienceParams{ID: "vip", Name: "VIP", Contacts: contacts("+15550100001")})
	require.NoError(t, err)
	_, err = c.CreateVariableGroup(ctx, chatinc.VariableGroupParams{ID: "users", Name: "users", Fields: []string{"first_name"}})
	require.NoError(t, err)
	sends := func() int { return srv.RequestCount("/create/campaign") + srv.RequestCount("/run/campaign") }

	t.Run("good", func(t *testing.T) {
		err := c.CheckCampaign(ctx, chatinc.CampaignParams{Title: "t", Message: "Hi {users.first_name}"},
			chatinc.CampaignOptions{RunImmediately: true, Audiences: []string{"vip", chatinc.AudienceAll}})
		require.NoError(t, err)
	})
	t.Run("every problem", func(t *testing.T) {
		err := c.CheckCampaign(ctx, chatinc.CampaignParams{Title: "t", Message: "Hi {user.first_name}, {users.frist_name}"},
			chatinc.CampaignOptions{RunImmediately: true, Audiences: []string{"all", "vpi", "nobody-like-this"}})
		var ce *chatinc.CheckError
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, []chatinc.Problem{
			{Field: "message", Offset: 3, Text: "{user.first_name}", Reason: `unknown variable group "user"`, Suggestion: "{users.first_name}"},
			{Field: "message", Offset: 22, Text: "{users.frist_name}", Reason: `variable group "users" has no variable "frist_name"`, Suggestion: "{users.first_name}"},
			{Field: "audiences[1]", Offset: -1, Text: "vpi", Reason: `audience "vpi" not found`, Suggestion: "vip"},
			{Field: "audiences[2]", Offset: -1, Text: "nobody-like-this", Reason: `audience "nobody-like-this" not found`},
		}, ce.Problems)
	})
	t.Run("an example with its placeholders left in", func(t *testing.T) {
		err := c.CheckCampaign(ctx, chatinc.CampaignParams{Title: "t", Message: "Hi {users.first_name}", MessageExample: "Hi {users.first_name}"},
			chatinc.CampaignOptions{})
		var ce *chatinc.CheckError
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, []chatinc.Problem{{Field: "messageExample", Offset: -1, Text: "{users.first_name}",
			Reason: "a placeholder in the example: it is the message as one contact reads it (see RenderMessage)"}}, ce.Problems)
	})
	t.Run("invalid input: the same *ValidationError as CreateCampaign, before any read", func(t *testing.T) {
		before := len(srv.Requests())
		p := chatinc.CampaignParams{Title: "t", Message: "Hi {users.first_name}", Buttons: []chatinc.Button{chatinc.URLButton("Shop", "example.com")}}
		o := chatinc.CampaignOptions{Audiences: []string{"vip"}}
		checkErr := c.CheckCampaign(ctx, p, o)
		assert.Equal(t, before, len(srv.Requests()), "no read")
		_, createErr := c.CreateCampaign(ctx, p, o)
		var ve *chatinc.ValidationError
		require.ErrorAs(t, checkErr, &ve)
		assert.Equal(t, createErr, checkErr)
	})
	t.Run("reads only what it needs", func(t *testing.T) {
		before := len(srv.Requests())
		require.NoError(t, c.CheckCampaign(ctx, chatinc.CampaignParams{Title: "t", Message: "Hello"}, chatinc.CampaignOptions{Audiences: []string{"all"}}))
		assert.Equal(t, before, len(srv.Requests()), "no placeholder, only all: nothing to read")
	})
	t.Run("a read's error", func(t *testing.T) {
		srv.InjectFault("/retrieve/variable/groups", 3, chatinctest.Fault{Status: 500})
		err := c.CheckCampaign(ctx, chatinc.CampaignParams{Title: "t", Message: "Hi {users.first_name}"}, chatinc.CampaignOptions{})
		var apiErr *chatinc.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, 500, apiErr.StatusCode)
		var ce *chatinc.CheckError
		assert.False(t, errors.As(err, &ce))
	})
	assert.Equal(t, 0, sends(), "CheckCampaign sends nothing (and CreateCampaign sent nothing invalid)")
}
