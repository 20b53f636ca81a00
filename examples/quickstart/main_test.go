package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/chatinc/chatinc-go/examples/internal/setup"
)

func TestQuickstartOnSimulator(t *testing.T) {
	chat, srv, err := setup.Simulator()
	require.NoError(t, err)
	defer srv.Close()

	var out bytes.Buffer
	require.NoError(t, run(context.Background(), chat, &out))
	text := out.String()
	require.Contains(t, text, "DELIVERY RATE")
	require.Contains(t, text, "Quickstart spring sale")
	// Every contact has a result row with its own first name filled in.
	for _, p := range people {
		require.Contains(t, text, p.number)
		require.Contains(t, text, "Hi "+p.firstName+"! Our spring sale reaches "+p.city+" today.")
	}
	require.NotContains(t, text, "{users.")

	// The campaign went out exactly once.
	require.Equal(t, 1, srv.RequestCount("/create/campaign"))
	require.Equal(t, 1, srv.RequestCount("/run/campaign"))
	require.False(t, strings.Contains(text, srv.APIKey), "the key is never printed")
}
