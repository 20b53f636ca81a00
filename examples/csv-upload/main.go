// Command csv-upload creates a variable group, and the audience of its
// contacts, from a CSV file; then an audience straight from the same file.
// The file streams to the API: memory use does not grow with its size.
//
//	go run ./examples/csv-upload [-rows 30000] [file.csv]
//
// The CSV needs a "number" column; every other column becomes a variable.
// Without a file, one with -rows rows is generated. With no CHATINC_API_KEY it
// runs on the built-in simulator.
//
// Before uploading, the file is checked with chatinc.CheckCSV (numbers,
// duplicates, field counts), and nothing is sent if it has problems. The
// upload draws a progress bar on a terminal, and prints plain lines when
// stdout is a file or a pipe.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	chatinc "github.com/chatinc/chatinc-go"
	"github.com/chatinc/chatinc-go/examples/internal/setup"
)

func main() {
	rows := flag.Int("rows", 30000, "rows of the generated CSV when no file is given")
	flag.Parse()
	chat, done, err := setup.Client(os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "csv-upload:", err)
		os.Exit(1)
	}
	defer done()

	path := flag.Arg(0)
	if path == "" {
		dir, err := os.MkdirTemp("", "chatinc-csv-upload")
		if err != nil {
			fmt.Fprintln(os.Stderr, "csv-upload:", err)
			os.Exit(1)
		}
		defer os.RemoveAll(dir)
		path = filepath.Join(dir, "contacts.csv")
		if err := generateCSV(path, *rows); err != nil {
			fmt.Fprintln(os.Stderr, "csv-upload:", err)
			os.Exit(1)
		}
		fmt.Fprintf(os.Stderr, "generated %s with %d rows\n", path, *rows)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if err := run(ctx, chat, path, os.Stdout, isTerminal(os.Stdout)); err != nil {
		fmt.Fprintln(os.Stderr, "csv-upload:", err)
		os.Exit(1)
	}
}

// generateCSV writes rows contacts with a first name and a voucher code.
func generateCSV(path string, rows int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	names := []string{"Ada", "Grace", "Linus", "Margaret", "Alan", "Barbara", "Ken", "Radia"}
	fmt.Fprintln(w, "number,first_name,voucher")
	for i := 0; i < rows; i++ {
		fmt.Fprintf(w, "+1555%07d,%s,SPRING-%06d\n", i, names[i%len(names)], i)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// isTerminal reports whether f is a terminal (a character device), with no
// dependency beyond os.
func isTerminal(f *os.File) bool {
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// checkFile reads path once with chatinc.CheckCSV and fails, listing the
// first problems, if the API would refuse any row.
func checkFile(path string, out io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	rep, err := chatinc.CheckCSV(f)
	if err != nil {
		return err
	}
	if rep.ProblemCount == 0 {
		fmt.Fprintf(out, "checked %s: %d rows, columns %v\n", filepath.Base(path), rep.Rows, rep.Columns)
		for _, column := range rep.Columns {
			if n := rep.Empty[column]; n > 0 {
				// A placeholder of this column would read "" for them:
				// "Hi , your code is .".
				fmt.Fprintf(out, "warning: %d of %d rows leave %s empty\n", n, rep.Rows, column)
			}
		}
		return nil
	}
	for _, p := range rep.Problems[:min(len(rep.Problems), 10)] {
		fmt.Fprintf(out, "%s:%d: %s: %s\n", filepath.Base(path), p.Line, p.Value, p.Reason)
	}
	return fmt.Errorf("%s has %d problems in %d rows: nothing was sent", path, rep.ProblemCount, rep.Rows)
}

// progressBar shows an upload's progress: a bar redrawn in place on a
// terminal, or a line every 25% otherwise. A retried attempt starts again
// at 0, and says so.
type progressBar struct {
	out      io.Writer
	terminal bool
	label    string
	started  bool
	lastStep int64
}

func (b *progressBar) update(sent, total int64) {
	if sent == 0 {
		if b.started {
			b.print(fmt.Sprintf("%s: retrying from the start", b.label))
		}
		b.started, b.lastStep = true, -1
	}
	if total <= 0 { // size unknown: bytes only
		b.print(fmt.Sprintf("%s: %.1f MB", b.label, float64(sent)/1e6))
		return
	}
	pct := sent * 100 / total
	if b.terminal {
		const width = 30
		fill := int(pct * width / 100)
		fmt.Fprintf(b.out, "\r%s [%s%s] %3d%% %.1f/%.1f MB", b.label,
			strings.Repeat("#", fill), strings.Repeat(".", width-fill), pct, float64(sent)/1e6, float64(total)/1e6)
		if sent == total {
			fmt.Fprintln(b.out)
		}
		return
	}
	if step := pct / 25; step > b.lastStep {
		b.lastStep = step
		b.print(fmt.Sprintf("%s: %d%% (%.1f of %.1f MB)", b.label, pct, float64(sent)/1e6, float64(total)/1e6))
	}
}

func (b *progressBar) print(line string) {
	if b.terminal {
		fmt.Fprint(b.out, "\r\033[K")
	}
	fmt.Fprintln(b.out, line)
}

// run checks path, then uploads it twice (as a variable group with its
// audience, and as a plain audience) and reports what the API then holds.
// With terminal, progress is drawn as a bar.
func run(ctx context.Context, chat *chatinc.Client, path string, out io.Writer, terminal bool) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	if err := checkFile(path, out); err != nil {
		return err
	}
	upload := func(label string) chatinc.File {
		bar := &progressBar{out: out, terminal: terminal, label: label}
		return chatinc.FileFromPath(path).WithProgress(bar.update)
	}
	start := time.Now()
	res, err := chat.CreateVariableGroupFromFile(ctx, chatinc.VariableGroupFileParams{
		ID: "csv-upload-vars", Name: "vouchers", AudienceID: "csv-upload-audience",
		File: upload("variable group"),
	})
	if err != nil {
		return fmt.Errorf("create variable group from file: %w", err)
	}
	elapsed := time.Since(start)
	fmt.Fprintf(out, "uploaded %s (%.1f MB) as variable group %q in %s: %s\n",
		filepath.Base(path), float64(info.Size())/1e6, "vouchers", elapsed.Round(time.Millisecond), res.Message)

	if _, err := chat.CreateAudienceFromFile(ctx, chatinc.AudienceFileParams{
		ID: "csv-upload-copy", Name: "CSV upload copy", File: upload("audience"),
	}); err != nil {
		return fmt.Errorf("create audience from file: %w", err)
	}
	fmt.Fprintf(out, "uploaded %s as audience %q\n", filepath.Base(path), "csv-upload-copy")

	groups, err := chat.RetrieveVariableGroups(ctx)
	if err != nil {
		return fmt.Errorf("retrieve variable groups: %w", err)
	}
	for _, g := range groups {
		fmt.Fprintf(out, "variable group %q: fields %v\n", g.Name, g.Fields)
	}
	for _, id := range []string{"csv-upload-audience", "csv-upload-copy"} {
		contacts, err := chat.RetrieveAudienceContacts(ctx, id)
		if err != nil {
			return fmt.Errorf("retrieve audience contacts: %w", err)
		}
		fmt.Fprintf(out, "audience %q: %d contacts\n", id, len(contacts))
	}
	return nil
}
