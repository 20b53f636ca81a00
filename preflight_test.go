package chatinc_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	chatinc "github.com/chatinc/chatinc-go"
	"github.com/chatinc/chatinc-go/chatinctest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newPreflightSim returns a strict simulator holding an audience "vip" of
// one contact, a variable group "users" with first_name, and a template
// campaign (not sent) whose message uses it; and two clients of it, one
// made WithPreflight and one not.
func newPreflightSim(t *testing.T, opts ...chatinctest.Option) (pre, plain *chatinc.Client, srv *chatinctest.Server, campaignID string) {
	t.Helper()
	plain, srv = newSimClient(t, opts...)
	pre = newClientOf(t, srv.APIKey, srv.URL, chatinc.WithPreflight(), chatinc.WithRetryWait(time.Millisecond, time.Millisecond))
	ctx := context.Background()
	_, err := plain.CreateAudience(ctx, chatinc.AudienceParams{ID: "vip", Name: "VIP", Contacts: contacts("+15550100001")})
	require.NoError(t, err)
	_, err = plain.CreateVariableGroup(ctx, chatinc.VariableGroupParams{ID: "u", Name: "users", Fields: []string{"first_name"},
		Values: []chatinc.Row{{Number: "+15550100001", Values: map[string]string{"first_name": "Ada"}}}})
	require.NoError(t, err)
	res, err := plain.CreateCampaign(ctx, chatinc.CampaignParams{Title: "t", Message: "Hi {users.first_name}", MessageExample: "Hi Ada"},
		chatinc.CampaignOptions{})
	require.NoError(t, err)
	return pre, plain, srv, res.CampaignID
}

// requestsSince returns "METHOD /path" of the requests srv received after
// the first n.
func requestsSince(srv *chatinctest.Server, n int) []string {
	var out []string
	for _, r := range srv.Requests()[n:] {
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}

// Without WithPreflight a send is one request, as before; with it, the
// reads come first and then the one send.
func TestPreflightRequests(t *testing.T) {
	pre, plain, srv, id := newPreflightSim(t)
	ctx := context.Background()
	run := chatinc.RunCampaignParams{CampaignID: id, Audiences: []string{"vip"}}
	create := chatinc.CampaignParams{Title: "now", Message: "Hi {users.first_name}"}
	now := chatinc.CampaignOptions{RunImmediately: true, Audiences: []string{"vip"}}

	n := len(srv.Requests())
	_, err := plain.RunCampaign(ctx, run)
	require.NoError(t, err)
	_, err = plain.CreateCampaign(ctx, create, now)
	require.NoError(t, err)
	assert.Equal(t, []string{"POST /run/campaign", "POST /create/campaign"}, requestsSince(srv, n), "one call, one request")

	n = len(srv.Requests())
	_, err = pre.RunCampaign(ctx, run)
	require.NoError(t, err)
	assert.Equal(t, []string{"GET /retrieve/campaigns", "POST /retrieve/variable/groups", "GET /retrieve/audiences", "POST /run/campaign"},
		requestsSince(srv, n))

	n = len(srv.Requests())
	_, err = pre.CreateCampaign(ctx, create, now)
	require.NoError(t, err)
	got := requestsSince(srv, n)
	require.NotEmpty(t, got)
	assert.Equal(t, "POST /create/campaign", got[len(got)-1], "the send comes last")
	assert.Equal(t, 1, count(got, "POST /create/campaign"))
	assert.Contains(t, got, "POST /retrieve/variable/groups")

	// A template (no RunImmediately) sends nothing: no pre-flight reads.
	n = len(srv.Requests())
	_, err = pre.CreateCampaign(ctx, chatinc.CampaignParams{Title: "tpl", Message: "Hi {users.first_name}", MessageExample: "Hi Ada"}, chatinc.CampaignOptions{})
	require.NoError(t, err)
	assert.Equal(t, []string{"POST /create/campaign"}, requestsSince(srv, n))
}

func count(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}

// Each pre-flight problem is a *CheckError naming the field, and nothing
// is sent.
func TestPreflightRefuses(t *testing.T) {
	pre, plain, srv, id := newPreflightSim(t, chatinctest.WithTemplateReview(func(title, _ string) (string, time.Duration) {
		if title == "bad" {
			return "REJECTED", 0
		}
		return "APPROVED", 0
	}))
	ctx := context.Background()
	rejected, err := plain.CreateCampaign(ctx, chatinc.CampaignParams{Title: "bad", Message: "Hi"}, chatinc.CampaignOptions{})
	require.NoError(t, err)
	_, err = plain.CreateVariableGroup(ctx, chatinc.VariableGroupParams{ID: "u", Name: "people", Fields: []string{"first_name"}})
	require.NoError(t, err, "renames the group the campaign's message uses")

	for _, tt := range []struct {
		name     string
		send     func() error
		field    string
		rejected bool
	}{
		{"an unknown campaign", func() error {
			_, err := pre.RunCampaign(ctx, chatinc.RunCampaignParams{CampaignID: "nope", Audiences: []string{"vip"}})
			return err
		}, "campaignId", false},
		{"a rejected template", func() error {
			_, err := pre.RunCampaign(ctx, chatinc.RunCampaignParams{CampaignID: rejected.CampaignID, Audiences: []string{"vip"}})
			return err
		}, "campaignId", true},
		{"a message whose group is gone", func() error {
			_, err := pre.RunCampaign(ctx, chatinc.RunCampaignParams{CampaignID: id, Audiences: []string{"vip"}})
			return err
		}, "message", false},
		{"an unknown audience", func() error {
			_, err := pre.RunCampaign(ctx, chatinc.RunCampaignParams{CampaignID: rejected.CampaignID, Audiences: []string{"vpi"}})
			return err
		}, "audiences[0]", true},
		{"CreateCampaign with an unknown group", func() error {
			_, err := pre.CreateCampaign(ctx, chatinc.CampaignParams{Title: "x", Message: "Hi {users.first_name}"},
				chatinc.CampaignOptions{RunImmediately: true, Audiences: []string{"vip"}})
			return err
		}, "message", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := sends(srv)
			err := tt.send()
			var ce *chatinc.CheckError
			require.ErrorAs(t, err, &ce)
			var fields []string
			for _, p := range ce.Problems {
				fields = append(fields, p.Field)
			}
			assert.Contains(t, fields, tt.field)
			assert.Equal(t, tt.rejected, errors.Is(err, chatinc.ErrTemplateRejected))
			assert.False(t, errors.Is(err, chatinc.ErrOutcomeUnknown))
			assert.Equal(t, before, sends(srv), "nothing sent")
		})
	}
}

