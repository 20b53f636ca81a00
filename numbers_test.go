package chatinc_test

import (
	"context"
	"io"
	"net/http"
	"testing"

	chatinc "github.com/chatinc/chatinc-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNormalizeNumber(t *testing.T) {
	tests := []struct {
		in, want string
		reason   string // a part of the reason, when refused
	}{
		{"+27 82 000-0001", "+27820000001", ""},
		{"+1 (555) 010-0001", "+15550100001", ""},
		{"15550100001", "+15550100001", ""},
		{"0044 7700 900123", "+447700900123", ""},
		{"  +44.7700.900123 ", "+447700900123", ""},
		{"+44\u00a07700\u00a0900123", "+447700900123", ""},
		{"+1234567", "+1234567", ""},                 // 7 digits
		{"+123456789012345", "+123456789012345", ""}, // 15 digits
		{"07700 900123", "", "add"},
		{"07700 900123", "", "country code"},
		{"0 800 123 4567", "", "starts with 0"},
		{"+0 555 0100", "", "no country code starts with 0"},
		{"000 555 0100", "", "no country code starts with 0"},
		{"+123456", "", "6 digits"},
		{"+1234567890123456", "", "16 digits"},
		{"", "", "required"},
		{"   ", "", "required"},
		{"+1 555 CALL-NOW", "", `letter 'C'`},
		{"+1 555 0100 ext 2", "", "letter"},
		{"+1/555/0100", "", `character '/'`},
		{"+1 555+0100", "", `"+" may only come first`},
		{"++15550100001", "", `"+" may only come first`},
		{"١٥٥٥٠١٠٠٠١٢", "", "character"}, // Arabic-Indic digits are not ASCII digits
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := chatinc.NormalizeNumber(tt.in)
			if tt.reason == "" {
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
				again, err := chatinc.NormalizeNumber(got)
				require.NoError(t, err)
				assert.Equal(t, got, again, "idempotent")
				return
			}
			var ve *chatinc.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, "number", ve.Field)
			assert.Contains(t, ve.Reason, tt.reason)
			assert.Empty(t, got)
		})
	}
}

// TestNormalizeNumberOfANormalNumber checks that a number already in
// normal form, as NormalizeNumber returns it, comes back as it is, without
// an allocation: a list of 100,000 normalized numbers costs no copy.
func TestNormalizeNumberOfANormalNumber(t *testing.T) {
	for _, n := range []string{"+15550100001", "+1234567", "+123456789012345"} {
		var got string
		allocs := testing.AllocsPerRun(100, func() { got, _ = chatinc.NormalizeNumber(n) })
		assert.Equal(t, n, got)
		assert.Zero(t, allocs, "NormalizeNumber(%q) allocates", n)
	}
}

// Contacts, rows and phone buttons are checked with NormalizeNumber's rule
// before anything is sent, and sent as written.
func TestNumberRuleBeforeSending(t *testing.T) {
	ctx := context.Background()
	national := []struct {
		name  string
		path  string
		field string
		call  func(c *chatinc.Client, number string) error
	}{
		{"CreateAudience", "/create/audience", "contacts[1].number", func(c *chatinc.Client, n string) error {
			_, err := c.CreateAudience(ctx, chatinc.AudienceParams{ID: "a", Name: "A", Contacts: contacts("+15550100001", n)})
			return err
		}},
		{"AddContactsToAudience", "/create/audience", "contacts[0].number", func(c *chatinc.Client, n string) error {
			_, err := c.AddContactsToAudience(ctx, "a", contacts(n))
			return err
		}},
		{"CreateVariableGroup", "/create/variable/group", "values[0].number", func(c *chatinc.Client, n string) error {
			_, err := c.CreateVariableGroup(ctx, chatinc.VariableGroupParams{ID: "g", Name: "g", Fields: []string{"code"},
				Values: []chatinc.Row{{Number: n, Values: map[string]string{"code": "A1"}}}})
			return err
		}},
		{"CreateCampaign phone button", "/create/campaign", "buttons[0].phoneNumber", func(c *chatinc.Client, n string) error {
			_, err := c.CreateCampaign(ctx, chatinc.CampaignParams{Title: "t", Message: "m", Buttons: []chatinc.Button{chatinc.PhoneButton("Call", n)}},
				chatinc.CampaignOptions{})
			return err
		}},
	}
	for _, tt := range national {
		t.Run(tt.name, func(t *testing.T) {
			var sent string
			c, mock := answering(t, http.MethodPost, tt.path, 200, `{"status":"success"}`)
			mock.RegisterResponder(http.MethodPost, apiURL(tt.path), respond(t, 200, `{"status":"success"}`, func(r *http.Request) {
				sent = mustReadBody(t, r)
			}))
			err := tt.call(c, "07700 900123")
			var ve *chatinc.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tt.field, ve.Field)
			assert.Contains(t, ve.Reason, "country code")
			assert.Equal(t, 0, calls(mock, http.MethodPost, tt.path), "nothing sent")

			require.NoError(t, tt.call(c, "+44 7700 900-123"))
			assert.Contains(t, sent, `"+44 7700 900-123"`, "sent as written")
		})
	}
}

func mustReadBody(t *testing.T, r *http.Request) string {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	require.NoError(t, err)
	return string(b)
}
