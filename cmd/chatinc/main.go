// Command chatinc is a command-line tool for the people who prepare Chat Inc
// broadcasts: it checks a contacts CSV and a message before anything is
// uploaded, shows what one contact will read, and makes every call of the
// API from a shell.
//
//	go install github.com/chatinc/chatinc-go/cmd/chatinc@latest
//	go run ./cmd/chatinc --help          # from a clone
//
// The checks need no account:
//
//	chatinc csv check contacts.csv
//	chatinc message check --message 'Hi {users.first_name}' --fields users.first_name
//	chatinc message preview --message 'Hi {users.first_name}' --file users.csv --row 17
//
// The calls read the API key from the CHATINC_API_KEY environment variable
// (never from a flag, which would land in the shell's history; it is never
// printed) and the API's address from --base-url or CHATINC_BASE_URL
// (default https://api.chatinc.com/v1; http is allowed to a loopback host,
// such as chatinc-mock or chatinctest):
//
//	chatinc audiences upload --id shoppers --name Shoppers contacts.csv
//	chatinc campaigns create --title 'Spring sale' --message 'Hi {users.first_name}!'
//	chatinc campaigns run CAMPAIGN_ID --audience shoppers
//	chatinc results CAMPAIGN_ID --csv --output results.csv
//
// Output is a table for people; --json prints JSON for scripts. Every
// command that writes has --dry-run, which makes the checks only (the
// pre-flight reads for campaigns) and sends nothing.
//
// Exit status: 0 success; 1 the input is wrong (a flag, a file, a message,
// a check that found problems: nothing was sent); 2 the API or the network
// failed; 3 the outcome of a send is unknown (the messages may have gone
// out): the command to find out is printed, and nothing should be sent
// again before it has said so.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], osStreams(), os.Getenv)
	stop()
	os.Exit(code)
}
