package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/chatinc/chatinc-go"
	"github.com/spf13/cobra"
)

func (a *app) messageCmd() *cobra.Command {
	return group("message", "Check a campaign message, or preview it for one contact (no account needed)",
		a.messageCheckCmd(), a.messagePreviewCmd())
}

func (a *app) messageCheckCmd() *cobra.Command {
	var message, groupsFile, group string
	var fields []string
	cmd := &cobra.Command{
		Use:   "check --message TEXT [--groups FILE | --fields GROUP.VARIABLE,...]",
		Short: "Check a message's placeholders and length",
		Long: `Check checks a campaign message as the SDK checks it before sending: every
{group.variable} placeholder well-formed and closed, the length within
WhatsApp's limit. With the account's variable groups (--groups, a file
written by 'chatinc groups list --json') or the variables you mean to have
(--fields), it also names each unknown group or variable, with the
placeholder you probably meant.

The exit status is 1 when there are problems. Nothing is sent.`,
		Example: `  chatinc message check --message 'Hi {users.first_name}!'
  chatinc message check --message 'Hi {users.frist_name}!' --fields users.first_name,users.code
  chatinc groups list --json > groups.json
  chatinc message check --message 'Hi {users.first_name}!' --groups groups.json`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if groupsFile != "" && len(fields) > 0 {
				return usagef(cmd, "--groups and --fields: give one of them")
			}
			var groups []chatinc.VariableGroup
			switch {
			case groupsFile != "":
				var err error
				if groups, err = readGroups(groupsFile); err != nil {
					return err
				}
			case len(fields) > 0:
				var err error
				if groups, err = groupsOfFields(fields, group, message); err != nil {
					return usagef(cmd, "%v", err)
				}
			default:
				groups = groupsOfMessage(message)
			}
			err := chatinc.ValidateMessage(message, groups)
			var ce *chatinc.CheckError
			if err != nil && !errors.As(err, &ce) {
				return err
			}
			return a.reportProblems(ce, fmt.Sprintf("Message OK: %d characters, %d %s.", len([]rune(message)),
				len(chatinc.Placeholders(message)), plural(len(chatinc.Placeholders(message)), "placeholder", "placeholders")))
		},
	}
	cmd.Flags().StringVar(&message, "message", "", "the message (required)")
	cmd.Flags().StringVar(&groupsFile, "groups", "", "a JSON file of variable groups, as 'chatinc groups list --json' writes it")
	cmd.Flags().StringSliceVar(&fields, "fields", nil, "the variables that exist, as group.variable (or variable, with --group)")
	cmd.Flags().StringVar(&group, "group", "", "with --fields: the group of the fields written without one (default: the group the message names)")
	_ = cmd.MarkFlagRequired("message")
	return cmd
}

// reportProblems prints the problems of ce, or ok when ce is nil, and
// returns errReported when there are problems.
func (a *app) reportProblems(ce *chatinc.CheckError, ok string) error {
	if a.json {
		problems := []chatinc.Problem{}
		if ce != nil {
			problems = ce.Problems
		}
		if err := a.printJSON(struct {
			OK       bool              `json:"ok"`
			Problems []chatinc.Problem `json:"problems"`
		}{ce == nil, problems}); err != nil {
			return err
		}
	} else if ce == nil {
		fmt.Fprintln(a.stdout, ok)
	} else {
		fmt.Fprintf(a.stdout, "%d %s:\n", len(ce.Problems), plural(len(ce.Problems), "problem", "problems"))
		for _, p := range ce.Problems {
			fmt.Fprintf(a.stdout, "  %s\n", p)
		}
	}
	if ce != nil {
		return errReported
	}
	return nil
}

// readGroups reads a JSON array of variable groups from the file at path,
// as 'chatinc groups list --json' writes it.
func readGroups(path string) ([]chatinc.VariableGroup, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &chatinc.ValidationError{Field: "groups", Reason: err.Error(), Err: err}
	}
	var list []groupJSON
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, &chatinc.ValidationError{Field: "groups", Reason: path + " is not a JSON array of variable groups: " + err.Error(), Err: err}
	}
	groups := make([]chatinc.VariableGroup, len(list))
	for i, g := range list {
		groups[i] = chatinc.VariableGroup{ID: g.ID, Name: g.Name, Fields: g.Fields}
	}
	return groups, nil
}

// groupsOfFields makes variable groups of --fields entries: group.variable,
// or variable alone in group (by default the one group message names).
func groupsOfFields(fields []string, group, message string) ([]chatinc.VariableGroup, error) {
	if group == "" {
		named := map[string]bool{}
		for _, p := range chatinc.Placeholders(message) {
			if p.Group != "" {
				named[p.Group] = true
			}
		}
		if len(named) == 1 {
			for g := range named {
				group = g
			}
		}
	}
	var groups []chatinc.VariableGroup
	add := func(g, v string) {
		for i := range groups {
			if groups[i].Name == g {
				groups[i].Fields = append(groups[i].Fields, v)
				return
			}
		}
		groups = append(groups, chatinc.VariableGroup{ID: g, Name: g, Fields: []string{v}})
	}
	for _, f := range fields {
		g, v, ok := strings.Cut(f, ".")
		if !ok {
			if group == "" {
				return nil, fmt.Errorf("--fields %q has no group: write it group.%s, or give --group", f, f)
			}
			g, v = group, f
		}
		if g == "" || v == "" {
			return nil, fmt.Errorf("--fields %q: want group.variable", f)
		}
		add(g, v)
	}
	return groups, nil
}

