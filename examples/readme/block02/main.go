// This file is a Go code block of README.md, copied by
// go generate ./examples/readme: edit README.md, not this file.

// README.md:183

package main

import (
	"log"
	"os"

	chatinc "github.com/chatinc/chatinc-go"
)

func main() {
	key := os.Getenv("CHATINC_API_KEY")
	chat, err := chatinc.NewClient(key) // everything else
	if err != nil {
		log.Fatal(err)
	}
	broadcast, err := chatinc.NewClient(key, chatinc.WithBaseURL("https://api.broadcast.chatinc.com/v1"))
	if err != nil {
		log.Fatal(err)
	}
	// Use broadcast for CreateAudienceFromFile, CreateVariableGroupFromFile,
	// RetrieveCampaigns and RetrieveCampaignDetails; chat for the rest.
	_, _ = chat, broadcast
}
