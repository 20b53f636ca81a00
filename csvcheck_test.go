package chatinc_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strings"
	"testing"

	chatinc "github.com/chatinc/chatinc-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckCSV(t *testing.T) {
	type pr = chatinc.CSVProblem
	tests := []struct {
		name     string
		csv      string
		columns  []string
		number   int
		rows     int
		problems []pr
	}{
		{"clean", "number,first_name\n+15550100001,Ada\n+15550100002,Grace\n",
			[]string{"number", "first_name"}, 0, 2, nil},
		{"BOM removed, column matched in any case, CRLF", "\ufeffFirst Name,Number\r\nAda,+15550100001\r\n",
			[]string{"First Name", "Number"}, 1, 1, nil},
		{"header only", "number\n", []string{"number"}, 0, 0, nil},
		{"invalid numbers, with the reason", "number,name\n07700 900123,Ann\n+1 555 CALL,Bo\n,Cy\n+15550100001,Di\n",
			[]string{"number", "name"}, 0, 4, []pr{
				{Line: 2, Value: "07700 900123", Reason: `"07700 900123" starts with 0, as a national number does: add the country code in place of the 0 (+44 7700 900123, not 07700 900123, for a UK number)`},
				{Line: 3, Value: "+1 555 CALL", Reason: `"+1 555 CALL" is not a phone number: it has the letter 'C'`},
				{Line: 4, Value: "", Reason: "required"},
			}},
		{"duplicates after normalizing", "number\n+1 555 010 0001\n15550100001\n+15550100002\n(+1) 555-010-0001\n",
			nil, 0, 4, []pr{
				{Line: 3, Value: "15550100001", Reason: "duplicate of line 2"},
				{Line: 5, Value: "(+1) 555-010-0001", Reason: `"(+1) 555-010-0001" is not a phone number: "+" may only come first`},
			}},
		{"wrong field counts", "number,first_name,last_name,code\n+15550100001,Ada,Lovelace\n+15550100002,Grace,Hopper,G1,extra\n",
			nil, 0, 2, []pr{
				{Line: 2, Value: "+15550100001,Ada,Lovelace", Reason: "3 fields, header has 4"},
				{Line: 3, Value: "+15550100002,Grace,Hopper,G1,extra", Reason: "5 fields, header has 4"},
			}},
		{"a quoted field spans lines: Line is where the record starts", "number,note\n+15550100001,\"two\nlines\"\n+15550100001,x\n",
			nil, 0, 2, []pr{{Line: 4, Value: "+15550100001", Reason: "duplicate of line 2"}}},
		{"blank and all-empty rows are skipped, as the API skips them", "number,a\n\n,\n+15550100001,x\n",
			nil, 0, 1, nil},
		{"bad quoting is a problem, and the check goes on", "number,a\n+15550100001,x\"y\n+15550100001,z\n",
			nil, 0, 2, []pr{{Line: 2, Reason: `not valid CSV: bare " in non-quoted-field`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := chatinc.CheckCSV(strings.NewReader(tt.csv))
			require.NoError(t, err)
			if tt.columns != nil {
				assert.Equal(t, tt.columns, rep.Columns)
			}
			assert.Equal(t, tt.number, rep.NumberColumn)
			assert.Equal(t, tt.rows, rep.Rows)
			assert.Equal(t, tt.problems, rep.Problems)
			assert.Equal(t, len(tt.problems), rep.ProblemCount)
		})
	}
}

