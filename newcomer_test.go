package chatinc_test

// The findings of a newcomer who called the SDK the way the README and the
// Chat Inc docs show, each against the strict simulator where one is
// involved: what went out wrong before, and must not now.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	chatinc "github.com/chatinc/chatinc-go"
	"github.com/chatinc/chatinc-go/chatinctest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sends counts the requests to srv that may send messages.
func sends(srv *chatinctest.Server) int {
	return srv.RequestCount("/create/campaign") + srv.RequestCount("/run/campaign")
}

// CreateCampaign refuses, with nothing sent, the placeholders the docs and
// a newcomer write that no variable group can fill.
func TestNewcomerMalformedPlaceholdersAreNotSent(t *testing.T) {
	c, srv := newSimClient(t)
	ctx := context.Background()
	for _, message := range []string{
		"Hi {first_name}!",                   // no group
		"My message {}",                      // the docs' own example
		"Hi {customers.first_name",           // unclosed
		"Hi {customers.first_name}, {users.", // one good, one unclosed
	} {
		t.Run(message, func(t *testing.T) {
			_, err := c.CreateCampaign(ctx, chatinc.CampaignParams{Title: "t", Message: message},
				chatinc.CampaignOptions{RunImmediately: true, Audiences: []string{chatinc.AudienceAll}})
			var ve *chatinc.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, "message", ve.Field)
			assert.Zero(t, sends(srv), "sent")
		})
	}
}

// TimeToRun without RunImmediately would create a template and schedule
// nothing, while the call succeeded.
func TestNewcomerTimeToRunWithoutRunImmediately(t *testing.T) {
	c, srv := newSimClient(t)
	_, err := c.CreateCampaign(context.Background(), chatinc.CampaignParams{Title: "t", Message: "Sale today"},
		chatinc.CampaignOptions{Audiences: []string{chatinc.AudienceAll}, TimeToRun: time.Now().Add(time.Hour)})
	var ve *chatinc.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "timeToRun", ve.Field)
	assert.Contains(t, ve.Reason, "RunImmediately")
	assert.Zero(t, sends(srv))
}

// A template type is one of the three constants exactly.
func TestNewcomerTemplateTypeExactly(t *testing.T) {
	c, srv := newSimClient(t)
	_, err := c.CreateCampaign(context.Background(), chatinc.CampaignParams{Title: "t", Message: "Sale today"},
		chatinc.CampaignOptions{WhatsAppTemplateType: "marketing"})
	var ve *chatinc.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "whatsAppTemplateType", ve.Field)
	assert.Contains(t, ve.Reason, "MARKETING")
	assert.Zero(t, sends(srv))
}

// A variable group named as the docs name one can be used in a
// placeholder; a Name no placeholder can hold is refused; and a suggestion
// is never what was written.
func TestNewcomerGroupNamesAndSuggestions(t *testing.T) {
	c, srv := newSimClient(t)
	ctx := context.Background()
	_, err := c.CreateAudience(ctx, chatinc.AudienceParams{ID: "vip", Name: "VIP", Contacts: contacts("+15550100001")})
	require.NoError(t, err)
	_, err = c.CreateVariableGroup(ctx, chatinc.VariableGroupParams{ID: "mvg", Name: "My Variable Group", Fields: []string{"first_name"},
		Values: []chatinc.Row{{Number: "+15550100001", Values: map[string]string{"first_name": "Ada"}}}})
	require.NoError(t, err)

	p := chatinc.CampaignParams{Title: "t", Message: "Hi {My Variable Group.first_name}!"}
	o := chatinc.CampaignOptions{RunImmediately: true, Audiences: []string{"vip"}}
	require.NoError(t, c.CheckCampaign(ctx, p, o))
	res, err := c.CreateCampaign(ctx, p, o)
	require.NoError(t, err)
	rows, err := c.RetrieveCampaignDetails(ctx, res.CampaignID)
	require.NoError(t, err)
	require.Len(t, rows, 1)
	assert.Equal(t, "Hi Ada!", rows[0].Columns["message"], "the simulator fills it")

	for _, name := range []string{"users.v2", "{users}", " users", "users ", "a\nb"} {
		_, err := c.CreateVariableGroup(ctx, chatinc.VariableGroupParams{ID: "x", Name: name, Fields: []string{"f"}})
		var ve *chatinc.ValidationError
		require.ErrorAs(t, err, &ve, "%q", name)
		assert.Equal(t, "name", ve.Field, "%q", name)
	}

	before := sends(srv)
	for _, message := range []string{
		"Hi {my variable group.first_name}", "Hi {My Variable Group.First_Name}", "Hi {mvg.first_name}",
		"Hi {My Variable Group.firstname}", "Hi {MyVariableGroup.first_name}", "Hi {My Variable Group.first_name }",
		"Hi { My Variable Group.first_name}", "Hi {My Variable Group. first_name}", "Hi {My  Variable Group.first_name}",
	} {
		err := c.CheckCampaign(ctx, chatinc.CampaignParams{Title: "t", Message: message}, o)
		var ce *chatinc.CheckError
		var ve *chatinc.ValidationError
		switch {
		case errors.As(err, &ce):
			for _, p := range ce.Problems {
				assert.NotEqual(t, p.Text, p.Suggestion, "%q: the suggestion is the text written", message)
			}
		case errors.As(err, &ve):
		default:
			t.Errorf("%q: %v, want a *CheckError or a *ValidationError", message, err)
		}
	}
	assert.Equal(t, before, sends(srv), "checks send nothing")
}

