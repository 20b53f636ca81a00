package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"testing"

	"github.com/stretchr/testify/require"

	chatinc "github.com/chatinc/chatinc-go"
	"github.com/chatinc/chatinc-go/chatinctest"
)

func TestCampaignResultsOnSimulator(t *testing.T) {
	srv := chatinctest.NewServer()
	defer srv.Close()
	chat, err := chatinc.NewClient(srv.APIKey, chatinc.WithBaseURL(srv.URL))
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, sendDemoCampaign(ctx, chat))

	var report, csvOut bytes.Buffer
	require.NoError(t, run(ctx, chat, "", &report, &csvOut))
	require.Contains(t, report.String(), "Demo campaign")

	records, err := csv.NewReader(&csvOut).ReadAll()
	require.NoError(t, err)
	require.Len(t, records, 41, "a header and one row per contact")
	require.Equal(t, "number", records[0][0])
}
