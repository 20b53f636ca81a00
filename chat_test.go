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

func TestHelpersReachTheMock(t *testing.T) {
	c, mock := newTestClient(t)
	mock.RegisterResponder(http.MethodGet, apiURL("/retrieve/audiences"),
		respond(t, 200, `{"status":"success","audiences":[{"id":"a","name":"A"}]}`, func(r *http.Request) {
			testMethod(t, r, http.MethodGet)
			testHeader(t, r)
		}))
	got, err := c.RetrieveAudiences(context.Background())
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.Equal(t, 1, calls(mock, http.MethodGet, "/retrieve/audiences"))
}

// TestResultDecodes checks the Result of a create, add, upload or run call,
// here CreateCampaign's: the documented fields, whatever their JSON type,
// and the raw body.
func TestResultDecodes(t *testing.T) {
	raw := func(s string) json.RawMessage { return json.RawMessage(s) }
	tests := []struct {
		name   string
		answer string
		want   chatinc.Result
	}{
		{"campaign created", `{"status":"success","message":"Campaign created","campaignId":"cmp_123"}`,
			chatinc.Result{Status: "success", Message: "Campaign created", CampaignID: "cmp_123"}},
		{"wrapped in an array", `[{"status":"success","campaignId":"cmp_123"},{"status":"ignored"}]`,
			chatinc.Result{Status: "success", CampaignID: "cmp_123"}},
		{"IDs as numbers, unknown fields", `{"status":"success","id":42,"runId":7,"campaignId":null,"extra":{"a":[1]}}`,
			chatinc.Result{Status: "success", ID: "42", RunID: "7"}},
		{"empty array", `[]`, chatinc.Result{}},
		{"empty body", ``, chatinc.Result{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := answering(t, http.MethodPost, "/create/campaign", 200, tt.answer)
			got, err := c.CreateCampaign(context.Background(), chatinc.CampaignParams{Title: "T", Message: "M"}, chatinc.CampaignOptions{})
			require.NoError(t, err)
			require.NotNil(t, got)
			if tt.answer != "" {
				tt.want.Raw = raw(tt.answer)
			}
			assert.Equal(t, tt.want, *got)
		})
	}
}

// TestResultRefusesInvalidArray checks that Result.UnmarshalJSON, called
// directly, refuses an array answer that is not JSON past its first
// element, as it refuses any other invalid JSON.
func TestResultRefusesInvalidArray(t *testing.T) {
	for _, body := range []string{`[{"status":"success"} x`, `[{"status":"success"},`, `[{"status":"success"}]]`} {
		var r chatinc.Result
		assert.Error(t, r.UnmarshalJSON([]byte(body)), body)
	}
	var r chatinc.Result
	require.NoError(t, r.UnmarshalJSON([]byte(` [{"status":"success","campaignId":"c1"},{"status":"x"}] `)))
	assert.Equal(t, "c1", r.CampaignID)
}
