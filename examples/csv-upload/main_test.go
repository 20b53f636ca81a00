package main

import (
	"bytes"
	"context"
	"os"
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
	require.NoError(t, run(context.Background(), chat, path, &out, false))
	require.Contains(t, out.String(), "checked contacts.csv: 2500 rows, columns [number first_name voucher]")
	require.Contains(t, out.String(), "variable group: 0% (0.0 of 0.1 MB)\n")
	require.Contains(t, out.String(), "variable group: 100% (0.1 of 0.1 MB)\n")
	require.Contains(t, out.String(), "audience: 100% (0.1 of 0.1 MB)\n")
	require.Contains(t, out.String(), `variable group "vouchers": fields [first_name voucher]`)
	require.Contains(t, out.String(), `audience "csv-upload-audience": 2500 contacts`)
	require.Contains(t, out.String(), `audience "csv-upload-copy": 2500 contacts`)
}

func TestCSVUploadRefusesAFileWithProblems(t *testing.T) {
	chat, srv, err := setup.Simulator()
	require.NoError(t, err)
	defer srv.Close()

	path := filepath.Join(t.TempDir(), "bad.csv")
	require.NoError(t, os.WriteFile(path, []byte("number,first_name\n+15550100001,Ada\n07700 900123,Grace\n+15550100001,Ada\n"), 0o600))
	var out bytes.Buffer
	err = run(context.Background(), chat, path, &out, false)
	require.ErrorContains(t, err, "2 problems in 3 rows: nothing was sent")
	require.Contains(t, out.String(), "bad.csv:3: 07700 900123: ")
	require.Contains(t, out.String(), "bad.csv:4: +15550100001: duplicate of line 2\n")
	require.Empty(t, srv.Requests(), "nothing was sent")
}

func TestProgressBar(t *testing.T) {
	var out bytes.Buffer
	bar := &progressBar{out: &out, terminal: true, label: "up"}
	for _, sent := range []int64{0, 500, 1000, 0, 1000} {
		bar.update(sent, 1000)
	}
	require.Equal(t, "\rup [..............................]   0% 0.0/0.0 MB"+
		"\rup [###############...............]  50% 0.0/0.0 MB"+
		"\rup [##############################] 100% 0.0/0.0 MB\n"+
		"\r\033[Kup: retrying from the start\n"+
		"\rup [..............................]   0% 0.0/0.0 MB"+
		"\rup [##############################] 100% 0.0/0.0 MB\n", out.String())

	out.Reset()
	bar = &progressBar{out: &out, label: "up"}
	for _, sent := range []int64{0, 100, 300, 600, 1000} {
		bar.update(sent, 1000)
	}
	require.Equal(t, "up: 0% (0.0 of 0.0 MB)\nup: 30% (0.0 of 0.0 MB)\nup: 60% (0.0 of 0.0 MB)\nup: 100% (0.0 of 0.0 MB)\n", out.String())
}

func TestCSVUploadWarnsOfEmptyCells(t *testing.T) {
	chat, srv, err := setup.Simulator()
	require.NoError(t, err)
	defer srv.Close()

	path := filepath.Join(t.TempDir(), "gaps.csv")
	require.NoError(t, os.WriteFile(path, []byte("number,first_name,voucher\n+15550100001,Ada,V1\n+15550100002,,V2\n+15550100003, ,\n"), 0o600))
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), chat, path, &out, false))
	require.Contains(t, out.String(), "warning: 2 of 3 rows leave first_name empty\n")
	require.Contains(t, out.String(), "warning: 1 of 3 rows leave voucher empty\n")
}
