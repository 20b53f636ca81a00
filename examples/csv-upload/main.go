// Command csv-upload creates a variable group, and the audience of its
// contacts, from a CSV file; then an audience straight from the same file.
// The file streams to the API: memory use does not grow with its size.
//
//	go run ./examples/csv-upload [-rows 30000] [file.csv]
//
// The CSV needs a "number" column; every other column becomes a variable.
// Without a file, one with -rows rows is generated. With no CHATINC_API_KEY it
// runs on the built-in simulator.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
	if err := run(ctx, chat, path, os.Stdout); err != nil {
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

// run uploads path twice (as a variable group with its audience, and as a
// plain audience) and reports what the API then holds.
func run(ctx context.Context, chat *chatinc.Client, path string, out io.Writer) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	start := time.Now()
	res, err := chat.CreateVariableGroupFromFile(ctx, chatinc.VariableGroupFileParams{
		ID: "csv-upload-vars", Name: "vouchers", AudienceID: "csv-upload-audience",
		File: chatinc.FileFromPath(path),
	})
	if err != nil {
		return fmt.Errorf("create variable group from file: %w", err)
	}
	elapsed := time.Since(start)
	fmt.Fprintf(out, "uploaded %s (%.1f MB) as variable group %q in %s: %s\n",
		filepath.Base(path), float64(info.Size())/1e6, "vouchers", elapsed.Round(time.Millisecond), res.Message)

	if _, err := chat.CreateAudienceFromFile(ctx, chatinc.AudienceFileParams{
		ID: "csv-upload-copy", Name: "CSV upload copy", File: chatinc.FileFromPath(path),
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