func TestCheckCSVNotAContactsFile(t *testing.T) {
	tests := []struct{ name, csv, reason string }{
		{"empty", "", "the file is empty: it has no header"},
		{"only a BOM... and nothing", "\ufeff", `header has no "number" column: the columns are ""`},
		{"no number column", "phone,name\n+15550100001,Ada\n", `header has no "number" column: the columns are "phone", "name"`},
		{"split by semicolons", "number;first_name\n+15550100001;Ada\n",
			`header has no "number" column: its fields are separated by ";" (semicolon); the API reads comma-separated files: save it as CSV with commas`},
		{"split by tabs", "number\tfirst_name\n", `header has no "number" column: its fields are separated by tab; the API reads comma-separated files: save it as CSV with commas`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := chatinc.CheckCSV(strings.NewReader(tt.csv))
			assert.Nil(t, rep)
			var ve *chatinc.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, "file", ve.Field)
			assert.Equal(t, tt.reason, ve.Reason)
		})
	}
	t.Run("a read error is returned, wrapped", func(t *testing.T) {
		boom := errors.New("disk on fire")
		_, err := chatinc.CheckCSV(io.MultiReader(strings.NewReader("number\n+15550100001\n"), errReader{boom}))
		require.ErrorIs(t, err, boom)
		var ve *chatinc.ValidationError
		assert.False(t, errors.As(err, &ve))
	})
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

func TestCheckCSVKeepsTheFirstThousandProblems(t *testing.T) {
	var b strings.Builder
	b.WriteString("number\n")
	for range 2500 {
		b.WriteString("not-a-number\n")
	}
	rep, err := chatinc.CheckCSV(strings.NewReader(b.String()))
	require.NoError(t, err)
	assert.Equal(t, 2500, rep.Rows)
	assert.Equal(t, 2500, rep.ProblemCount)
	require.Len(t, rep.Problems, 1000)
	assert.Equal(t, 2, rep.Problems[0].Line)
	assert.Equal(t, 1001, rep.Problems[999].Line)
}

// The from-file calls read the header of a file they can read twice, and
// send nothing when it has no "number" column.
func TestFromFileChecksTheHeader(t *testing.T) {
	ctx := context.Background()
	const semicolons = "number;first_name\n+15550100001;Ada\n"
	calls := []struct {
		name, path string
		call       func(c *chatinc.Client, f chatinc.File) error
	}{
		{"CreateAudienceFromFile", "/create/audience/from/file", func(c *chatinc.Client, f chatinc.File) error {
			_, err := c.CreateAudienceFromFile(ctx, chatinc.AudienceFileParams{ID: "a", Name: "A", File: f})
			return err
		}},
		{"CreateVariableGroupFromFile", "/create/variable/group/from/file", func(c *chatinc.Client, f chatinc.File) error {
			_, err := c.CreateVariableGroupFromFile(ctx, chatinc.VariableGroupFileParams{ID: "g", Name: "g", AudienceID: "a", File: f})
			return err
		}},
	}
	for _, cl := range calls {
		t.Run(cl.name, func(t *testing.T) {
			c, mock := answering(t, http.MethodPost, cl.path, 200, `{"status":"success"}`)
			refused := func(t *testing.T, err error, reason string) {
				t.Helper()
				var ve *chatinc.ValidationError
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, "file", ve.Field)
				assert.Contains(t, ve.Reason, reason)
				assert.Equal(t, 0, mock.GetTotalCallCount(), "nothing on the wire")
			}
			t.Run("path", func(t *testing.T) {
				refused(t, cl.call(c, chatinc.FileFromPath(writeFile(t, "semi.csv", semicolons))), `separated by ";"`)
				refused(t, cl.call(c, chatinc.FileFromPath(writeFile(t, "empty.csv", ""))), "empty")
			})
			t.Run("seekable reader, put back where it was", func(t *testing.T) {
				r := bytes.NewReader([]byte("skip me\nphone\n+15550100001\n"))
				_, err := r.Seek(8, io.SeekStart)
				require.NoError(t, err)
				refused(t, cl.call(c, chatinc.FileFromReader("x.csv", r)), `no "number" column`)
				off, err := r.Seek(0, io.SeekCurrent)
				require.NoError(t, err)
				assert.Equal(t, int64(8), off)
			})
			t.Run("a reader that cannot seek is sent: the API checks it", func(t *testing.T) {
				require.NoError(t, cl.call(c, chatinc.FileFromReader("x.csv", struct{ io.Reader }{strings.NewReader(semicolons)})))
				assert.Equal(t, 1, mock.GetTotalCallCount())
			})
			t.Run("a header longer than the check reads is sent: the API checks it", func(t *testing.T) {
				long := strings.Repeat("x", 1<<20+10) + ",number\n" + "a,+15550100001\n"
				require.NoError(t, cl.call(c, chatinc.FileFromPath(writeFile(t, "long.csv", long))))
				assert.Equal(t, 2, mock.GetTotalCallCount())
			})
		})
	}
}

