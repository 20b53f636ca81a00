package chatinc_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

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
		{"+2904567", "+2904567", ""},                 // 7 digits: Saint Helena's 4
		{"+491234567890123", "+491234567890123", ""}, // 15 digits: a German number of 13
		{"+1 555 123 0001", "+15551230001", ""},      // the 555 ranges stay usable
		{"27820000001", "+27820000001", ""},
		// Each country code's lengths, by libphonenumber's metadata.
		{"(555) 010-4477", "", "8 digits after its country code +55, whose fixed-line and mobile numbers have 10 or 11"},
		{"(555) 010-4477", "", `a number without "+" is read with its country code first`},
		{"1234567890", "", "9 digits after its country code +1, whose fixed-line and mobile numbers have 10"},
		{"+44 7700 9001", "", "8 digits after its country code +44, whose fixed-line and mobile numbers have 9 or 10"},
		{"+800 1234 5678", "", "no country code of fixed-line or mobile numbers begins +800"},
		{"+999 1234 5678", "", "begins +999"},
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

// A refused number is quoted in the reason by its first 32 bytes at most,
// so that a megabyte in a number column does not become a megabyte of
// error text (or of CSVReport).
func TestNormalizeNumberQuotesAShortPrefix(t *testing.T) {
	for _, in := range []string{
		"+1 555 " + strings.Repeat("x", 1<<20),
		strings.Repeat("5", 1<<20),
		"+1 555 010 " + strings.Repeat("é", 1000) + "!",
	} {
		_, err := chatinc.NormalizeNumber(in)
		var ve *chatinc.ValidationError
		require.ErrorAs(t, err, &ve)
		assert.Less(t, len(ve.Reason), 200, "reason %q", ve.Reason)
		assert.True(t, utf8.ValidString(ve.Reason), "reason %q cut inside a rune", ve.Reason)
		assert.Contains(t, ve.Reason, in[:5])
	}
}

// TestNormalizeNumberOfANormalNumber checks that a number already in
// normal form, as NormalizeNumber returns it, comes back as it is, without
// an allocation: a list of 100,000 normalized numbers costs no copy.
func TestNormalizeNumberOfANormalNumber(t *testing.T) {
	for _, n := range []string{"+15550100001", "+2904567", "+491234567890123"} {
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
