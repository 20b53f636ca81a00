package main

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/chatinc/chatinc-go/examples/internal/setup"
)

func TestCSVUploadOnSimulator(t *testing.T) {
	chat, srv, err := setup.Simulator()
	require.NoError(t, err)
	defer srv.Close()

	path := filepath.Join(t.TempDir(), "contacts.csv")
	require.NoError(t, generateCSV(path, 2500))
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), chat, path, &out))
	require.Contains(t, out.String(), `variable group "vouchers": fields [first_name voucher]`)
	require.Contains(t, out.String(), `audience "csv-upload-audience": 2500 contacts`)
	require.Contains(t, out.String(), `audience "csv-upload-copy": 2500 contacts`)
}
