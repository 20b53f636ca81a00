package chatinc_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"
	"time"

	chatinc "github.com/chatinc/chatinc-go"
)

func ExamplePlaceholders() {
	for _, p := range chatinc.Placeholders("Hello, {users.first_name} {users.last_name}! {}") {
		fmt.Printf("%d %s group=%q variable=%q\n", p.Offset, p.Text, p.Group, p.Variable)
	}
	// Output:
	// 7 {users.first_name} group="users" variable="first_name"
	// 26 {users.last_name} group="users" variable="last_name"
	// 45 {} group="" variable=""
}

func ExampleValidateMessage() {
	groups := []chatinc.VariableGroup{{Name: "users", Fields: []string{"first_name", "code"}}}
	err := chatinc.ValidateMessage("Hi {first_name}, your code is {users.cod}.", groups)
	var ce *chatinc.CheckError
	if errors.As(err, &ce) {
		for _, p := range ce.Problems {
			fmt.Printf("byte %d: %s: %s; did you mean %s?\n", p.Offset, p.Text, p.Reason, p.Suggestion)
		}
	}
	// Output:
	// byte 3: {first_name}: no variable group: a placeholder is {group.variable}; did you mean {users.first_name}?
	// byte 30: {users.cod}: variable group "users" has no variable "cod"; did you mean {users.code}?
}

func ExampleRenderMessage() {
	message := "Hi {users.first_name}, your code is {users.code}."
	ada, err := chatinc.RenderMessage(message, map[string]map[string]string{
		"users": {"first_name": "Ada", "code": "SPRING-1"},
	})
	fmt.Println(ada, err)

	_, err = chatinc.RenderMessage(message, map[string]map[string]string{"users": {"first_name": "Grace"}})
	fmt.Println(err)
	// Output:
	// Hi Ada, your code is SPRING-1. <nil>
	// chatinc: message: {users.code} at byte 36: no value for {users.code}
}

func ExampleClient_CheckCampaign() {
	chat, done := newExampleClient()
	defer done()
	ctx := context.Background()
	if _, err := chat.CreateAudience(ctx, chatinc.AudienceParams{ID: "vip", Name: "VIP",
		Contacts: []chatinc.Contact{{Number: "+15550100001"}}}); err != nil {
		log.Fatal(err)
	}
	if _, err := chat.CreateVariableGroup(ctx, chatinc.VariableGroupParams{ID: "users", Name: "users",
		Fields: []string{"first_name"}}); err != nil {
		log.Fatal(err)
	}

	p := chatinc.CampaignParams{Title: "Spring", Message: "Hi {users.frist_name}!"}
	o := chatinc.CampaignOptions{RunImmediately: true, Audiences: []string{"vpi"}}
	err := chat.CheckCampaign(ctx, p, o) // reads only: nothing is created or sent
	var ce *chatinc.CheckError
	if errors.As(err, &ce) {
		for _, p := range ce.Problems {
			fmt.Println(p)
		}
	}
	// Output:
	// message: {users.frist_name} at byte 3: variable group "users" has no variable "frist_name" (did you mean {users.first_name}?)
	// audiences[0]: vpi: audience "vpi" not found (did you mean vip?)
}

func ExampleCheckError() {
	groups := []chatinc.VariableGroup{{Name: "users", Fields: []string{"first_name"}}}
	err := chatinc.ValidateMessage("My message {} for {users.first_name}", groups)
	fmt.Println(err)
	// Output: chatinc: message: {} at byte 11: empty placeholder: a placeholder is {group.variable}
}

func ExampleNormalizeNumber() {
	for _, n := range []string{"+27 82 000-0001", "0044 7700 900123", "07700 900123"} {
		normal, err := chatinc.NormalizeNumber(n)
		fmt.Println(normal, err)
	}
	// Output:
	// +27820000001 <nil>
	// +447700900123 <nil>
	//  chatinc: invalid number: "07700 900123" starts with 0, as a national number does: add the country code in place of the 0 (+44 7700 900123, not 07700 900123, for a UK number)
}

func ExampleCheckCSV() {
	file := "number,first_name\n+15550100001,Ada\n07700 900123,Grace\n+1 555 010 0001,Ada again\n+15550100003\n"
	rep, err := chatinc.CheckCSV(strings.NewReader(file)) // an *os.File in real use: it streams
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(rep.Rows, "rows,", rep.ProblemCount, "problems")
	for _, p := range rep.Problems {
		fmt.Printf("line %d: %s\n", p.Line, p.Reason)
	}

	_, err = chatinc.CheckCSV(strings.NewReader("number;first_name\n+15550100001;Ada\n"))
	fmt.Println(err)
	// Output:
	// 4 rows, 3 problems
	// line 3: "07700 900123" starts with 0, as a national number does: add the country code in place of the 0 (+44 7700 900123, not 07700 900123, for a UK number)
	// line 4: duplicate of line 2
	// line 5: 1 fields, header has 2
	// chatinc: invalid file: header has no "number" column: its fields are separated by ";" (semicolon); the API reads comma-separated files: save it as CSV with commas
}

func ExampleFile_WithProgress() {
	chat, done := newExampleClient()
	defer done()

	csv := "number,first_name\n+15550100001,Ada\n+15550100002,Grace\n"
	progress := func(sent, total int64) { fmt.Printf("%d/%d bytes\n", sent, total) }
	// Or FileFromPath("contacts.csv"); total is -1 for a reader that cannot seek.
	file := chatinc.FileFromReader("contacts.csv", strings.NewReader(csv)).WithProgress(progress)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := chat.CreateAudienceFromFile(ctx, chatinc.AudienceFileParams{ID: "spring", Name: "Spring", File: file}); err != nil {
		log.Fatal(err)
	}
	// Output:
	// 0/54 bytes
	// 54/54 bytes
}

// A utility template with a message example, made with RenderMessage.
func ExampleClient_CreateCampaign_messageExample() {
	chat, done := newExampleClient()
	defer done()
	ctx := context.Background()
	if _, err := chat.CreateVariableGroup(ctx, chatinc.VariableGroupParams{ID: "orders", Name: "orders",
		Fields: []string{"number_id", "eta"}}); err != nil {
		log.Fatal(err)
	}

	p := chatinc.CampaignParams{Title: "Shipping", Message: "Order {orders.number_id} arrives {orders.eta}."}
	example, err := chatinc.RenderMessage(p.Message, map[string]map[string]string{"orders": {"number_id": "A-1001", "eta": "on Friday"}})
	if err != nil {
		log.Fatal(err)
	}
	p.MessageExample = example // sent as "messageExample"
	o := chatinc.CampaignOptions{WhatsAppTemplateType: chatinc.TemplateUtility}
	if err := chat.CheckCampaign(ctx, p, o); err != nil {
		log.Fatal(err)
	}
	if _, err := chat.CreateCampaign(ctx, p, o); err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.MessageExample)
	// Output: Order A-1001 arrives on Friday.
}
