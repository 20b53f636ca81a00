package main

import (
	"strings"

	"github.com/chatinc/chatinc-go"
	"github.com/spf13/cobra"
)

func (a *app) groupsCmd() *cobra.Command {
	g := group("groups", "Create variable groups from CSV files, list them",
		a.groupsCreateCmd(), a.groupsListCmd())
	g.Aliases = []string{"variable-groups"}
	return g
}

func (a *app) groupsCreateCmd() *cobra.Command {
	var p chatinc.VariableGroupFileParams
	var dry bool
	cmd := &cobra.Command{
		Use:   "create --id ID --name NAME --audience AUDIENCE_ID FILE",
		Short: "Create a variable group from a CSV file",
		Long: `Create checks the CSV file as 'chatinc csv check' does and, when it has no
problems, uploads it as a variable group: POST
/create/variable/group/from/file. The header is "number" and one column per
variable; the group's name is the "group" of {group.variable} in messages.
The file's contacts join the audience AUDIENCE_ID, created if need be.
A file with problems is not sent (the exit status is 1).`,
		Example: `  chatinc groups create --id users --name users --audience shoppers users.csv
  chatinc groups create --id users --name users --audience shoppers --dry-run users.csv`,
		Args: exactArgs(1, "FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.checkBeforeUpload(args[0]); err != nil {
				return err
			}
			c, err := a.clientFor(dry)
			if err != nil {
				return err
			}
			bar := a.uploadBar(dry, "uploading "+args[0])
			p.File = chatinc.FileFromPath(args[0]).WithProgress(bar.progress)
			res, err := c.CreateVariableGroupFromFile(cmd.Context(), p)
			bar.finish()
			return a.written(dry, err, res, "Created variable group %s from %s.", p.Name, args[0])
		},
	}
	cmd.Flags().StringVar(&p.ID, "id", "", "the group's ID (required)")
	cmd.Flags().StringVar(&p.Name, "name", "", "the group's name, used in placeholders {name.variable} (required)")
	cmd.Flags().StringVar(&p.AudienceID, "audience", "", "the audience the file's contacts join (required)")
	addDryRun(cmd, &dry)
	return cmd
}

// groupJSON is the --json form of a variable group, which 'chatinc message
// check --groups' reads back.
type groupJSON struct {
	ID     string   `json:"id"`
	Name   string   `json:"name"`
	Fields []string `json:"fields"`
}

func (a *app) groupsListCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the account's variable groups",
		Example: `  chatinc groups list
  chatinc groups list --json > groups.json   # for 'chatinc message check --groups groups.json'`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			list, err := c.RetrieveVariableGroups(cmd.Context())
			if err != nil {
				return err
			}
			if a.json {
				out := make([]groupJSON, len(list))
				for i, g := range list {
					out[i] = groupJSON{g.ID, g.Name, g.Fields}
				}
				return a.printJSON(out)
			}
			t := newTable(a.stdout, "NAME", "ID", "VARIABLES")
			for _, g := range list {
				t.row(g.Name, g.ID, strings.Join(g.Fields, ", "))
			}
			return t.flush()
		},
	}
}
