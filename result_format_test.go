package chatinc_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	chatinc "github.com/chatinc/chatinc-go"
)

// TestResultPrintsRawAsText checks that fmt prints a Result's Raw as the
// JSON text it holds, not as a list of byte values, in each verb a caller
// logs a value with, for a *Result and a Result alike.
func TestResultPrintsRawAsText(t *testing.T) {
	var r chatinc.Result
	require.NoError(t, json.Unmarshal([]byte(`{"status":"success","campaignId":"cmp_1","extra":[1,2]}`), &r))
	raw := `{"status":"success","campaignId":"cmp_1","extra":[1,2]}`
	for _, tt := range []struct{ format, want string }{
		{"%v", `{success   cmp_1  ` + raw + `}`},
		{"%s", `{success   cmp_1  ` + raw + `}`},
		{"%+v", `{Status:success Message: ID: CampaignID:cmp_1 RunID: Raw:` + raw + `}`},
		{"%#v", `chatinc.Result{Status:"success", Message:"", ID:"", CampaignID:"cmp_1", RunID:"", Raw:json.RawMessage(` + "`" + raw + "`" + `)}`},
	} {
		assert.Equal(t, tt.want, fmt.Sprintf(tt.format, &r), "%s of a *Result", tt.format)
		assert.Equal(t, tt.want, fmt.Sprintf(tt.format, r), "%s of a Result", tt.format)
	}
	assert.Equal(t, "<nil>", fmt.Sprintf("%v", (*chatinc.Result)(nil)))
	assert.Equal(t, `{     }`, fmt.Sprintf("%v", chatinc.Result{}), "no Raw prints as nothing")
	var odd chatinc.Result
	odd.Raw = json.RawMessage("`x`")
	assert.Equal(t, "chatinc.Result{Status:\"\", Message:\"\", ID:\"\", CampaignID:\"\", RunID:\"\", Raw:json.RawMessage(\"`x`\")}",
		fmt.Sprintf("%#v", odd), "%#v stays Go syntax whatever Raw holds")
}

// TestResultHoldsNoKey checks that a success whose body echoes the API key
// (a gateway that reflects the request's headers) gives a Result holding no
// part of it: not in Message, not in Raw, not in any fmt form, and that Raw
// is still JSON.
func TestResultHoldsNoKey(t *testing.T) {
	for _, escaped := range []bool{false, true} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			key := r.Header.Get("Authorization")
			if escaped {
				key = strings.ReplaceAll(key, "_", `\u005f`)
			}
			w.Header().Set("Content-Type", "application/json")
			_, _ = fmt.Fprintf(w, `{"status":"success","message":"created with key %s","id":"vip","echo":{"authorization":"%s"}}`, key, key)
		}))
		c := newClientOf(t, testKey, srv.URL+"/v1")
		res, err := c.CreateAudience(context.Background(), chatinc.AudienceParams{
			ID: "vip", Name: "VIP", Contacts: []chatinc.Contact{{Number: "+15551230001"}},
		})
		srv.Close()
		require.NoError(t, err)
		assert.Equal(t, "vip", res.ID)
		assertNoKey(t, testKey, res.Message, "Result.Message")
		assertNoKey(t, testKey, string(res.Raw), "Result.Raw")
		assertNoKey(t, testKey, fmt.Sprintf("%v %+v %#v %s", res, res, res, res), "fmt of a Result")
		assert.True(t, json.Valid(res.Raw), "Raw is still JSON: %s", res.Raw)
	}
}
