package chatinc_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	chatinc "github.com/chatinc/chatinc-go"
)

// badNames are IDs, names and field names the API cannot match exactly.
var badNames = map[string]string{
	"blank":            "  \t",
	"invalid UTF-8":    "vip\xff",
	"other invalid":    "vip\xfe",
	"a NUL":            "vip\x00",
	"a line break":     "vip\nlist",
	"a C1 control":     "vip\u0085",
	"a DEL":            "vip\x7f",
	"a lone surrogate": "vip\xed\xa0\x80",
}

// TestNamesAreChecked runs every call with each bad ID, name or field name
// in each place one goes, and checks that the call returns a
// *ValidationError naming that place, with nothing sent.
func TestNamesAreChecked(t *testing.T) {
	ctx := context.Background()
	rows := "number\n+15550000001\n"
	file := func() chatinc.File { return chatinc.FileFromReader("rows.csv", strings.NewReader(rows)) }
	campaign := chatinc.CampaignParams{Title: "Sale", Message: "Hi"}
	group := func(mod func(*chatinc.VariableGroupParams)) chatinc.VariableGroupParams {
		p := chatinc.VariableGroupParams{ID: "g", Name: "users", Fields: []string{"first_name"},
			Values: []chatinc.Row{{Number: "+15550000001", Values: map[string]string{"first_name": "Ana"}}}}
		mod(&p)
		return p
	}
	places := []struct {
		field string
		call  func(c *chatinc.Client, bad string) error
	}{
		{"title", func(c *chatinc.Client, bad string) error {
			_, err := c.CreateCampaign(ctx, chatinc.CampaignParams{Title: bad, Message: "Hi"}, chatinc.CampaignOptions{})
			return err
		}},
		{"audiences[1]", func(c *chatinc.Client, bad string) error {
			_, err := c.CreateCampaign(ctx, campaign, chatinc.CampaignOptions{RunImmediately: true, Audiences: []string{"vip", bad}})
			return err
		}},
		{"languageCode", func(c *chatinc.Client, bad string) error {
			_, err := c.CreateCampaign(ctx, campaign, chatinc.CampaignOptions{LanguageCode: bad})
			return err
		}},
		{"buttons[0].journeyId", func(c *chatinc.Client, bad string) error {
			_, err := c.CreateCampaign(ctx, chatinc.CampaignParams{Title: "Sale", Message: "Hi",
				Buttons: []chatinc.Button{chatinc.JourneyButton("Go", bad)}}, chatinc.CampaignOptions{})
			return err
		}},
		{"buttons[0].text", func(c *chatinc.Client, bad string) error {
			_, err := c.CreateCampaign(ctx, chatinc.CampaignParams{Title: "Sale", Message: "Hi",
				Buttons: []chatinc.Button{chatinc.InputButton(bad, "yes")}}, chatinc.CampaignOptions{})
			return err
		}},
		{"campaignId", func(c *chatinc.Client, bad string) error {
			_, err := c.RunCampaign(ctx, chatinc.RunCampaignParams{CampaignID: bad, Audiences: []string{"vip"}})
			return err
		}},
		{"audiences[0]", func(c *chatinc.Client, bad string) error {
			_, err := c.RunCampaign(ctx, chatinc.RunCampaignParams{CampaignID: "c", Audiences: []string{bad}})
			return err
		}},
		{"campaignId", func(c *chatinc.Client, bad string) error {
			_, err := c.RetrieveCampaignDetails(ctx, bad)
			return err
		}},
		{"campaignId", func(c *chatinc.Client, bad string) error {
			_, err := c.RetrieveCampaignDetailsCSV(ctx, bad, &strings.Builder{})
			return err
		}},
		{"id", func(c *chatinc.Client, bad string) error {
			_, err := c.CreateAudience(ctx, chatinc.AudienceParams{ID: bad, Name: "VIP"})
			return err
		}},
		{"name", func(c *chatinc.Client, bad string) error {
			_, err := c.CreateAudience(ctx, chatinc.AudienceParams{ID: "vip", Name: bad})
			return err
		}},
		{"id", func(c *chatinc.Client, bad string) error {
			_, err := c.AddContactsToAudience(ctx, bad, []chatinc.Contact{{Number: "+15550000001"}})
			return err
		}},
		{"id", func(c *chatinc.Client, bad string) error {
			_, err := c.CreateAudienceFromFile(ctx, chatinc.AudienceFileParams{ID: bad, Name: "VIP", File: file()})
			return err
		}},
		{"name", func(c *chatinc.Client, bad string) error {
			_, err := c.CreateAudienceFromFile(ctx, chatinc.AudienceFileParams{ID: "vip", Name: bad, File: file()})
			return err
		}},
		{"id", func(c *chatinc.Client, bad string) error {
			_, err := c.RetrieveAudienceContacts(ctx, bad)
			return err
		}},
		{"id", func(c *chatinc.Client, bad string) error {
			_, err := c.CreateVariableGroup(ctx, group(func(p *chatinc.VariableGroupParams) { p.ID = bad }))
			return err
		}},
		{"name", func(c *chatinc.Client, bad string) error {
			_, err := c.CreateVariableGroup(ctx, group(func(p *chatinc.VariableGroupParams) { p.Name = bad }))
			return err
		}},
		{"fields[1]", func(c *chatinc.Client, bad string) error {
			_, err := c.CreateVariableGroup(ctx, group(func(p *chatinc.VariableGroupParams) {
				p.Fields = append(p.Fields, bad)
			}))
			return err
		}},
		{"id", func(c *chatinc.Client, bad string) error {
			_, err := c.CreateVariableGroupFromFile(ctx, chatinc.VariableGroupFileParams{ID: bad, Name: "users", AudienceID: "vip", File: file()})
			return err
		}},
		{"name", func(c *chatinc.Client, bad string) error {
			_, err := c.CreateVariableGroupFromFile(ctx, chatinc.VariableGroupFileParams{ID: "g", Name: bad, AudienceID: "vip", File: file()})
			return err
		}},
		{"audienceId", func(c *chatinc.Client, bad string) error {
			_, err := c.CreateVariableGroupFromFile(ctx, chatinc.VariableGroupFileParams{ID: "g", Name: "users", AudienceID: bad, File: file()})
			return err
		}},
	}
	c, mock := newTestClient(t)
	for _, p := range places {
		for what, bad := range badNames {
			err := p.call(c, bad)
			var vErr *chatinc.ValidationError
			if assert.ErrorAs(t, err, &vErr, "%s %s", p.field, what) {
				assert.Equal(t, p.field, vErr.Field, what)
			}
		}
	}
	assert.Zero(t, mock.GetTotalCallCount(), "nothing was sent")
}

