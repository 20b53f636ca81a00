package chatinc_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	chatinc "github.com/chatinc/chatinc-go"
)

// TestOutcomeConstants checks the Action and run status constants against
// what the simulator answers: every action of 400 messages is one of the
// constants, and each constant occurs; a run is RunCompleted once sent and
// RunScheduled before its time.
func TestOutcomeConstants(t *testing.T) {
	c, _ := newSimClient(t)
	ctx := context.Background()

	numbers := make([]string, 400)
	for i := range numbers {
		numbers[i] = fmt.Sprintf("+1555010%04d", i)
	}
	_, err := c.CreateAudience(ctx, chatinc.AudienceParams{ID: "many", Name: "Many", Contacts: contacts(numbers...)})
	require.NoError(t, err)
	res, err := c.CreateCampaign(ctx, chatinc.CampaignParams{Title: "T", Message: "M"},
		chatinc.CampaignOptions{RunImmediately: true, Audiences: []string{"many"}})
	require.NoError(t, err)

	details, err := c.RetrieveCampaignDetails(ctx, res.CampaignID)
	require.NoError(t, err)
	require.Len(t, details, len(numbers))
	known := map[string]int{
		chatinc.ActionSent: 0, chatinc.ActionDelivered: 0, chatinc.ActionRead: 0,
		chatinc.ActionSendError: 0, chatinc.ActionDeliveryError: 0, chatinc.ActionNotOnWhatsApp: 0,
	}
	for _, d := range details {
		_, ok := known[d.Action]
		require.True(t, ok, "action %q is not one of the Action constants", d.Action)
		known[d.Action]++
	}
	for action, n := range known {
		assert.NotZero(t, n, "no message had action %q", action)
	}

	// The totals agree with the actions, as their doc comments say.
	campaigns, err := c.RetrieveCampaigns(ctx, chatinc.RetrieveCampaignsOptions{})
	require.NoError(t, err)
	require.Len(t, campaigns, 1)
	got := campaigns[0]
	assert.Equal(t, known[chatinc.ActionSent]+known[chatinc.ActionDelivered]+known[chatinc.ActionRead]+known[chatinc.ActionDeliveryError], got.TotalSent)
	assert.Equal(t, known[chatinc.ActionDelivered]+known[chatinc.ActionRead], got.TotalDelivered)
	assert.Equal(t, known[chatinc.ActionRead], got.TotalRead)
	assert.Equal(t, known[chatinc.ActionSendError], got.TotalSendErrors)
	assert.Equal(t, known[chatinc.ActionDeliveryError], got.TotalDeliveryErrors)
	assert.Equal(t, known[chatinc.ActionNotOnWhatsApp], got.TotalNotOnWhatsApp)

	require.Len(t, got.Runs, 1)
	assert.Equal(t, chatinc.RunCompleted, got.Runs[0].Status)
	_, err = c.RunCampaign(ctx, chatinc.RunCampaignParams{CampaignID: res.CampaignID,
		Audiences: []string{"many"}, TimeToRun: time.Now().Add(time.Hour)})
	require.NoError(t, err)
	campaigns, err = c.RetrieveCampaigns(ctx, chatinc.RetrieveCampaignsOptions{})
	require.NoError(t, err)
	require.Len(t, campaigns[0].Runs, 2)
	assert.Equal(t, chatinc.RunScheduled, campaigns[0].Runs[1].Status)
}
