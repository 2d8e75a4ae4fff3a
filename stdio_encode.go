package main

import (
	"encoding/json"

	"github.com/mark3labs/mcp-go/mcp"
)

// appendMessage appends msg as one line: its JSON and a newline.
func appendMessage(dst []byte, msg mcp.JSONRPCMessage) ([]byte, error) {
	b, err := json.Marshal(msg)
	if err != nil {
		return dst, err
	}
	return append(append(dst, b...), '\n'), nil
}
