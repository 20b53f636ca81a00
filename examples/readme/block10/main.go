// This file is a Go code block of README.md, copied by
// go generate ./examples/readme: edit README.md, not this file.

// README.md:810

package main

import (
	"time"

	"github.com/chatinc/chatinc-go/chatinctest"
)

func main() {
	srv := chatinctest.NewServer(chatinctest.WithRateLimit(100, time.Second))
	defer srv.Close()
	srv.InjectFault("/run/campaign", 1, chatinctest.Fault{Status: 503, RetryAfter: "1"}) // next call fails, then it recovers
	srv.InjectFault("/retrieve/campaigns", 2, chatinctest.Fault{Drop: true})             // read the request, close the connection
	srv.InjectFault("/create/audience", 1, chatinctest.Fault{Delay: 2 * time.Second})    // a slow answer
	// ... run your code, then check what reached the server:
	_ = srv.RequestCount("/run/campaign") // or srv.Requests() for the full log
}