// TestTextMustBeUTF8 checks that free text (which may hold line breaks)
// is refused when it is not valid UTF-8, which json.Marshal would alter.
func TestTextMustBeUTF8(t *testing.T) {
	ctx := context.Background()
	c, mock := newTestClient(t)
	field := func(err error) string {
		var vErr *chatinc.ValidationError
		require.ErrorAs(t, err, &vErr)
		return vErr.Field
	}
	_, err := c.CreateCampaign(ctx, chatinc.CampaignParams{Title: "Sale", Message: "Hi\xff"}, chatinc.CampaignOptions{})
	assert.Equal(t, "message", field(err))
	_, err = c.CreateAudience(ctx, chatinc.AudienceParams{ID: "vip", Name: "VIP", Description: "best\xc3"})
	assert.Equal(t, "description", field(err))
	_, err = c.CreateVariableGroup(ctx, chatinc.VariableGroupParams{ID: "g", Name: "users", Fields: []string{"city"},
		Values: []chatinc.Row{{Number: "+15550000001", Values: map[string]string{"city": "S\xe3o Paulo"}}}})
	assert.Equal(t, "values[0].city", field(err))
	_, err = c.CreateCampaign(ctx, chatinc.CampaignParams{Title: "Sale", Message: "Hi",
		Buttons: []chatinc.Button{chatinc.InputButton("Yes", "y\xff")}}, chatinc.CampaignOptions{})
	assert.Equal(t, "buttons[0].input", field(err))
	assert.Zero(t, mock.GetTotalCallCount())

	// Line breaks and tabs stay allowed in text.
	mock.RegisterResponder("POST", apiURL("/create/campaign"), respond(t, 200, `{"status":"success"}`, nil))
	_, err = c.CreateCampaign(ctx, chatinc.CampaignParams{Title: "Sale", Message: "Hi,\n\tAna"}, chatinc.CampaignOptions{})
	require.NoError(t, err)
}