// groupsOfMessage makes variable groups of the placeholders message names,
// so that ValidateMessage checks their form and the length alone.
func groupsOfMessage(message string) []chatinc.VariableGroup {
	var fields []string
	for _, p := range chatinc.Placeholders(message) {
		if p.Group != "" && p.Variable != "" {
			fields = append(fields, p.Group+"."+p.Variable)
		}
	}
	groups, _ := groupsOfFields(fields, "", message)
	return groups
}

func (a *app) messagePreviewCmd() *cobra.Command {
	var message, file, group, number string
	var row int
	cmd := &cobra.Command{
		Use:   "preview --message TEXT --file FILE [--row N | --number NUMBER]",
		Short: "Show the message as one contact of a variable-group CSV file will read it",
		Long: `Preview fills the message's placeholders with one contact's values from a
variable-group CSV file (a "number" column and one column per variable) and
prints what that contact will read. --row N is the N-th data row, 1-based,
the header not counted (the default is 1); --number picks the contact by
phone number instead.

The file's columns are the variables of --group, by default the one group
the message names. A placeholder that contact has no value for is an error
that names it (a message like "Hi , your code is ." is not one to send);
the exit status is then 1. Nothing is sent.`,
		Example: `  chatinc message preview --message 'Hi {users.first_name}, your code is {users.code}.' --file users.csv --row 17
  chatinc message preview --message 'Hi {users.first_name}!' --file users.csv --number +15551230002`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cmd.Flags().Changed("row") && number != "" {
				return usagef(cmd, "--row and --number: give one of them")
			}
			if row < 1 {
				return usagef(cmd, "--row %d: rows are counted from 1, the header not counted", row)
			}
			if group == "" {
				names := map[string]bool{}
				for _, p := range chatinc.Placeholders(message) {
					if p.Group != "" {
						names[p.Group] = true
					}
				}
				if len(names) != 1 {
					return usagef(cmd, "the message names %d variable groups: say which one the file holds with --group", len(names))
				}
				for g := range names {
					group = g
				}
			}
			c, err := findContact(file, row, number)
			if err != nil {
				return err
			}
			return a.preview(message, group, c)
		},
	}
	cmd.Flags().StringVar(&message, "message", "", "the message (required)")
	cmd.Flags().StringVar(&file, "file", "", "the variable-group CSV file (required)")
	cmd.Flags().IntVar(&row, "row", 1, "the data row, 1-based, the header not counted")
	cmd.Flags().StringVar(&number, "number", "", "the contact's phone number, instead of --row")
	cmd.Flags().StringVar(&group, "group", "", "the variable group the file holds (default: the one the message names)")
	_ = cmd.MarkFlagRequired("message")
	_ = cmd.MarkFlagRequired("file")
	return cmd
}

// contact is one data row of a variable-group file.
type contact struct {
	Row    int               `json:"row"`  // 1-based, the header not counted
	Line   int               `json:"line"` // of the file
	Number string            `json:"number"`
	Values map[string]string `json:"values"`
}

// findContact reads the CSV file at path up to the row-th data row, or the
// row whose number is number when that is not "".
func findContact(path string, row int, number string) (*contact, error) {
	want := ""
	if number != "" {
		n, err := chatinc.NormalizeNumber(number)
		if err != nil {
			return nil, err
		}
		want = n
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, &chatinc.ValidationError{Field: "file", Reason: err.Error(), Err: err}
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		return nil, &chatinc.ValidationError{Field: "file", Reason: path + " has no header: " + err.Error(), Err: err}
	}
	header = append([]string(nil), header...)
	header[0] = strings.TrimPrefix(header[0], "\ufeff")
	numCol := -1
	for i, h := range header {
		if strings.EqualFold(strings.TrimSpace(h), "number") {
			numCol = i
		}
	}
	if numCol < 0 {
		return nil, &chatinc.ValidationError{Field: "file", Reason: path + ` has no "number" column (chatinc csv check says more)`}
	}
	for n := 0; ; {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			if want != "" {
				return nil, &chatinc.ValidationError{Field: "number", Reason: fmt.Sprintf("%s is not in %s", number, path)}
			}
			return nil, &chatinc.ValidationError{Field: "row", Reason: fmt.Sprintf("%s has %d data rows, not %d", path, n, row)}
		}
		if err != nil {
			return nil, &chatinc.ValidationError{Field: "file", Reason: err.Error(), Err: err}
		}
		if blank(rec) {
			continue
		}
		n++
		num := ""
		if numCol < len(rec) {
			num = rec[numCol]
		}
		if want != "" {
			if got, err := chatinc.NormalizeNumber(num); err != nil || got != want {
				continue
			}
		} else if n != row {
			continue
		}
		line, _ := r.FieldPos(0)
		c := &contact{Row: n, Line: line, Number: num, Values: map[string]string{}}
		for i, h := range header {
			if i != numCol && i < len(rec) {
				c.Values[h] = rec[i]
			}
		}
		return c, nil
	}
}

// blank reports whether every field of rec is empty: the API skips such a
// row, and CheckCSV does not count it.
func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// preview prints message as c reads it, with c's values as group's.
func (a *app) preview(message, group string, c *contact) error {
	text, err := chatinc.RenderMessage(message, map[string]map[string]string{group: c.Values})
	var ce *chatinc.CheckError
	if errors.As(err, &ce) {
		for _, p := range ce.Problems {
			fmt.Fprintf(a.stderr, "chatinc: row %d (line %d, %s): %s\n", c.Row, c.Line, c.Number, p)
		}
		return errReported
	}
	if err != nil {
		return err
	}
	if a.json {
		return a.printJSON(struct {
			*contact
			Message string `json:"message"`
		}{c, text})
	}
	fmt.Fprintf(a.stdout, "To %s (row %d, line %d):\n\n%s\n", c.Number, c.Row, c.Line, text)
	return nil
}
