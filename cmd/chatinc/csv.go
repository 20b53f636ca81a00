package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/chatinc/chatinc-go"
	"github.com/spf13/cobra"
)

func (a *app) csvCmd() *cobra.Command {
	check := &cobra.Command{
		Use:   "check FILE",
		Short: "Check a contacts CSV file before it is uploaded (no account needed)",
		Long: `Check reads a contacts or variable-group CSV file once, as an upload would
send it, and reports its columns, its rows and every problem the API would
refuse, with its line: numbers that are not phone numbers (a national number
without its country code, such as 07700 900123), duplicates, rows with the
wrong number of fields; and, per column, the rows that leave it empty (a
message's placeholder of that column would read "" for them: "Hi , your
code is ."). A file split by ";" or tabs instead of commas (a
spreadsheet's export in some locales) is named as such.

The exit status is 1 when there are problems. Nothing is sent.`,
		Example: `  chatinc csv check contacts.csv
  chatinc csv check --json users.csv | jq .problemCount`,
		Args: exactArgs(1, "FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			rep, err := checkCSVFile(args[0])
			if err != nil {
				return err
			}
			if a.json {
				if err := a.printJSON(csvReportJSON(args[0], rep)); err != nil {
					return err
				}
			} else {
				a.printCSVReport(args[0], rep)
			}
			if rep.ProblemCount > 0 {
				return errReported
			}
			return nil
		},
	}
	return group("csv", "Check CSV files", check)
}

// checkCSVFile runs chatinc.CheckCSV on the file at path.
func checkCSVFile(path string) (*chatinc.CSVReport, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &chatinc.ValidationError{Field: "file", Reason: err.Error(), Err: err}
	}
	defer f.Close()
	rep, err := chatinc.CheckCSV(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return rep, nil
}

// printCSVReport writes rep as people read it.
func (a *app) printCSVReport(path string, rep *chatinc.CSVReport) {
	w := a.stdout
	fmt.Fprintf(w, "%s: %d %s, %d %s: %s\n", path, rep.Rows, plural(rep.Rows, "row", "rows"),
		len(rep.Columns), plural(len(rep.Columns), "column", "columns"), strings.Join(rep.Columns, ", "))
	for _, column := range rep.Columns {
		if n := rep.Empty[column]; n > 0 {
			fmt.Fprintf(w, "Empty: %d %s %s empty; a placeholder of it reads \"\" for them.\n", n, plural(n, "row leaves", "rows leave"), column)
		}
	}
	if rep.ProblemCount == 0 {
		fmt.Fprintln(w, "No problems found.")
		return
	}
	fmt.Fprintf(w, "%d %s:\n", rep.ProblemCount, plural(rep.ProblemCount, "problem", "problems"))
	for _, p := range rep.Problems {
		fmt.Fprintf(w, "  line %d: %s: %s\n", p.Line, oneLine(p.Value), p.Reason)
	}
	if more := rep.ProblemCount - len(rep.Problems); more > 0 {
		fmt.Fprintf(w, "  ... and %d more\n", more)
	}
}

// csvReportJSON is the --json form of a CSV report.
func csvReportJSON(path string, rep *chatinc.CSVReport) any {
	type problem struct {
		Line   int    `json:"line"`
		Value  string `json:"value"`
		Reason string `json:"reason"`
	}
	problems := make([]problem, 0, len(rep.Problems))
	for _, p := range rep.Problems {
		problems = append(problems, problem{p.Line, p.Value, p.Reason})
	}
	return struct {
		File         string         `json:"file"`
		Columns      []string       `json:"columns"`
		NumberColumn int            `json:"numberColumn"`
		Rows         int            `json:"rows"`
		ProblemCount int            `json:"problemCount"`
		Problems     []problem      `json:"problems"`
		Empty        map[string]int `json:"empty"`
	}{path, rep.Columns, rep.NumberColumn, rep.Rows, rep.ProblemCount, problems, nonNilMap(rep.Empty)}
}

func nonNilMap(m map[string]int) map[string]int {
	if m == nil {
		return map[string]int{}
	}
	return m
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