// A "runs" array of another shape is never read as no runs: the recipe
// that checks before it resends would send again.
func TestNewcomerRunsOfAnotherShape(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"status":"success","campaigns":[{"campaignId":"c1","title":"t","message":"m","runs":["r_1"]}]}`)
	}))
	t.Cleanup(srv.Close)
	c := newClientOf(t, "k", srv.URL)
	camp, err := c.FindCampaign(context.Background(), "c1")
	require.NoError(t, err)
	assert.Equal(t, 1, camp.RunCount, "one run, whatever its shape")

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	got, err := c.AwaitRun(ctx, "c1", 0)
	require.NoError(t, err, "the run is there: no wait")
	assert.Equal(t, 1, got.RunCount)
}

// An empty cell would send "Hi , your code is ." to that contact; CheckCSV
// says so before the upload.
func TestNewcomerEmptyCells(t *testing.T) {
	rep, err := chatinc.CheckCSV(strings.NewReader("number,first_name,code\n" +
		"+15550100001,Ada,A1\n+15550100002,,B2\n+15550100003, ,\n"))
	require.NoError(t, err)
	assert.Empty(t, rep.Problems)
	assert.Equal(t, map[string]int{"first_name": 2, "code": 1}, rep.Empty)

	rep, err = chatinc.CheckCSV(strings.NewReader("number,first_name\n+15550100001,Ada\n"))
	require.NoError(t, err)
	assert.Nil(t, rep.Empty, "nil when no cell is empty")
}

// postRaw posts body to the simulator's path as any client would, and
// returns the status.
func postRaw(t *testing.T, srv *chatinctest.Server, path string, body any) int {
	t.Helper()
	b, err := json.Marshal(body)
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, srv.URL+path, bytes.NewReader(b))
	require.NoError(t, err)
	req.Header.Set("Authorization", srv.APIKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

// The SDK's verdict on a message (CheckCampaign, against the groups) and
// the simulator's agree, both ways, over generated messages: every message
// the SDK's checks accept, the simulator accepts, and every message they
// refuse, it refuses (400); and every message the simulator accepts passes
// ValidateMessage with the groups as they are.
// Placeholders are built from a few pieces that make every kind of
// mistake: names of a group and its ID, spaces, dots and braces.
func TestSDKAndSimulatorAgreeOnMessages(t *testing.T) {
	c, srv := newSimClient(t)
	ctx := context.Background()
	_, err := c.CreateVariableGroup(ctx, chatinc.VariableGroupParams{ID: "mvg", Name: "My Group", Fields: []string{"first_name", "code"}})
	require.NoError(t, err)
	_, err = c.CreateVariableGroup(ctx, chatinc.VariableGroupParams{ID: "users", Name: "users", Fields: []string{"first_name"}})
	require.NoError(t, err)
	groups, err := c.RetrieveVariableGroups(ctx)
	require.NoError(t, err)

	pieces := []string{"{", "}", ".", " ", "Hi ", "users", "My Group", "mvg", "first_name", "code", "x", "\n", "é", "{users.first_name}", "{My Group.code}"}
	rng := rand.New(rand.NewPCG(1, 2))
	accepted, refused := 0, 0
	for i := 0; i < 1500; i++ {
		var b strings.Builder
		for n := 1 + rng.IntN(7); n > 0; n-- {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		message := b.String()
		sdkErr := c.CheckCampaign(ctx, chatinc.CampaignParams{Title: "t", Message: message, MessageExample: "x"}, chatinc.CampaignOptions{})
		status := postRaw(t, srv, "/create/campaign", map[string]any{"title": "t", "message": message, "messageExample": "x"})
		if sdkErr == nil {
			accepted++
			assert.Equal(t, http.StatusOK, status, "%q: the SDK accepts it, the simulator does not", message)
		} else {
			refused++
			assert.Equal(t, http.StatusBadRequest, status, "%q: the SDK refuses it (%v), the simulator does not", message, sdkErr)
		}
		if status == http.StatusOK {
			assert.NoError(t, chatinc.ValidateMessage(message, groups), "%q", message)
		}
	}
	t.Logf("%d messages accepted by both, %d refused by both", accepted, refused)
	assert.Greater(t, accepted, 100)
	assert.Greater(t, refused, 100)
}

// Every number the simulator refuses, NormalizeNumber refuses, over
// generated numbers of every length and calling code, with the separators
// people type.
func TestSDKAndSimulatorAgreeOnNumbers(t *testing.T) {
	_, srv := newSimClient(t)
	rng := rand.New(rand.NewPCG(3, 4))
	seps := []string{"", "", "", " ", "-", ".", "(", ")"}
	simRefused, sdkRefused := 0, 0
	for i := 0; i < 1500; i++ {
		var b strings.Builder
		switch rng.IntN(4) {
		case 0:
			b.WriteString("+")
		case 1:
			b.WriteString("00")
		}
		for n := 5 + rng.IntN(13); n > 0; n-- {
			b.WriteByte(byte('0' + rng.IntN(10)))
			b.WriteString(seps[rng.IntN(len(seps))])
		}
		number := b.String()
		_, err := chatinc.NormalizeNumber(number)
		status := postRaw(t, srv, "/create/audience", map[string]any{"id": "a", "name": "A", "contacts": []map[string]string{{"number": number}}})
		if status != http.StatusOK {
			simRefused++
			assert.Error(t, err, "%q: the simulator refuses it (%d), NormalizeNumber does not", number, status)
		}
		if err != nil {
			sdkRefused++
		}
	}
	t.Logf("of 1500 numbers the simulator refused %d, NormalizeNumber %d", simRefused, sdkRefused)
	assert.Greater(t, simRefused, 100)
}
