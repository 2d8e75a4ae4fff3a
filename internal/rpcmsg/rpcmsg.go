// Package rpcmsg reads just enough of a JSON-RPC message to match requests
// with their answers: the transports use it to know which requests still
// wait for one.
package rpcmsg

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Classify returns the id a line is about and whether it is an answer.
// Whatever carries an id and is not itself an answer gets one with that id,
// whether it is a valid request or not; a line that is not a JSON object
// gets a parse or invalid-request error with a null id. It reads only as far
// as it must: an answer's id comes before its (possibly large) result.
// Lines mcp-go wrote are trusted to be valid JSON; lines read are checked.
func Classify(line []byte, trusted bool) (id string, answer, ok bool) {
	line = bytes.TrimSpace(line)
	if len(line) == 0 {
		return "", false, false
	}
	if line[0] != '{' || (!trusted && !json.Valid(line)) {
		return "null", false, true
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	_, _ = dec.Token() // the '{'
	var raw json.RawMessage
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			break
		}
		switch k {
		case "result", "error":
			answer = true
		case "id":
			if dec.Decode(&raw) != nil {
				return "null", false, true
			}
			continue
		}
		if answer && raw != nil {
			break
		}
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			break
		}
	}
	var v any
	if len(raw) == 0 || json.Unmarshal(raw, &v) != nil || v == nil {
		// A notification has no answer; an answer with a null id is one
		// to a line that could not be read.
		return "null", answer, answer
	}
	return fmt.Sprintf("%T:%v", v, v), answer, true
}
