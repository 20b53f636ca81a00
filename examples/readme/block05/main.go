// This file is a Go code block of README.md, copied by
// go generate ./examples/readme: edit README.md, not this file.

// README.md:407

package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"

	chatinc "github.com/chatinc/chatinc-go"
)

func main() {
	ctx := context.Background()
	chat, err := chatinc.NewClient(os.Getenv("CHATINC_API_KEY"), chatinc.WithPreflight())
	if err != nil {
		log.Fatal(err)
	}

	// 1. The file, row by row, streaming: nothing is sent.
	f, err := os.Open("contacts.csv")
	if err != nil {
		log.Fatal(err)
	}
	rep, err := chatinc.CheckCSV(f) // no header or no "number" column: an error
	f.Close()
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range rep.Problems {
		fmt.Printf("contacts.csv:%d: %s: %s\n", p.Line, p.Value, p.Reason)
	}
	if rep.ProblemCount > 0 {
		log.Fatalf("%d problems: fix the file first", rep.ProblemCount)
	}
	for column, rows := range rep.Empty {
		fmt.Printf("contacts.csv: %d rows leave %s empty\n", rows, column)
	}
	if len(rep.Empty) > 0 {
		log.Fatal(`fill the empty cells first: each such contact would read "Hi , your code is ."`)
	}

	// 4. Upload it, with progress; a retried attempt starts again at 0.
	file := chatinc.FileFromPath("contacts.csv").WithProgress(func(sent, total int64) {
		fmt.Printf("\r%d of %d bytes", sent, total)
	})
	if _, err := chat.CreateVariableGroupFromFile(ctx, chatinc.VariableGroupFileParams{
		ID: "spring-vouchers", Name: "users", AudienceID: "spring", File: file,
	}); err != nil {
		log.Fatal(err)
	}
	fmt.Println()

	// 2. The campaign, against the variable groups and audiences the API
	// holds. CheckCampaign only reads.
	params := chatinc.CampaignParams{Title: "Spring", Message: "Hi {users.first_name}, your code is {users.voucher}."}
	opts := chatinc.CampaignOptions{RunImmediately: true, Audiences: []string{"spring"}}
	if err := chat.CheckCampaign(ctx, params, opts); err != nil {
		var ce *chatinc.CheckError
		if errors.As(err, &ce) {
			for _, p := range ce.Problems {
				fmt.Println(p) // message: {users.frist_name} at byte 3: ... (did you mean {users.first_name}?)
			}
		}
		log.Fatal(err)
	}

	// 3. What one contact will read; WhatsApp asks templates for an example.
	params.MessageExample, err = chatinc.RenderMessage(params.Message, map[string]map[string]string{
		"users": {"first_name": "Ada", "voucher": "SPRING-000001"},
	})
	if err != nil {
		log.Fatal(err) // a missing value or a malformed placeholder
	}

	// 5. Send; WithPreflight runs CheckCampaign again just before.
	res, err := chat.CreateCampaign(ctx, params, opts)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("campaign", res.CampaignID)
}
