package main

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	chatinc "github.com/chatinc/chatinc-go"
	"github.com/chatinc/chatinc-go/chatinctest"
)

func TestCSVUploadOnSimulator(t *testing.T) {
	srv := chatinctest.NewServer()
	defer srv.Close()
	chat, err := chatinc.NewClient(srv.APIKey, chatinc.WithBaseURL(srv.URL))
	require.NoError(t, err)

	path := filepath.Join(t.TempDir(), "contacts.csv")
	require.NoError(t, generateCSV(path, 2500))
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), chat, path, &out))
	require.Contains(t, out.String(), `variable group "vouchers": fields [first_name voucher]`)
	require.Contains(t, out.String(), `audience "csv-upload-audience": 2500 contacts`)
	require.Contains(t, out.String(), `audience "csv-upload-copy": 2500 contacts`)
}