// A pre-flight read that fails sends nothing, says so, and is never an
// unknown outcome, even when the read's own failure is a 5xx.
func TestPreflightReadFails(t *testing.T) {
	pre, _, srv, id := newPreflightSim(t)
	for _, f := range []chatinctest.Fault{{Status: http.StatusServiceUnavailable}, {Status: http.StatusUnauthorized}, {Drop: true}} {
		srv.InjectFault("/retrieve/campaigns", 10, f)
		before := sends(srv)
		_, err := pre.RunCampaign(context.Background(), chatinc.RunCampaignParams{CampaignID: id, Audiences: []string{"vip"}})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "RunCampaign not sent")
		assert.False(t, errors.Is(err, chatinc.ErrOutcomeUnknown), "%v", err)
		assert.Equal(t, before, sends(srv))
		srv.InjectFault("/retrieve/campaigns", 0, chatinctest.Fault{})
	}
}

// CreateCampaign's unknown outcome says how to send so that the ID is
// known.
func TestCreateCampaignOutcomeUnknownAdvice(t *testing.T) {
	c, srv := newSimClient(t)
	_, err := c.CreateAudience(context.Background(), chatinc.AudienceParams{ID: "vip", Name: "VIP", Contacts: contacts("+15550100001")})
	require.NoError(t, err)
	srv.InjectFault("/create/campaign", 1, chatinctest.Fault{Status: http.StatusBadGateway, ActFirst: true})
	_, err = c.CreateCampaign(context.Background(), chatinc.CampaignParams{Title: "t", Message: "Sale"},
		chatinc.CampaignOptions{RunImmediately: true, Audiences: []string{"vip"}})
	require.ErrorIs(t, err, chatinc.ErrOutcomeUnknown)
	assert.Contains(t, err.Error(), "create the campaign without RunImmediately and send it with RunCampaign")
	assert.Equal(t, 1, srv.RequestCount("/create/campaign"), "sent once, not retried")
}