// CheckCSV streams: on a 200,000-row file of 160 bytes a row (about 33 MB),
// the heap grows by the set of numbers seen, not by the file. The heap is
// measured while CheckCSV is reading the end of the file (from inside the
// file's Read), after a GC, so what it holds then is what it keeps.
func TestCheckCSVMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("reads a generated 33 MB file")
	}
	const rows = 200_000
	measure := func(pad int) (growth uint64, size int64, rep *chatinc.CSVReport) {
		g := &csvGenerator{rows: rows, pad: strings.Repeat("x", pad), measureAt: rows - 10}
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		rep, err := chatinc.CheckCSV(g)
		require.NoError(t, err)
		require.NotZero(t, g.heapAt, "measured")
		return g.heapAt - min(g.heapAt, before.HeapAlloc), g.size, rep
	}
	small, smallSize, rep := measure(0)
	require.Equal(t, rows, rep.Rows)
	big, bigSize, rep := measure(140)
	require.Equal(t, rows, rep.Rows)
	require.Equal(t, 1, rep.ProblemCount, "the one duplicate the generator writes")
	t.Logf("heap growth: %.1f MB for a %.1f MB file, %.1f MB for a %.1f MB file",
		float64(small)/1e6, float64(smallSize)/1e6, float64(big)/1e6, float64(bigSize)/1e6)
	assert.Greater(t, bigSize, int64(30e6))
	// The number set: 200,000 strings of 12 bytes in a map, some 50 bytes
	// each with the map's own memory; 20 MB is ample and far below the file.
	assert.Less(t, big, uint64(20e6), "heap growth is bounded by the number set")
	// And it does not depend on how wide the rows are.
	assert.Less(t, float64(big), float64(small)*1.5+4e6, "wider rows do not cost more memory")
}

// csvGenerator produces a contacts CSV row by row, never holding the file.
type csvGenerator struct {
	rows, next int
	pad        string
	buf        []byte
	size       int64
	measureAt  int
	heapAt     uint64
}

func (g *csvGenerator) Read(p []byte) (int, error) {
	for len(g.buf) < len(p) && g.next <= g.rows {
		switch {
		case g.next == 0:
			g.buf = append(g.buf, "number,first_name,code,pad\n"...)
		case g.next == g.rows:
			g.buf = fmt.Appendf(g.buf, "+1555%07d,Dup,X,%s\n", 1, g.pad) // a duplicate of line 3
		default:
			g.buf = fmt.Appendf(g.buf, "+1555%07d,Ada,SPRING-%06d,%s\n", g.next, g.next, g.pad)
		}
		if g.next == g.measureAt {
			runtime.GC()
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			g.heapAt = m.HeapAlloc
		}
		g.next++
	}
	if len(g.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(p, g.buf)
	g.buf = g.buf[:copy(g.buf, g.buf[n:])]
	g.size += int64(n)
	return n, nil
}

var _ = os.DevNull

// A problem quotes at most a short prefix of the value at fault, in Value
// and in Reason: half a megabyte in a number column is not kept, nor
// repeated.
func TestCheckCSVQuotesAShortPrefix(t *testing.T) {
	long := "+1 555 " + strings.Repeat("x", 512<<10)
	csv := "number,first_name\n" + long + ",Ada\n+15550100001,Grace,extra," + strings.Repeat("y", 512<<10) + "\n"
	rep, err := chatinc.CheckCSV(strings.NewReader(csv))
	require.NoError(t, err)
	require.Len(t, rep.Problems, 2)
	for _, p := range rep.Problems {
		assert.LessOrEqual(t, len(p.Value), 64+len("…"), "Value %q", p.Value)
		assert.Less(t, len(p.Reason), 200, "Reason %q", p.Reason)
	}
	assert.True(t, strings.HasPrefix(rep.Problems[0].Value, "+1 555 xx"), rep.Problems[0].Value)
}
