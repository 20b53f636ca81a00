module github.com/chatinc/chatinc-go/bench/resty

go 1.23.5

require (
	github.com/chatinc/chatinc-go v0.0.0
	github.com/go-resty/resty/v2 v2.17.2
)

require (
	github.com/google/go-querystring v1.2.0 // indirect
	github.com/hashicorp/go-cleanhttp v0.5.2 // indirect
	github.com/hashicorp/go-retryablehttp v0.7.8 // indirect
	golang.org/x/net v0.43.0 // indirect
	golang.org/x/time v0.12.0 // indirect
)

replace github.com/chatinc/chatinc-go => ../..
