package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/chatinc/chatinc-go/examples/internal/setup"
)

func TestCampaignResultsOnSimulator(t *testing.T) {
	chat, srv, err := setup.Simulator()
	require.NoError(t, err)
	defer srv.Close()
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
