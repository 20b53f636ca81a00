package main

import (
	"fmt"
	"strconv"

	"github.com/chatinc/chatinc-go"
	"github.com/spf13/cobra"
)

func (a *app) audiencesCmd() *cobra.Command {
	return group("audiences", "Create audiences, add contacts to them, list them",
		a.audiencesCreateCmd(), a.audiencesAddCmd(), a.audiencesUploadCmd(),
		a.audiencesListCmd(), a.audiencesContactsCmd())
}

func contactsOf(numbers []string) []chatinc.Contact {
	contacts := make([]chatinc.Contact, len(numbers))
	for i, n := range numbers {
		contacts[i] = chatinc.Contact{Number: n}
	}
	return contacts
}

func (a *app) audiencesCreateCmd() *cobra.Command {
	var p chatinc.AudienceParams
	var numbers []string
	var dry bool
	cmd := &cobra.Command{
		Use:   "create --id ID --name NAME [--number NUMBER]...",
		Short: "Create an audience, optionally with its first contacts",
		Long: `Create creates an audience: POST /create/audience. The ID is yours to choose;
use it in a campaign's --audience. Numbers are international, with their
country code (+15551230001, or 0015551230001).`,
		Example: `  chatinc audiences create --id shoppers --name 'Frequent shoppers' --number +15551230001 --number +15551230002
  chatinc audiences create --id shoppers --name 'Frequent shoppers' --dry-run`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			p.Contacts = contactsOf(numbers)
			c, err := a.clientFor(dry)
			if err != nil {
				return err
			}
			res, err := c.CreateAudience(cmd.Context(), p)
			return a.written(dry, err, res, "Created audience %s.", p.ID)
		},
	}
	cmd.Flags().StringVar(&p.ID, "id", "", "the audience's ID (required)")
	cmd.Flags().StringVar(&p.Name, "name", "", "the audience's name (required)")
	cmd.Flags().StringVar(&p.Description, "description", "", "a description")
	cmd.Flags().StringArrayVar(&numbers, "number", nil, "a contact's phone number (repeatable)")
	addDryRun(cmd, &dry)
	return cmd
}

func (a *app) audiencesAddCmd() *cobra.Command {
	var numbers []string
	var dry bool
	cmd := &cobra.Command{
		Use:   "add AUDIENCE_ID --number NUMBER...",
		Short: "Add contacts to an audience",
		Long: `Add adds contacts to an existing audience: POST /create/audience with its ID
and the contacts. Contacts already in it are kept once. To add a file of
contacts, use 'chatinc audiences upload'.`,
		Example: `  chatinc audiences add shoppers --number +15551230003 --number 27820000001`,
		Args:    exactArgs(1, "AUDIENCE_ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(numbers) == 0 {
				return usagef(cmd, "give the contacts to add with --number")
			}
			c, err := a.clientFor(dry)
			if err != nil {
				return err
			}
			res, err := c.AddContactsToAudience(cmd.Context(), args[0], contactsOf(numbers))
			return a.written(dry, err, res, "Added %d %s to audience %s.", len(numbers), plural(len(numbers), "contact", "contacts"), args[0])
		},
	}
	cmd.Flags().StringArrayVar(&numbers, "number", nil, "a contact's phone number (repeatable)")
	addDryRun(cmd, &dry)
	return cmd
}

func (a *app) audiencesUploadCmd() *cobra.Command {
	var p chatinc.AudienceFileParams
	var dry bool
	cmd := &cobra.Command{
		Use:     "upload --id ID --name NAME FILE",
		Aliases: []string{"from-file"},
		Short:   "Create an audience, or add to it, from a CSV file",
		Long: `Upload checks the CSV file as 'chatinc csv check' does and, when it has no
problems, uploads it: POST /create/audience/from/file. The file needs a
"number" column; it streams, however large it is. A file with problems is
not sent (the exit status is 1).`,
		Example: `  chatinc audiences upload --id shoppers --name 'Frequent shoppers' contacts.csv
  chatinc audiences upload --id shoppers --name 'Frequent shoppers' --dry-run contacts.csv`,
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
			res, err := c.CreateAudienceFromFile(cmd.Context(), p)
			bar.finish()
			return a.written(dry, err, res, "Uploaded %s to audience %s.", args[0], p.ID)
		},
	}
	cmd.Flags().StringVar(&p.ID, "id", "", "the audience's ID (required)")
	cmd.Flags().StringVar(&p.Name, "name", "", "the audience's name (required)")
	addDryRun(cmd, &dry)
	return cmd
}

// checkBeforeUpload runs CheckCSV on the file at path and prints its
// problems, if any, to stderr; it returns errReported when there are some.
func (a *app) checkBeforeUpload(path string) error {
	rep, err := checkCSVFile(path)
	if err != nil {
		return err
	}
	if rep.ProblemCount == 0 {
		return nil
	}
	out := *a
	out.stdout = a.stderr
	out.printCSVReport(path, rep)
	fmt.Fprintln(a.stderr, "chatinc: nothing was uploaded: mend the file, then run the command again")
	return errReported
}

func (a *app) audiencesListCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "list",
		Short:   "List the account's audiences",
		Example: `  chatinc audiences list`,
		Args:    exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			list, err := c.RetrieveAudiences(cmd.Context())
			if err != nil {
				return err
			}
			if a.json {
				type audience struct {
					ID           string `json:"id"`
					Name         string `json:"name"`
					Description  string `json:"description"`
					ContactCount int    `json:"contactCount"`
				}
				out := make([]audience, len(list))
				for i, au := range list {
					out[i] = audience{au.ID, au.Name, au.Description, au.ContactCount}
				}
				return a.printJSON(out)
			}
			t := newTable(a.stdout, "ID", "NAME", "CONTACTS", "DESCRIPTION")
			for _, au := range list {
				t.row(au.ID, au.Name, strconv.Itoa(au.ContactCount), au.Description)
			}
			return t.flush()
		},
	}
}

func (a *app) audiencesContactsCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "contacts AUDIENCE_ID",
		Short:   "List an audience's contacts",
		Example: `  chatinc audiences contacts shoppers`,
		Args:    exactArgs(1, "AUDIENCE_ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			list, err := c.RetrieveAudienceContacts(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if a.json {
				if list == nil {
					list = []chatinc.Contact{}
				}
				return a.printJSON(list)
			}
			t := newTable(a.stdout, "NUMBER")
			for _, ct := range list {
				t.row(ct.Number)
			}
			return t.flush()
		},
	}
}
