// This file is a Go code block of README.md, copied by
// go generate ./examples/readme: edit README.md, not this file.

// README.md:548

package main

import (
	"context"
	"fmt"
	"log"
	"os"

	chatinc "github.com/chatinc/chatinc-go"
)

func main() {
	chat, err := chatinc.NewClient(os.Getenv("CHATINC_API_KEY"))
	if err != nil {
		log.Fatal(err)
	}
	byAction := map[string]int{}
	for row, err := range chat.CampaignDetails(context.Background(), os.Args[1]) {
		if err != nil {
			log.Fatal(err) // the last pair: the rows before it were real
		}
		byAction[row.Action]++
	}
	fmt.Println(byAction)
}
